import { ROUND5_DIFFUSERS_CASES } from './round5-diffusers-cases.js';
import { ROUND5_HF_CASES } from './round5-hf-cases.js';
import { ROUND5_TORCH_CASES } from './round5-torch-cases.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** Round 5 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
const CASES: readonly UnseenCase[] = [...ROUND5_TORCH_CASES, ...ROUND5_DIFFUSERS_CASES, ...ROUND5_HF_CASES];

describeUnseenCases('round 5: verdicts on unseen model files agree with the real loader', CASES);
