import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';
import { nestedNpmOverrides, nestedOverrideReaches, overridesOf } from './overrides.js';
import type { LoadedManifest } from './sync.js';

/**
 * CPD021. npm (arborist `loadVirtual`: a `packages` key is the folder, the entry's `name` the package) and bun (a
 * `packages` key is the folder, the tuple's `name@version` the package) install an entry whose package name differs
 * from its folder as an alias. Arborist's `depValid` checks a range edge against the version alone, so an entry
 * holding another package with a fitting version passes; pnpm's frozen install compares an importer's specifiers
 * with package.json and nothing else (`satisfiesPackageManifest`), so an importer `version: evil@1.0.0` under a plain
 * `specifier` installs `evil` in that folder. An alias is asked for by a dependant (`npm:real@…`) or an override; one
 * nobody asks for is the swap. pnpm records specifiers for importers only (a package's own edges hold resolved
 * references, aliases or not), so only those are read. Entries without any dependant, specs that name no package
 * (`catalog:`, `workspace:`, `link:`), and names an override covers (package.json's, npm's nested ones,
 * pnpm-workspace.yaml's) with this package or with one it does not say, are left alone.
 */
export function checkAliasSwaps(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
): Finding[] {
  if (graph.kind !== 'npm' && graph.kind !== 'bun' && graph.kind !== 'pnpm') return [];
  const asked = new Map<string, { target: number; folder: string; specs: string[] }>();
  const note = (target: number | undefined, name: string, spec: string) => {
    const node = target === undefined ? undefined : graph.packages[target];
    if (node === undefined || /^(catalog|workspace|link|file):/.test(spec)) return;
    const folder = node.alias ?? name;
    if (folder === node.name) return;
    const key = `${target}\0${folder}`;
    const seen = asked.get(key);
    if (seen) seen.specs.push(spec);
    else asked.set(key, { target: target!, folder, specs: [spec] });
  };
  if (graph.kind !== 'pnpm') for (const n of parsed.nodes) for (const e of n.edges) note(e.target, e.name, e.spec);
  for (const imp of parsed.importers) for (const e of imp.edges) note(e.target, e.name, e.spec);
  const root = manifests.find((m) => m.importer === '')?.data;
  const overrides = overridesOf(root, parsed.workspaceOverrides);
  const nested = nestedNpmOverrides(root);
  const out: Finding[] = [];
  for (const { target, folder, specs } of asked.values()) {
    const node = graph.packages[target]!;
    const aliasOf = (spec: string) => spec === `npm:${node.name}` || spec.startsWith(`npm:${node.name}@`);
    const forced = overrides.get(folder);
    if (specs.some(aliasOf) || (forced !== undefined && (forced === '*' || aliasOf(forced)))) continue;
    // An npm override below another package (`{ "a": { "lodash": "npm:evil@1" } }`) asked for it where it applies
    // (below an installed `a`): CPD172 says so. Elsewhere in the tree npm never applied it.
    const askedBelow = ([name, spec, under]: (typeof nested)[number]) =>
      name === folder && aliasOf(spec) && nestedOverrideReaches(parsed, under, folder, target);
    if (nested.some(askedBelow)) continue;
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
