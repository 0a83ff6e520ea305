import { levelRank, type ResolvedFinding } from '../../core/finding.js';

/**
 * `introduced` (the head scan's findings) without those a review finding of `reported` already says, at their level
 * or higher: one cause, said once, by the finding that shows it at both revisions. `says`: the keys a reported
 * finding states (none for any other finding; an undefined one is none); `keyOf`: the key of an introduced finding one may stand for
 * (undefined: none ever does). A key said at several levels stands for findings up to the highest.
 */
export function withoutSaidOnce(
  introduced: readonly ResolvedFinding[],
  reported: readonly ResolvedFinding[],
  says: (f: ResolvedFinding) => readonly (string | undefined)[],
  keyOf: (f: ResolvedFinding) => string | undefined,
): ResolvedFinding[] {
  const said = new Map<string, number>();
  for (const f of reported) {
    for (const key of says(f)) if (key !== undefined) said.set(key, Math.max(said.get(key) ?? 0, levelRank(f.level)));
  }
  if (said.size === 0) return [...introduced];
  return introduced.filter((f) => {
    const key = keyOf(f);
    return key === undefined || (said.get(key) ?? 0) < levelRank(f.level);
  });
}
