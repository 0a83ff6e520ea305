import type { DraftEdge, Manifest, ParsedLockfile } from '../types.js';
import { manifestOverrideSources } from '../parsers/pnpm-settings.js';
import { strMap } from '../types.js';

/**
 * What the root package.json forces in place of declared specs, as the package managers read it:
 * npm `overrides` (string values at the top level, `name` or `name@range` keys), yarn `resolutions`
 * (`name`, `**\/name`, `parent/name`: the last name wins for every occurrence) and pnpm `pnpm.overrides`
 * (`name`, `name@range`, `parent>name`). pnpm catalogs (`catalog:`) need nothing: the lockfile records the
 * `catalog:` specifier itself. Nested npm override objects are not flattened; a name they cover is left unchecked.
 * pnpm 10 also reads `overrides` from pnpm-workspace.yaml (`ParsedLockfile.workspaceOverrides`); when it has them,
 * package.json's `pnpm.overrides` and `resolutions` are not read at all.
 */
export function overridesOf(
  root: Manifest | undefined,
  workspace?: ParsedLockfile['workspaceOverrides'],
): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const add = (key: string, value: unknown) => {
    const name = targetName(key);
    if (name === undefined) return;
    // `$foo` (npm: use the root's own spec) and nested objects: we know it is overridden, not to what.
    out.set(name, typeof value === 'string' && !value.startsWith('$') ? value : '*');
  };
  const data = (root ?? {}) as Record<string, unknown>;
  const npm = data['overrides'];
  if (npm !== null && typeof npm === 'object') for (const [k, v] of Object.entries(npm)) add(k, v);
  // pnpm 10 takes pnpm-workspace.yaml's `overrides` instead of package.json's `pnpm.overrides` / `resolutions`: one
  // reading with pnpm-settings.ts `pnpmSettingMismatches`, which compares the lockfile with the same choice.
  for (const source of manifestOverrideSources(data, workspace))
    for (const [k, v] of Object.entries(strMap(source))) add(k, v);
  return out;
}

/** `**\/a`, `p/a`, `p>a`, `a@^1` → `a`; scoped names keep their scope. */
export function targetName(key: string): string | undefined {
  const last = key.split('>').pop()!.trim();
  const parts = last.split('/');
  let name = parts[parts.length - 1]!;
  if (parts.length >= 2 && parts[parts.length - 2]!.startsWith('@')) name = `${parts[parts.length - 2]}/${name}`;
  const at = name.indexOf('@', 1);
  if (at > 0) name = name.slice(0, at);
  return name === '' || name === '**' ? undefined : name;
}

/**
 * Every name an npm override, yarn resolution or pnpm override of the root package.json may force, at any depth of
 * npm's nested override objects (`{ "a": { "b": "github:x/b" } }` forces b under a).
 */
export function overriddenAnywhere(
  root: Manifest | undefined,
  workspace?: ParsedLockfile['workspaceOverrides'],
): ReadonlySet<string> {
  const names = new Set(overridesOf(root, workspace).keys());
  for (const [name] of nestedNpmOverrides(root)) names.add(name);
  return names;
}

/**
 * The name → spec pairs of npm's `overrides` at every depth, as arborist's `OverrideSet` reads them: a key's string
 * value is its spec, an object value holds the overrides below that package, whose own spec is its `"."` key. A
 * name is forced under its parents only (`under`, outermost first). `*`: overridden, to what is not said (an object
 * without `"."`).
 */
export function nestedNpmOverrides(root: Manifest | undefined): [name: string, spec: string, under: string[]][] {
  const out: [string, string, string[]][] = [];
  const walk = (v: unknown, under: string[]) => {
    if (v === null || typeof v !== 'object' || under.length > 32) return;
    for (const [k, inner] of Object.entries(v)) {
      // `"."` is the parent's own spec, read with it below; arborist's OverrideSet skips the key as a child.
      if (k === '.') continue;
      const name = targetName(k);
      if (name === undefined) continue;
      const spec = typeof inner === 'string' ? inner : (inner as Record<string, unknown> | null)?.['.'];
      out.push([name, typeof spec === 'string' ? spec : '*', under]);
      walk(inner, [...under, name]);
    }
  };
  walk((root as Record<string, unknown> | undefined)?.['overrides'], []);
  return out;
}

/**
 * Whether the lockfile entry at `target` is one an npm override nested under `under` (outermost first) applies to:
 * some edge named `name` leads to it from a package inside the override's scope. Arborist builds a child
 * `OverrideSet` per parent key (`override-set.js`) and hands it down the edges from the node that matches that key,
 * so a nested override governs the edges of that node and of everything below it, never the rest of the tree, and
 * never anything when its parent is not installed.
 */
export function nestedOverrideReaches(
  parsed: ParsedLockfile,
  under: readonly string[],
  name: string,
  target: number,
): boolean {
  let scope: ReadonlySet<number> | undefined; // undefined: the root's own edges (the importers)
  for (const parent of under) {
    const edges = scope === undefined ? parsed.importers.flatMap((i) => i.edges) : edgesFrom(parsed, scope);
    const matched = edges.filter((e) => e.name === parent && e.target !== undefined).map((e) => e.target!);
    scope = below(parsed, matched);
    if (scope.size === 0) return false;
  }
  if (scope === undefined) return true;
  return edgesFrom(parsed, scope).some((e) => e.name === name && e.target === target);
}

function edgesFrom(parsed: ParsedLockfile, nodes: ReadonlySet<number>): DraftEdge[] {
  return [...nodes].flatMap((i) => parsed.nodes[i]?.edges ?? []);
}

/** The nodes `start` holds and every node their edges lead to, at any depth. */
function below(parsed: ParsedLockfile, start: readonly number[]): Set<number> {
  const seen = new Set<number>(start);
  const queue = [...start];
  while (queue.length > 0) {
    for (const e of parsed.nodes[queue.pop()!]?.edges ?? []) {
      if (e.target === undefined || seen.has(e.target)) continue;
      seen.add(e.target);
      queue.push(e.target);
    }
  }
  return seen;
}
