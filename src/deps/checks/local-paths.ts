import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { packageFinding } from './finding.js';
import { pushAll } from '../../core/push-all.js';
import { afterTail, bindingParameter, cutTail } from '../../core/linear-text.js';

/**
 * CPD017: a `file:` / `link:` / `portal:` dependency whose folder or tarball lies outside the repository. The package
 * manager reads it from there as it is on the machine that installs (npm `file:` specs resolve against the project
 * folder, npm-package-arg `fromFile`; yarn's `file:`/`link:`/`portal:` against the declaring workspace; pnpm's
 * against the importer), so the code that runs is neither in the reviewed tree nor pinned by any hash. One finding
 * per distinct outside path (npm writes a link and its target folder for one cause).
 */
export function checkLocalPaths(graph: DependencyGraph): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const root = path.posix.dirname(graph.lockfile);
  for (const node of graph.packages) {
    if (node.source !== 'file' && node.source !== 'link') continue;
    const local = localPathOf(node, graph.kind);
    if (local === undefined) continue;
    const target = outsideFromEvery(declaringFolders(node, graph), root, local);
    if (target === undefined || seen.has(target)) continue;
    seen.add(target);
    out.push(
      packageFinding(
        'CPD017',
        node,
        `is read from ${local}, outside the repository`,
        'Move the package into the repository (a workspace) or depend on a published version: what is installed from outside the tree is not reviewed, and differs from machine to machine.',
        { path: local },
      ),
    );
  }
  if (graph.kind === 'npm') pushAll(out, checkNpmLocations(graph));
  return out;
}

/**
 * CPD018: a package-lock.json key that is not a plain install location. npm never writes one (arborist keys by
 * `relpath(root, node.path)`), but reads any: `loadVirtual` resolves the key against the project folder and reify
 * extracts the package at that path, so `node_modules/a/../../x` lands in the project's own `x/` folder, and more
 * `..` outside the project. Paths of link targets (`../lib`, a `file:` sibling) are normal and CPD017's business.
 * `path.resolve` also drops a trailing slash, so `node_modules/left-pad/` is node_modules/left-pad: written after the
 * genuine entry, it replaces it (npm 11.19 loadVirtual: one node, the later entry's `resolved`).
 */
const ODD_SEGMENT = /(^|\/)\.{1,2}(\/|$)|\/\/|^\/|\/$/;

function checkNpmLocations(graph: DependencyGraph): Finding[] {
  const out: Finding[] = [];
  for (const node of graph.packages) {
    // Only a `.`/`..`/empty segment or a leading slash can make a key move: skip the normalisation for the rest.
    const key = node.key.includes('\\') ? node.key.replace(/\\/g, '/') : node.key;
    if (!ODD_SEGMENT.test(key)) continue;
    const lands = resolvedLocation(key);
    if (lands === key) continue;
    out.push(
      packageFinding(
        'CPD018',
        node,
        `is keyed ${JSON.stringify(node.key.slice(0, 200))}, which npm resolves to ${lands.slice(0, 200)} and extracts there`,
        'Treat as lockfile tampering: npm never writes such a key. Delete the entry and regenerate the lockfile.',
        { location: lands.slice(0, 200) },
      ),
    );
  }
  return out;
}

