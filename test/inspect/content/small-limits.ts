import type { ResolvedFinding } from '../../../src/core/finding.js';
import { applyPolicy } from '../../../src/core/apply-policy.js';
import { PICKLE_FORMATS } from '../../../src/discover/catalogue/index.js';
import { walkTree } from '../../../src/discover/walk.js';
import type { ContentLimits } from '../../../src/inspect/content/content.js';
import { DEFAULT_CONTENT_LIMITS } from '../../../src/inspect/content/content.js';
import { analyseAnySize } from '../../../src/inspect/content/analyser.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';

const MiB = 1 << 20;

/**
 * The content limits scaled from GiBs down to MiBs, so a test proves a limit's code path with inputs of a few MiB
 * (the real sizes run in `npm run bench`, scripts/bench/large-streams.mjs). Each stays above what the pickle reader
 * reads ahead of an array's BUILD (~4 MiB, charged as parsed bytes) and below the 12 MiB inputs the tests stream.
 */
export const SMALL_LIMITS: ContentLimits = {
  ...DEFAULT_CONTENT_LIMITS,
  maxTotalBytes: 8 * MiB,
  maxInMemory: 6 * MiB,
  maxArrayBytes: 16 * MiB,
};

/**
 * SMALL_LIMITS with a budget above the 12 MiB inputs (a deflated member's bytes are charged to it), so of the
 * scaled-down limits only the 6 MiB held in memory is passed: what a member once inflated whole ran into.
 */
export const ROOMY_LIMITS: ContentLimits = { ...SMALL_LIMITS, maxTotalBytes: 16 * MiB };

/**
 * What the inspect stage's pickle analyser (analyseAnySize, its whole per-file path: the by-ranges zip and tar
 * readers, the streamed codecs, sidecars) reports for every file of `root` it reads, at `limits`, with levels
 * resolved by the default policy as a scan resolves them.
 */
export async function inspectAtLimits(root: string, limits: ContentLimits = SMALL_LIMITS): Promise<ResolvedFinding[]> {
  const walk = await walkTree(root, { include: [], exclude: [], skipDirs: [] });
  const raw = [];
  for (const file of walk.files.filter((f) => PICKLE_FORMATS.includes(f.format)))
    raw.push(...(await analyseAnySize(file, [], undefined, root, limits)));
  return applyPolicy(raw, DEFAULT_POLICY, '2025-01-01').findings;
}

/** `ruleId:member` of each finding, as the real-size tests compare them. */
export const ruleAtMember = (f: ResolvedFinding): string => `${f.ruleId}:${f.location.member ?? ''}`;

/** The exit code `--fail-on error` gives these findings (cli/exit-codes.ts exitCodeForFindings). */
export const exitAtError = (found: readonly ResolvedFinding[]): number =>
  found.some((f) => f.level === 'error') ? 1 : 0;
