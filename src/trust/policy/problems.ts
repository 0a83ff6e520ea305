import { ConfigFileError, type ConfigProblem } from '../config/problems.js';

// Policy and trusted registry share one problem type and one printed shape (trust/config/problems.ts).
export { formatJsonPath, formatProblem, sortProblems, type ProblemCode } from '../config/problems.js';
export type PolicyProblem = ConfigProblem;

/** Every problem of one policy file in one error: nothing is scanned with a half-read policy. Exit 2. */
export class PolicyError extends ConfigFileError {
  constructor(file: string, problems: readonly PolicyProblem[]) {
    super('CONFIG_POLICY_INVALID', 'policy', file, problems);
    this.name = 'PolicyError';
  }
}
