import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/app/scan.js';
import { silentLogger } from '../../src/core/context.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { depsStage } from '../../src/deps/stage.js';
import { sri } from '../helpers/npm-endpoints-server.js';
import { endpointsPerTest, NPM_KEYS, policyWith, TEST_STAGE, tempDir } from './scan.js';

const startServer = endpointsPerTest();
const A_INTEGRITY = sri('sha512', Buffer.from('a-1.0.0'));
const ORPHAN_INTEGRITY = sri('sha512', Buffer.from('orphan-1.0.0'));

/**
 * An npm v3 lockfile in the shape npm 11 writes (two-space JSON), with `orphan` dropped from package.json and the
 * root's dependencies: `npm ci` prunes it as extraneous (fixtures/lockfiles/unreached/README.md measured this).
 */
function writeProject(root: string, registry: string): void {
  const entry = (name: string, integrity: string) => ({
    version: '1.0.0',
    resolved: new URL(`${name}/-/${name}-1.0.0.tgz`, registry).toString(),
    integrity,
  });
  const lock = {
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies: { a: '1.0.0' } },
      'node_modules/a': entry('a', A_INTEGRITY),
      'node_modules/orphan': entry('orphan', ORPHAN_INTEGRITY),
    },
  };
  writeFileSync(path.join(root, 'package.json'), '{"name":"app","version":"1.0.0","dependencies":{"a":"1.0.0"}}\n');
  writeFileSync(path.join(root, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

describe('registry checks of lockfile entries the frozen install never reaches', () => {
  it('asks nothing about them, as the offline scan judges nothing on them', async () => {
    // The registry publishes `a` but not `orphan`: asked about, orphan would be CPD101 (not on its registry).
    const server = await startServer({
      keys: NPM_KEYS,
      packages: [
        { name: 'a', versions: [{ version: '1.0.0', integrity: A_INTEGRITY, time: '2022-06-01T00:00:00.000Z' }] },
      ],
    });
    const root = tempDir('chainproof-unreached-');
    writeProject(root, server.url);
    const result = await scanRepository({
      root,
      policy: policyWith(),
      registry: EMPTY_REGISTRY,
      options: {
        offline: false,
        concurrency: 2,
        verifyTarballs: false,
        cacheDir: undefined,
        registry: server.url,
        shard: undefined,
        env: {},
      },
      include: [],
      exclude: [],
      logger: silentLogger,
      stages: [depsStage, TEST_STAGE],
      today: '2026-01-01',
    });
    // Only the deps stage's one note names it (its loopback registry is not an allowed one: a finding left out).
    expect(result.findings.filter((f) => f.message.includes('orphan')).map((f) => f.ruleId)).toEqual(['CPD171']);
    expect(result.verifications.map((v) => v.key)).toEqual(['pkg:npm/a@1.0.0']);
    expect(server.requests.filter((r) => r.url.includes('orphan'))).toEqual([]);
  });
});
