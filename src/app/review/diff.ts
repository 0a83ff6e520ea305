import { compare as pep440Compare, explain as pep440Explain } from '@renovatebot/pep440';
import semver from 'semver';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { ecosystemOf, pep440Canonical, releaseId } from '../../core/package-key.js';
import type { Ecosystem } from '../../core/package-key.js';

/** How a version moved, by semver; `other` when either side is not semver (git refs, tags). */
export type ChangeType = 'major' | 'minor' | 'patch' | 'prerelease' | 'other';

export interface VersionMove {
  readonly kind: 'upgraded' | 'downgraded';
  readonly lockfile: string;
  readonly name: string;
  readonly type: ChangeType;
  readonly base: PackageNode;
  readonly head: PackageNode;
}

export type PackageChange =
  | { readonly kind: 'added'; readonly lockfile: string; readonly name: string; readonly head: PackageNode }
  | { readonly kind: 'removed'; readonly lockfile: string; readonly name: string; readonly base: PackageNode }
  | VersionMove;

/**
 * How a package's version reads in the review. A git, tarball or folder entry may record none (bun keeps only the
 * spec, `ms@github:owner/ms#abc`, and reads the version from the fetched package.json): it is shown by where it comes
 * from, credentials cut, rather than as a blank.
 */
export function versionLabel(p: PackageNode): string {
  if (p.version !== '') return p.version;
  return p.resolved !== undefined ? redactUrls(p.resolved) : '(no version)';
}

export interface LockfileChanges {
  readonly lockfile: string;
  /** The lockfile's package ecosystem (its head graph's, or its base graph's when the change removed it). */
  readonly ecosystem: Ecosystem;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  /** The base path of a lockfile the change moved (compared with its base self: renames.ts). */
  readonly movedFrom?: string;
  /** `movedFrom` was another package manager's lockfile (renames.ts `sameSlot`): a migration, compared across. */
  readonly migrated?: true;
  readonly basePackages: number;
  readonly headPackages: number;
  readonly changes: readonly PackageChange[];
}

/**
 * The change set between two revisions' dependency graphs, per lockfile. Packages are compared by name and
 * version — never by lockfile keys, which carry peer suffixes in pnpm and descriptors in yarn that change when a
 * neighbour moves. Several versions of one name are paired by release line after the common ones are set aside
 * (`pairVersions`).
 */
export function diffGraphs(base: readonly DependencyGraph[], head: readonly DependencyGraph[]): LockfileChanges[] {
  const byPath = (gs: readonly DependencyGraph[]) => new Map(gs.map((g) => [g.lockfile, g]));
  const b = byPath(base);
  const h = byPath(head);
  const paths = [...new Set([...b.keys(), ...h.keys()])].sort();
  return paths.map((lockfile) => {
    const bg = b.get(lockfile);
    const hg = h.get(lockfile);
    const ecosystem = ecosystemOf((hg ?? bg)!);
    const scheme: VersionScheme = ecosystem === 'pypi' ? 'pep440' : 'semver';
    const usesOf = hg !== undefined && bg?.kind === hg.kind ? USES[hg.kind] : undefined;
    const changes = diffPackages(lockfile, bg?.packages ?? [], hg?.packages ?? [], scheme, usesOf);
    const status = !bg ? 'added' : !hg ? 'removed' : changes.length > 0 ? 'changed' : 'unchanged';
    return {
      lockfile,
      ecosystem,
      status,
      basePackages: countVersions(bg?.packages ?? [], ecosystem),
      headPackages: countVersions(hg?.packages ?? [], ecosystem),
      changes,
    };
  });
}

/** Distinct name@version pairs: what gets installed, however many lockfile entries point at it. */
function countVersions(pkgs: readonly PackageNode[], ecosystem: Ecosystem): number {
  return new Set(pkgs.filter(installable).map((p) => releaseId(ecosystem, p.name, p.version))).size;
}

/** Workspace links and the project itself are not dependencies that an update brings in. */
function installable(p: PackageNode): boolean {
  return p.source !== 'link' && p.source !== 'workspace';
}

/**
 * Each name's versions, keyed as the package manager tells releases apart: a PyPI version by its PEP 440 canonical
 * form (package-key.ts `pep440Canonical`), so `six==1.16` → `six==1.16.0` is no move (pip installs the one release
 * either way) and the pins of the two spellings are compared (republished-dists.ts), not passed off as an update.
 */
