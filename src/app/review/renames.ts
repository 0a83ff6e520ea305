import type { ResolvedFinding } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import type { DependencyGraph } from '../../core/records.js';
import { ecosystemOf, releaseId } from '../../core/package-key.js';

/** Share of the smaller lockfile's name@version pairs two lockfiles must have in common to be one file moved. */
const SAME_FILE = 0.5;

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dirname = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));

/**
 * Whether a base lockfile gone from its path and a head lockfile new at another can be one file: the same name in
 * another folder (a move), or the same kind under another name in the same folder. npm reads `npm-shrinkwrap.json`
 * in place of the `package-lock.json` beside it (arborist `Shrinkwrap.load`: `data = sw || lock`), so a shrinkwrap
 * added next to a package-lock, a package-lock renamed to a shrinkwrap, or a shrinkwrap deleted in favour of the
 * package-lock it hid, all swap the lockfile npm installs from; compared as unrelated files, every package read as
 * new and a republished version beside them went unasked. A lockfile of another package manager of the same
 * ecosystem in the same folder, the old one gone, is a migration (`pnpm import`, `yarn import`, `bun install` over a
 * package-lock, `uv pip compile` / `uv lock` over requirements): the packages the new manager installs are compared
 * with those the old one did, so a version or source changed inside the migration shows and the rest is not noise.
 */
function sameSlot(b: DependencyGraph, h: DependencyGraph): boolean {
  if (h.kind !== b.kind) return h.ecosystem === b.ecosystem && dirname(h.lockfile) === dirname(b.lockfile);
  return basename(h.lockfile) === basename(b.lockfile) || dirname(h.lockfile) === dirname(b.lockfile);
}
/** The releases a lockfile locks, PyPI's by PEP 440 (`releaseId`): a migration may re-spell `1.26` as `1.26.0`. */
const pairsOf = (g: DependencyGraph) => new Set(g.packages.map((p) => releaseId(ecosystemOf(g), p.name, p.version)));

/**
 * Lockfiles the change moved (a monorepo reshuffle, `app/` → `packages/app/`; npm's package-lock swapped for a
 * shrinkwrap): a base lockfile gone from its path and a head lockfile new at another (`sameSlot`), locking mostly
 * the same packages. A base lockfile the head scan no longer reads (a package-lock a new shrinkwrap hides) is gone. Without the pair,
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
      if (taken.has(h.lockfile) || !sameSlot(b, h)) continue;
      const hp = pairsOf(h);
      let common = 0;
      for (const k of bp) if (hp.has(k)) common++;
      const share = common / Math.max(1, Math.min(bp.size, hp.size));
      // The same kind first: a package-lock's own shrinkwrap before another manager's lockfile beside it.
      const score = share + (h.kind === b.kind ? 1 : 0);
      if (share >= SAME_FILE && (best === undefined || score > best.score)) best = { path: h.lockfile, score };
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
