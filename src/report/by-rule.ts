import type { Level, ResolvedFinding } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import { isPinnedReference } from '../core/records.js';
import { severityOf } from '../core/rules/index.js';

/** A rule's findings, counted: the digest the Markdown summary's table and the text report's tail show. */
export interface RuleGroup {
  readonly ruleId: string;
  /** The worst level among them. */
  level: Level;
  count: number;
  /** Files with this rule's findings, most findings first. */
  files: { readonly path: string; count: number }[];
}

export const LEVEL_RANK: Readonly<Record<Level, number>> = { error: 3, warning: 2, note: 1 };

/**
 * One group per rule: the worst level first, then the rule's security severity, then the most findings, then the
 * rule ID. Among errors, the count alone put forty unsigned packages (CPD111, 7.5) above the one lockfile entry the
 * registry publishes other bytes for (CPD100, 9.0): the row a reviewer reads first must be the gravest cause.
 */
export function groupByRule(findings: readonly ResolvedFinding[]): RuleGroup[] {
  const map = new Map<string, RuleGroup & { byFile: Map<string, number> }>();
  for (const f of findings) {
    let g = map.get(f.ruleId);
    if (!g) {
      g = { ruleId: f.ruleId, level: f.level, count: 0, files: [], byFile: new Map() };
      map.set(f.ruleId, g);
    }
    g.count++;
    if (LEVEL_RANK[f.level] > LEVEL_RANK[g.level]) g.level = f.level;
    g.byFile.set(f.location.path, (g.byFile.get(f.location.path) ?? 0) + 1);
  }
  const groups: RuleGroup[] = [...map.values()].map(({ byFile, ...g }) => ({
    ...g,
    files: [...byFile]
      .map(([path, count]) => ({ path, count }))
      .sort((a, b) => b.count - a.count || cmp(a.path, b.path)),
  }));
  return groups.sort(
    (a, b) =>
      LEVEL_RANK[b.level] - LEVEL_RANK[a.level] ||
      severityOf(b.ruleId) - severityOf(a.ruleId) ||
      b.count - a.count ||
      cmp(a.ruleId, b.ruleId),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The models the code loads by name (the refs stage's references) and how many are pinned (a commit or a digest), for the
 * summaries beside the model files on disk: a repository whose models all download at run time has "model files 0"
 * and must not read as one that loads none. undefined when no stage looked (`--no-refs`).
 */
export function referenceTally(result: ScanResult): { readonly total: number; readonly pinned: number } | undefined {
  const refs = result.references;
  if (refs === undefined) return undefined;
  let pinned = 0;
  for (const r of refs) if (isPinnedReference(r)) pinned++;
  return { total: refs.length, pinned };
}
