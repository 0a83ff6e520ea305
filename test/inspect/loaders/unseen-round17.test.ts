import { ROUND17_SHARD_INDEX_CASES } from './round17-shard-index-cases.js';
import { ROUND17_YAML_CASES } from './round17-yaml-cases.js';
import { describeUnseenCases } from './unseen-runner.js';

/** Round 17 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
describeUnseenCases('round 17: YAML as PyYAML resolves it, shard indexes as transformers joins them', [
  ...ROUND17_YAML_CASES,
  ...ROUND17_SHARD_INDEX_CASES,
]);
