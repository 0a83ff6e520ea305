import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { parseAlias } from '../parsers/npm-common.js';
import type { LoadedManifest } from './sync.js';
import { packageFinding } from './finding.js';
import { overridesOf } from './overrides.js';

/**
 * CPD172: an override of the root package.json that puts another package under a name (npm `overrides`
 * `"lodash": "npm:evil-lodash@1.0.0"`, yarn `resolutions`, pnpm `pnpm.overrides`), judged where the package manager
 * applied it: the lockfile entries in that name's folder that hold the other package. npm's `Node.canReplaceWith` /
 * arborist `#applyOverrides` (and yarn's and pnpm's resolution hooks) replace every request for the name, deep in the
 * tree too, so code that imports `lodash` runs `evil-lodash`. CPD021 leaves such entries alone (the override asks for
 * them), and a review only sees the override when it changes: one finding per override, with the entries it swapped.
 * An override to a git, tarball or `file:` source is not reported here: the entries it produced are already judged
 * by their source (CPD007, CPD008, CPD009, CPD017).
 */
export function checkOverrideSwaps(graph: DependencyGraph, manifests: readonly LoadedManifest[]): Finding[] {
  const root = manifests.find((m) => m.importer === '');
  const out: Finding[] = [];
  for (const [name, { other, spec }] of aliasOverridesOf(root)) {
    const swapped = graph.packages.filter((p) => p.alias === name && p.name === other);
    const first = swapped[0];
    if (first !== undefined) out.push(swapFinding(first, swapped, name, spec, root!.file));
  }
  return out;
}

/** The root package.json's overrides that put another package under a name: name → the other package. */
export function aliasOverrides(manifests: readonly LoadedManifest[]): Map<string, string> {
  const root = manifests.find((m) => m.importer === '');
  return new Map([...aliasOverridesOf(root)].map(([name, { other }]) => [name, other]));
}

function aliasOverridesOf(root: LoadedManifest | undefined): Map<string, { other: string; spec: string }> {
  const out = new Map<string, { other: string; spec: string }>();
  for (const [name, spec] of overridesOf(root?.data)) {
    const alias = parseAlias(spec);
    if (alias !== undefined && alias[0] !== name) out.set(name, { other: alias[0], spec });
  }
  return out;
}

function swapFinding(first: PackageNode, swapped: readonly PackageNode[], name: string, spec: string, file: string) {
  const n = swapped.length;
  return packageFinding(
    'CPD172',
    first,
    `is installed for every request of ${name} because ${file} overrides ${name} with ${spec.slice(0, 200)}${n > 1 ? ` (${n} entries)` : ''}`,
    `Code that imports ${name} runs ${first.name}: make sure ${first.name} is the package you meant, or drop the override and regenerate the lockfile.`,
    { override: name, spec: spec.slice(0, 200), entries: n },
  );
}
