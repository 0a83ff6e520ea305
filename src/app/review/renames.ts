import type { ResolvedFinding } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import type { DependencyGraph } from '../../core/records.js';

/** Share of the smaller lockfile's name@version pairs two lockfiles must have in common to be one file moved. */
const SAME_FILE = 0.5;

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const pairsOf = (g: DependencyGraph) => new Set(g.packages.map((p) => `${p.name}@${p.version}`));

/**
 * Lockfiles the change moved (a monorepo reshuffle, `app/` → `packages/app/`): a base lockfile gone from its path
 * and a head lockfile new at another, of the same name and kind, locking mostly the same packages. Without the pair,
 * a moved lockfile read as every package removed and re-added, and every finding of the old path as introduced.
 */
export function movedLockfiles(
  base: readonly DependencyGraph[],
  head: readonly DependencyGraph[],
): Map<string, string> {
  const headPaths = new Set(head.map((g) => g.lockfile));
  const basePaths = new Set(base.map((g) => g.lockfile));
  const gone = base.filter((g) => !headPaths.has(g.lockfile));
  const fresh = head.filter((g) => !basePaths.has(g.lockfile));
  const moves = new Map<string, string>();
  const taken = new Set<string>();
  for (const b of gone) {
    const bp = pairsOf(b);
    let best: { path: string; score: number } | undefined;
    for (const h of fresh) {
      if (taken.has(h.lockfile) || h.kind !== b.kind || basename(h.lockfile) !== basename(b.lockfile)) continue;
      const hp = pairsOf(h);
      let common = 0;
      for (const k of bp) if (hp.has(k)) common++;
      const score = common / Math.max(1, Math.min(bp.size, hp.size));
      if (score >= SAME_FILE && (best === undefined || score > best.score)) best = { path: h.lockfile, score };
    }
    if (best) {
      moves.set(b.lockfile, best.path);
      taken.add(best.path);
    }
  }
  return moves;
}

/** The base graphs as if each moved lockfile had always been at its head path. */
export function atHeadPaths(base: readonly DependencyGraph[], moves: ReadonlyMap<string, string>): DependencyGraph[] {
  return base.map((g) => {
    const to = moves.get(g.lockfile);
    return to === undefined ? g : { ...g, lockfile: to, packages: g.packages.map((p) => ({ ...p, lockfile: to })) };
  });
}

/** Base findings located in a moved lockfile, re-located (and re-fingerprinted) at its head path. */
export function findingsAtHeadPaths(
  base: readonly ResolvedFinding[],
  moves: ReadonlyMap<string, string>,
): ResolvedFinding[] {
  if (moves.size === 0) return [...base];
  return base.map((f) => {
    const to = moves.get(f.location.path);
    if (to === undefined) return f;
    // Read field by field: a deferred finding (deps/checks) computes its evidence through getters that a spread drops.
    const moved: ResolvedFinding = {
      ruleId: f.ruleId,
      level: f.level,
      message: f.message,
      location: { ...f.location, path: to },
      ...(f.artifact !== undefined ? { artifact: f.artifact } : {}),
      ...(f.evidence !== undefined ? { evidence: f.evidence } : {}),
      ...(f.related !== undefined ? { related: f.related } : {}),
      ...(f.members !== undefined
        ? {
            members: f.members.map((m) => ({
              ruleId: m.ruleId,
              message: m.message,
              location: { ...m.location, path: moves.get(m.location.path) ?? m.location.path },
              ...(m.artifact !== undefined ? { artifact: m.artifact } : {}),
              ...(m.evidence !== undefined ? { evidence: m.evidence } : {}),
            })),
          }
        : {}),
      fingerprint: '',
    };
    return { ...moved, fingerprint: fingerprintOf(moved) };
  });
}
