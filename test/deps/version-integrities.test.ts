import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * CPD173: one name@version locked twice from one registry with integrities that cannot both be the registry's
 * tarball. Hand-written in the shapes npm 11 and yarn 1.22 write (a nested copy under its dependant; yarn 1 entries
 * for two ranges that resolved to the same version). Package names the registry does not have, so that an offline
 * scan has no registry answer to lean on.
 */
const A = `sha512-${'B'.repeat(86)}==`;
const B = `sha512-${'C'.repeat(86)}==`;
const SHA1 = 'sha1-kMw5bcJ8ytxgSlWYf7pDf8v5Yzs=';
const TGZ = 'https://registry.npmjs.org/zq-pad-x/-/zq-pad-x-1.3.0.tgz';

const manifest = '{"name":"app","version":"1.0.0","dependencies":{"zq-pad-x":"^1.3.0","zq-helper-x":"^1.0.0"}}';
const npmLock = (first: string, second: string, secondUrl = TGZ, firstUrl = TGZ) => `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"zq-pad-x": "^1.3.0", "zq-helper-x": "^1.0.0"}},
    "node_modules/zq-pad-x": {"version": "1.3.0", "resolved": "${firstUrl}", "integrity": "${first}"},
    "node_modules/zq-helper-x": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/zq-helper-x/-/zq-helper-x-1.0.0.tgz", "integrity": "${A}", "dependencies": {"zq-pad-x": "1.3.0"}},
    "node_modules/zq-helper-x/node_modules/zq-pad-x": {"version": "1.3.0", "resolved": "${secondUrl}", "integrity": "${second}"}
  }
}
`;
const YARN_LOCK = `# yarn lockfile v1


zq-helper-x@^1.0.0:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/zq-helper-x/-/zq-helper-x-1.0.0.tgz"
  integrity ${A}
  dependencies:
    zq-pad-x "1.3.0"

zq-pad-x@1.3.0:
  version "1.3.0"
  resolved "https://registry.yarnpkg.com/zq-pad-x/-/zq-pad-x-1.3.0.tgz"
  integrity ${B}

zq-pad-x@^1.3.0:
  version "1.3.0"
  resolved "https://registry.yarnpkg.com/zq-pad-x/-/zq-pad-x-1.3.0.tgz"
  integrity ${A}
`;

const cpd173 = async (files: Record<string, string>) =>
  (await scanDeps(await repoWith(files))).findings.filter((f) => f.ruleId === 'CPD173');

describe('CPD173: one version locked with two integrities', () => {
  it('npm: a nested copy with another sha512 is one error at the copy', async () => {
    const found = await cpd173({ 'package.json': manifest, 'package-lock.json': npmLock(A, B) });
    expect(found.map((f) => [f.location.path, f.location.line, f.level ?? 'error'])).toEqual([
      ['package-lock.json', 10, 'error'],
    ]);
    expect(found[0]!.message).toContain('package-lock.json:8 locks the same version');
  });

  it('yarn 1: two entries of one version with different integrities', async () => {
    const found = await cpd173({ 'package.json': manifest, 'yarn.lock': YARN_LOCK });
    expect(found.map((f) => f.location.line)).toEqual([16]);
  });

  it.each([
    { name: 'the same integrity twice', second: A, url: TGZ },
    { name: 'a sha1 beside a sha512 (nothing to compare)', second: SHA1, url: TGZ },
    {
      name: 'another registry host (judged by the source rules)',
      second: B,
      url: 'https://npm.acme.test/zq-pad-x-1.3.0.tgz',
    },
    // Artifactory / Nexus serve many npm registries on one host, told apart by the path before /<name>/-/.
    {
      name: 'two registries on one host',
      second: B,
      url: 'https://art.acme.test/api/npm/npm-private/zq-pad-x/-/zq-pad-x-1.3.0.tgz',
      first: 'https://art.acme.test/api/npm/npm-public/zq-pad-x/-/zq-pad-x-1.3.0.tgz',
    },
    // Not valid SRI: CPD004's finding, not a second one here.
    { name: 'an integrity that is not valid SRI', second: `${B} sha512-notbase64!!`, url: TGZ },
  ])('nothing for $name', async ({ second, url, first }) => {
    const lock = npmLock(A, second, url, first);
    expect(await cpd173({ 'package.json': manifest, 'package-lock.json': lock })).toEqual([]);
  });

  // yarn 1 writes registry.yarnpkg.com for the npm registry it proxies: one registry, one tarball per version.
  it('registry.npmjs.org and registry.yarnpkg.com are one registry', async () => {
    const url = 'https://registry.yarnpkg.com/zq-pad-x/-/zq-pad-x-1.3.0.tgz';
    const found = await cpd173({ 'package.json': manifest, 'package-lock.json': npmLock(A, B, url) });
    expect(found.map((f) => f.location.line)).toEqual([10]);
  });
});
