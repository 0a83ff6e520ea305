import type { CallKind } from './result.js';
import { toPython3 } from './compat.js';
import type { Value } from './values.js';
import { argItems } from './values.js';
import { makeTuple } from './vm/containers.js';

interface ArgumentCall {
  /** Which argument is called. */
  readonly position: number;
  /** The opcode the call amounts to. */
  readonly as: CallKind;
  /** Which argument is the tuple it is called with, when there is one. */
  readonly argsAt?: number;
  /** Which argument is the one argument it is called with (`bit_generator_ctor(name)`), when there is one. */
  readonly argAt?: number;
  /**
   * When the argument at `position` is not given, the helper's default calls this one instead, if it is an imported
   * global (a class; an instance or a name is not called).
   */
  readonly defaultCalls?: number;
  /** The argument may be a `(callable, keyword)` pair whose callable is the one called. */
  readonly pairHead?: boolean;
}

/**
 * Callables that call one of their own arguments, read from each library's source. The unpickler calls the helper;
 * the helper then calls the argument with no opcode of its own, so the VM records that as the call it is:
 * - torch/_tensor.py `_rebuild_from_type_v2(func, new_type, args, state)`: `func(*args)` (and `_rebuild_from_type`);
 * - numpy/random/_pickle.py `__generator_ctor` / `__randomstate_ctor(name, bit_generator_ctor)`:
 *   `bit_generator_ctor(name)`, whose default (numpy >= 2) is `__bit_generator_ctor(bit_generator)`:
 *   `bit_generator()` when it is a class (`isinstance(bit_generator, type)`), so any class is called with no argument;
 * - Lib/copyreg.py `_reconstructor(cls, base, state)`: `base.__new__(cls, state)` and `base.__init__(obj, state)`;
 *   `__newobj__(cls, *args)` / `__newobj_ex__(cls, args, kwargs)`: `cls.__new__(cls, …)`, as NEWOBJ does;
 * - pandas/core/indexes/base.py `_new_Index(cls, d)`: `cls.__new__(cls, **d)`, as datetimes.py
 *   `_new_DatetimeIndex(cls, d)` does when `d` holds no "data" (`numpy.memmap` with a filename and mode w+ creates
 *   or truncates the file); scikit-learn's Cython
 *   `newObj(obj)`: `obj.__new__(obj)`;
 * - torch/utils/checkpoint.py `checkpoint(function, *args)`: `function(*args)`, as `CheckpointFunction.apply(function,
 *   preserve_rng_state, *args)` reached through the class (autograd's `Function.apply` runs the static `forward(ctx,
 *   run_function, preserve_rng_state, *args)`: `run_function(*args)`; Debian's torch 1.13 created the file of
 *   `CheckpointFunction.apply(numpy.memmap, False, path, 'u1', 'w+', 0, 4)`), and torch < 2's
 *   `_checkpoint_without_reentrant(function, preserve_rng_state, *args)`: `function(*args)` (created the file too);
 * - torch/nn/utils/stateless.py `functional_call(module, parameters_and_buffers, args)` (the deprecated
 *   `_stateless` alias; torch ≥ 2 `torch.func.functional_call`, torch/_functorch/functional_call.py, which calls
 *   `_functional_call`): `module(*args)` once the given tensors are swapped in, so the `forward` a BUILD gave the
 *   module is called (Debian's torch 1.13 created the file of an Identity whose `forward` was numpy.memmap); this
 *   and the next two are judged by their names (CALLING_NAMES);
 * - torch/autograd/gradcheck.py `gradgradcheck(func, inputs)`: `func(*inputs)` for the outputs to differentiate
 *   (`gradcheck` checks its inputs first), and torch/ao/quantization/utils.py `get_fqn_to_example_inputs(model,
 *   example_inputs)`: `model(*example_inputs)` (Debian's torch 1.13 created the file from each);
 * - torch/masked/maskedtensor/passthrough.py `_apply_pass_through_fn(fn, *args)`: `fn(*args)` once any MaskedTensor
 *   argument is replaced by its data (Debian's torch 1.13 created the file; torch.masked.maskedtensor re-exports it);
 * - `torch.ScriptFunction.graph_for(self, *args)` / `ScriptMethod.graph_for` (torch/jit/_script.py `_graph_for`,
 *   bound on the classes torch re-exports from torch._C): `self(*args)` to record a graph (Debian's torch 1.13
 *   created the file of `ScriptFunction.graph_for(numpy.memmap, path, 'u1', 'w+', 0, 4)`);
 * - pandas/core/common.py `pipe(obj, func, *args)`: `func(obj, *args)`, or for a pair `(func, target)`
 *   `func(*args, target=obj)` (Debian's pandas 1.5: `pipe(path, numpy.memmap, 'u1', 'w+', 0, 4)` created the file),
 *   which the `pipe` method of every pandas object calls on itself (pandas/core/generic.py `NDFrame.pipe`);
 *   pandas/core/series.py `Series.apply(self, func, convert_dtype, args)`: `func(item, *args)` for each item;
 * - torch/utils/_pytree.py `tree_map(func, tree, *rests)`: `func(x, *xs)` for the leaves of each tree (so
 *   `tree_map(numpy.memmap, [path], ['u1'], ['w+'], [0], [4])` is `numpy.memmap(path, 'u1', 'w+', 0, 4)`), as
 *   `tree_map_`, `tree_map_with_path` and `tree_map_only(type, func, tree)` do, and the `_cxx_pytree` twins.
 */
