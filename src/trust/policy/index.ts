export {
  loadPolicy,
  readPolicy,
  parsePolicy,
  findPolicyFile,
  POLICY_FILE_CANDIDATES,
  type LoadedPolicy,
} from './load.js';
export { DEFAULT_POLICY, EMBEDDED_DEFAULT_SOURCE } from './default.js';
export { PolicyError, formatProblem, type PolicyProblem, type ProblemCode } from './problems.js';
export { anchoredRegExp, isCalendarDate, todayUtc } from './patterns.js';
export { explainPolicy } from './explain.js';
export { expiredSuppressions } from './expired.js';
export { POLICY_SCHEMA, MODEL_FORMAT_NAMES } from './schema.js';
