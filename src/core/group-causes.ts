import type { Finding } from './finding.js';

/** At most this many `related` locations on a grouped finding (every member stays in `members`). */
export const MAX_RELATED = 1000;

/** How a group names one member: its package (`name@version`, `name==version` for PyPI), dependency, or place. */
export function memberName(f: Finding): string {
  if (f.artifact?.kind === 'package')
    return `${f.artifact.name}${f.artifact.ecosystem === 'pypi' ? '==' : '@'}${f.artifact.version}`;
  const dependency = f.evidence?.['dependency'];
  return typeof dependency === 'string' ? dependency : `${f.location.path}:${f.location.line ?? 1}`;
}

/**
 * One finding per cause: findings that `causeOf` gives the same key become one finding (`summarise` of the group)
 * once the group holds `min(group)` of them; the rest stay as they are, in their order, with the summaries after
 * them. undefined when nothing groups, so a caller with thousands of findings pays one pass and no copy. Used by the
 * lockfile checks (deps/checks/systemic.ts), the registry stage (registry/systemic.ts) and review (review/causes.ts).
 */
export function groupCauses(
  findings: readonly Finding[],
  causeOf: (f: Finding) => string | undefined,
  min: (group: readonly Finding[]) => number,
  summarise: (group: readonly Finding[]) => Finding,
): Finding[] | undefined {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = causeOf(f);
    if (key === undefined) continue;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const grouped = new Set<Finding>();
  const out: Finding[] = [];
  for (const list of groups.values()) {
    if (list.length < min(list)) continue;
    for (const f of list) grouped.add(f);
    out.push(summarise(list));
  }
  return grouped.size === 0 ? undefined : [...findings.filter((f) => !grouped.has(f)), ...out];
}
