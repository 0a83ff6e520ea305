import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { CheckPolicy } from './context.js';
import { isRecord } from '../../core/is-record.js';
import { packageFinding } from './finding.js';
import { declaringFolders, insideRepo, repoLocalPath } from './local-paths.js';
import { isNpmFileTarball } from '../source.js';
import type { Manifest } from '../types.js';
import { npmInstallScripts } from '../../registry/packument.js';

/** A `file:` folder package whose lockfile entry does not say whether it runs install scripts. */
export interface BuiltFolder {
  readonly node: PackageNode;
  /** Repository-relative folders it may be read from, most likely first (yarn 1 does not say which workspace). */
  readonly folders: readonly string[];
}

/**
 * The `file:` folders inside the repository whose scripts the package manager reads from the folder itself, not
 * from the lockfile, and whose entry records no `hasInstallScript` (one that does is reported from the lockfile).
 *
 * - Bun: a trusted folder (parsers/bun.ts `trustedBuild`); Bun 1.2 writes no `hasInstallScript`. The path is
 *   resolved against the root project's folder, the lockfile's (`Resolution.folder`, written relative to it).
 * - npm: every folder a link points at. arborist's loadVirtual `#resolveLinks` reads the package.json of a link
 *   target outside node_modules from disk ("they can be changed by the local user"), and rebuild's
 *   `#addToBuildSet` queues its scripts whatever the lockfile says.
 * - yarn 1: yarn.lock records no scripts at all; the folder is copied and its manifest, as read from the copy,
 *   is what `PackageInstallScripts` runs.
 * - yarn 2+: yarn.lock records no scripts either; yarn packs the folder and builds from its manifest.
 * - pnpm: a `directory` resolution records no scripts either; a build its settings allow (parsers/pnpm-builds.ts
 *   sets `buildDisabled` otherwise) runs what `runPostinstallHooks` reads from the folder's package.json.
 *
 * Workspaces are the project's own code and are left out, as the root is; `link:` runs nothing. The path is
 * resolved as local-paths.ts `declaringFolders` says. Tarballs are local-tarballs.ts's.
 */
export function builtFoldersOf(graph: DependencyGraph): BuiltFolder[] {
  if (!FOLDER_BUILDERS.has(graph.kind)) return [];
  const root = path.posix.dirname(graph.lockfile);
  const out: BuiltFolder[] = [];
  const seen = new Set<string>();
  for (const node of graph.packages) {
    if (node.source !== 'file' || node.hasInstallScript === true || node.buildDisabled !== undefined) continue;
    const local = repoLocalPath(node, graph.kind);
    if (local === undefined || isNpmFileTarball(local)) continue;
    const from = graph.kind === 'bun' ? [''] : (declaringFolders(node, graph) ?? []);
    const folders = [...new Set(from.map((f) => insideRepo(root, f, local)).filter((p) => p !== undefined))];
    // npm v1 writes a folder both as the dependency and, migrated, as the link's target: one folder, one finding.
    const key = folders.join('\0');
    if (folders.length > 0 && !seen.has(key)) {
      seen.add(key);
      out.push({ node, folders });
    }
  }
  return out;
}

const FOLDER_BUILDERS: ReadonlySet<DependencyGraph['kind']> = new Set([
  'bun',
  'npm',
  'pnpm',
  'yarn-berry',
  'yarn-classic',
]);

/** What the stage read of a built folder: its package.json and the scripts the package manager runs from it. */
export interface FolderScripts {
  readonly manifest: string;
  readonly scripts: readonly string[];
}

/** CPD012 for a built `file:` folder whose package.json (read by the stage) has install scripts the lockfile did not record. */
export function checkFolderScripts(read: ReadonlyMap<PackageNode, FolderScripts>, policy: CheckPolicy): Finding[] {
  const out: Finding[] = [];
  for (const [node, { manifest, scripts }] of read) {
    if (scripts.length === 0 || policy.installScriptsAllowed(node.name)) continue;
    out.push(
      packageFinding(
        'CPD012',
        node,
        `runs install scripts (${scripts.join(', ')}) from its folder's ${manifest} and is not on the allowlist`,
        'Review the scripts in the folder; add the package to dependencies.allowInstallScripts if they are needed, or install with --ignore-scripts.',
        { manifest, scripts: scripts.join(', ') },
      ),
    );
  }
  return out;
}

/** The default install script npm gives a package with a binding.gyp (@npmcli/node-gyp `defaultGypInstallScript`). */
export const GYP_REBUILD = 'install: node-gyp rebuild for its binding.gyp';

/**
 * The scripts a package manager runs from a `file:` folder's package.json.
 * - npm: rebuild's `#buildQueues` queues preinstall, install, postinstall and — for links only (`#build` with type
 *   'links') — prepare; `#addToBuildSet` adds `node-gyp rebuild` as the install script when the folder holds a
 *   binding.gyp and sets neither install nor preinstall nor `gypfile: false`.
 * - yarn 1: `PackageInstallScripts.getInstallCommands` runs preinstall, install and postinstall; the manifest
 *   normaliser (`fix.js`) sets install to `node-gyp rebuild` when there is a binding.gyp and no install script.
 * - yarn 2+: `extractBuildRequest` (plugin-pnp/nm) takes preinstall, install and postinstall, and `node-gyp rebuild`
 *   when there is a binding.gyp and no install script (read in @yarnpkg/cli-dist's bundle); a `file:` folder is
 *   linked hard, so it builds unless `built: false` or `enableScripts: false` (the parser's `buildDisabled`).
 * - pnpm: `runPostinstallHooks` (@pnpm/lifecycle) runs preinstall, install and postinstall, and `node-gyp rebuild`
 *   as install when there is a binding.gyp and neither install nor preinstall.
 * - Bun: a trusted dependency's preinstall, install and postinstall, and `node-gyp rebuild` when there is a
 *   binding.gyp and neither install nor preinstall (`Package.Scripts.getList` / `createFromPackageJSON`). Measured
 *   with Bun 1.4.5 under --frozen-lockfile: a trusted folder with only a binding.gyp ran `node-gyp rebuild`, one
 *   with a postinstall ran both, one with a preinstall ran only that.
 */
export function folderScripts(
  kind: DependencyGraph['kind'],
  manifest: Pick<Manifest, 'scripts' | 'gypfile'>,
  hasBindingGyp: boolean,
): string[] {
  const scripts = npmInstallScripts(manifest.scripts);
  if (kind === 'yarn-classic' || kind === 'yarn-berry')
    return hasBindingGyp && !scripts.includes('install') ? [...scripts, GYP_REBUILD] : scripts;
  if (kind === 'pnpm' || kind === 'bun')
    return hasBindingGyp && !scripts.includes('install') && !scripts.includes('preinstall')
      ? [...scripts, GYP_REBUILD]
      : scripts;
  if (kind !== 'npm') return scripts;
  const prepare = isRecord(manifest.scripts) ? manifest.scripts.prepare : undefined;
  const out = typeof prepare === 'string' && prepare !== '' ? [...scripts, 'prepare'] : scripts;
  const gyp = hasBindingGyp && manifest.gypfile !== false && !out.includes('install') && !out.includes('preinstall');
  return gyp ? [...out, GYP_REBUILD] : out;
}
