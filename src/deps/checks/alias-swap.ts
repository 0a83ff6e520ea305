import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';
import { overridesOf } from './overrides.js';
import type { LoadedManifest } from './sync.js';

/**
 * CPD021. npm (arborist `loadVirtual`: a `packages` key is the folder, the entry's `name` the package) and bun (a
 * `packages` key is the folder, the tuple's `name@version` the package) install an entry whose package name differs
 * from its folder as an alias. Arborist's `depValid` checks a range edge against the version alone, so an entry
 * holding another package with a fitting version passes. An alias is asked for by a dependant (`npm:real@…`) or an
 * override; one nobody asks for is the swap. Entries without any dependant, and names an override covers (its
 * target unknown: nested npm overrides), are left alone.
 */
export function checkAliasSwaps(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
): Finding[] {
  if (graph.kind !== 'npm' && graph.kind !== 'bun') return [];
  const asked = new Map<number, string[]>();
  const note = (target: number | undefined, spec: string) => {
    if (target === undefined || graph.packages[target]?.alias === undefined) return;
    const list = asked.get(target);
    if (list) list.push(spec);
    else asked.set(target, [spec]);
  };
  for (const n of parsed.nodes) for (const e of n.edges) note(e.target, e.spec);
  for (const imp of parsed.importers) for (const e of imp.edges) note(e.target, e.spec);
  const overrides = overridesOf(manifests.find((m) => m.importer === '')?.data);
  const out: Finding[] = [];
  for (const [i, specs] of asked) {
    const node = graph.packages[i]!;
    const folder = node.alias!;
    const aliasOf = (spec: string) => spec === `npm:${node.name}` || spec.startsWith(`npm:${node.name}@`);
    const forced = overrides.get(folder);
    if (specs.some(aliasOf) || (forced !== undefined && (forced === '*' || aliasOf(forced)))) continue;
    out.push(
      packageFinding(
        'CPD021',
        node,
        `is installed in the folder of ${folder}, but its dependants ask for ${folder} (${[...new Set(specs)].slice(0, 3).join(', ')}), not for an alias of ${node.name}`,
        `Code that imports ${folder} gets ${node.name}. Treat as lockfile injection: delete the entry and reinstall; if the alias is intended, declare it as npm:${node.name}@<range> where it is used.`,
        { expected: folder, actual: node.name },
      ),
    );
  }
  return out;
}
