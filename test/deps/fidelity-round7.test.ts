import { describeFidelity, type FidelityCase } from './fidelity-cases.js';

/**
 * Round 7: verdicts that follow npm 11.19's `allowScripts` policy in package.json. Fixtures and where each came
 * from: fixtures/lockfiles/fidelity/README.md. The offline-only note (CPD131 not verified) is left out.
 */
const cases: FidelityCase[] = [
  {
    name: 'npm: a package.json allowScripts deny (name, or the alias target from resolved) stops its scripts; ranges, other versions and allows do not',
    dir: 'allow-scripts.v3',
    want: [
      'CPD012:warning@package-lock.json:19',
      'CPD012:warning@package-lock.json:25',
      'CPD012:warning@package-lock.json:37',
    ],
  },
  {
    name: 'npm: dangerously-allow-all-scripts in the project .npmrc bypasses allowScripts, so a denied package still runs its scripts',
    dir: 'allow-scripts-bypass.v3',
    want: ['CPD012:warning@package-lock.json:12'],
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 7)', cases, ['CPD131']);