function groupByName(pkgs: readonly PackageNode[], scheme: VersionScheme): Map<string, Map<string, PackageNode>> {
  const out = new Map<string, Map<string, PackageNode>>();
  for (const p of pkgs) {
    if (!installable(p)) continue;
    let versions = out.get(p.name);
    if (!versions) out.set(p.name, (versions = new Map<string, PackageNode>()));
    const key = scheme === 'pep440' ? pep440Canonical(p.version) : p.version;
    // The first entry (lowest line) stands for the version: it is where a reviewer looks.
    const old = versions.get(key);
    if (!old || p.line < old.line) versions.set(key, p);
  }
  return out;
}

/**
 * How the versions of a lockfile order: npm's by semver, Python's by PEP 440 — pip, uv and Poetry order `3.10`
 * after `3.7` and `1.0.post1` after `1.0` (packaging's `Version`), which neither semver (two-part versions are not
 * semver) nor string order does.
 */
type VersionScheme = 'semver' | 'pep440';

/**
 * The uses an entry's key names, for the lockfile kinds whose key says where the package is installed or asked for:
 * npm's folder `node_modules/a/node_modules/b` (arborist's Node location) and bun's `a/b`, one each; yarn's
 * descriptors (`"ms@npm:^2.1.1, ms@npm:^2.1.3"`: yarn 1 and berry merge the descriptors that resolve alike into one
 * entry). pnpm keys by name@version, which says no use.
 */
const folderUse = (p: PackageNode): string[] => [p.key];
const descriptorUses = (p: PackageNode): string[] => p.key.split(',').map((d) => d.trim().replace(/^"|"$/g, ''));
const USES: Partial<Record<DependencyGraph['kind'], (p: PackageNode) => string[]>> = {
  npm: folderUse,
  bun: folderUse,
  'yarn-classic': descriptorUses,
  'yarn-berry': descriptorUses,
};

function diffPackages(
  lockfile: string,
  base: readonly PackageNode[],
  head: readonly PackageNode[],
  scheme: VersionScheme,
  usesOf: ((p: PackageNode) => string[]) | undefined,
): PackageChange[] {
  const compareVersions = scheme === 'pep440' ? comparePep440 : compareSemver;
  const b = groupByName(base, scheme);
  const h = groupByName(head, scheme);
  const headByUse = new Map(usesOf ? head.flatMap((p) => usesOf(p).map((u) => [u, p] as const)) : []);
  const out: PackageChange[] = [];
  for (const name of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const bv = b.get(name) ?? new Map<string, PackageNode>();
    const hv = h.get(name) ?? new Map<string, PackageNode>();
    const gone = [...bv.keys()].filter((v) => !hv.has(v)).sort(compareVersions);
    const fresh = [...hv.keys()].filter((v) => !bv.has(v)).sort(compareVersions);
    const paired = pairVersions(gone, fresh, scheme, compareVersions);
    for (const [was, now] of paired.pairs) {
      const from = bv.get(was)!;
      const to = hv.get(now)!;
      // A pin moved to a URL or VCS spec has no version to order: a change of source (CPU002), not a downgrade.
      const up = to.version === '' || from.version === '' || compareVersions(to.version, from.version) >= 0;
      out.push({
        kind: up ? 'upgraded' : 'downgraded',
        lockfile,
        name,
        type: scheme === 'pep440' ? pep440ChangeType(from.version, to.version) : changeType(from.version, to.version),
        base: from,
        head: to,
      });
    }
    for (const v of paired.added) out.push({ kind: 'added', lockfile, name, head: hv.get(v)! });
    for (const v of paired.removed) {
      const moved = usesOf ? movedInUse(name, v, base, usesOf, headByUse, bv) : undefined;
      if (moved === undefined) out.push({ kind: 'removed', lockfile, name, base: bv.get(v)! });
      else {
        const [from, to] = moved;
        const up = compareVersions(to.version, from.version) >= 0;
        const type = changeType(from.version, to.version);
        out.push({ kind: up ? 'upgraded' : 'downgraded', lockfile, name, type, base: from, head: to });
      }
    }
  }
  return out;
}

/**
 * A version gone from the lockfile whose folder (npm, bun) or descriptor (yarn) now holds another version the base
 * already locked elsewhere: the top-level `js-yaml` moved 4.2.0 → 3.14.1 while a nested `js-yaml@3.14.1` stays, or
 * yarn's `x@npm:>=0.9.0` (1.0.0) merged into the existing `x@npm:0.9.0` entry. By name and version
 * alone that is only "4.2.0 removed" (3.14.1 is no new version), and a major downgrade of a direct dependency passed
 * the patch gate; what the folder or the descriptor installs moved (npm reifies each `packages` key to its path).
 */
