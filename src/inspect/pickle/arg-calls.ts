import type { CallKind } from './result.js';
import { toPython3 } from './compat.js';
import type { Value } from './values.js';

interface ArgumentCall {
  /** Which argument is called. */
  readonly position: number;
  /** The opcode the call amounts to. */
  readonly as: CallKind;
  /** Which argument is the tuple it is called with, when there is one. */
  readonly argsAt?: number;
}

/**
 * Callables that call one of their own arguments, read from each library's source. The unpickler calls the helper;
 * the helper then calls the argument with no opcode of its own, so the VM records that as the call it is:
 * - torch/_tensor.py `_rebuild_from_type_v2(func, new_type, args, state)`: `func(*args)` (and `_rebuild_from_type`);
 * - numpy/random/_pickle.py `__generator_ctor` / `__randomstate_ctor(name, bit_generator_ctor)`:
 *   `bit_generator_ctor(name)`;
 * - Lib/copyreg.py `_reconstructor(cls, base, state)`: `base.__new__(cls, state)` and `base.__init__(obj, state)`;
 *   `__newobj__(cls, *args)` / `__newobj_ex__(cls, args, kwargs)`: `cls.__new__(cls, …)`, as NEWOBJ does;
 * - pandas/core/indexes/base.py `_new_Index(cls, d)`: `cls.__new__(cls, **d)`; scikit-learn's Cython
 *   `newObj(obj)`: `obj.__new__(obj)`;
 * - torch/utils/checkpoint.py `checkpoint(function, *args)`: `function(*args)`.
 */
const ARGUMENT_CALLS: ReadonlyMap<string, ArgumentCall> = new Map<string, ArgumentCall>([
  ['torch._tensor._rebuild_from_type_v2', { position: 0, as: 'REDUCE', argsAt: 2 }],
  ['torch._tensor._rebuild_from_type', { position: 0, as: 'REDUCE', argsAt: 2 }],
  ['numpy.random._pickle.__generator_ctor', { position: 1, as: 'REDUCE' }],
  ['numpy.random._pickle.__randomstate_ctor', { position: 1, as: 'REDUCE' }],
  ['copyreg._reconstructor', { position: 1, as: 'REDUCE' }],
  ['copyreg.__newobj__', { position: 0, as: 'NEWOBJ' }],
  ['copyreg.__newobj_ex__', { position: 0, as: 'NEWOBJ_EX' }],
  ['pandas.core.indexes.base._new_Index', { position: 0, as: 'NEWOBJ' }],
  ['torch.utils.checkpoint.checkpoint', { position: 0, as: 'REDUCE' }],
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
  if (!CALLING.has(kind) || callee.k !== 'global' || args?.k !== 'tuple') return undefined;
  const py3 = toPython3(callee.ref.module, callee.ref.name);
  const qualified = `${py3.module}.${py3.name}`;
  const entry =
    ARGUMENT_CALLS.get(qualified) ??
    (py3.name === 'newObj' && py3.module.startsWith('sklearn.')
      ? ({ position: 0, as: 'NEWOBJ' } satisfies ArgumentCall)
      : undefined);
  if (!entry) return undefined;
  const arg = args.items[entry.position];
  if (arg === undefined || (arg.k !== 'global' && arg.k !== 'obj' && arg.k !== 'persistent')) return undefined;
  // `_reconstructor(cls, object, None)` is `object.__new__(cls)`: how protocols 0 and 1 pickle a plain instance.
  if (qualified === 'copyreg._reconstructor' && arg.k === 'global' && isObject(arg.ref.module, arg.ref.name))
    return undefined;
  return { callee: arg, kind: entry.as, args: entry.argsAt !== undefined ? args.items[entry.argsAt] : undefined };
}

function isObject(module: string, name: string): boolean {
  const py3 = toPython3(module, name);
  return py3.module === 'builtins' && py3.name === 'object';
}
