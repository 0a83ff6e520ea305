import type { Finding } from '../../core/finding.js';
import { posix } from 'node:path';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { parseAlias } from '../parsers/npm-common.js';
import type { LoadedManifest } from './sync.js';
import { packageFinding } from './finding.js';
import { aliasLooksAlike } from './alias-lookalike.js';
import { nestedNpmOverrides, nestedOverrideReaches, overridesOf } from './overrides.js';

/**
 * CPD172: an override of the root package.json that puts another package under a name (npm `overrides`
 * `"lodash": "npm:evil-lodash@1.0.0"`, at any depth of its nested objects; yarn `resolutions`, pnpm `pnpm.overrides`,
 * or pnpm-workspace.yaml `overrides`), judged where the package manager
 * applied it: the lockfile entries in that name's folder that hold the other package. npm's `Node.canReplaceWith` /
 * arborist `#applyOverrides` (and yarn's and pnpm's resolution hooks) replace every request for the name, deep in the
 * tree too, so code that imports `lodash` runs `evil-lodash`. CPD021 leaves such entries alone (the override asks for
 * them), and a review only sees the override when it changes: one finding per override, with the entries it swapped.
 * An override to a git, tarball or `file:` source is not reported here: the entries it produced are already judged
 * by their source (CPD007, CPD008, CPD009, CPD017).
 */
export function checkOverrideSwaps(swaps: readonly OverrideSwap[], graph: DependencyGraph): Finding[] {
  return swaps.map(({ swap, swapped }) => swapFinding(graph.packages[swapped[0]!]!, swapped.length, swap));
}

/** An override and the lockfile entries (indices into `graph.packages`) it swapped: what CPD172 reports. */
export interface OverrideSwap {
  readonly swap: AliasOverride;
  /** Never empty: an override that swapped nothing is not reported (nor may it excuse anything, CPD174). */
  readonly swapped: readonly number[];
}

/** Every override that put another package under a name (`aliasOverridesOf`), with the entries it swapped there. */
export function overrideSwaps(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  overrides: readonly AliasOverride[],
): OverrideSwap[] {
  const out: OverrideSwap[] = [];
  for (const swap of overrides) {
    const { name, other, path } = swap;
    // A nested npm override swapped only the entries below its parent (arborist OverrideSet): the others are not its.
    const swapped: number[] = [];
    graph.packages.forEach((p, i) => {
      if (p.alias === name && p.name === other && (path.length === 0 || nestedOverrideReaches(parsed, path, name, i)))
        swapped.push(i);
    });
    if (swapped.length > 0) out.push({ swap, swapped });
  }
  return out;
}

/** The overrides that put another package under a name (`aliasOverridesOf`): name → the other packages. */
export function aliasOverrides(overrides: readonly AliasOverride[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { name, other } of overrides) out.set(name, [...(out.get(name) ?? []), other]);
  return out;
}

export interface AliasOverride {
  readonly name: string;
  readonly other: string;
  readonly spec: string;
  /** npm's nested overrides: the packages it applies under (`a > b`); '' for every request. */
  readonly under: string;
  /** The same packages, outermost first; empty for every request. */
  readonly path: readonly string[];
  /** Repo-relative path of the file that sets it. */
  readonly file: string;
}

/**
 * Every override that puts another package under a name, once per name and package: the root package.json's (npm's
 * nested objects too, `{ "a": { "lodash": "npm:evil@1" } }`) and pnpm-workspace.yaml's beside a pnpm lockfile.
 */
export function aliasOverridesOf(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
): AliasOverride[] {
  const root = manifests.find((m) => m.importer === '');
  const workspaceFile = posix.join(posix.dirname(graph.lockfile), 'pnpm-workspace.yaml');
  const rootFile = root?.file ?? 'package.json';
  const sets = [
    ...[...overridesOf(root?.data)].map(([name, spec]) => ({ name, spec, under: '', path: [], file: rootFile })),
    ...nestedNpmOverrides(root?.data).map(([name, spec, under]) => ({
      name,
      spec,
      under: under.join(' > '),
      path: under,
      file: rootFile,
    })),
    ...[...overridesOf(undefined, parsed.workspaceOverrides)].map(([name, spec]) => ({
      name,
      spec,
      under: '',
      path: [],
      file: workspaceFile,
    })),
  ];
  const out = new Map<string, AliasOverride>();
  for (const { name, spec, under, path, file } of sets) {
    const alias = parseAlias(spec);
    if (alias === undefined || alias[0] === name) continue;
    const key = `${name}\0${alias[0]}`;
    if (!out.has(key)) out.set(key, { name, other: alias[0], spec, under, path, file });
  }
  return [...out.values()];
}

function swapFinding(first: PackageNode, n: number, swap: AliasOverride) {
  const { name, spec, under, file } = swap;
  const where = under === '' ? `every request of ${name}` : `requests of ${name} under ${under}`;
  // A swap to a look-alike name (CPD174's judgement) is this override's own cause: said here, once, as an error.
  const lookalike = aliasLooksAlike(name, first.name);
  return packageFinding(
    'CPD172',
    first,
    `is installed for ${where} because ${file} overrides ${name}${under === '' ? '' : ` under ${under}`} with ${spec.slice(0, 200)}${lookalike ? `, whose name is a look-alike of ${name}` : ''}${n > 1 ? ` (${n} entries)` : ''}`,
    `Code that imports ${name} runs ${first.name}: ${lookalike ? `check ${first.name} letter by letter and who publishes it` : `make sure ${first.name} is the package you meant`}, or drop the override and regenerate the lockfile.`,
    {
      override: name,
      spec: spec.slice(0, 200),
      entries: n,
      ...(under === '' ? {} : { under }),
      ...(lookalike ? { lookalike } : {}),
    },
    lookalike ? 'error' : undefined,
  );
}
