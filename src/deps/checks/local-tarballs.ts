import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { TarballFacts } from '../../registry/tarball.js';
import { compareSri, parseSri } from '../../verify/npm/sri.js';
import type { CheckPolicy } from './context.js';
import { packageFinding } from './finding.js';
import { declaringFolders, insideRepo, repoLocalPath, v1DeclaringFolder } from './local-paths.js';
import { isNpmFileTarball } from '../source.js';

/** A `file:` tarball a lockfile installs from inside the repository. */
export interface LocalTarball {
  readonly node: PackageNode;
  /** Repository-relative paths it may be read from, most likely first (yarn 1 does not say which workspace). */
  readonly candidates: readonly string[];
}

/**
 * The `file:` tarballs of a lockfile that lie inside the repository, resolved as each package manager does (npm and
 * pnpm against the lockfile's folder, yarn against the declaring workspace: local-paths.ts `declaringFolders`).
 * Folders and outside paths are not here (CPD017 reports the latter).
 */
export function localTarballsOf(graph: DependencyGraph): LocalTarball[] {
  const root = path.posix.dirname(graph.lockfile);
  const out: LocalTarball[] = [];
  for (const node of graph.packages) {
    if (node.source !== 'file') continue;
    const local = repoLocalPath(node, graph.kind);
    if (local === undefined || !isNpmFileTarball(local)) continue;
    const candidates = (declaringFolders(node, graph) ?? [])
      .map((folder) => insideRepo(root, folder, local))
      .filter((p) => p !== undefined);
    if (candidates.length > 0) out.push({ node, candidates: [...new Set(candidates)] });
  }
  return out;
}

/**
 * A v1 `file:` tarball nested under another package: npm ≥ 7 reads its path against the root, so it never satisfies
 * its dependant's edge and build-ideal-tree fetches the edge's spec instead, without the lockfile's integrity
 * (local-paths.ts `v1DeclaringFolder`; npm 11.19 installed a replaced tarball there with no EINTEGRITY).
 */
function replacedNested(graph: DependencyGraph, node: PackageNode): boolean {
  return graph.kind === 'npm' && graph.formatVersion === '1' && v1DeclaringFolder(node.key) !== '';
}

/** What reading a local tarball found: the file read and its facts (inspectTarball, never extracted or run). */
export interface LocalTarballFacts {
  readonly path: string;
  readonly facts: TarballFacts;
}

/**
 * CPD161: the tarball in the repository is not the one the lockfile pins. npm (pacote's FileFetcher), yarn 1, pnpm
 * and Bun check a `file:` tarball against the lockfile's integrity when it has one, so the install stops
 * (EINTEGRITY): the tarball was replaced after the lockfile was written, and what the repository ships is not what
 * was locked. yarn berry's checksum is of its cache zip, not of the tarball, and is not compared.
 *
 * CPD012: the tarball's own package.json has an install script that the package manager runs and nothing else
 * shows. yarn 1 runs every package's scripts, yarn berry builds from the fetched manifest, pnpm builds what its
 * settings allow, Bun what `trustedDependencies` lists (the parsers set `buildDisabled` for the rest); npm runs
 * them only when the lockfile entry says `hasInstallScript` (arborist rebuild reads the package's scripts only
 * then), which the lockfile check already reports, so npm is not judged from the tarball. A tarball the install
 * refuses (CPD161) runs nothing, so its scripts are not reported beside it.
 */
export function checkLocalTarballs(
  graph: DependencyGraph,
  read: ReadonlyMap<PackageNode, LocalTarballFacts>,
  policy: CheckPolicy,
): Finding[] {
  const out: Finding[] = [];
  for (const [node, { path: file, facts }] of read) {
    const cmp =
      graph.kind !== 'yarn-berry' ? compareSri(parseSri(node.integrity), parseSri(facts.integrity)) : undefined;
    const unchecked = replacedNested(graph, node);
    if (cmp?.kind === 'mismatch')
      out.push(
        packageFinding(
          'CPD161',
          node,
          `is installed from ${file}, whose ${cmp.algorithm} is not the integrity the lockfile records (${cmp.expected.slice(0, 120)})${unchecked ? '; npm ≥ 7 does not check it: it replaces a nested v1 entry with the spec its dependant declares and installs the tarball as it is' : ''}`,
          `Find out who replaced the tarball or the lockfile entry; ${unchecked ? 'npm installs it unchecked' : 'the package manager refuses the install (EINTEGRITY)'}. Restore the tarball the lockfile pins, or reinstall to record the new one after reviewing it.`,
          { tarball: file, expected: cmp.expected.slice(0, 200), actual: cmp.actual.slice(0, 200) },
        ),
      );
    const scripts = facts.installScripts;
    // A refused tarball runs nothing: its scripts are reported once the lockfile pins it.
    if (
      cmp?.kind !== 'mismatch' &&
      scripts.length > 0 &&
      graph.kind !== 'npm' &&
      node.hasInstallScript !== true &&
      node.buildDisabled === undefined &&
      !policy.installScriptsAllowed(node.name)
    )
      out.push(
        packageFinding(
          'CPD012',
          node,
          `runs install scripts (${scripts.join(', ')}) from its tarball ${file} and is not on the allowlist`,
          'Review the scripts in the tarball; add the package to dependencies.allowInstallScripts if they are needed, or install with --ignore-scripts.',
          { tarball: file, scripts: scripts.join(', ') },
        ),
      );
  }
  return out;
}