const ARGUMENT_CALLS: ReadonlyMap<string, ArgumentCall> = new Map<string, ArgumentCall>([
  ['torch._tensor._rebuild_from_type_v2', { position: 0, as: 'REDUCE', argsAt: 2 }],
  ['torch._tensor._rebuild_from_type', { position: 0, as: 'REDUCE', argsAt: 2 }],
  ['numpy.random._pickle.__generator_ctor', { position: 1, as: 'REDUCE', argAt: 0, defaultCalls: 0 }],
  ['numpy.random._pickle.__randomstate_ctor', { position: 1, as: 'REDUCE', argAt: 0, defaultCalls: 0 }],
  ['numpy.random._pickle.__bit_generator_ctor', { position: 0, as: 'REDUCE' }],
  ['copyreg._reconstructor', { position: 1, as: 'REDUCE' }],
  ['copyreg.__newobj__', { position: 0, as: 'NEWOBJ' }],
  ['copyreg.__newobj_ex__', { position: 0, as: 'NEWOBJ_EX' }],
  ['pandas.core.indexes.base._new_Index', { position: 0, as: 'NEWOBJ' }],
  ['pandas.core.indexes.datetimes._new_DatetimeIndex', { position: 0, as: 'NEWOBJ' }],
  ['torch.utils.checkpoint.checkpoint', { position: 0, as: 'REDUCE' }],
  ['torch.utils.checkpoint.CheckpointFunction.apply', { position: 0, as: 'REDUCE' }],
  ['torch.utils.checkpoint.CheckpointFunction.forward', { position: 1, as: 'REDUCE' }],
  ['torch.utils.checkpoint._checkpoint_without_reentrant', { position: 0, as: 'REDUCE' }],
  ['torch.ScriptFunction.graph_for', { position: 0, as: 'REDUCE' }],
  ['torch.ScriptMethod.graph_for', { position: 0, as: 'REDUCE' }],
  ['pandas.core.common.pipe', { position: 1, as: 'REDUCE', pairHead: true }],
  ...['torch.utils._pytree', 'torch.utils._cxx_pytree'].flatMap((m): [string, ArgumentCall][] => [
    [`${m}.tree_map`, { position: 0, as: 'REDUCE' }],
    [`${m}.tree_map_`, { position: 0, as: 'REDUCE' }],
    [`${m}.tree_map_with_path`, { position: 0, as: 'REDUCE' }],
    [`${m}.tree_map_only`, { position: 1, as: 'REDUCE' }],
  ]),
]);

