import { describeFidelity, type FidelityCase } from './fidelity-cases.js';

/**
 * Round 6: lockfile shapes where the verdict must follow what the package manager reads (Bun's newer lockfile
 * versions and duplicate keys, scope registries outside npm, yarn berry aliases). Fixtures and where each came from:
 * fixtures/lockfiles/fidelity/README.md. The offline-only notes (CPD131 not verified, CPD137 install scripts
 * unknown) are left out.
 */
const cases: FidelityCase[] = [
  {
    name: 'bun: lockfileVersion 3 (written by the newest Bun, same package tuples) is read, not refused as unknown',
    dir: 'version3.bun',
    want: ['CPD005:error@bun.lock:12'],
  },
  {
    name: 'bun: of two top-level packages sections Bun reads the first (Expr.get), so its evil left-pad installs',
    dir: 'dup-section.bun',
    want: ['CPD005:error@bun.lock:12', 'CPD025:error@bun.lock:14'],
  },
  {
    name: 'bun: a lockfile without the root workspace ("") is refused by Bun (Expected root package): unread, not checked as if installed',
    dir: 'no-root.bun',
    want: ['CPD001:error@bun.lock:3'],
  },
  {
    name: 'bun: an integrity holding two hashes is no integrity to Bun (Integrity.parse decodes one), so left-pad installs unchecked',
    dir: 'several-hashes.bun',
    want: ['CPD016:error@bun.lock:13'],
  },
  {
    name: 'pnpm: an @corp tarball locked on registry.npmjs.org is fetched there (pkgSnapshotToResolution), not from the .npmrc scope registry',
    dir: 'scope-registry.pnpm9',
    want: ['CPD134:error@.npmrc:1', 'CPD162:error@pnpm-lock.yaml:20'],
    counts: { CPD162: 1 },
  },
  {
    name: 'bun: an @corp tuple recording a registry.npmjs.org URL is downloaded from it; an empty one uses the scope registry',
    dir: 'scope-registry.bun',
    want: ['CPD134:error@.npmrc:1', 'CPD162:error@bun.lock:13'],
    counts: { CPD162: 1 },
  },
  {
    name: 'yarn 1: an @corp resolved URL on registry.yarnpkg.com is requested as written (NpmRegistry.getRequestUrl)',
    dir: 'scope-registry.yarn-v1',
    want: ['CPD134:error@.npmrc:1', 'CPD162:error@yarn.lock:5'],
    counts: { CPD162: 1 },
  },
  {
    name: 'yarn berry: an @corp resolution whose __archiveUrl is on registry.npmjs.org is fetched there, not from the npmScopes registry',
    dir: 'scope-registry.berry',
    want: ['CPD150:error@.yarnrc.yml:3', 'CPD162:error@yarn.lock:8'],
    counts: { CPD162: 1 },
  },
  {
    name: 'pnpm: an importer whose version names another package installs it under the declared name (frozen install compares specifiers only)',
    dir: 'alias-swap.pnpm9',
    want: ['CPD021:error@pnpm-lock.yaml:23', 'CPD021:error@pnpm-lock.yaml:26'],
  },
  {
    name: 'yarn berry: a descriptor whose resolution names another package is one CPD010, not also CPD015 for the same entry',
    dir: 'alias-swap.berry',
    want: ['CPD010:error@yarn.lock:18', 'CPD010:error@yarn.lock:32'],
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 6)', cases, ['CPD131', 'CPD137']);
