import type { FidelityCase } from './fidelity-cases.js';

/** fidelity.test.ts's cases of Javascript libraries' option shapes (fixtures/refs/fidelity), kept in a file of their own. */
export const JAVASCRIPT_CASES: FidelityCase[] = [];
