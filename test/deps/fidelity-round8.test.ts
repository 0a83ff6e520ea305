import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { FIDELITY, describeFidelity, type FidelityCase } from './fidelity-cases.js';
import { policyWith, scanDeps } from './helpers.js';

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
