import type { PickleRun } from './result.js';
import type { GlobalRef, Value } from './values.js';
import { strOf } from './values.js';
import { checkExecState } from './exec-state.js';

/**
 * dill (`dill._dill`, `dill.dill` before 0.3.1) writes ordinary data through three helpers of its own, each
 * harmless only with the arguments dill itself gives them:
 * - `_create_array(f, args, state, npdict)` is `f(*args).__setstate__(state)`: numpy arrays, with
 *   `f = numpy.core.multiarray._reconstruct`. It forwards a call, so it is only as safe as `f`.
 * - `_load_type(name)` is `_reverse_typemap[name]`: a type from a table that also holds CodeType and FunctionType.
 * - `_eval_repr(s)` is `eval(s)`: dill writes `Ellipsis` and `NotImplemented` with it.
 * Any other argument (or any other dill helper: `_create_function`, `_create_code`, …) stays known-dangerous.
 */
export interface DillCall {
  readonly helper: string;
  /** For `_create_array`: the global it calls, judged like any import; undefined when computed (never safe). */
  readonly forwardsTo?: GlobalRef;
  /** For `_load_type` / `_eval_repr`: whether the argument is one of the data values dill writes. */
  readonly dataArgument?: boolean;
}

const DILL_MODULE = /^dill\.(_dill|dill)$/;
/** `_reverse_typemap` names of plain data types (dill/_dill.py `_typemap`: the `types` aliases and the builtins). */
const DATA_TYPES = new Set(
  'NoneType EllipsisType NotImplementedType ListType DictType TupleType SetType FrozenSetType IntType FloatType ComplexType BooleanType StringType UnicodeType BytesType ByteArrayType SliceType RangeType XRangeType int float complex bool str bytes bytearray list tuple dict set frozenset slice range'.split(
    ' ',
  ),
);
const EVAL_REPRS = new Set(['Ellipsis', 'NotImplemented']);

export function isDillHelper(g: { module: string; name: string }): boolean {
  return (
    DILL_MODULE.test(g.module) && (g.name === '_create_array' || g.name === '_load_type' || g.name === '_eval_repr')
  );
}

/**
 * Called by the VM for every REDUCE: records calls of the three helpers and whether their arguments are dill's.
 * `_create_array` also runs `f(*args).__setstate__(state)` (dill/_dill.py) — a BUILD the stream never spells — so
 * its state is checked as BUILD's is (exec-state.ts): `_create_array(copyreg._reconstructor, (norm_gen, object,
 * None), {'_parse_arg_template': …})` execs the template, every global in it on the safe list.
 */
export function noteDillCall(run: PickleRun, callee: Value, args: Value | undefined, offset: number): void {
  if (callee.k !== 'global' || !isDillHelper(callee.ref)) return;
  const items = args?.k === 'tuple' ? args.items : [];
  const helper = callee.ref.name;
  const list = (run.dillCalls ??= []);
  if (helper === '_create_array') {
    const f = items[0];
    list.push({ helper, ...(f?.k === 'global' ? { forwardsTo: f.ref } : {}) });
    if (f !== undefined) checkExecState({ k: 'obj', callee: f, args: items[1], state: items[2] }, run, offset);
    return;
  }
  const s = items.length === 1 ? strOf(items[0]) : undefined;
  const data = s !== undefined && (helper === '_load_type' ? DATA_TYPES.has(s) : EVAL_REPRS.has(s));
  list.push({ helper, dataArgument: data });
}

/**
 * Whether every call of this dill helper in the run is one dill writes for data (and nothing else calls or
 * touches it): then importing it is explained. `isSafe` judges the global `_create_array` forwards to.
 */
export function dillExplained(run: PickleRun, g: GlobalRef, isSafe: (f: GlobalRef) => boolean): boolean {
  if (!isDillHelper(g)) return false;
  const mine = (run.dillCalls ?? []).filter((c) => c.helper === g.name);
  if (mine.length === 0) return false;
  const ok = mine.every((c) =>
    c.helper === '_create_array' ? c.forwardsTo !== undefined && isSafe(c.forwardsTo) : c.dataArgument,
  );
  if (!ok) return false;
  let reduces = 0;
  for (const c of run.calls.values())
    if (c.target?.module === g.module && c.target.name === g.name && c.onGlobal) {
      if (c.kind !== 'REDUCE') return false;
      reduces += c.count;
    }
  return reduces === mine.length;
}
