import { suppressionTarget } from '../../core/apply-policy.js';
import type { LoadedPolicy } from './load.js';
import type { PolicyProblem } from './problems.js';

/**
 * Suppressions whose expiry date is before `today` (YYYY-MM-DD). Not a load error: a scan reports each as CPX004;
 * `policy validate` shows them as warnings, or as errors with --strict.
 */
export function expiredSuppressions(loaded: LoadedPolicy, today: string): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  loaded.policy.suppressions.forEach((s, i) => {
    if (s.expires >= today) return;
    const path = ['suppressions', i, 'expires'];
    const at = loaded.document?.locate(path) ?? { line: s.line ?? 1, col: 1 };
    const target = suppressionTarget(s);
    out.push({
      code: 'expired-suppression',
      path,
      ...at,
      message: `suppression of ${s.rule} for ${target} expired on ${s.expires}; it no longer hides findings (renew it with a new date and reason, or remove it)`,
    });
  });
  return out;
}
