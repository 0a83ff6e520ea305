import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFidelity, FIDELITY, type FidelityCase } from './fidelity-cases.js';
import { scanDeps } from './helpers.js';

/**
 * Round 5: lockfile shapes where the verdict must follow what the package manager reads (bun git tuples, pnpm patch
 * hashes, npm's empty shrinkwrap, `file:` tarballs). Fixtures and where each came from: fixtures/lockfiles/fidelity/README.md.
 * The offline-only notes (CPD131 not verified, CPD137 install scripts unknown) are left out.
 */
const cases: FidelityCase[] = [
  {
    name: 'bun: a git clone checks out the tuple’s third element, a github: tarball the id’s committish (short hex is Bun’s own)',
    dir: 'git-unpinned.bun',
    want: [
      'CPD007:warning@bun.lock:17',
      'CPD007:warning@bun.lock:23',
      'CPD007:warning@bun.lock:27',
      'CPD023:error@bun.lock:19',
      'CPD023:error@bun.lock:21',
      'CPD023:error@bun.lock:25',
    ],
  },
  {
    name: 'pnpm: a patch file edited after locking no longer hashes to the recorded value (calcPatchHashes); CRLF is normalised',
    dir: 'patch-hash.pnpm9',
    want: ['CPD026:warning@pnpm-lock.yaml:13'],
  },
  {
    name: 'npm: an empty npm-shrinkwrap.json is no lockfile (arborist `sw || lock`), so the package-lock beside it installs',
    dir: 'empty-shrinkwrap.v3',
    want: ['CPD005:error@package-lock.json:14'],
  },
  {
    name: 'npm: a shrinkwrap object without packages loads as an empty lockfile: one CPD014 for the three unlocked dependencies',
    dir: 'object-shrinkwrap.v3',
    want: ['CPD014:warning@package.json:5'],
    counts: { CPD014: 3 },
  },
  {
    name: 'npm: a file: tarball replaced after locking fails its integrity (pacote FileFetcher); scripts run only with hasInstallScript',
    dir: 'local-tarball.v3',
    want: [
      'CPD009:note@package-lock.json:16',
      'CPD009:note@package-lock.json:21',
      'CPD009:note@package-lock.json:26',
      'CPD161:error@package-lock.json:21',
    ],
  },
  {
    name: 'yarn 1: the replaced tarball fails its integrity; the locked one with an install script runs it',
    dir: 'local-tarball.yarn-v1',
    want: [
      'CPD009:note@yarn.lock:10',
      'CPD009:note@yarn.lock:15',
      'CPD009:note@yarn.lock:5',
      'CPD012:warning@yarn.lock:15',
      'CPD161:error@yarn.lock:10',
    ],
  },
  {
    name: 'bun: local tarballs are written as bare paths (not GitHub shorthands); only trustedDependencies build',
    dir: 'local-tarball.bun',
    want: ['CPD009:note@bun.lock:17', 'CPD009:note@bun.lock:19', 'CPD009:note@bun.lock:21', 'CPD161:error@bun.lock:19'],
  },
  {
    name: 'npm: @corp packages locked to registry.npmjs.org are fetched there (arborist #registryResolved), not from the .npmrc scope registry',
    dir: 'scope-registry.v3',
    want: ['CPD134:error@.npmrc:1', 'CPD162:error@package-lock.json:16'],
    counts: { CPD162: 2 },
  },
  {
    name: 'npm: resolved URLs with a password are one CPD163 (secret in the repository); an ssh git user or ${VAR} is none',
    dir: 'credentials.v3',
    want: ['CPD007:warning@package-lock.json:32', 'CPD163:error@package-lock.json:17'],
    counts: { CPD163: 2 },
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 5)', cases, ['CPD131', 'CPD137']);

describe('credentials in a lockfile are reported, never repeated', () => {
  it('no finding or notification carries the token (credentials.v3)', async () => {
    const r = await scanDeps(path.join(FIDELITY, 'credentials.v3'));
    expect(r.findings.some((f) => f.ruleId === 'CPD163')).toBe(true);
    const shown = r.findings.map((f) => `${f.message} ${JSON.stringify(f.evidence ?? {})}`);
    expect(shown.join('\n')).toContain('registry.npmjs.org');
    expect(JSON.stringify([shown, r.notifications])).not.toContain('not-a-real-token');
  });

  it('a token in the path (Gemfury, Cloudsmith) is one CPD163 too; their public URLs are none (path-token.v3)', async () => {
    const r = await scanDeps(path.join(FIDELITY, 'path-token.v3'));
    const hits = r.findings.filter((f) => f.ruleId === 'CPD163');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.evidence).toMatchObject({
      count: 3,
      hosts: 'dl.cloudsmith.io, npm-proxy.fury.io',
      packages: '@acme/ui@2.0.0, a@1.0.0, b@1.0.0',
    });
    const shown = JSON.stringify([r.findings.map((f) => [f.message, f.evidence]), r.notifications]);
    expect(shown).not.toMatch(/madeUp\w*Tok3n/);
  });
});
