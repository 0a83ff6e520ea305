import type { DraftEdge, EdgeKind } from '../types.js';
import { forEachStr } from '../types.js';

/** Dependency maps of a package.json-like object and the edge kind each gives. */
export const DEP_FIELDS: readonly (readonly [string, EdgeKind])[] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
  ['devDependencies', 'dev'],
];

/**
 * Node's module resolution over lockfile locations: from folder `from`, look for `from/node_modules/name`, then
 * in each parent folder up to the root.
 */
export function resolveNodeModules(from: string, name: string, index: ReadonlyMap<string, number>): number | undefined {
  let loc = from;
  for (;;) {
    const hit = index.get(loc === '' ? `node_modules/${name}` : `${loc}/node_modules/${name}`);
    if (hit !== undefined) return hit;
    if (loc === '') return undefined;
    const slash = loc.lastIndexOf('/');
    loc = slash < 0 ? '' : loc.slice(0, slash);
  }
}

/** Edges for the dependency maps of `entry` (only the kinds in `kinds`), resolved from folder `from`. */
export function edgesOf(
  entry: Record<string, unknown>,
  kinds: readonly EdgeKind[],
  from: string,
  index: ReadonlyMap<string, number>,
): DraftEdge[] {
  const edges: DraftEdge[] = [];
  for (const [field, kind] of DEP_FIELDS) {
    if (!kinds.includes(kind)) continue;
    forEachStr(entry[field], (name, spec) =>
      edges.push({ name, spec, kind, target: resolveNodeModules(from, name, index) }),
    );
  }
  return edges;
}

/** name → spec over every dependency map (a name in several maps keeps the first: dependencies win). */
export function declaredOf(entry: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field] of DEP_FIELDS) {
    forEachStr(entry[field], (name, spec) => {
      if (!(name in out)) out[name] = spec;
    });
  }
  return out;
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`; a folder key (`packages/x`) → undefined. */
export function nameFromKey(key: string): string | undefined {
  const i = key.lastIndexOf('node_modules/');
  if (i < 0 || (i > 0 && key[i - 1] !== '/')) return undefined;
  return key.slice(i + 'node_modules/'.length);
}

/** npm alias spec `npm:real@range` → [real, range]. */
export function parseAlias(spec: string): [string, string] | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const rest = spec.slice(4);
  const at = rest.indexOf('@', 1);
  return at < 0 ? [rest, ''] : [rest.slice(0, at), rest.slice(at + 1)];
}
