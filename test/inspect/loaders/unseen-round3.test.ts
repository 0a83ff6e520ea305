import { ROUND3_GGUF_CASES } from './round3-gguf-cases.js';
import { ROUND3_PICKLE_CASES } from './round3-pickle-cases.js';
import { ROUND3_SAFETENSORS_CASES } from './round3-safetensors-cases.js';
import { ROUND3_SKOPS_CASES } from './round3-skops-cases.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** Round 3 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
const CASES: readonly UnseenCase[] = [
  ...ROUND3_PICKLE_CASES,
  ...ROUND3_SAFETENSORS_CASES,
  ...ROUND3_SKOPS_CASES,
  ...ROUND3_GGUF_CASES,
];

describeUnseenCases('round 3: verdicts on unseen model files agree with the real loader', CASES);
