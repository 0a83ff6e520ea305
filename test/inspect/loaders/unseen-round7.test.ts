import { ROUND7_JOBLIB_CASES } from './round7-joblib-cases.js';
import { ROUND7_NPY_CASES } from './round7-npy-cases.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** Round 7 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
const CASES: readonly UnseenCase[] = [...ROUND7_JOBLIB_CASES, ...ROUND7_NPY_CASES];

describeUnseenCases('round 7: verdicts on unseen model files agree with the real loader', CASES);
