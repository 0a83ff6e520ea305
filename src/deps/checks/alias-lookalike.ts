import type { Finding } from '../../core/finding.js';
import { isLookalike, numberedAlias } from '../../core/lookalike.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';

/**
 * CPD174. An alias installs one package under another's name: `"lodash": "npm:lodahs@4.17.21"` puts `lodahs` in
 * `node_modules/lodash` (arborist `loadVirtual` takes the folder from the key and the package from the entry's `name`;
 * pnpm and bun link the dependency under its alias; yarn keys the entry `lodash@npm:lodahs@…`). A reviewer reads the
 * name twice and sees the same word; `require('lodash')` runs the typosquat. The names are judged as `chainproof
 * review` judges a rename (core/lookalike.ts `isLookalike`), aliases that number their package aside (`numberedAlias`), on every edge that reaches an
 * entry under a name other than its own: the manifest's aliases (importers) and those a package or an override wrote.
 * A target the lockfile also installs under its own name is a package the project already runs (`camel-case` →
 * `npm:camelcase` beside `camelcase`), as CPU037 reads it. One finding per entry and alias; an override that swaps in
 * a look-alike is one cause, which CPD172 reports once at error level.
 */
export function checkAliasLookalikes(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  /** Name → the packages an override puts under it (override-swap.ts `aliasOverrides`): CPD172 reports those. */
  overridden: ReadonlyMap<string, readonly string[]>,
): Finding[] {
  const ownName = new Set(graph.packages.filter((p) => p.alias === undefined).map((p) => p.name.toLowerCase()));
  const seen = new Set<string>();
  const out: Finding[] = [];
  const judge = (folder: string, target: number | undefined) => {
    const node = target === undefined ? undefined : graph.packages[target];
    if (node === undefined || seen.has(`${target}\0${folder}`)) return;
    seen.add(`${target}\0${folder}`);
    if (!aliasLooksAlike(folder, node.name) || ownName.has(node.name.toLowerCase())) return;
    if (overridden.get(folder)?.includes(node.name)) return;
    out.push(
      packageFinding(
        'CPD174',
        node,
        `installs ${node.name} under the look-alike name ${folder}: code that imports ${folder} runs ${node.name}, another package from possibly another owner`,
        `Check ${node.name} letter by letter and who publishes it; if ${folder} was meant, declare it by its own name and reinstall.`,
        { alias: folder, package: node.name },
      ),
    );
  };
  for (const imp of parsed.importers) for (const e of imp.edges) judge(e.name, e.target);
  for (const n of parsed.nodes) for (const e of n.edges) judge(e.name, e.target);
  return out;
}

/** `folder` reads as `name` to a reviewer: a look-alike (core/lookalike.ts), not a numbered alias (`react18`). */
export function aliasLooksAlike(folder: string, name: string): boolean {
  return isLookalike(folder, name) && !numberedAlias(folder, name);
}
