/** One node of a SavedModel graph or function body, as the op scan reads it. */
export interface OpUse {
  readonly op: string;
  readonly node: string;
  readonly where: string;
  readonly at: number;
  readonly detail?: string;
  /** Every data input (`name`, `name:0`, `scope/name:output:0`; control inputs `^name` left out), in order. */
  readonly inputs?: readonly string[];
  /** A Const node's first string value (attr `value` → TensorProto.string_val). */
  readonly constString?: string;
  /** StringJoin's `separator` attr. */
  readonly separator?: string;
  /** Set on a checkpoint op whose path an op chainproof does not evaluate computes: that op and node. */
  readonly pathFrom?: { readonly op: string; readonly node: string };
}

/** An op that takes a path as an input: which input, and what the op does there. */
interface PathOp {
  readonly input: number;
  readonly does: string;
  /** What makes the op run, for the message. */
  readonly runs: string;
}

/**
 * Ops that write or read files at a path one of their inputs holds.
 *
 * Checkpoint ops take it as their first input. The saver feeds it (TF1 `Saver` feeds `saver_def.filename_tensor_name`;
 * TF2 restores through its own RestoreV2 with the variables path), so in a genuine graph it is a Placeholder or a
 * relative default (`save/Const` = "model"); a Const that is absolute, climbs with `..` or names a URL makes any
 * signature that runs the op write or read there.
 *
 * Vocabulary tables take it as their second (`InitializeTableFromTextFile(V2)(table_handle, filename)`,
 * `InitializeTableFromTextFileOp` reads the file into the table), and they run while the model loads: TF1
 * `loader_impl.run_init_ops` runs the main op (the table initializers), TF2 `load.py` initialises each restored
 * table. In a genuine graph the filename is an asset: a function argument the loader captures (TF2), or a Const the
 * loader feeds with the asset's path in the model's folder (TF1 `get_asset_tensors`, keyed by the AssetFileDef's
 * `tensor_info.name`), whatever path the Const kept from export. Any other Const that leaves the model reads a file
 * of the host's into the table.
 */
const pathOps = (ops: readonly string[], op: PathOp) => ops.map((name): [string, PathOp] => [name, op]);
export const SIGNATURES = "running the model's signatures triggers it";
export const PATH_OPS: ReadonlyMap<string, PathOp> = new Map([
  ...pathOps(['SaveV2', 'Save', 'SaveSlices', 'MergeV2Checkpoints'], {
    input: 0,
    does: 'writes checkpoint files at',
    runs: SIGNATURES,
  }),
  ...pathOps(['RestoreV2', 'Restore', 'RestoreSlice'], {
    input: 0,
    does: 'reads checkpoint files from',
    runs: SIGNATURES,
  }),
  ...pathOps(['InitializeTableFromTextFile', 'InitializeTableFromTextFileV2'], {
    input: 1,
    does: 'reads a vocabulary file into a lookup table from',
    runs: 'loading the model initialises the table',
  }),
]);

/** A piece of a path the caller supplies at run time (a Placeholder, or an argument of the function). */
const FED = Symbol('fed');
type Parts = readonly (string | typeof FED)[];
type Resolved =
  | { readonly kind: 'paths'; readonly paths: readonly Parts[] }
  | { readonly kind: 'computed'; readonly op: string; readonly node: string };

/** Past this many hops a chain of string ops is not what a saver builds: the path counts as computed. */
const MAX_HOPS = 32;

function isEscapingPath(p: string): boolean {
  return /^([\\/]|[A-Za-z]:|[A-Za-z][A-Za-z0-9+.-]*:\/\/)/.test(p) || p.split(/[\\/]/).includes('..');
}

/** A fed prefix is the caller's own directory: only `..` after it can leave it. */
function escapes(parts: Parts): boolean {
  const text = parts.map((p) => (p === FED ? 'fed' : p)).join('');
  return parts[0] === FED ? text.split(/[\\/]/).includes('..') : isEscapingPath(text);
}

