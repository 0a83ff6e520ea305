import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { FIDELITY, describeFidelity, type FidelityCase } from './fidelity-cases.js';
import { policyWith, repoWith, scanDeps } from './helpers.js';

/**
 * Round 8: integrity values read the way ssri reads them (npm, yarn 1), and registry tarball URLs in the shapes
 * private registries serve. Fixtures and where each came from: fixtures/lockfiles/fidelity/README.md. The
 * offline-only notes (CPD131 not verified, CPD137 install scripts unknown) are left out.
 */
const cases: FidelityCase[] = [
  {
    name: 'npm: ssri checks only the strongest algorithm, so a valid sha512 beside a malformed, weaker or unknown token installs; a sha1 beside a bad sha512 never does',
    dir: 'integrity-extra-tokens.v3',
    want: ['CPD004:error@package-lock.json:38'],
  },
  {
    name: 'npm: two different sha512 digests accept either tarball (CPD166); a repeated digest is one; md5 alone is checked, weakly (CPD003)',
    dir: 'integrity-two-digests.v3',
    want: ['CPD003:warning@package-lock.json:26', 'CPD166:error@package-lock.json:16'],
  },
  {
    name: 'yarn 1: the same ssri reading of a quoted integrity with several hashes',
    dir: 'integrity-two-digests.yarn-v1',
    want: ['CPD166:error@yarn.lock:5'],
  },
  {
    name: 'pnpm 9: a catalog entry whose specifier pnpm-workspace.yaml has changed is ERR_PNPM_LOCKFILE_CONFIG_MISMATCH (catalogs): CPD026',
    dir: 'catalog-changed.pnpm9',
    want: ['CPD026:warning@pnpm-lock.yaml:7'],
  },
  {
    name: 'pnpm 9: ignoredOptionalDependencies configured but not in the lockfile is ERR_PNPM_LOCKFILE_CONFIG_MISMATCH: CPD026',
    dir: 'ignored-optional.pnpm9',
    want: ['CPD026:warning@pnpm-lock.yaml:1'],
  },
  {
    name: 'npm: an http URL on registry.npmjs.org is moved to the configured https registry (replace-registry-host); registry.yarnpkg.com is fetched as written',
    dir: 'http-registry-host.v3',
    want: ['CPD006:error@package-lock.json:20'],
  },
  {
    name: 'npm: replace-registry-host=never fetches both http URLs as written',
    dir: 'http-registry-host-never.v3',
    want: ['CPD006:error@package-lock.json:15', 'CPD006:error@package-lock.json:20'],
  },
  {
    name: 'yarn 1: http on npmjs and yarnpkg hosts is upgraded to https; another host stays http',
    dir: 'http-registry-host.yarn-v1',
    want: ['CPD005:error@yarn.lock:15', 'CPD006:error@yarn.lock:15'],
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 8)', cases, ['CPD131', 'CPD137']);

describe('GitLab-style scoped tarball file names are registry tarballs (gitlab-scoped-tarball.v3)', () => {
  it('with the registry allowed, only the swapped version (29) and the other-package file (34) are CPD010', async () => {
    const policy = policyWith({
      allowedRegistries: [...DEFAULT_POLICY.dependencies.allowedRegistries, 'https://gitlab.example.com/'],
    });
    const r = await scanDeps(path.join(FIDELITY, 'gitlab-scoped-tarball.v3'), { policy });
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? ''}`).sort()).toEqual([
      'CPD010@package-lock.json:29',
      'CPD010@package-lock.json:34',
    ]);
  });
});

/**
 * arborist reify.js `registryResolved` moves a `resolved` on `replace-registry-host` (registry.npmjs.org by default)
 * onto the configured registry with that registry's scheme: a repository `.npmrc` with `registry=http://…` makes npm
 * fetch the lockfile's https registry.npmjs.org tarballs over http. A URL on another host is fetched as written.
 */
describe('an http registry in the repository .npmrc makes https lockfile URLs insecure downloads (CPD006)', () => {
  const entry = (name: string, host: string) => ({
    version: '1.0.0',
    resolved: `https://${host}/${name}/-/${name}-1.0.0.tgz`,
    integrity: `sha512-${Buffer.alloc(64, name).toString('base64')}`,
  });
  const lockfile = JSON.stringify({
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0', b: '^1.0.0', c: '^1.0.0' } },
      'node_modules/a': entry('a', 'registry.npmjs.org'),
      'node_modules/b': entry('b', 'registry.npmjs.org'),
      'node_modules/c': entry('c', 'registry.yarnpkg.com'),
    },
  });
  const policy = policyWith({
    allowedRegistries: [...DEFAULT_POLICY.dependencies.allowedRegistries, 'http://npm.corp.example/'],
  });
  const insecure = async (npmrc: string) => {
    const dir = await repoWith({ '.npmrc': npmrc, 'package-lock.json': lockfile });
    return (await scanDeps(dir, { policy })).findings.filter((f) => f.ruleId === 'CPD006');
  };

  it('the two registry.npmjs.org entries are one CPD006 for the http registry; the yarnpkg one is none', async () => {
    const found = await insecure('registry=http://npm.corp.example/\n');
    expect(found).toHaveLength(1);
    expect(found[0]!.evidence).toMatchObject({ origin: 'http://npm.corp.example', count: 2 });
    expect(found[0]!.message).toContain('a@1.0.0');
    expect(found[0]!.message).not.toContain('c@1.0.0');
  });

  it('with replace-registry-host=never, or an https registry, npm fetches them as written: none', async () => {
    expect(await insecure('registry=http://npm.corp.example/\nreplace-registry-host=never\n')).toEqual([]);
    expect(await insecure('registry=https://npm.corp.example/\n')).toEqual([]);
  });
});
