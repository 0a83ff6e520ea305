import { ROUND19_NESTING_CASES } from './round19-nesting-cases.js';
import { describeUnseenCases } from './unseen-runner.js';

/** Round 19 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
describeUnseenCases('round 19: JSON, YAML and text SavedModels nested past the parser', [...ROUND19_NESTING_CASES]);