const nodeName = (input: string) => input.replace(/^\^/, '').split(':', 1)[0]!;

/**
 * Evaluate a checkpoint path the way the kernels build it from string ops the savers emit: StringJoin
 * (`StringJoinOp` joins its inputs with `separator`), ShardedFilename (`%s-%05d-of-%05d` after the basename), Pack
 * (MergeV2Checkpoints' list of shard prefixes), Select/SelectV2 (TF2's `_temp/part` vs `.part` suffix: either
 * branch), Identity and PlaceholderWithDefault (its default, which runs unless fed). A name that is no node of the
 * scope is a function argument and, like a Placeholder, fed by the caller. Any other op is not evaluated.
 */
function resolve(nodes: ReadonlyMap<string, OpUse>, fed: ReadonlySet<string>, input: string, hops: number): Resolved {
  const n = nodes.get(nodeName(input));
  if (n === undefined || n.op === 'Placeholder' || fed.has(n.node)) return { kind: 'paths', paths: [[FED]] };
  if (hops > MAX_HOPS) return { kind: 'computed', op: n.op, node: n.node };
  const ins = n.inputs ?? [];
  const all = (names: readonly string[]): Resolved => {
    const paths: Parts[] = [];
    for (const i of names) {
      const r = resolve(nodes, fed, i, hops + 1);
      if (r.kind === 'computed') return r;
      paths.push(...r.paths);
    }
    return { kind: 'paths', paths };
  };
  switch (n.op) {
    case 'Const':
      return { kind: 'paths', paths: [[n.constString ?? '']] };
    case 'PlaceholderWithDefault':
    case 'Identity':
    case 'ShardedFilename':
      return ins[0] === undefined ? { kind: 'paths', paths: [[FED]] } : all([ins[0]]);
    case 'Pack':
      return all(ins);
    case 'Select':
    case 'SelectV2':
      return all(ins.slice(1));
    case 'StringJoin': {
      let joined: Parts[] = [[]];
      for (const [k, i] of ins.entries()) {
        const r = resolve(nodes, fed, i, hops + 1);
        if (r.kind === 'computed') return r;
        // Each branch of a Select is a path the join may build; a real saver has at most two.
        joined = joined.flatMap((head) => r.paths.map((p) => [...head, ...(k > 0 ? [n.separator ?? ''] : []), ...p]));
        if (joined.length > 16) joined = joined.slice(0, 16);
      }
      return { kind: 'paths', paths: joined };
    }
    default:
      return { kind: 'computed', op: n.op, node: n.node };
  }
}

/**
 * Path ops (`PATH_OPS`) of one scope (the graph, or one function) whose path leaves the model, or is computed by an
 * op not evaluated here (never a silent pass: a note names that op). `fed`: the nodes the loader feeds (the graph's
 * asset tensors), whatever they hold.
 */
export function pathOpUses(uses: readonly OpUse[], fed: ReadonlySet<string> = new Set()): OpUse[] {
  const nodes = new Map<string, OpUse>();
  for (const u of uses) if (u.node !== '') nodes.set(u.node, u);
  const out: OpUse[] = [];
  for (const u of uses) {
    const pathOp = PATH_OPS.get(u.op);
    const input = pathOp === undefined ? undefined : u.inputs?.[pathOp.input];
    if (pathOp === undefined || input === undefined) continue;
    const r = resolve(nodes, fed, input, 0);
    if (r.kind === 'computed') {
      out.push({ ...u, pathFrom: { op: r.op, node: r.node } });
      continue;
    }
    const bad = r.paths.find(escapes);
    if (bad !== undefined) {
      const shown = bad.map((p) => (p === FED ? '<fed>' : p)).join('');
      out.push({ ...u, detail: `${pathOp.does} the fixed path ${JSON.stringify(shown)}` });
    }
  }
  return out;
}
