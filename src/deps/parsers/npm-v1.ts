import { posix } from 'node:path';
import type { DraftEdge, DraftImporter, DraftNode, Manifest, ParsedLockfile } from '../types.js';
import { isRecord, str, strMap } from '../types.js';
import { strictJsonPropertyLines } from '../lines.js';
import { classifySpec } from '../source.js';
import { NodeModulesIndex, declaredOf, edgesOf, npmResolvedSource, parseAlias } from './npm-common.js';
import { pushAll } from '../../core/push-all.js';
import { findBundled } from './npm-bundles.js';
import { TOP_LEVEL_PREFIX, linkTarget, readableKey } from './npm-legacy.js';

/**
 * npm 5/6 lockfileVersion 1: a nested `dependencies` tree mirroring node_modules. Locations are rewritten to the
 * v2 key form (`node_modules/a/node_modules/b`) so resolution and messages match the newer formats.
 * The root's own dependencies are not recorded: they come from package.json when given.
 */
export function parseNpmV1(
  data: Record<string, unknown>,
  text: string,
  manifest: Manifest | undefined,
): ParsedLockfile {
  const duplicateKeys: { key: string; line: number }[] = [];
  const lines = strictJsonPropertyLines(
    text,
    (path, prop) => {
      if (path.length === 0) return `${TOP_LEVEL_PREFIX}${prop}`;
      if (path.length % 2 === 0) return undefined;
      let key = '';
      for (let i = 0; i < path.length; i += 2) {
        if (path[i] !== 'dependencies') return undefined;
        if (i + 1 < path.length) key += `node_modules/${String(path[i + 1])}/`;
      }
      return `${key}node_modules/${prop}`;
    },
    (key, line) => duplicateKeys.push({ key: readableV1Key(key), line }),
  );

  // Iterative walk: hostile files may nest deeply.
  // `nested`: the key of the entry's place in the file's nesting, which `lines` is keyed by.
  const entries: { key: string; nested: string; name: string; entry: Record<string, unknown>; folder?: string }[] = [];
  const stack: { prefix: string; nested: string; deps: unknown }[] = [
    { prefix: '', nested: '', deps: data.dependencies },
  ];
  while (stack.length > 0) {
    const { prefix, nested, deps } = stack.pop()!;
    if (!isRecord(deps)) continue;
    const children: { prefix: string; nested: string; deps: unknown }[] = [];
    for (const [name, entry] of Object.entries(deps)) {
      const key = `${prefix}node_modules/${name}`;
      const at = `${nested}node_modules/${name}`;
      const e = isRecord(entry) ? entry : {};
      const folder = linkFolder(e, prefix.slice(0, -1));
      entries.push({ key, nested: at, name, entry: e, ...(folder !== undefined ? { folder } : {}) });
      // arborist Shrinkwrap `#loadAll`: "dependencies nested under a link are actually under the link target".
      children.push({ prefix: `${folder ?? key}/`, nested: `${at}/`, deps: e.dependencies });
    }
    pushAll(stack, children.reverse());
  }
  const index = new NodeModulesIndex(entries.map((e) => e.key));

  const nodes: DraftNode[] = entries.map(({ key, nested, name, entry, folder }) => {
    const written = str(entry.version) ?? '';
    const alias = parseAlias(written);
    // A `file:` spec in `version` is where npm reads the package (arborist Shrinkwrap `#metaFromLock` migrates it to
    // a link to that folder, or to `resolved: file:…` for a tarball), the `resolved` npm 6 never wrote for it.
    const resolved = str(entry.resolved) ?? (/^file:/i.test(written) ? written : undefined);
    const integrity = str(entry.integrity);
    const edges = requiresOf(entry, folder ?? key, index);
    return {
      name: alias ? alias[0] : name,
      version: alias ? alias[1] : written,
      key,
      line: lines.get(nested) ?? 1,
      ...(resolved !== undefined ? { resolved } : {}),
      ...(integrity !== undefined ? { integrity } : {}),
      source:
        npmResolvedSource(resolved) ?? (/^\d+\.\d+\.\d+/.test(written) || alias ? 'registry' : classifySpec(written)),
      ...(alias ? { alias: name } : {}),
      flags: { dev: entry.dev === true, optional: entry.optional === true, peer: false },
      edges,
    };
  });

  // npm ≥ 7 migrates the tree (arborist Shrinkwrap `#metaFromLock`: `bundled` becomes `inBundle`, except on a git
  // entry without integrity, which returns before) and then decides bundles as for a v2 lockfile (npm-bundles.ts):
  // a claim on a top-level entry is fetched from its `resolved` like any other. With npm 11.19, `npm ci` downloaded
  // and installed a top-level `"bundled": true` entry with no integrity from a loopback server.
  const claimed = new Set<number>();
  entries.forEach(({ entry }, i) => {
    const gitEarlyReturn = !entry.integrity && nodes[i]!.source === 'git';
    if (entry.bundled === true && !gitEarlyReturn) claimed.add(i);
  });
  const keys = entries.map((e) => e.key);
  const bundled = findBundled(
    keys,
    (i) => nodes[i]?.edges ?? [],
    new Map(),
    { bundles: undefined },
    (k) => index.get(k),
    claimed,
  );
  for (const i of bundled) nodes[i] = { ...nodes[i]!, bundled: true };

  return {
    kind: 'npm',
    formatVersion: '1',
    nodes,
    importers: [rootImporter(manifest, nodes, index), ...linkTargets(entries, nodes)],
    ...(manifest ? {} : { importersInferred: true as const }),
    resolveDeclared: (importer, name) => index.resolve(importer, name),
    ...(duplicateKeys.length > 0 ? { duplicateKeys } : {}),
  };
}