/**
 * Helpers above that their library's own modules import under the same name (torch/nn/utils/_per_sample_grad.py and
 * `_stateless.py` keep `functional_call`, torch/autograd/__init__.py `gradgradcheck`, torch/masked/maskedtensor/
 * __init__.py `_apply_pass_through_fn`), and scipy/linalg/lapack.py `_compute_lwork(routine, *args)`:
 * `routine(*args)` (Debian's scipy 1.10 created the file of `_compute_lwork(numpy.memmap, path, 'u1', 'w+', 0, 4)`;
 * scipy.linalg's `_basic`, `_decomp`, `_decomp_svd`, `_decomp_ldl` and `_decomp_cossin` import it). Judged by the
 * name anywhere in the library, as a protocol 4 name reaches each through any module that holds it.
 */
const CALLING_NAMES: ReadonlyMap<string, ReadonlyMap<string, ArgumentCall>> = new Map([
  [
    'torch',
    new Map<string, ArgumentCall>([
      ['functional_call', { position: 0, as: 'REDUCE', argsAt: 2 }],
      ['_functional_call', { position: 0, as: 'REDUCE', argsAt: 2 }],
      ['gradgradcheck', { position: 0, as: 'REDUCE', argsAt: 1 }],
      ['get_fqn_to_example_inputs', { position: 0, as: 'REDUCE', argsAt: 1 }],
      ['_apply_pass_through_fn', { position: 0, as: 'REDUCE' }],
    ]),
  ],
  ['scipy', new Map<string, ArgumentCall>([['_compute_lwork', { position: 0, as: 'REDUCE' }]])],
]);

/**
 * pandas methods that call a callable argument, under any class or alias (`DataFrame.pipe`, `Series.apply`): each
 * calls it with data of the instance first, so what it is given is not the argument tuple (left unknown).
 */
const PANDAS_METHOD_CALLS: ReadonlyMap<string, ArgumentCall> = new Map<string, ArgumentCall>([
  ['pipe', { position: 1, as: 'REDUCE', pairHead: true }],
  ...['apply', 'applymap', 'map', 'agg', 'aggregate', 'transform'].map((m): [string, ArgumentCall] => [
    m,
    { position: 1, as: 'REDUCE' },
  ]),
]);

/** Opcodes that call their callee with the argument tuple (NEWOBJ calls `cls.__new__`, not a helper function). */
const CALLING: ReadonlySet<CallKind> = new Set<CallKind>(['REDUCE', 'OBJ', 'INST']);

/**
 * The call a helper makes on its argument when the unpickler calls it: the argument (an imported global or a
 * value computed at load time, e.g. a `getattr` result) and how it is called. Undefined when `callee` is no such
 * helper or the argument cannot be called (a literal: Python raises TypeError before anything runs).
 */
export function argumentCall(
  kind: CallKind,
  callee: Value,
  args: Value | undefined,
): { readonly callee: Value; readonly kind: CallKind; readonly args: Value | undefined } | undefined {
  const instance = instanceCall(kind, callee, args);
  if (instance) return instance;
  const entry = helperEntry(kind, callee);
  const given = argItems(args);
  if (!entry || !given) return undefined;
  const qualified = callee.k === 'global' ? qualifiedOf(callee.ref.module, callee.ref.name) : '';
  if (given.count <= entry.position && entry.defaultCalls !== undefined) {
    const cls = given.items[entry.defaultCalls];
    return cls?.k === 'global' ? { callee: cls, kind: entry.as, args: undefined } : undefined;
  }
  const given0 = given.items[entry.position];
  const arg = entry.pairHead === true && given0?.k === 'tuple' ? given0.items[0] : given0;
  if (arg === undefined || (arg.k !== 'global' && arg.k !== 'obj' && arg.k !== 'persistent')) return undefined;
  // `_reconstructor(cls, object, None)` is `object.__new__(cls)`: how protocols 0 and 1 pickle a plain instance.
  if (qualified === 'copyreg._reconstructor' && arg.k === 'global' && isObject(arg.ref.module, arg.ref.name))
    return undefined;
  return { callee: arg, kind: entry.as, args: argumentsOf(entry, given.items) };
}

