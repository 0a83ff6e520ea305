import type { DraftEdge, DraftImporter, DraftNode, Manifest, ParsedLockfile } from '../types.js';
import { isRecord, str, strMap } from '../types.js';
import { strictJsonPropertyLines } from '../lines.js';
import { classifySpec } from '../source.js';
import { NodeModulesIndex, declaredOf, edgesOf, npmResolvedSource, parseAlias } from './npm-common.js';
import { pushAll } from '../../core/push-all.js';
import { findBundled } from './npm-bundles.js';
import { TOP_LEVEL_PREFIX, readableKey } from './npm-legacy.js';

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
  const entries: { key: string; name: string; entry: Record<string, unknown> }[] = [];
  const stack: { prefix: string; deps: unknown }[] = [{ prefix: '', deps: data.dependencies }];
  while (stack.length > 0) {
    const { prefix, deps } = stack.pop()!;
    if (!isRecord(deps)) continue;
    const children: { prefix: string; deps: unknown }[] = [];
    for (const [name, entry] of Object.entries(deps)) {
      const key = `${prefix}node_modules/${name}`;
      const e = isRecord(entry) ? entry : {};
      entries.push({ key, name, entry: e });
      children.push({ prefix: `${key}/`, deps: e.dependencies });
    }
    pushAll(stack, children.reverse());
  }
  const index = new NodeModulesIndex(entries.map((e) => e.key));

  const nodes: DraftNode[] = entries.map(({ key, name, entry }) => {
    const written = str(entry.version) ?? '';
    const alias = parseAlias(written);
    // A `file:` spec in `version` is where npm reads the package (arborist Shrinkwrap `#metaFromLock` migrates it to
    // a link to that folder, or to `resolved: file:…` for a tarball), the `resolved` npm 6 never wrote for it.
    const resolved = str(entry.resolved) ?? (/^file:/i.test(written) ? written : undefined);
    const integrity = str(entry.integrity);
    const edges: DraftEdge[] = Object.entries(strMap(entry.requires)).map(([dep, spec]) => ({
      name: dep,
      spec,
      kind: 'prod',
      target: index.resolve(key, dep),
    }));
    return {
      name: alias ? alias[0] : name,
      version: alias ? alias[1] : written,
      key,
      line: lines.get(key) ?? 1,
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
    importers: [rootImporter(manifest, nodes, index)],
    resolveDeclared: (importer, name) => index.resolve(importer, name),
    ...(duplicateKeys.length > 0 ? { duplicateKeys } : {}),
  };
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