/**
 * The repository folder a `file:` folder entry links to, where npm ≥ 7 reads it and puts what is nested under it
 * (arborist Shrinkwrap `#loadAll`; npm 11.19 installed the packages nested under `x: {version: "file:vendor/x"}` into
 * `vendor/x/node_modules`). The path is read from the folder of the package that declares it (`from`: '' for the
 * root's, the parent's for a nested entry), as npm 6 wrote it: arborist's `#metaFromLock` reads it against the root,
 * so a nested entry never matches its dependant's edge, and build-ideal-tree replaces it with the edge's own spec,
 * read from the dependant's folder ("placeDep vendor/deep/x y@1.0.0 REPLACE", npm 11.19). Undefined for any other
 * entry, and for an absolute or home path, whose place is the machine's, not the repository's.
 */
function linkFolder(entry: Record<string, unknown>, from: string): string | undefined {
  const target = linkTarget(entry);
  if (target === undefined || /^(?:[\\/~]|[a-z]:)/i.test(target)) return undefined;
  const folder = posix.join(from, target).replace(/\/+$/, '');
  return folder === '.' || folder === '' ? undefined : folder;
}

/** A v1 entry's `requires`, resolved from the folder its package sits in (the link target for a `file:` folder). */
function requiresOf(entry: Record<string, unknown>, from: string, index: NodeModulesIndex): DraftEdge[] {
  return Object.entries(strMap(entry.requires)).map(([dep, spec]) => ({
    name: dep,
    spec,
    kind: 'prod',
    target: index.resolve(from, dep),
  }));
}

/**
 * Each link target as npm ≥ 7 migrates it: an install folder like a v2 lockfile's folder key (npm.ts), declaring
 * what the entry `requires` (`#fixDependencies` turns them into its dependencies). With npm 11.19, `npm ci` refused
 * a v1 lockfile whose link target's package.json declared a devDependency the lockfile did not hold ("Missing: z").
 */
function linkTargets(
  entries: readonly { entry: Record<string, unknown>; folder?: string }[],
  nodes: readonly DraftNode[],
): DraftImporter[] {
  const out = new Map<string, DraftImporter>();
  entries.forEach(({ entry, folder }, i) => {
    if (folder === undefined || out.has(folder)) return;
    // The link entry's node already holds them: its `requires`, resolved from the folder.
    out.set(folder, { path: folder, declared: strMap(entry.requires), edges: nodes[i]!.edges });
  });
  return [...out.values()];
}

function readableV1Key(key: string): string {
  return key.startsWith(TOP_LEVEL_PREFIX) ? readableKey(key) : `"dependencies" ${key}`;
}

function rootImporter(
  manifest: Manifest | undefined,
  nodes: readonly DraftNode[],
  index: NodeModulesIndex,
): DraftImporter {
  if (manifest) {
    const m = manifest as Record<string, unknown>;
    return { path: '', declared: declaredOf(m), edges: edgesOf(m, ['prod', 'dev', 'optional', 'peer'], '', index) };
  }
  // Without package.json: the top-level entries nothing else requires are the root's direct dependencies.
  const required = new Set<number>();
  for (const n of nodes) for (const e of n.edges) if (e.target !== undefined) required.add(e.target);
  const edges: DraftEdge[] = [];
  nodes.forEach((n, i) => {
    if (!n.key.includes('/node_modules/') && !required.has(i)) {
      edges.push({ name: n.alias ?? n.name, spec: n.version, kind: n.flags?.dev ? 'dev' : 'prod', target: i });
    }
  });
  return { path: '', declared: {}, edges };
}
