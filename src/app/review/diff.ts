import semver from 'semver';
import type { DependencyGraph, PackageNode } from '../../core/records.js';

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

export interface LockfileChanges {
  readonly lockfile: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  /** The base path of a lockfile the change moved (compared with its base self: renames.ts). */
  readonly movedFrom?: string;
  readonly basePackages: number;
  readonly headPackages: number;
  readonly changes: readonly PackageChange[];
}

/**
 * The change set between two revisions' dependency graphs, per lockfile. Packages are compared by name and
 * version — never by lockfile keys, which carry peer suffixes in pnpm and descriptors in yarn that change when a
 * neighbour moves. Several versions of one name are paired oldest-to-oldest after the common ones are set aside.
 */
export function diffGraphs(base: readonly DependencyGraph[], head: readonly DependencyGraph[]): LockfileChanges[] {
  const byPath = (gs: readonly DependencyGraph[]) => new Map(gs.map((g) => [g.lockfile, g]));
  const b = byPath(base);
  const h = byPath(head);
  const paths = [...new Set([...b.keys(), ...h.keys()])].sort();
  return paths.map((lockfile) => {
    const bg = b.get(lockfile);
    const hg = h.get(lockfile);
    const changes = diffPackages(lockfile, bg?.packages ?? [], hg?.packages ?? []);
    const status = !bg ? 'added' : !hg ? 'removed' : changes.length > 0 ? 'changed' : 'unchanged';
    return {
      lockfile,
      status,
      basePackages: countVersions(bg?.packages ?? []),
      headPackages: countVersions(hg?.packages ?? []),
      changes,
    };
  });
}

/** Distinct name@version pairs: what gets installed, however many lockfile entries point at it. */
function countVersions(pkgs: readonly PackageNode[]): number {
  return new Set(pkgs.filter(installable).map((p) => `${p.name}@${p.version}`)).size;
}

/** Workspace links and the project itself are not dependencies that an update brings in. */
function installable(p: PackageNode): boolean {
  return p.source !== 'link' && p.source !== 'workspace';
}

function groupByName(pkgs: readonly PackageNode[]): Map<string, Map<string, PackageNode>> {
  const out = new Map<string, Map<string, PackageNode>>();
  for (const p of pkgs) {
    if (!installable(p)) continue;
    let versions = out.get(p.name);
    if (!versions) out.set(p.name, (versions = new Map<string, PackageNode>()));
    // The first entry (lowest line) stands for the version: it is where a reviewer looks.
    const old = versions.get(p.version);
    if (!old || p.line < old.line) versions.set(p.version, p);
  }
  return out;
}

function diffPackages(lockfile: string, base: readonly PackageNode[], head: readonly PackageNode[]): PackageChange[] {
  const b = groupByName(base);
  const h = groupByName(head);
  const out: PackageChange[] = [];
  for (const name of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const bv = b.get(name) ?? new Map<string, PackageNode>();
    const hv = h.get(name) ?? new Map<string, PackageNode>();
    const gone = sortVersions([...bv.keys()].filter((v) => !hv.has(v)));
    const fresh = sortVersions([...hv.keys()].filter((v) => !bv.has(v)));
    const pairs = Math.min(gone.length, fresh.length);
    for (let i = 0; i < pairs; i++) {
      const from = bv.get(gone[i]!)!;
      const to = hv.get(fresh[i]!)!;
      // A pin moved to a URL or VCS spec has no version to order: a change of source (CPU002), not a downgrade.
      const up = to.version === '' || from.version === '' || compareVersions(to.version, from.version) >= 0;
      out.push({
        kind: up ? 'upgraded' : 'downgraded',
        lockfile,
        name,
        type: changeType(from.version, to.version),
        base: from,
        head: to,
      });
    }
    for (const v of fresh.slice(pairs)) out.push({ kind: 'added', lockfile, name, head: hv.get(v)! });
    for (const v of gone.slice(pairs)) out.push({ kind: 'removed', lockfile, name, base: bv.get(v)! });
  }
  return out;
}

function sortVersions(vs: string[]): string[] {
  return vs.sort(compareVersions);
}

function compareVersions(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.compare(va, vb);
  return a < b ? -1 : a > b ? 1 : 0;
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
