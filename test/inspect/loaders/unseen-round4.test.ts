import { ROUND4_FORMAT_CASES } from './round4-format-cases.js';
import { ROUND4_KERAS_CASES } from './round4-keras-cases.js';
import { ROUND4_LIBRARY_CASES } from './round4-library-cases.js';
import { ROUND4_NEMO_CASES } from './round4-nemo-cases.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** Round 4 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
const CASES: readonly UnseenCase[] = [
  ...ROUND4_LIBRARY_CASES,
  ...ROUND4_FORMAT_CASES,
  ...ROUND4_NEMO_CASES,
  ...ROUND4_KERAS_CASES,
];

describeUnseenCases('round 4: verdicts on unseen model files agree with the real loader', CASES);
