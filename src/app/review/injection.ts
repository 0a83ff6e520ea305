import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { localPathOf } from '../../deps/checks/local-paths.js';
import type { LockfileChanges } from './diff.js';
import { packageLabel } from './new-scripts.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf, releaseId } from '../../core/package-key.js';

/**
 * Lockfile-only injection: edits that no update of a manifest or of a package explains. A published version's
 * dependencies and bytes never change, so a package manager that installs from the lockfile (`npm ci` builds its
 * tree from the lockfile's entries and their `dependencies`: arborist `loadVirtual`) installs what the edit says.
 * Pure: graphs in, findings out.
 */
export function injectionQuestions(
  changes: readonly LockfileChanges[],
  base: readonly DependencyGraph[],
  head: readonly DependencyGraph[],
): Finding[] {
  const baseByPath = new Map(base.map((g) => [g.lockfile, g]));
  const headByPath = new Map(head.map((g) => [g.lockfile, g]));
  const out: Finding[] = [];
  for (const lf of changes) {
    const b = baseByPath.get(lf.lockfile);
    const h = headByPath.get(lf.lockfile);
    if (!b || !h) continue;
    out.push(...unexplainedAdditions(lf, b, h), ...repointed(b, h));
  }
  return out;
}

/** The Python lockfile formats whose graphs carry the lock's dependency edges. */
const EDGED_PYTHON: ReadonlySet<DependencyGraph['kind']> = new Set(['uv', 'poetry', 'pdm']);

/**
 * CPU015: a package whose name the base lockfile did not have, pulled in (by the head lockfile's own edges) by a
 * package the change did not update, or by a manifest whose declared range did not change. Only an edit of the
 * lockfile puts a new dependency under an unchanged version. Not flagged: unreachable entries (npm drops extraneous
 * nodes from the ideal tree: arborist build-ideal-tree `#idealTreePrune`), a new version of a name already locked
 * (in-range re-resolution), and — when the lockfile format itself changed — peer and optional entries, which npm 7+
 * records where npm 6 did not.
 */
function unexplainedAdditions(lf: LockfileChanges, base: DependencyGraph, head: DependencyGraph): Finding[] {
  // Python: uv.lock, poetry.lock and pdm.lock record each package's dependencies, and `uv sync --frozen`, `poetry
  // install` and `pdm sync` install what those edges reach from the project (python/graph.ts builds the paths from
  // them). Requirements files, Pipfile.lock and pylock.toml record no edges: who pulls a new package in cannot be
  // asked there (`uv add idna` and a lockfile edit look alike), so they stay out of the question.
  if (head.ecosystem === 'pypi' && (!EDGED_PYTHON.has(head.kind) || base.kind !== head.kind)) return [];
  const baseNames = new Set(base.packages.map((p) => p.alias ?? p.name));
  for (const p of base.packages) baseNames.add(p.name);
  // Names (and alias names, as paths carry them) of packages the change added or moved: they may bring new edges.
  const moved = new Set<string>();
  for (const c of lf.changes) {
    if (c.kind === 'removed') continue;
    moved.add(c.name);
    if (c.head.alias !== undefined) moved.add(c.head.alias);
  }
  const regenerated = base.formatVersion !== head.formatVersion;
  const out: Finding[] = [];
  for (const c of lf.changes) {
    if (c.kind !== 'added' || baseNames.has(c.name) || baseNames.has(c.head.alias ?? c.name)) continue;
    const node = c.head;
    if (regenerated && (node.peer || node.optional)) continue;
    const puller = pullerOf(node, base, head, moved);
    if (puller === undefined) continue;
    out.push({
      ruleId: 'CPU015',
      message: `${node.name}@${node.version} is new to ${lf.lockfile}, but ${puller} was not updated by this change: a published version does not gain dependencies, so the lockfile itself was edited to add it. Regenerate the lockfile from the manifests (${head.ecosystem === 'pypi' ? 'uv lock / poetry lock / pdm lock' : 'npm install / yarn / pnpm install'}) and compare.`,
      location: { path: node.lockfile, line: node.line },
      artifact: packageArtifact(ecosystemOf(head), node.name, node.version),
      evidence: { pulledInBy: puller, path: node.path.join(' > ') },
    });
  }
  return out;
}

/** Who pulls `node` in when nothing the change updated does; undefined when the change explains it (or nothing does). */
function pullerOf(
  node: PackageNode,
  base: DependencyGraph,
  head: DependencyGraph,
  moved: ReadonlySet<string>,
): string | undefined {
  const p = node.path;
  if (p.length < 2) return undefined; // unreachable: not installed
  if (p.length === 2) {
    const workspace = p[0] === 'root' ? '' : p[0]!;
    const name = p[1]!;
    // A Python lock whose project declarations are not known (no pyproject.toml beside a poetry.lock, any pdm.lock):
    // its roots are the entries no edge reaches, which the installer only installs if the project asks for them.
    if (head.ecosystem === 'pypi' && head.importers[workspace] === undefined) return undefined;
    const before = base.importers[workspace]?.[name];
    const after = head.importers[workspace]?.[name];
    // A declared range that appeared or moved is a manifest change: the reviewer sees it in package.json.
    if (before !== after) return undefined;
    return workspace === '' ? 'the root manifest (its declared range is unchanged)' : `workspace ${workspace}`;
  }
  const parent = p[p.length - 2]!;
  if (parent === '…' || moved.has(parent)) return undefined;
  // A Python extra's edge (`requests[socks]`): the extra may be newly asked for by a manifest or a moved package
  // anywhere above, which the path does not tell; not asked.
  if (head.ecosystem === 'pypi' && parent.endsWith(']')) return undefined;
  const at = dependantOf(node, head);
  return at !== undefined ? `${parent}@${at.version}` : parent;
}