function movedInUse(
  name: string,
  version: string,
  base: readonly PackageNode[],
  usesOf: (p: PackageNode) => string[],
  headByUse: ReadonlyMap<string, PackageNode>,
  baseVersions: ReadonlyMap<string, PackageNode>,
): [PackageNode, PackageNode] | undefined {
  for (const was of base) {
    if (was.name !== name || was.version !== version || !installable(was)) continue;
    for (const use of usesOf(was)) {
      const now = headByUse.get(use);
      if (now?.name === name && now.version !== version && baseVersions.has(now.version) && installable(now))
        return [was, now];
    }
  }
  return undefined;
}

/**
 * Which gone version each new version of one name replaced. A new version first takes a gone one of its own release
 * line (the same major; the same minor under 0.x; PEP 440's first release number), the nearest at or below it, else
 * the nearest above; what is left is paired oldest-to-oldest, and the rest are additions and removals. A routine
 * update that moved `minimatch` 9.0.4 → 9.0.9 and dropped a nested 5.1.6 read, oldest-to-oldest, as a major update
 * 5.1.6 → 9.0.9 and a removal of 9.0.4, and failed the minor gate with a major move that never happened.
 */
function pairVersions(
  gone: readonly string[],
  fresh: readonly string[],
  scheme: VersionScheme,
  compare: (a: string, b: string) => number,
): { pairs: [string, string][]; added: string[]; removed: string[] } {
  const left = [...gone];
  const pairs: [string, string][] = [];
  const unpaired: string[] = [];
  for (const v of fresh) {
    const line = releaseLine(v, scheme);
    const same = line === undefined ? [] : left.filter((g) => releaseLine(g, scheme) === line);
    const below = same.filter((g) => compare(g, v) <= 0);
    const pick = below.length > 0 ? below[below.length - 1] : same[0];
    if (pick === undefined) unpaired.push(v);
    else {
      pairs.push([pick, v]);
      left.splice(left.indexOf(pick), 1);
    }
  }
  const n = Math.min(left.length, unpaired.length);
  for (let i = 0; i < n; i++) pairs.push([left[i]!, unpaired[i]!]);
  pairs.sort((a, b) => compare(a[1], b[1]));
  return { pairs, added: unpaired.slice(n), removed: left.slice(n) };
}

/** A version's release line: semver major (`0.<minor>` under 1.0), PEP 440's first release number; none unparsed. */
function releaseLine(v: string, scheme: VersionScheme): string | undefined {
  if (scheme === 'pep440') return pep440Explain(v)?.release[0]?.toString();
  const parsed = semver.parse(v);
  return parsed === null ? undefined : parsed.major === 0 ? `0.${parsed.minor}` : String(parsed.major);
}

function compareSemver(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.compare(va, vb);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** PEP 440 order where both parse (a URL or VCS pin has none); string order otherwise, as for semver. */
function comparePep440(a: string, b: string): number {
  if (pep440Explain(a) !== null && pep440Explain(b) !== null) return pep440Compare(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A Python version move by the release segment that changed first (`3.7` → `3.10` is minor, as `X.Y.Z` reads);
 * a pre-release or dev release on either side is `prerelease`; a move of the epoch, or of only the post release or
 * local label (`2.1.0+cpu` → `2.1.0+cu121`, another build of the same release), is `other`.
 */
export function pep440ChangeType(from: string, to: string): ChangeType {
  const a = pep440Explain(from);
  const b = pep440Explain(to);
  if (a === null || b === null || a.epoch !== b.epoch) return 'other';
  if (a.is_prerelease || b.is_prerelease) return 'prerelease';
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    if ((a.release[i] ?? 0) !== (b.release[i] ?? 0)) return i === 0 ? 'major' : i === 1 ? 'minor' : 'patch';
  }
  return 'other';
}

export function changeType(from: string, to: string): ChangeType {
  const a = semver.valid(from);
  const b = semver.valid(to);
  if (!a || !b) return 'other';
  const d = semver.diff(a, b);
  if (d === null) return 'other';
  if (d === 'major' || d === 'minor' || d === 'patch') return d;
  // premajor/preminor/prepatch/prerelease: onto or off a prerelease — never a clean release update.
  return 'prerelease';
}
