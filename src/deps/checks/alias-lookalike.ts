import type { Finding } from '../../core/finding.js';
import { isLookalike, numberedAlias } from '../../core/lookalike.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { parseAlias } from '../parsers/npm-common.js';
import type { LoadedManifest } from './sync.js';
import { packageFinding } from './finding.js';

/**
 * CPD174. An alias installs one package under another's name: `"lodash": "npm:lodahs@4.17.21"` puts `lodahs` in
 * `node_modules/lodash` (arborist `loadVirtual` takes the folder from the key and the package from the entry's `name`;
 * pnpm and bun link the dependency under its alias; yarn keys the entry `lodash@npm:lodahs@…`). A reviewer reads the
 * name twice and sees the same word; `require('lodash')` runs the typosquat. The names are judged as `chainproof
 * review` judges a rename (core/lookalike.ts `isLookalike`), aliases that number their package aside
 * (`numberedAlias`), on every edge that reaches an entry under a name other than its own: the manifest's aliases
 * (importers) and those a package or an override wrote.
 * A target a package.json asks for by its own name is a package the project already runs (`camel-case` →
 * `npm:camelcase` beside `"camelcase": "^6"`); a lockfile entry alone cannot say so, as whoever wrote the alias can
 * write that entry too (arborist's ideal tree has no place for a package nothing depends on: `#idealTreePrune`).
 * One finding per alias and package, at its first entry, with the count of entries holding it (npm nests a copy
 * under each dependant that declares the alias: one cause). Entries another rule reports for the same cause (`reported`: an override's swap,
 * CPD172; a swap the manifest never asked for, CPD021 or CPD010) are left to it.
 */
export function checkAliasLookalikes(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
  /** Indices into `graph.packages` of entries whose swap another rule reports. */
  reported: ReadonlySet<number>,
): Finding[] {
  const asked = askedByOwnName(manifests);
  const groups = new Map<string, { node: PackageNode; folder: string; entries: Set<number> }>();
  const judge = (folder: string, target: number | undefined) => {
    const node = target === undefined ? undefined : graph.packages[target];
    if (node === undefined || target === undefined || reported.has(target)) return;
    if (!aliasLooksAlike(folder, node.name) || asked.has(node.name.toLowerCase())) return;
    const key = `${folder}\0${node.name}`;
    const group = groups.get(key) ?? { node, folder, entries: new Set<number>() };
    groups.set(key, group);
    group.entries.add(target);
    if (node.line < group.node.line) group.node = node;
  };
  for (const imp of parsed.importers) for (const e of imp.edges) judge(e.name, e.target);
  for (const n of parsed.nodes) for (const e of n.edges) judge(e.name, e.target);
  return [...groups.values()].map(({ node, folder, entries }) => {
    const n = entries.size;
    return packageFinding(
      'CPD174',
      node,
      `installs ${node.name} under the look-alike name ${folder}${n > 1 ? ` (${n} entries)` : ''}: code that imports ${folder} runs ${node.name}, another package from possibly another owner`,
      `Check ${node.name} letter by letter and who publishes it; if ${folder} was meant, declare it by its own name and reinstall.`,
      { alias: folder, package: node.name, ...(n > 1 ? { entries: n } : {}) },
    );
  });
}

/** Names a package.json of the project declares by their own name (not through an alias), lower-cased. */
function askedByOwnName(manifests: readonly LoadedManifest[]): Set<string> {
  const out = new Set<string>();
  for (const m of manifests)
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      const deps = m.data[field];
      for (const [name, spec] of Object.entries(deps ?? {}))
        if (typeof spec === 'string' && parseAlias(spec) === undefined) out.add(name.toLowerCase());
    }
  return out;
}

/** `folder` reads as `name` to a reviewer: a look-alike (core/lookalike.ts), not a numbered alias (`react18`). */
export function aliasLooksAlike(folder: string, name: string): boolean {
  return isLookalike(folder, name) && !numberedAlias(folder, name);
}
