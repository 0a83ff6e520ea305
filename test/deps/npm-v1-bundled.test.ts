import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * npm ≥ 7 reads a lockfileVersion 1 tree by migrating it (arborist Shrinkwrap `#metaFromLock`: `bundled: true`
 * becomes `inBundle`) and then decides bundles as loadVirtual's assignBundles does for any lockfile: a claim counts
 * only under a parent that is no bundle itself and depends on the name. With npm 11.19, `npm ci` downloaded and
 * installed a top-level `"bundled": true` entry without integrity from a loopback server.
 */
const SHA512 = 'sha512-CpaNbkMJrSIrixyZDRxzShMj1s5MhZcoVdEs8t0gfnejS4lyqiyaYUFS8+1bOSErGJtay0xWkH6EnqwlU8Ua/g==';
const url = (name: string, v: string) => `https://registry.npmjs.org/${name}/-/${name}-${v}.tgz`;

function v1(dependencies: Record<string, unknown>): string {
  return JSON.stringify({ name: 'proj', version: '1.0.0', lockfileVersion: 1, requires: true, dependencies }, null, 2);
}

async function missingIntegrity(lock: string): Promise<string[]> {
  const root = await repoWith({ 'package-lock.json': lock });
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => f.ruleId === 'CPD002')
    .map((f) => `${f.artifact?.kind === 'package' ? f.artifact.name : ''}@${f.location.line ?? ''}`);
}

describe('npm lockfile v1: `bundled` read as npm ≥ 7 reads it', () => {
  it('a top-level entry claiming to be bundled is fetched, so its missing integrity is CPD002', async () => {
    const lock = v1({ foo: { version: '1.0.0', resolved: url('foo', '1.0.0'), bundled: true } });
    expect(await missingIntegrity(lock)).toEqual(['foo@7']);
  });

  it('a dependency its parent requires, with what it pulls in, comes out of the parent’s tarball', async () => {
    const lock = v1({
      parent: {
        version: '1.0.0',
        resolved: url('parent', '1.0.0'),
        integrity: SHA512,
        requires: { inner: '^1.0.0' },
        dependencies: {
          inner: { version: '1.0.0', bundled: true, requires: { leaf: '^1.0.0' } },
          leaf: { version: '1.0.0', bundled: true },
        },
      },
    });
    expect(await missingIntegrity(lock)).toEqual([]);
  });

  it('a claim under a parent that does not depend on the name is fetched like any other', async () => {
    const lock = v1({
      parent: {
        version: '1.0.0',
        resolved: url('parent', '1.0.0'),
        integrity: SHA512,
        dependencies: { stray: { version: '1.0.0', resolved: url('stray', '1.0.0'), bundled: true } },
      },
    });
    expect(await missingIntegrity(lock)).toEqual(['stray@12']);
  });
});

/**
 * npm 6 wrote a `file:` dependency as `"version": "file:…"` with no `resolved`; arborist `#metaFromLock` reads that
 * spec (against the project folder) as where the package comes from: a link to the folder, or `resolved: file:…` for
 * a tarball.
 */
describe('npm lockfile v1: a `file:` version is where npm reads the package', () => {
  it('a folder outside the repository is CPD017, and CPD009 names the path, not the install location', async () => {
    const root = await repoWith({ 'package-lock.json': v1({ vendored: { version: 'file:../../outside' } }) });
    const r = await scanDeps(root);
    const outside = r.findings.filter((f) => f.ruleId === 'CPD017');
    expect(outside.map((f) => f.evidence?.path)).toEqual(['../../outside']);
    expect(r.findings.find((f) => f.ruleId === 'CPD009')?.message).toContain('(file:../../outside)');
  });

  it('a folder inside the repository is no CPD017', async () => {
    const root = await repoWith({ 'package-lock.json': v1({ vendored: { version: 'file:vendor/lib' } }) });
    const r = await scanDeps(root);
    expect(r.findings.filter((f) => f.ruleId === 'CPD017')).toEqual([]);
  });
});
