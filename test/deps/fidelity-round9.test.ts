import { describeFidelity, type FidelityCase } from './fidelity-cases.js';

/**
 * Round 9: a locked package's own dependency range one level down, judged as yarn and Bun install it (version and source), and a
 * merge-conflicted yarn.lock read as yarn 1 merges it. Fixtures and where
 * each came from: fixtures/lockfiles/fidelity/README.md. The offline-only notes (CPD131 not verified, CPD137 install
 * scripts unknown) are left out.
 */
const cases: FidelityCase[] = [
  {
    name: 'yarn 1: b@^2.0.0 locked at 1.0.0 under a is ignored and resolved afresh on the registry (CPD015); d forced by a resolution and an alias in range are not reported',
    dir: 'transitive-range.yarn-v1',
    want: ['CPD015:warning@yarn.lock:13'],
  },
  {
    name: 'yarn berry: the stored resolution of b@npm:^2.0.0 is b@npm:1.0.0 (CPD015); c@npm:^1.2.0 at 1.4.0 fits',
    dir: 'transitive-range.berry',
    want: ['CPD015:warning@yarn.lock:26'],
  },
  {
    name: 'Bun: a tuple dependency b@^2.0.0 bound to b@1.0.0 installs it (CPD015); a peer range the root dependency misses and an optional dependency in range are not reported',
    dir: 'transitive-range.bun',
    want: ['CPD015:warning@bun.lock:15'],
  },
  {
    name: 'yarn berry: b@npm:^2.0.0 stored as a tarball URL is fetched from it, as yarn 1 and npm would (CPD020, not the CPD008 warning); g asked for from git is CPD007',
    dir: 'range-to-tarball-transitive.berry',
    want: ['CPD007:warning@yarn.lock:33', 'CPD020:error@yarn.lock:26'],
  },
  {
    name: 'Bun: b@^2.0.0 bound to a tarball tuple is fetched from it (CPD020, not the CPD008 warning); g asked for from GitHub is CPD007',
    dir: 'range-to-tarball-transitive.bun',
    want: ['CPD007:warning@bun.lock:16', 'CPD020:error@bun.lock:14'],
  },
  {
    name: 'yarn 1: a merge-conflicted yarn.lock is read as yarn merges it, the later side winning (CPD005 for its left-pad), and the conflict is one CPD025',
    dir: 'merge-conflict.yarn-v1',
    want: ['CPD005:error@yarn.lock:20', 'CPD025:error@yarn.lock:5'],
  },
  {
    name: 'yarn 1: a conflicted yarn.lock with a side that is no yarn.lock v1 reads that side as YAML (CPD028 at the file line where it breaks), where left-pad becomes a string that locks nothing (CPD014)',
    dir: 'merge-conflict-broken.yarn-v1',
    want: ['CPD014:warning@package.json:1', 'CPD025:error@yarn.lock:5', 'CPD028:warning@yarn.lock:13'],
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 9)', cases, ['CPD131', 'CPD137']);