/**
 * The entry that pulls `node` in: the one whose path is node's path less its last step. A name locked at several
 * versions (npm's top-level `js-yaml@4` beside a nested `js-yaml@3`) must not be named by whichever comes first: the
 * finding named the nested 3.14.1 for an edge added under the top-level 4.2.0. Failing a path match, by name.
 */
function dependantOf(node: PackageNode, head: DependencyGraph): PackageNode | undefined {
  const above = node.path.slice(0, -1);
  const parent = above[above.length - 1];
  const named = head.packages.filter((q) => (q.alias ?? q.name) === parent);
  return named.find((q) => q.path.length === above.length && q.path.every((s, i) => s === above[i])) ?? named[0];
}

/**
 * Where an entry installs from: its recorded URL, or — for a registry entry that records none (pnpm's
 * `resolution: {integrity}`, yarn berry's `npm:` resolution, bun's default-registry tuple) — the registry the
 * package manager computes the tarball URL from (pnpm lockfile-utils `pkgSnapshotToResolution` → `getNpmTarballUrl`).
 */
const REGISTRY = 'the registry';
const originOf = (p: PackageNode, kind: DependencyGraph['kind']) =>
  p.resolved ?? (p.source === 'registry' ? REGISTRY : folderOf(p, kind));

/**
 * A folder entry that records no URL — yarn 1's `"ms@file:vendor/ms"`, which names it in its key only — by the path
 * the package manager copies it from (yarn 1 FileResolver). npm's folder entries are link targets: a registry package
 * swapped for one is workspace-swaps.ts's CPU002, at the link.
 */
function folderOf(p: PackageNode, kind: DependencyGraph['kind']): string | undefined {
  if (p.source !== 'file' || kind === 'npm') return undefined;
  const local = localPathOf(p, kind);
  return local === undefined ? undefined : `file:${local}`;
}

/** The entry holds its bytes to a digest: an SRI integrity (JavaScript) or a hash of a pinned file (Python). */
const pinned = (p: PackageNode) =>
  p.integrity !== undefined || (p.distributions ?? []).some((d) => Object.keys(d.hashes).length > 0);

/**
 * CPU016: the same name@version now resolves to another git commit, tarball or folder, with no integrity to hold the
 * bytes: a git dependency's commit moved under an unchanged version is other code. A registry entry that recorded no
 * URL at the base counts as installed from the registry, so `resolution: {integrity}` → `{tarball: https://…}` in
 * pnpm (which fetches an absolute tarball as given and, without an integrity, checks nothing) or `npm:` → a git
 * resolution in yarn berry is the same move. (With an integrity on both sides the bytes are compared instead:
 * CPU001; a registry host the policy refuses is the scan's CPD005.)
 */
function repointed(base: DependencyGraph, head: DependencyGraph): Finding[] {
  const before = new Map<string, Set<string>>();
  const pinnedBefore = new Set<string>();
  for (const p of base.packages) {
    const origin = originOf(p, base.kind);
    if (origin === undefined) continue;
    const key = releaseId(ecosystemOf(base), p.name, p.version);
    before.set(key, (before.get(key) ?? new Set()).add(origin));
    if (pinned(p)) pinnedBefore.add(key);
  }
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const p of head.packages) {
    const key = releaseId(ecosystemOf(head), p.name, p.version);
    const olds = before.get(key);
    const resolved = p.resolved ?? folderOf(p, head.kind);
    if (resolved === undefined || olds === undefined || olds.has(resolved) || reported.has(key)) continue;
    // Integrity at both revisions: the bytes are compared by CPU001, and the same bytes from elsewhere are the same code.
    if (pinned(p) && pinnedBefore.has(key)) continue;
    reported.add(key);
    const was = [...olds].sort().map((o) => (o === REGISTRY ? o : redactUrls(o)));
    const now = redactUrls(resolved);
    out.push({
      ruleId: 'CPU016',
      message: `${packageLabel(p)} now resolves to ${now} (was ${was.join(', ')}) with no integrity to hold the bytes: the same version now installs other code. Check the new commit or URL before merging, or restore the entry from the base revision.`,
      location: { path: p.lockfile, line: p.line },
      artifact: packageArtifact(ecosystemOf(head), p.name, p.version),
      evidence: { source: p.source, before: was.join(' '), after: now },
    });
  }
  return out;
}
