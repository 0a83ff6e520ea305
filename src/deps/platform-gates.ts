import type { DependencyGraph } from '../core/records.js';
import type { ParsedLockfile } from './types.js';

/** Platform-restricted optional packages whose subtree is worked out; past it the rest get no note (findings stay). */
const MAX_GATES = 256;
/** Nodes gathered over all gates: real platform packages are leaves or nearly; a hostile lockfile of many gates over one long chain stops here (about 0.2 s on these machines). */
const MAX_GATE_WORK = 100_000;

/**
 * For each package without a platform of its own that the package manager installs only with a platform-restricted
 * optional package (the gate), the gate's index. Where the platform does not match, npm drops the gate with what
 * only it brings in (build-ideal-tree `#checkEngineAndPlatform` marks arborist `optionalSet(node)` inert: the gate,
 * its dependants up to the first optional edge, and every dependency of those with no dependant outside them), and
 * pnpm skips an optional package under an uninstallable parent (filterLockfileByImportersAndEngine `pkgAllDeps`), and
 * bun never places a dependency of a package off its platform, optional or not (Tree.zig `processSubtree` leaves out a
 * dependency `isFilteredDependencyOrWorkspace` finds `meta.isDisabled()`, and queues the dependencies of placed ones
 * alone), so their install scripts run only where the gate's platform matches. yarn 2+ is not: `resolveEverything`
 * disables the conditional package itself (`disabledLocators`, fetched as an empty mock), and its dependencies stay
 * accessible, linked and built everywhere.
 *
 * `mayGate` says which platform-restricted packages are skipped off their platform: the optional ones for npm and
 * pnpm, every one for bun.
 */
export function platformGates(parsed: ParsedLockfile, mayGate: (i: number) => boolean): Map<number, number> {
  const out = new Map<number, number>();
  if (parsed.kind !== 'npm' && parsed.kind !== 'pnpm' && parsed.kind !== 'bun') return out;
  const gates: number[] = [];
  parsed.nodes.forEach((n, i) => {
    if (n.platforms !== undefined && mayGate(i) && gates.length < MAX_GATES) gates.push(i);
  });
  if (gates.length === 0) return out;
  const dependants = dependantsOf(parsed);
  let work = 0;
  for (const gate of gates) {
    const { set, visited } = optionalSet(parsed, dependants, gate, parsed.kind);
    work += visited;
    if (work > MAX_GATE_WORK) break;
    for (const i of set) {
      if (i !== gate && parsed.nodes[i]!.platforms === undefined && !out.has(i)) out.set(i, gate);
    }
  }
  return out;
}

/**
 * Who depends on each node, as one flat list per node (`from[start[i]..start[i+1]]`): a package index, or -1 for an
 * importer, and whether the edge is optional. Typed arrays: a lockfile of 150k packages with one platform package
 * pays two passes over its edges, not an object per edge.
 */
interface Dependants {
  readonly start: Int32Array;
  readonly from: Int32Array;
  readonly optional: Uint8Array;
}

function dependantsOf(parsed: ParsedLockfile): Dependants {
  const n = parsed.nodes.length;
  const start = new Int32Array(n + 1);
  const each = (visit: (target: number, from: number, optional: boolean) => void) => {
    for (const imp of parsed.importers)
      for (const e of imp.edges) if (e.target !== undefined) visit(e.target, -1, true);
    parsed.nodes.forEach((node, from) => {
      for (const e of node.edges) if (e.target !== undefined) visit(e.target, from, e.kind === 'optional');
    });
  };
  each((target) => start[target + 1]!++);
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const from = new Int32Array(start[n]!);
  const optional = new Uint8Array(start[n]!);
  const fill = start.slice(0, n);
  each((target, f, opt) => {
    const at = fill[target]!++;
    from[at] = f;
    optional[at] = opt ? 1 : 0;
  });
  return { start, from, optional };
}

/**
 * arborist optional-set.js: the gate and its dependants up to the first optional edge (npm only: pnpm and bun skip
 * from the gate down), then gather-dep-set.js: everything those depend on, less each node with a dependant outside the set
 * (an importer counts as outside), until nothing changes.
 */
function optionalSet(
  parsed: ParsedLockfile,
  dependants: Dependants,
  gate: number,
  kind: DependencyGraph['kind'],
): { set: Set<number>; visited: number } {
  const base = new Set([gate]);
  const { start, from, optional } = dependants;
  if (kind === 'npm')
    for (const i of base)
      for (let k = start[i]!; k < start[i + 1]!; k++) if (optional[k] === 0 && from[k]! >= 0) base.add(from[k]!);
  const set = new Set(base);
  for (const i of set) for (const e of parsed.nodes[i]!.edges) if (e.target !== undefined) set.add(e.target);
  // A node with a dependant outside leaves the set, which may leave its own dependencies with one outside.
  const visited = set.size;
  const queue = [...set].filter((i) => !base.has(i));
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    if (!set.has(i) || !hasDependantOutside(dependants, i, set)) continue;
    set.delete(i);
    for (const e of parsed.nodes[i]!.edges)
      if (e.target !== undefined && set.has(e.target) && !base.has(e.target)) queue.push(e.target);
  }
  return { set, visited };
}

function hasDependantOutside({ start, from }: Dependants, i: number, set: ReadonlySet<number>): boolean {
  for (let k = start[i]!; k < start[i + 1]!; k++) if (from[k]! < 0 || !set.has(from[k]!)) return true;
  return false;
}
