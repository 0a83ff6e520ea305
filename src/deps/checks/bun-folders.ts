import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { CheckPolicy } from './context.js';
import { packageFinding } from './finding.js';
import { insideRepo, repoLocalPath } from './local-paths.js';
import { isNpmFileTarball } from '../source.js';

/** A bun `file:` folder package whose lockfile entry does not say whether it runs install scripts. */
export interface BunFolder {
  readonly node: PackageNode;
  /** The folder's package.json, repository-relative. */
  readonly manifest: string;
}

/**
 * The `file:` folders of a bun.lock that Bun would build (trusted: parsers/bun.ts `trustedBuild`) and whose entry
 * records no `hasInstallScript` — Bun 1.2 writes none — inside the repository. Bun resolves the path against the
 * root project's folder, the lockfile's (`Resolution.folder`, written relative to it); tarballs are local-tarballs.ts's.
 */
export function bunFoldersOf(graph: DependencyGraph): BunFolder[] {
  if (graph.kind !== 'bun') return [];
  const root = path.posix.dirname(graph.lockfile);
  const out: BunFolder[] = [];
  for (const node of graph.packages) {
    if (node.source !== 'file' || node.hasInstallScript === true || node.buildDisabled !== undefined) continue;
    const local = repoLocalPath(node, 'bun');
    if (local === undefined || isNpmFileTarball(local)) continue;
    const manifest = insideRepo(root, local, 'package.json');
    if (manifest !== undefined) out.push({ node, manifest });
  }
  return out;
}

/** CPD012 for a trusted bun folder whose package.json (read by the stage) has install scripts bun.lock did not record. */
export function checkBunFolders(
  read: ReadonlyMap<PackageNode, { readonly manifest: string; readonly scripts: readonly string[] }>,
  policy: CheckPolicy,
): Finding[] {
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
