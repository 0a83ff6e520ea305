import { describeFidelity, type FidelityCase } from './fidelity-cases.js';

/**
 * Round 10: yarn.lock v1 read as yarn 1's `Lockfile.getLocked` and `parse` read it — a top-level key whose value
 * names another pattern, and a file yarn's grammar rejects and yarn reads as YAML — and a berry lockfile told from a
 * yarn 1 one wherever its `__metadata` is. Fixtures and where each came
 * from: fixtures/lockfiles/fidelity/README.md. The offline-only notes (CPD131 not verified, CPD137 install scripts
 * unknown) are left out.
 */
const cases: FidelityCase[] = [
  {
    name: 'yarn 1: left-pad@^1.3.0 pointing at the evil-pad@1.3.0 entry installs evil-pad (CPD010); ms pointing at its own entry is nothing',
    dir: 'pattern-pointer.yarn-v1',
    want: ['CPD010:error@yarn.lock:7'],
  },
  {
    name: 'yarn 1: a yarn.lock only YAML reads is read as yarn reads it (CPD028) and its entries judged (CPD005 for left-pad)',
    dir: 'yaml-lockfile.yarn-v1',
    want: ['CPD005:error@yarn.lock:9', 'CPD028:warning@yarn.lock:5'],
  },
  {
    name: 'yarn berry: a lockfile whose __metadata comes after the first 4 KB is still berry (Project.setupResolutions reads it anywhere): left-pad resolved to a tarball on evil.example is CPD020',
    dir: 'metadata-late.berry',
    want: ['CPD020:error@yarn.lock:92'],
  },
  {
    name: 'bun: patchedDependencies adding install scripts to trusted packages run at install (CPD024); one outside the repository is CPD017',
    dir: 'patch-script.bun',
    want: [
      'CPD017:warning@bun.lock:14',
      'CPD024:error@patches/w@1.0.0.patch:11',
      'CPD024:error@patches/x@1.0.0.patch:11',
    ],
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 10)', cases, ['CPD131', 'CPD137']);