/** The location arborist's `#loadNode` gives a key: `path.resolve(root, key)` relative to the root, no trailing slash. */
function resolvedLocation(key: string): string {
  const normal = path.posix.normalize(key);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/**
 * The folders (relative to the lockfile's) a relative path may be read against. npm writes paths relative to the
 * project root (arborist `relpath`; a v1 entry under a link target, relative to the target), pnpm to the lockfile's
 * folder; yarn berry names the declaring workspace in the reference (`::locator=name@workspace:path`,
 * LinkResolver/FileResolver `parseLocator`): a locator that is no workspace is a path inside another package,
 * undecidable here. yarn 1 does not say which workspace declared it:
 * every workspace is a candidate. Undefined: do not judge.
 */
export function declaringFolders(node: PackageNode, graph: DependencyGraph): string[] | undefined {
  if (graph.kind === 'yarn-berry') {
    const ref = node.resolved ?? node.key;
    const encoded = bindingParameter(ref, 'locator', '&,"');
    if (encoded === undefined) return undefined;
    let locator: string;
    try {
      locator = decodeURIComponent(encoded);
    } catch {
      return undefined;
    }
    const ws = afterTail(locator, '@workspace:');
    return ws === undefined ? undefined : [ws === '.' ? '' : ws.replace(/^\.\//, '')];
  }
  if (graph.kind === 'yarn-classic')
    return Object.keys(graph.importers).length > 0 ? Object.keys(graph.importers) : [''];
  if (graph.kind === 'npm' && graph.formatVersion === '1') return [v1DeclaringFolder(node.key)];
  return [''];
}

/**
 * The folder of the package that declares a v1 entry: its parent location (`vendor/x` for `vendor/x/node_modules/y`,
 * where npm-v1.ts puts what is nested under a link), '' for a top-level entry. npm 6 wrote a nested entry's `file:`
 * path as that package's package.json declares it, and npm ≥ 7 installs it from there (npm-v1.ts `linkFolder`): with
 * npm 11.19, `npm ci` of a v1 lockfile installed `file:../../../pk/y-1.0.0.tgz` nested under `vendor/deep/x` from the
 * project's `pk/`.
 */
export function v1DeclaringFolder(key: string): string {
  const at = key.lastIndexOf('/node_modules/');
  return at < 0 ? '' : key.slice(0, at);
}

/** The target when `local` leaves the repository from every candidate folder (an absolute path always does). */
function outsideFromEvery(folders: readonly string[] | undefined, root: string, local: string): string | undefined {
  if (folders === undefined || folders.length === 0) return undefined;
  let first: string | undefined;
  for (const folder of folders) {
    const target = outside(path.posix.join(root, folder), local);
    if (target === undefined) return undefined;
    first ??= target;
  }
  return first;
}

/** The local path an entry is installed from, as its lockfile writes it. */
export function localPathOf(node: PackageNode, kind: DependencyGraph['kind']): string | undefined {
  const resolved = node.resolved;
  if (resolved !== undefined && resolved !== '') {
    const spec = stripProtocol(resolved);
    if (spec !== undefined) return spec;
    // npm v1 and Bun (`Resolution.local_tarball`) write a bare path; yarn 1 reads one too (its `#hash` cut off).
    if ((kind === 'npm' || kind === 'bun') && !/^[a-z][a-z0-9+.-]*:/i.test(resolved)) return resolved;
    if (kind === 'yarn-classic' && !/^[a-z][a-z0-9+.-]*:/i.test(resolved)) return cutTail(resolved, '#');
  }
  // npm v2/v3: a folder entry's key is its location; yarn/pnpm: the descriptor's range names the path.
  if (kind === 'npm') return node.key.includes('node_modules/') ? undefined : node.key;
  const first = node.key.split(',')[0]!.trim().replace(/^"|"$/g, '');
  const at = first.indexOf('@', 1);
  return at < 0 ? undefined : stripProtocol(first.slice(at + 1));
}

/**
 * The local path an entry is installed from with `/` separators, when it is relative (not `/x`, not `C:/x`), so that
 * joining it to a folder of the repository may stay inside: undefined otherwise.
 */
export function repoLocalPath(node: PackageNode, kind: DependencyGraph['kind']): string | undefined {
  const local = localPathOf(node, kind)?.replace(/\\/g, '/');
  return local === undefined || local.startsWith('/') || /^[a-z]:\//i.test(local) ? undefined : local;
}

/** The normalized repository-relative path of `parts` joined, or undefined when it leaves the repository. */
export function insideRepo(...parts: string[]): string | undefined {
  const joined = path.posix.normalize(path.posix.join(...parts));
  return joined === '..' || joined.startsWith('../') ? undefined : joined;
}

/** `file:../x`, `link:../x::locator=…`, `portal:../x`, yarn's `file:../x.tgz#../x.tgz::hash=…` → `../x`. */
function stripProtocol(spec: string): string | undefined {
  const m = /^(?:file|link|portal):(.*)$/i.exec(spec);
  if (!m) return undefined;
  const rest = cutTail(cutTail(m[1]!, '::'), '#');
  return rest === '' ? undefined : rest;
}

/** The repository-relative target when `local` (relative to the lockfile's folder `base`) leaves the repository. */
function outside(base: string, local: string): string | undefined {
  const p = local.replace(/\\/g, '/');
  if (p.startsWith('/') || p.startsWith('~') || /^[a-z]:\//i.test(p)) return p;
  const joined = path.posix.normalize(path.posix.join(base, p));
  return joined === '..' || joined.startsWith('../') ? joined : undefined;
}
