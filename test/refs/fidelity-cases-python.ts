import type { FidelityCase } from './fidelity-cases.js';

/** fidelity.test.ts's cases of Python libraries' option shapes (fixtures/refs/fidelity), kept in a file of their own. */
export const PYTHON_CASES: FidelityCase[] = [];
