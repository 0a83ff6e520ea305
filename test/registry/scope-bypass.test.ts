import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { depsStage } from '../../src/deps/stage.js';
import { scanWith } from '../helpers/scan.js';
import { fakeIntegrity, routeRegistries, type RouteRegistry } from './route-registry.js';
import { TEST_STAGE, policyWith, tempDir, writeLockfile, type LockEntry } from './scan.js';

/**
 * The dependency-confusion shape: the repository's .npmrc maps @corp to registry B, but the lockfile resolves the
 * @corp packages on the default registry A. npm fetches each `resolved` as written (arborist reify
 * `#registryResolved` moves only replace-registry-host URLs, and to the default registry), so the scope mapping
 * never applies: one cause, which CPD162 (deps stage) reports with the count. The registry stage used to add a
 * CPD157 for the same packages, saying "nothing here verified A" although A is the configured registry.
 */
const startRegistry = routeRegistries();
const NAMES = ['@corp/a', '@corp/b', '@corp/c'];

const tarballOf = (reg: RouteRegistry, name: string) =>
  `${reg.url}${name}/-/${name.replace(/^@[^/]+\//, '')}-1.0.0.tgz`;

function publish(reg: RouteRegistry, names: readonly string[]): void {
  for (const name of names)
    reg.route(`/${name}`, {
      body: {
        name,
        'dist-tags': { latest: '1.0.0' },
        versions: {
          '1.0.0': { name, version: '1.0.0', dist: { integrity: fakeIntegrity(name), tarball: tarballOf(reg, name) } },
        },
      },
    });
}

async function scan(
  npmrc: string,
  entries: readonly LockEntry[],
  allowed: readonly string[],
  privateScopes: readonly string[] = [],
  userNpmrc?: string,
): Promise<ScanResult> {
  const root = tempDir('chainproof-scope-bypass-');
  const home = tempDir('chainproof-scope-bypass-home-');
  if (userNpmrc !== undefined) writeFileSync(path.join(home, '.npmrc'), userNpmrc);
  const deps = Object.fromEntries(entries.map((e) => [e.name, e.version]));
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies: deps }));
  writeFileSync(path.join(root, '.npmrc'), npmrc);
  writeLockfile(root, entries);
  return scanWith(root, [depsStage, TEST_STAGE], {
    policy: policyWith({ verifySignatures: false, allowedRegistries: [...allowed], privateScopes: [...privateScopes] }),
    options: {
      offline: false,
      env: userNpmrc === undefined ? {} : { npm_config_userconfig: path.join(home, '.npmrc') },
    },
  });
}

/** The rules about where packages come from (CPD006, http on loopback, is left out). */
const sourceRules = (r: ScanResult) =>
  r.findings.map((f) => f.ruleId).filter((id) => ['CPD011', 'CPD107', 'CPD157', 'CPD162'].includes(id));

describe('a scope mapped to registry B, its packages locked on the default registry A', () => {
  it('one CPD162 with the count, no CPD157 beside it', async () => {
    const a = await startRegistry();
    const b = await startRegistry();
    publish(a, NAMES);
    publish(b, NAMES);
    const entries = NAMES.map((name) => ({
      name,
      version: '1.0.0',
      resolved: tarballOf(a, name),
      integrity: fakeIntegrity(name),
    }));
    const result = await scan(`registry=${a.url}\n@corp:registry=${b.url}\n`, entries, [a.url, b.url]);
    expect(sourceRules(result)).toEqual(['CPD162']);
    expect(result.findings.find((f) => f.ruleId === 'CPD162')?.evidence).toMatchObject({ count: 3, scope: '@corp' });
  });

  it('unscoped packages on an old base beside them keep their CPD157, with their count only', async () => {
    const a = await startRegistry();
    const b = await startRegistry();
    const old = await startRegistry();
    publish(b, NAMES);
    publish(a, ['x', 'y']);
    const entries = [
      ...NAMES.map((name) => ({
        name,
        version: '1.0.0',
        resolved: tarballOf(a, name),
        integrity: fakeIntegrity(name),
      })),
      ...['x', 'y'].map((name) => ({
        name,
        version: '1.0.0',
        resolved: tarballOf(old, name),
        integrity: fakeIntegrity(name),
      })),
    ];
    const result = await scan(`registry=${a.url}\n@corp:registry=${b.url}\n`, entries, [a.url, b.url, old.url]);
    expect(sourceRules(result).sort()).toEqual(['CPD157', 'CPD162']);
    expect(result.findings.find((f) => f.ruleId === 'CPD157')?.evidence).toMatchObject({
      count: 2,
      packages: 'x@1.0.0 y@1.0.0',
    });
  });

  it('a scope the policy marks private, locked on the public registry: CPD011 per package, no CPD107/CPD157', async () => {
    const b = await startRegistry();
    publish(b, NAMES);
    // Written against registry.npmjs.org (npm's default) before the scope was mapped: never fetched in this test,
    // the registry stage asks B, the scope's registry, and the public URL differs from what B publishes.
    const entries = NAMES.map((name) => ({
      name,
      version: '1.0.0',
      resolved: `https://registry.npmjs.org/${name}/-/${name.slice('@corp/'.length)}-1.0.0.tgz`,
      integrity: fakeIntegrity(name),
    }));
    const result = await scan(`@corp:registry=${b.url}\n`, entries, [b.url, 'https://registry.npmjs.org/'], ['@corp']);
    expect(sourceRules(result)).toEqual(['CPD011', 'CPD011', 'CPD011']);
  });

  it("a scope mapped only in the user's ~/.npmrc: one CPD157 that names the scope mapping, not 'nothing verified A'", async () => {
    const a = await startRegistry();
    const b = await startRegistry();
    publish(a, NAMES);
    publish(b, NAMES);
    const entries = NAMES.map((name) => ({
      name,
      version: '1.0.0',
      resolved: tarballOf(a, name),
      integrity: fakeIntegrity(name),
    }));
    // The repository has no scope mapping (its .npmrc is empty), so CPD162 cannot see it; the registry stage can.
    const result = await scan('', entries, [a.url, b.url], [], `registry=${a.url}\n@corp:registry=${b.url}\n`);
    expect(sourceRules(result)).toEqual(['CPD157']);
    const group = result.findings.find((f) => f.ruleId === 'CPD157')!;
    expect(group.message).toContain(`not from ${b.url}, the registry the npm configuration names for @corp`);
    expect(group.message).not.toContain('nothing here verified');
    expect(group.evidence).toMatchObject({ count: 3, scope: '@corp', scopeRegistry: b.url });
  });
});
