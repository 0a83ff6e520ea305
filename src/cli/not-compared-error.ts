import type { ReviewResult } from '../app/review/index.js';
import { UsageError } from '../core/errors.js';

/**
 * A review whose base (or head) revision could not be read compared nothing: the caller's setup (a shallow clone, a
 * typo), so a usage error, whatever the gate or the policy says. `chainproof review` and the Action's review mode both
 * end with it, after writing their reports (which say CPU022).
 */
export function notComparedError(notCompared: NonNullable<ReviewResult['notCompared']>): UsageError {
  const { side, ref, why } = notCompared;
  return new UsageError(
    `the ${side} revision ${JSON.stringify(ref)} could not be read: ${why}. Nothing was compared. In a shallow clone (actions/checkout), check out with \`fetch-depth: 0\` or fetch that commit before the review.`,
  );
}
