import picomatch from 'picomatch';
import { parsePnpmWorkspace } from '../../deps/parsers/pnpm-workspace.js';
import { LOCKFILE_FORMATS, formatFromName } from '../../discover/catalogue/index.js';
import type { DependencyGraph } from '../../core/records.js';
import { dirOf, joinRel } from '../../deps/read.js';

/** Whether an install runs a package.json's scripts as the project it was started in, or as one of its workspaces. */
export type ProjectRole = 'root' | 'workspace';

/**
 * The package.json files whose lifecycle scripts an install runs, each with its role: the root of a project (the
 * repository root, or a folder with a lockfile beside its package.json) and its workspaces (`workspaces` of the root
 * package.json, or pnpm-workspace.yaml `packages`). npm runs `preinstall` / `postinstall` / `prepare` for the root
 * node and each workspace link (arborist `reify` → `[_runScripts]`), and a few more for the root alone (see
 * manifest-changes.ts), never for a package.json that merely sits in the tree — a test fixture or an example — unless
 * someone installs in that folder.
 */
export function projectManifests(
  paths: readonly string[],
  read: (p: string) => string | undefined,
): Map<string, ProjectRole> {
  const isManifest = (p: string) => p === 'package.json' || p.endsWith('/package.json');
  const locked = new Set(
    paths
      .filter((p) => {
        const f = formatFromName(p);
        return f !== undefined && LOCKFILE_FORMATS.has(f);
      })
      .map(dirOf),
  );
  const manifests = paths.filter(isManifest);
  const roots = manifests.filter((p) => dirOf(p) === '' || locked.has(dirOf(p)));
  const out = new Map<string, ProjectRole>(roots.map((p) => [p, 'root']));
  const pnpmRoots = paths.filter((p) => p === 'pnpm-workspace.yaml' || p.endsWith('/pnpm-workspace.yaml')).map(dirOf);
  for (const base of new Set([...roots.map(dirOf), ...pnpmRoots])) {
    const globs = [
      ...workspacesOf(read(joinRel(base, 'package.json'))),
      ...pnpmPackagesOf(read(joinRel(base, 'pnpm-workspace.yaml'))),
    ];
    const yes = globs.filter((g) => !g.startsWith('!')).map((g) => g.replace(/^\.\//, '').replace(/\/$/, ''));
    const no = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1).replace(/^\.\//, '').replace(/\/$/, ''));
    if (yes.length === 0) continue;
    const match = picomatch(yes, { dot: false });
    const skip = no.length > 0 ? picomatch(no) : () => false;
    for (const m of manifests) {
      const d = dirOf(m);
      const rel = base === '' ? d : d.startsWith(base + '/') ? d.slice(base.length + 1) : undefined;
      if (rel !== undefined && rel !== '' && match(rel) && !skip(rel) && !out.has(m)) out.set(m, 'workspace');
    }
  }
  return out;
}

/**
 * The package.json of each folder an npm lockfile links into node_modules (`"node_modules/z": {"link": true,
 * "resolved": "vendor/z"}`, a `file:` dependency or a workspace): npm ci runs its lifecycle scripts, read from the
 * folder at install time whatever the lockfile records (arborist load-virtual.js `resolveLinks` reads the package.json
 * of a link target outside node_modules, "because they can be changed by the local user"; rebuild.js builds link
 * nodes from `node.target.package.scripts`). Only folders in the repository: a target outside it is not the change's.
 */
export function linkedManifests(graphs: readonly DependencyGraph[]): string[] {
  const out = new Set<string>();
  for (const g of graphs) {
    if (g.kind !== 'npm') continue;
    for (const n of g.packages) {
      if (n.source !== 'link' || n.resolved === undefined) continue;
      const folder = joinRel(dirOf(g.lockfile), n.resolved);
      if (folder !== '' && folder !== '..' && !folder.startsWith('../')) out.add(joinRel(folder, 'package.json'));
    }
  }
  return [...out].sort();
}

function workspacesOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const v: unknown = JSON.parse(text);
    const ws = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)['workspaces'] : undefined;
    const list = Array.isArray(ws)
      ? ws
      : ws !== null && typeof ws === 'object'
        ? (ws as Record<string, unknown>)['packages']
        : [];
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function pnpmPackagesOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  // As pnpm reads it (`<<` merge keys applied): `<<: {packages: [apps/*]}` makes those folders workspace projects.
  const ws = parsePnpmWorkspace(text);
  const list = 'error' in ws ? undefined : ws.settings['packages'];
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}
