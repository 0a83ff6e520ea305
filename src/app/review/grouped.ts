import type { Finding, ResolvedFinding } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import { groupSystemic, lockfileOf } from '../../deps/checks/systemic.js';

/**
 * What a change adds to grouped findings. A group (one finding per cause, e.g. most of a lockfile without integrity:
 * deps/checks/systemic.ts) keeps its fingerprint when entries join it, so code scanning keeps one alert; compared by
 * fingerprint alone, a pull request could add a package without integrity to such a lockfile unseen. Here each head
 * group gives the members whose own fingerprint the base had nowhere (as a finding or inside a group), regrouped per
 * lockfile when there are enough of them to be one cause again.
 */
export function addedToGroups(base: readonly ResolvedFinding[], head: readonly ResolvedFinding[]): Finding[] {
  const known = new Set<string>();
  for (const f of base) {
    known.add(f.fingerprint);
    for (const m of f.members ?? []) known.add(fingerprintOf(m));
  }
  const byLockfile = new Map<string, Finding[]>();
  for (const group of head) {
    for (const m of group.members ?? []) {
      if (known.has(fingerprintOf(m))) continue;
      const lockfile = lockfileOf(m);
      const list = byLockfile.get(lockfile) ?? [];
      list.push(m);
      byLockfile.set(lockfile, list);
    }
  }
  return [...byLockfile].flatMap(([lockfile, added]) => groupSystemic(added, { lockfile }));
}

/** A head finding the change introduced: its fingerprint is new. A group is judged by its members instead. */
export function introducedAlone(base: readonly ResolvedFinding[], head: readonly ResolvedFinding[]): ResolvedFinding[] {
  const before = new Set(base.map((f) => f.fingerprint));
  return head.filter((f) => f.members === undefined && !before.has(f.fingerprint) && f.ruleId !== 'CPD001');
}
