import { ROUND6_PEFT_CASES } from './round6-peft-cases.js';
import { ROUND6_TORCH_FUNCTION_CASES } from './round6-torch-function-cases.js';
import { ROUND6_TORCH_TAR_CASES } from './round6-torch-tar-cases.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** Round 6 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
const CASES: readonly UnseenCase[] = [...ROUND6_TORCH_TAR_CASES, ...ROUND6_TORCH_FUNCTION_CASES, ...ROUND6_PEFT_CASES];

describeUnseenCases('round 6: verdicts on unseen model files agree with the real loader', CASES);
