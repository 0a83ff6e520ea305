import { ROUND6_SNIFF_CASES } from './round6-sniff-cases.js';
import { describeUnseenCases } from './unseen-runner.js';

/** Round 6: pickles the discovery sniff let pass as no model file, each judged by `pickle.load`. */
describeUnseenCases('round 6: verdicts on unseen pickles agree with pickle.load', ROUND6_SNIFF_CASES);
