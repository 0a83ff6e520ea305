import picomatch from 'picomatch';
import { pnpmWorkspacePackages } from '../../deps/parsers/pnpm-workspace.js';
import { LOCKFILE_FORMATS, formatFromName } from '../../discover/catalogue/index.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { declaringFolders, localPathOf } from '../../deps/checks/local-paths.js';
import { dirOf, joinRel } from '../../deps/read.js';
import { isNpmFileTarball } from '../../deps/source.js';

/**
 * Whether an install runs a package.json's scripts as the project it was started in, as one of its workspaces (or an
 * npm link, which arborist builds as one), or as a folder it installs as a dependency (pnpm, yarn 1), whose build runs
 * only `preinstall`, `install` and `postinstall`.
 */
export type ProjectRole = 'root' | 'workspace' | 'dependency';

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
      ...pnpmWorkspacePackages(read(joinRel(base, 'pnpm-workspace.yaml'))),
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

/** A folder's package.json an install reads as a dependency; `unbuilt`: the setting that keeps pnpm from building it. */
export interface LinkedManifest {
  readonly manifest: string;
  /** `workspace`: an npm link, whose `prepare` arborist runs too (rebuild.js queues it for links). */
  readonly role: Exclude<ProjectRole, 'root'>;
  readonly unbuilt?: { readonly name: string; readonly by: NonNullable<PackageNode['buildDisabled']> };
}

/**
 * The package.json of each repository folder an install reads a package from at install time and runs the
 * lifecycle scripts of, whatever the lockfile records:
 * - npm links it into node_modules (`"node_modules/z": {"link": true, "resolved": "vendor/z"}`, a `file:` dependency
 *   or a workspace): arborist load-virtual.js `resolveLinks` reads the package.json of a link target outside
 *   node_modules, "because they can be changed by the local user"; rebuild.js builds link nodes from
 *   `node.target.package.scripts`. A v1 lockfile's `x: {"version": "file:vendor/x"}` is migrated to such a link
 *   (Shrinkwrap `#metaFromLock`).
 * - pnpm fetches a `resolution: {type: directory}` from the folder, joined to the lockfile's (directory-fetcher
 *   `createDirectoryFetcher`: `path.join(opts.lockfileDir, resolution.directory)`, its manifest read there), and
 *   builds it as any dependency (runPostinstallHooks: `preinstall`, `install`, `postinstall`, never `prepare`), only
 *   if its build settings allow the name (buildModules → `allowBuild`), which pnpm 10 and later do for no dependency
 *   by default. A folder they do not allow comes back with `unbuilt`.
 * - yarn 1 resolves a `file:` folder on every install (FileResolver `resolve`: `config.readManifest` of the folder
 *   joined to the cwd, a fresh `copy` hash each time), so PackageInstallScripts runs its preinstall, install and
 *   postinstall.
 * - yarn 2+ packs a `file:` folder into its cache on every install (FileFetcher `fetchFromDisk` →
 *   `makeArchiveFromDirectory`; FileResolver `shouldPersistResolution` false) and resolves it with `linkType: HARD`,
 *   so every linker builds it as any dependency (jsInstallUtils `extractBuildRequest`: `preinstall`, `install`,
 *   `postinstall`), unless `enableScripts: false` or `dependenciesMeta` say otherwise (`unbuilt`).
 * Not yarn 2+'s `portal:` / `link:` folders: PortalResolver and LinkResolver resolve them `linkType: SOFT`, and a
 * soft link's build scripts are ignored (`extractBuildRequest`: "Soft links don't support build scripts"; every
 * linker's `installPackageSoft` returns no build request); pnpm's `link:` (a symlink, not fetched) is not counted
 * either. Only folders in the repository: a target outside it is not the change's (CPD017 says so).
 */
export function linkedManifests(graphs: readonly DependencyGraph[]): LinkedManifest[] {
  const out = new Map<string, LinkedManifest>();
  for (const g of graphs) {
    for (const { folder, node } of installedFolders(g)) {
      if (folder === '' || folder === '..' || folder.startsWith('../')) continue;
      const manifest = joinRel(folder, 'package.json');
      // pnpm's and yarn 2+'s settings only: npm runs a linked folder's scripts (rebuild.js) and yarn 1 every package's.
      const by = g.kind === 'pnpm' || g.kind === 'yarn-berry' ? node.buildDisabled : undefined;
      const next: LinkedManifest = {
        manifest,
        role: g.kind === 'npm' ? 'workspace' : 'dependency',
        ...(by !== undefined ? { unbuilt: { name: node.name, by } } : {}),
      };
      // Several lockfiles may install one folder: the one that runs the most of its scripts decides.
      const was = out.get(manifest);
      if (was === undefined || runs(next) > runs(was)) out.set(manifest, next);
    }
  }
  return [...out.values()].sort((a, b) => (a.manifest < b.manifest ? -1 : a.manifest > b.manifest ? 1 : 0));
}

/** How much of a folder's scripts an install runs: none (unbuilt), the install scripts, those and `prepare` (npm). */
const runs = (l: LinkedManifest) => (l.unbuilt !== undefined ? 0 : l.role === 'dependency' ? 1 : 2);

/**
 * The folders (repository-relative) a lockfile installs packages from as they are in the tree, with their nodes. A
 * `file:` path is read against the folder that declares it (local-paths.ts `declaringFolders`: pnpm's lockfile
 * folder; yarn 2+'s `::locator=` workspace; for yarn 1, which records no declaring workspace, each workspace — yarn
 * 1.22.22 reads a member's `file:../x` from the member's folder and runs that folder's preinstall).
 */
function installedFolders(g: DependencyGraph): { folder: string; node: PackageNode }[] {
  const root = dirOf(g.lockfile);
  const out: { folder: string; node: PackageNode }[] = [];
  for (const n of g.packages) {
    if (g.kind === 'npm' && n.source === 'link' && n.resolved !== undefined)
      out.push({ folder: joinRel(root, n.resolved), node: n });
    const npmV1 = g.kind === 'npm' && g.formatVersion === '1';
    if ((g.kind !== 'pnpm' && g.kind !== 'yarn-classic' && g.kind !== 'yarn-berry' && !npmV1) || n.source !== 'file')
      continue;
    const local = localPathOf(n, g.kind);
    if (local === undefined || /^([a-z]:)?[\\/]/i.test(local)) continue;
    // yarn 2+ reads a `file:` path that ends so as a tarball (TarballFileResolver, plugin-file TARBALL_REGEXP).
    if (g.kind === 'yarn-berry' && /\.(?:tar\.gz|tgz)$/.test(local)) continue;
    // npm ≥ 7 links a v1 `file:` entry that is no tarball (npa `fromFile`) to the folder (npm-v1.ts `linkFolder`).
    if (npmV1 && isNpmFileTarball(local)) continue;
    for (const from of new Set(declaringFolders(n, g) ?? []))
      out.push({ folder: joinRel(joinRel(root, from), local), node: n });
  }
  return out;
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
