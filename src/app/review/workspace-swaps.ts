import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';

const isLink = (p: PackageNode) => p.source === 'link' || p.source === 'workspace';

/**
 * Whether a package is the repository's own in this lockfile: a link, or the folder entry a link points at. npm
 * locks a `file:` folder as a link (`node_modules/ms: {link: true, resolved: vendor/ms}`) and the folder itself
 * (`vendor/ms: {name, version}`, arborist `Link.target`): the folder's name and version are the package.json the
 * change committed there, not a package installed from anywhere, so they must not read as "still installed".
 */
function ownPackages(g: DependencyGraph): (p: PackageNode) => boolean {
  const targets = new Set(
    g.packages.flatMap((p) => (p.source === 'link' && p.resolved !== undefined ? [p.resolved] : [])),
  );
  return (p) => isLink(p) || (p.source === 'file' && targets.has(p.key));
}

/**
 * CPU002: a name the base installed from a registry (or any source outside the repository) is now a link to a folder
 * of the repository — npm's `{ "link": true, "resolved": "packages/x" }` for a workspace of the same name, pnpm's
 * `link:`. The diff leaves links out (they are the project, not dependencies), so this read as a removal; but
 * `require('x')` now loads repository code the lockfile pins nothing of. One finding per lockfile and name, at the
 * head's link entry. Names that were links at the base too are the project's own workspaces, not a swap.
 */
export function registryToLink(base: readonly DependencyGraph[], head: readonly DependencyGraph[]): Finding[] {
  const out: Finding[] = [];
  for (const [g, before] of withBase(base, head)) {
    const [ownBefore, ownNow] = [ownPackages(before), ownPackages(g)];
    const wasLink = new Set(before.packages.filter(isLink).map(name));
    const installed = new Map<string, PackageNode>();
    for (const p of before.packages) if (!ownBefore(p) && !installed.has(name(p))) installed.set(name(p), p);
    const stillInstalled = new Set(g.packages.filter((p) => !ownNow(p)).map(name));
    const links = g.packages
      .filter((p) => isLink(p) && !wasLink.has(name(p)) && installed.has(name(p)) && !stillInstalled.has(name(p)))
      .sort((a, b) => a.line - b.line);
    const seen = new Set<string>();
    for (const p of links) {
      if (seen.has(name(p))) continue;
      seen.add(name(p));
      const was = installed.get(name(p))!;
      const to = p.resolved ?? p.key;
      out.push({
        ruleId: 'CPU002',
        message: `${g.lockfile}: "${name(p)}" was ${was.name}@${was.version} from ${was.resolved ?? was.source} at the base revision and is now a link to ${to} in this repository: code that imports "${name(p)}" loads files the change added, which the lockfile pins nothing of. Read that folder before merging, or restore the registry package.`,
        location: { path: g.lockfile, line: p.line },
        artifact: packageArtifact(ecosystemOf(g), name(p), was.version),
        evidence: { fromSource: was.resolved ?? was.source, toSource: `link:${to}` },
      });
    }
  }
  return out;
}

/**
 * CPU002, the other way: a name that was one of the repository's own packages at the base (an npm workspace link, a
 * pnpm `link:`, a yarn `workspace:` entry) and now installs from outside the repository, with no link of that name
 * left. The diff leaves links out, so this read as a plain addition; but it is the dependency-confusion shape: code
 * importing the internal name now loads whatever the registry (or the URL) serves under it. One finding per lockfile
 * and name, at the head's entry.
 */
export function linkToRegistry(base: readonly DependencyGraph[], head: readonly DependencyGraph[]): Finding[] {
  const out: Finding[] = [];
  for (const [g, before] of withBase(base, head)) {
    const ownBefore = ownPackages(before);
    const links = new Map<string, PackageNode>();
    for (const p of before.packages) if (isLink(p) && !links.has(name(p))) links.set(name(p), p);
    const installedBefore = new Set(before.packages.filter((p) => !ownBefore(p)).map(name));
    const stillLinked = new Set(g.packages.filter(isLink).map(name));
    const swapped = g.packages
      .filter((p) => !isLink(p) && links.has(name(p)) && !stillLinked.has(name(p)) && !installedBefore.has(name(p)))
      .sort((a, b) => a.line - b.line);
    const seen = new Set<string>();
    for (const p of swapped) {
      if (seen.has(name(p))) continue;
      seen.add(name(p));
      const was = links.get(name(p))!;
      const from = `link:${was.resolved ?? was.key}`;
      const to = p.resolved ?? p.source;
      out.push({
        ruleId: 'CPU002',
        message: `${g.lockfile}: "${name(p)}" was this repository's own package (${from}) at the base revision and now installs ${p.name}@${p.version} from ${to}: code that imports "${name(p)}" loads what that source serves under the name, the shape of a dependency-confusion attack. Restore the workspace link unless the package really moved out of the repository and this is its published release.`,
        location: { path: g.lockfile, line: p.line },
        artifact: packageArtifact(ecosystemOf(g), name(p), p.version),
        evidence: { fromSource: from, toSource: to },
      });
    }
  }
  return out;
}

/** Each head lockfile with the same lockfile at the base (a lockfile new at the head has nothing swapped). */
function withBase(
  base: readonly DependencyGraph[],
  head: readonly DependencyGraph[],
): [DependencyGraph, DependencyGraph][] {
  const baseByPath = new Map(base.map((g) => [g.lockfile, g]));
  return head.flatMap((g): [DependencyGraph, DependencyGraph][] => {
    const before = baseByPath.get(g.lockfile);
    return before ? [[g, before]] : [];
  });
}

/** The name code imports a package by: its alias where it has one. */
const name = (p: PackageNode) => p.alias ?? p.name;
