import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/app/scan.js';
import { silentLogger } from '../../src/core/context.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { depsStage } from '../../src/deps/stage.js';
import { pythonDepsStage } from '../../src/deps/parsers/python/stage.js';
import { createPypiStage } from '../../src/registry/pypi/stage.js';
import { toCycloneDx } from '../../src/report/cyclonedx.js';
import type { PypiIndexServer } from '../helpers/pypi-index-server.js';
import { startPypiIndex } from '../helpers/pypi-index-server.js';
import { TEST_STAGE, policyWith, tempDir, writeLockfile } from './scan.js';

const SHA = 'a'.repeat(64);
const WHEEL = { filename: 'six-1.16.0-py2.py3-none-any.whl', sha256: SHA };

let index: PypiIndexServer;
beforeAll(async () => {
  index = await startPypiIndex();
});
afterAll(() => index.close());

// npm's six@1.16.0 and PyPI's six==1.16.0 are two packages. Keyed by name@version alone, their verification records
// were one (the worst status won) and each BOM component showed the other's status and findings.
describe('an npm and a PyPI package of the same name and version in one repository', () => {
  it('keep their own verification records, BOM status and findings count', async () => {
    index.serve({ six: [WHEEL] });
    const root = tempDir('chainproof-ecosystems-');
    writeFileSync(path.join(root, 'requirements.txt'), `six==1.16.0 --hash=sha256:${SHA}\n`);
    // The npm registry is a closed loopback port: its six is unverifiable, while the PyPI index verifies its six.
    // Locked without integrity, npm's six also has a finding of its own (the deps stage's), PyPI's has none.
    writeLockfile(root, [{ name: 'six', version: '1.16.0', resolved: 'http://127.0.0.1:1/six/-/six-1.16.0.tgz' }]);
    const result = await scanRepository({
      root,
      policy: policyWith(),
      registry: EMPTY_REGISTRY,
      options: {
        offline: false,
        concurrency: 4,
        verifyTarballs: false,
        cacheDir: undefined,
        registry: 'http://127.0.0.1:1/',
        shard: undefined,
        env: { PIP_INDEX_URL: index.indexUrl },
      },
      include: [],
      exclude: [],
      logger: silentLogger,
      stages: [
        depsStage,
        pythonDepsStage,
        TEST_STAGE,
        createPypiStage({ timeoutMs: 5000, retries: 1, minRetryDelayMs: 10 }),
      ],
      today: '2026-01-01',
    });

    expect(result.verifications.map((v) => `${v.key} ${v.status}`)).toEqual([
      'pkg:npm/six@1.16.0 unverifiable',
      'pkg:pypi/six@1.16.0 verified',
    ]);

    const findingsOf = (ecosystem: string) =>
      result.findings.filter((f) => f.artifact?.kind === 'package' && f.artifact.ecosystem === ecosystem).length;
    const npmFindings = findingsOf('npm');
    expect(npmFindings).toBeGreaterThan(0);
    expect(findingsOf('pypi')).toBe(0);

    const bom = toCycloneDx(result, { toolVersion: '0.0.0' });
    const prop = (ref: string, name: string) =>
      bom.components.find((c) => c['bom-ref'] === ref)?.properties?.find((p) => p.name === name)?.value;
    expect(bom.components.filter((c) => c.type === 'library').map((c) => c['bom-ref'])).toEqual([
      'pkg:npm/six@1.16.0',
      'pkg:pypi/six@1.16.0',
    ]);
    expect(prop('pkg:npm/six@1.16.0', 'chainproof:verification')).toBe('unverifiable');
    expect(prop('pkg:npm/six@1.16.0', 'chainproof:findings')).toBe(String(npmFindings));
    expect(prop('pkg:pypi/six@1.16.0', 'chainproof:verification')).toBe('verified');
    expect(prop('pkg:pypi/six@1.16.0', 'chainproof:findings')).toBe('0');
  });
});
