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
];

describeFidelity('dependency verdicts agree with the package manager (round 6)', cases, ['CPD131', 'CPD137']);