/** What the helper passes to the argument it calls: a tuple it was given, or one argument as a 1-tuple. */
function argumentsOf(entry: ArgumentCall, items: readonly Value[]): Value | undefined {
  if (entry.argsAt !== undefined) return items[entry.argsAt];
  const one = entry.argAt !== undefined ? items[entry.argAt] : undefined;
  return one !== undefined ? makeTuple([one]) : undefined;
}

/**
 * Callable objects that call what they were built with when the stream calls them (a computed call, CPI006):
 * numpy/lib/function_base.py `vectorize.__call__` calls `pyfunc` with the call's arguments, element by element, so
 * `vectorize(numpy.memmap)(path, 'u1', 'w+', 0, 4)` is `numpy.memmap(path, 'u1', 'w+', 0, 4)`; so is the ufunc
 * `numpy.frompyfunc(numpy.memmap, 5, 1)` (Debian's numpy 1.24 created the file), kept by numpy's C module under
 * several names (`numpy.core._multiarray_umath.frompyfunc`, `numpy.core.umath.frompyfunc`).
 */
const INSTANCE_CALLS: ReadonlySet<string> = new Set(['numpy.vectorize', 'numpy.lib.function_base.vectorize']);

function isInstanceCaller(module: string, name: string): boolean {
  if (name !== 'vectorize' && name !== 'frompyfunc') return false;
  const py3 = toPython3(module, name);
  return (
    INSTANCE_CALLS.has(`${py3.module}.${py3.name}`) ||
    (py3.module.split('.', 1)[0] === 'numpy' && py3.name === 'frompyfunc')
  );
}

function instanceCall(
  kind: CallKind,
  callee: Value,
  args: Value | undefined,
): { readonly callee: Value; readonly kind: CallKind; readonly args: Value | undefined } | undefined {
  if (!CALLING.has(kind) || callee.k !== 'obj' || callee.callee.k !== 'global') return undefined;
  if (!isInstanceCaller(callee.callee.ref.module, callee.callee.ref.name)) return undefined;
  const built = argItems(callee.args)?.items[0];
  if (built === undefined || (built.k !== 'global' && built.k !== 'obj' && built.k !== 'persistent')) return undefined;
  return { callee: built, kind: 'REDUCE', args };
}

/**
 * Whether `callee` is a helper that calls one of its arguments and the argument tuple's item it calls was not kept
 * (the tuple was read back from a memo entry dropped past the memo budget): what it calls cannot be known.
 */
export function calledArgumentLost(kind: CallKind, callee: Value, args: Value | undefined): boolean {
  const entry = helperEntry(kind, callee);
  const given = argItems(args);
  return (
    entry !== undefined && given !== undefined && entry.position >= given.items.length && entry.position < given.count
  );
}

function helperEntry(kind: CallKind, callee: Value): ArgumentCall | undefined {
  if (!CALLING.has(kind) || callee.k !== 'global') return undefined;
  const py3 = toPython3(callee.ref.module, callee.ref.name);
  return (
    ARGUMENT_CALLS.get(`${py3.module}.${py3.name}`) ??
    (py3.name === 'newObj' && py3.module.startsWith('sklearn.')
      ? ({ position: 0, as: 'NEWOBJ' } satisfies ArgumentCall)
      : undefined) ??
    pandasMethodCall(py3.module, py3.name) ??
    namedCall(py3.module, py3.name)
  );
}

/** A helper of CALLING_NAMES, under whichever module of its library holds it. */
function namedCall(module: string, name: string): ArgumentCall | undefined {
  return CALLING_NAMES.get(module.split('.', 1)[0]!)?.get(name.slice(name.lastIndexOf('.') + 1));
}

/** A pandas method reached by a dotted name (`pandas` + `DataFrame.pipe`), called with the instance first. */
function pandasMethodCall(module: string, name: string): ArgumentCall | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0 || module.split('.', 1)[0] !== 'pandas') return undefined;
  return PANDAS_METHOD_CALLS.get(name.slice(dot + 1));
}

function qualifiedOf(module: string, name: string): string {
  const py3 = toPython3(module, name);
  return `${py3.module}.${py3.name}`;
}

function isObject(module: string, name: string): boolean {
  const py3 = toPython3(module, name);
  return py3.module === 'builtins' && py3.name === 'object';
}
