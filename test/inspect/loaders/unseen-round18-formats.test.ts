import { ROUND18_CONFIG_DEPTH_CASES } from './round18-config-depth-cases.js';
import { describeUnseenCases } from './unseen-runner.js';

/** Round 18 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
describeUnseenCases('round 18: Keras and NeMo 2 configs nested past the parser', [...ROUND18_CONFIG_DEPTH_CASES]);
