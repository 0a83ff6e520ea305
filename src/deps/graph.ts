import type { DependencyGraph, PackageNode } from '../core/records.js';
import type { DraftEdge, DraftNode, ParsedLockfile } from './types.js';
import { platformGates } from './platform-gates.js';

/**
 * Turn parser output into the shared DependencyGraph: a breadth-first walk from every importer gives each package
 * the shortest path that pulls it in and the workspace it belongs to; where the lockfile does not record dev /
 * optional flags they follow from reachability (dev = not reachable without a devDependency edge, optional = not
 * reachable without an optionalDependency edge), as npm computes them.
 */
export function toDependencyGraph(lockfile: string, parsed: ParsedLockfile): DependencyGraph {
  const n = parsed.nodes.length;
  const parent = new Int32Array(n).fill(-2); // -2 unseen, -1 reached from an importer
  const owner = new Array<string>(n);
  const queue: number[] = [];
  for (const imp of parsed.importers) {
    for (const e of imp.edges) {
      if (e.target !== undefined && parent[e.target] === -2) {
        parent[e.target] = -1;
        owner[e.target] = imp.path;
        queue.push(e.target);
      }
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    for (const e of parsed.nodes[i]!.edges) {
      if (e.target !== undefined && parent[e.target] === -2) {
        parent[e.target] = i;
        owner[e.target] = owner[i]!;
        queue.push(e.target);
      }
    }
  }
  const prod = reach(
    parsed,
    (k) => k !== 'dev',
    () => true,
  );
  const required = reach(
    parsed,
    (k) => k !== 'optional',
    (k) => k !== 'optional',
  );

  const optional = parsed.nodes.map((node, i) => (node.flags ? node.flags.optional : parent[i] !== -2 && !required[i]));
  // npm skips a package as optional by its edges (calcDepFlags), whatever the entry's flag; pnpm by the flag; bun
  // skips it off its platform whether optional or not.
  const gates = platformGates(
    parsed,
    parsed.kind === 'npm'
      ? (i) => parent[i] !== -2 && !required[i]
      : parsed.kind === 'bun'
        ? () => true
        : (i) => optional[i]!,
  );
  const packages: PackageNode[] = parsed.nodes.map((node, i) => {
    const seen = parent[i] !== -2;
    const workspace = seen ? owner[i]! : '';
    const out = toPackageNode(node, {
      lockfile,
      dev: node.flags ? node.flags.dev : seen && !prod[i],
      optional: optional[i]!,
      peer: node.flags ? node.flags.peer : false,
      workspace,
      path: seen ? pathTo(parsed, parent, i, workspace) : [node.name],
    });
    const gate = gates.get(i);
    // Rare (only what a platform package alone brings in): the one package of another shape.
    if (gate === undefined) return out;
    const g = parsed.nodes[gate]!;
    return { ...out, installedWith: `${g.alias ?? g.name}@${g.version} (${g.platforms ?? ''})` };
  });
  const importers: Record<string, Record<string, string>> = {};
  // Each parser builds a fresh map per importer and never touches it again: hand it on rather than copy it (the
  // spread re-added a 130k-dependency root's entries one by one, most of the graph's time on the bench lockfile).
  for (const imp of parsed.importers) importers[imp.path] = imp.declared;
  return {
    lockfile,
    kind: parsed.kind,
    formatVersion: parsed.formatVersion,
    ...(parsed.cacheKey !== undefined ? { cacheKey: parsed.cacheKey } : {}),
    packages,
    importers,
  };
}

/** The optional fields a draft hands on to its package as they are (when present): toPackageNode copies each. */
type OptionalField = Extract<
  keyof DraftNode,
  'resolved' | 'integrity' | 'hasInstallScript' | 'platforms' | 'alias' | 'bundled' | 'distributions' | 'buildDisabled'
>;
type GraphFacts = Pick<PackageNode, 'lockfile' | 'dev' | 'optional' | 'peer' | 'workspace' | 'path'>;
// Compile-time guard: a field added to DraftNode must be handed on here (or dropped on purpose in this list).
type NotHandedOn = Exclude<
  keyof DraftNode,
  | 'name'
  | 'version'
  | 'key'
  | 'line'
  | 'source'
  | 'flags'
  | 'edges'
  | 'conditions'
  | 'integrityNotEnforced'
  | 'shrinkwrapped'
  | 'versionField'
  | 'trustedByHash'
  // Python requirements files' indexes: JavaScript lockfiles name each package's registry in `resolved`.
  | 'indexes'
  | 'replacesIndex'
  | OptionalField
>;
const everyFieldHandedOn: [NotHandedOn] extends [never] ? true : NotHandedOn = true;
void everyFieldHandedOn;

/**
 * One literal of fixed shape per package: `{ ...rest, ... }` of a destructured draft made objects three times
 * the size (about 620 bytes against 200), which a 175k-package lockfile pays in heap and GC time.
 */
function toPackageNode(node: DraftNode, facts: GraphFacts): PackageNode {
  const out: { -readonly [K in keyof PackageNode]: PackageNode[K] } = {
    name: node.name,
    version: node.version,
    key: node.key,
    line: node.line,
    source: node.source,
    lockfile: facts.lockfile,
    dev: facts.dev,
    optional: facts.optional,
    peer: facts.peer,
    workspace: facts.workspace,
    path: facts.path,
  };
  // Each OptionalField by name: a loop of keyed stores over the list cost a megamorphic store
  // per field per package.
  if (node.resolved !== undefined) out.resolved = node.resolved;
  if (node.integrity !== undefined) out.integrity = node.integrity;
  if (node.hasInstallScript !== undefined) out.hasInstallScript = node.hasInstallScript;
  if (node.platforms !== undefined) out.platforms = node.platforms;
  if (node.alias !== undefined) out.alias = node.alias;
  if (node.bundled !== undefined) out.bundled = node.bundled;
  if (node.distributions !== undefined) out.distributions = node.distributions;
  if (node.buildDisabled !== undefined) out.buildDisabled = node.buildDisabled;
  return out;
}

/** Ancestors kept in a package's path; a lockfile whose packages form one long chain would make paths quadratic. */
const MAX_PATH_NAMES = 32;

function pathTo(parsed: ParsedLockfile, parent: Int32Array, i: number, workspace: string): string[] {
  // Parent links form a BFS tree, so there is no cycle; the walk stops at MAX_PATH_NAMES and marks the gap. The
  // names are counted first and written into an array of exactly that length: every package keeps its path, and a
  // pushed-to array keeps room for 17 (152 bytes for the usual two or three names, 20 MB per 150k packages).
  let depth = 0;
  let at = i;
  for (; at >= 0 && depth < MAX_PATH_NAMES; at = above(parsed, parent, at)) depth++;
  const cut = at >= 0;
  const names = new Array<string>(depth + (cut ? 2 : 1));
  let k = names.length - 1;
  for (at = i; k > (cut ? 1 : 0); at = above(parsed, parent, at)) names[k--] = shownName(parsed.nodes[at]!);
  if (cut) names[1] = '…';
  names[0] = workspace === '' ? 'root' : workspace;
  return names;
}

function shownName(node: DraftNode): string {
  return node.alias ?? node.name;
}

/**
 * The package that pulls `at` in. An npm `link: true` entry of the same name is the folder's own place in
 * node_modules (arborist's Link and its target are one package), so the chain names it once, not `root > nat > nat`.
 */
function above(parsed: ParsedLockfile, parent: Int32Array, at: number): number {
  const up = parent[at]!;
  if (up < 0) return up;
  const link = parsed.nodes[up]!;
  return link.source === 'link' && shownName(link) === shownName(parsed.nodes[at]!) ? parent[up]! : up;
}

/** Nodes reachable from importer edges passing `first`, then through node edges passing `rest`. */
function reach(
  parsed: ParsedLockfile,
  first: (k: DraftEdge['kind']) => boolean,
  rest: (k: DraftEdge['kind']) => boolean,
): Uint8Array {
  const seen = new Uint8Array(parsed.nodes.length);
  const queue: number[] = [];
  const push = (e: DraftEdge, ok: (k: DraftEdge['kind']) => boolean) => {
    if (e.target !== undefined && ok(e.kind) && seen[e.target] === 0) {
      seen[e.target] = 1;
      queue.push(e.target);
    }
  };
  for (const imp of parsed.importers) for (const e of imp.edges) push(e, first);
  for (let head = 0; head < queue.length; head++) for (const e of parsed.nodes[queue[head]!]!.edges) push(e, rest);
  return seen;
}
