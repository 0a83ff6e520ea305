import type { DraftEdge } from '../types.js';
import { isRecord } from '../types.js';
import { nameFromKey } from './npm-common.js';

/** The root project as a bundler: its bundle is still installed one package at a time (arborist `inDepBundle`). */
const ROOT = -1;
/** No parent in the tree (a workspace folder, a key whose parent entry is missing). */
const NONE = -2;

/** What the bundle computation needs of one `packages` entry, gathered before the entry is dropped. */
export interface BundleFacts {
  /** `bundleDependencies` (or `bundledDependencies`) as npm normalises it: `true` means every dependency. */
  readonly bundles: readonly string[] | undefined;
}

/** The names an entry bundles, as @npmcli/package-json's normalisation reads `bundleDependencies`. */
export function bundleFactsOf(entry: Record<string, unknown>): BundleFacts {
  const raw = entry.bundleDependencies ?? entry.bundledDependencies;
  if (raw === true) return { bundles: isRecord(entry.dependencies) ? Object.keys(entry.dependencies) : [] };
  if (!Array.isArray(raw)) return { bundles: undefined };
  return { bundles: raw.filter((x): x is string => typeof x === 'string') };
}

/**
 * Which entries npm takes from a dependency's tarball instead of fetching them, decided as arborist does
 * (`Node.getBundler` / `inDepBundle`, @npmcli/arborist lib/node.js; `_unpackNewModules` in reify.js skips exactly
 * those): a package is bundled when its parent lists it in `bundleDependencies`, when its parent is itself bundled,
 * or when a package bundled by its parent depends on it. The lockfile's own `inBundle` flag counts only as far as
 * `loadVirtual`'s `assignBundles` reads it (a parent that is no bundle itself and depends on the name); a claim on a
 * top-level package or under a parent without that dependency is fetched from its `resolved` URL like any other,
 * so it must not switch off the integrity and registry checks.
 *
 * `keys[i]` is the `packages` key of node i, `edgesOf(i)` its resolved dependency edges, `facts[i]` its bundle list;
 * `rootFacts` is the root project's (`""`), `claimed` the nodes whose entry says `inBundle`. Returns the indices of bundled nodes. Iterative: a node's bundler only
 * ever moves to an ancestor's, so the work list is bounded by the tree's depth times its size.
 */
export function findBundled(
  keys: readonly string[],
  edgesOf: (i: number) => readonly DraftEdge[],
  facts: ReadonlyMap<number, BundleFacts>,
  rootFacts: BundleFacts,
  indexOf: (key: string) => number | undefined,
  claimed: ReadonlySet<number> = new Set(),
): Set<number> {
  const bundler = new Map<number, number>();
  const anyBundles = rootFacts.bundles !== undefined || facts.size > 0 || claimed.size > 0;
  if (!anyBundles) return new Set();

  const parent = keys.map((key) => parentOf(key, indexOf));
  const children = new Map<number, number[]>();
  parent.forEach((p, i) => {
    if (p < 0) return;
    const list = children.get(p);
    if (list) list.push(i);
    else children.set(p, [i]);
  });
  const bundlesOf = (p: number) => (p === ROOT ? rootFacts.bundles : facts.get(p)?.bundles);

  const work: number[] = [];
  keys.forEach((key, i) => {
    const p = parent[i]!;
    if (p === NONE) return;
    const name = nameFromKey(key);
    if (name === undefined) return;
    // loadVirtual's assignBundles reads the entry's `inBundle` back into the parent's bundleDependencies, but only
    // under a parent that is not itself inBundle and depends on the name; under the root it changes nothing.
    const claim = p >= 0 && claimed.has(i) && !claimed.has(p) && edgesOf(p).some((e) => e.name === name);
    if (claim || bundlesOf(p)?.includes(name) === true) {
      bundler.set(i, p);
      work.push(i);
    }
  });
  while (work.length > 0) {
    const i = work.pop()!;
    const b = bundler.get(i)!;
    // Everything below a bundled package comes out of the same tarball (getBundler asks the parent first).
    for (const c of children.get(i) ?? []) {
      if (bundler.get(c) !== b) {
        bundler.set(c, b);
        work.push(c);
      }
    }
    // A dependency deduplicated up to the bundler's node_modules is in the bundle too.
    for (const e of edgesOf(i)) {
      const t = e.target;
      if (t === undefined || bundler.has(t) || parent[t] !== b) continue;
      bundler.set(t, b);
      work.push(t);
    }
  }
  const out = new Set<number>();
  for (const [i, b] of bundler) if (b !== ROOT) out.add(i);
  return out;
}

/** `a/node_modules/b` → index of `a`; `node_modules/b` → ROOT; a folder key or a missing parent → NONE. */
function parentOf(key: string, indexOf: (key: string) => number | undefined): number {
  const j = key.lastIndexOf('/node_modules/');
  if (j < 0) return key.startsWith('node_modules/') ? ROOT : NONE;
  return indexOf(key.slice(0, j)) ?? NONE;
}
