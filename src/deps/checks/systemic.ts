import type { Finding, Location } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';

/**
 * One finding per cause. A lockfile where most entries lack an integrity (npm writes none when it rebuilt the tree
 * from a hidden lockfile or cache without them: sigstore-js's has 825 of 1,048) or pin only SHA-1 (npm 5/6 era
 * lockfiles of old packages) has one cause — how the file was written — not hundreds of package problems. From
 * SYSTEMIC_MIN findings of such a rule in one lockfile on, they become one finding at the first entry, with the
 * count, the names in evidence and every entry in `related`. A handful of stripped entries stay per package: that is
 * what tampering looks like.
 */
export const SYSTEMIC_MIN = 20;

const SYSTEMIC: Readonly<Record<string, { what: string; todo: string }>> = {
  CPD002: {
    what: 'have no integrity hash',
    todo: 'The package manager then trusts whatever the registry serves for each of them. Delete the lockfile (or the entries) and reinstall with a current npm so integrities are recorded; if only a few of these entries changed in a pull request, review them one by one.',
  },
  CPD003: {
    what: 'are pinned by a SHA-1 hash only',
    todo: 'Refresh the lockfile with a current package manager so sha512 integrities are recorded where the registry has them.',
  },
};

const MAX_RELATED = 1000;

export function collapseSystemic(findings: readonly Finding[], graph: DependencyGraph): Finding[] {
  return groupSystemic(findings, { lockfile: graph.lockfile, packages: graph.packages.length });
}

/**
 * The grouping itself, for any findings of one lockfile: `review` regroups the entries a change adds to a group, so a
 * pull request that adds hundreds of them still reads as one cause. `packages` (the lockfile's entry count) is named
 * in the message when known.
 */
export function groupSystemic(
  findings: readonly Finding[],
  scope: { readonly lockfile: string; readonly packages?: number },
): Finding[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) {
    if (SYSTEMIC[f.ruleId] === undefined) continue;
    const list = byRule.get(f.ruleId) ?? [];
    list.push(f);
    byRule.set(f.ruleId, list);
  }
  const collapsed = new Set<string>();
  const out: Finding[] = [];
  for (const [ruleId, list] of byRule) {
    if (list.length < SYSTEMIC_MIN) continue;
    collapsed.add(ruleId);
    out.push(summarise(ruleId, list, scope));
  }
  if (collapsed.size === 0) return [...findings];
  return [...findings.filter((f) => !collapsed.has(f.ruleId)), ...out];
}

function summarise(
  ruleId: string,
  list: readonly Finding[],
  scope: { readonly lockfile: string; readonly packages?: number },
): Finding {
  const { what, todo } = SYSTEMIC[ruleId]!;
  const first = list[0]!;
  const names = list.map((f) =>
    f.artifact?.kind === 'package' ? `${f.artifact.name}@${f.artifact.version}` : f.location.path,
  );
  const among = scope.packages === undefined ? 'packages' : `of the ${scope.packages} packages`;
  const related: Location[] = list.slice(1, MAX_RELATED + 1).map((f) => f.location);
  return {
    ruleId,
    message: `${list.length} ${among} in ${scope.lockfile} ${what} (first: ${names.slice(0, 3).join(', ')} at ${first.location.path}:${first.location.line ?? 1}). ${todo}`,
    location: first.location,
    artifact: { kind: 'file', path: scope.lockfile },
    evidence: { count: list.length, packages: names.slice(0, 50).join(' ') },
    related,
    members: list,
  };
}
