import type { PickleRun } from './result.js';
import type { GlobalRef, Value } from './values.js';
import { originGlobal, strOf } from './values.js';

/** One `getattr(owner, attr)` the stream makes the unpickler call. */
export interface MemberAccess {
  /** The imported global passed as the object, when it is one. */
  readonly owner: GlobalRef | undefined;
  /** The class of the object passed, when it is an instance the stream built (a pickled bound method). */
  readonly instanceOf?: GlobalRef;
  /** The attribute name, when it is a literal string. */
  readonly attr: string | undefined;
  readonly offset: number;
}

/** Past this many accesses one pickle is not an ordinary checkpoint: the rest count as not understood. */
const MAX_ACCESSES = 10_000;

/**
 * Python 3.11+ pickles an enum member as `builtins.getattr(<enum class>, '<member name>')` (Enum.__reduce_ex__ in
 * CPython's Lib/enum.py), so every Trainer `training_args.bin` calls getattr. Record each REDUCE on getattr with
 * what it was given, so the verdict can tell that shape from getattr used as a gadget.
 */
export function noteMemberAccess(
  run: PickleRun,
  kind: string,
  callee: Value,
  args: Value | undefined,
  at: number,
): void {
  if (kind !== 'REDUCE' || callee.k !== 'global' || callee.ref.name !== 'getattr') return;
  if (callee.ref.module !== 'builtins' && callee.ref.module !== '__builtin__') return;
  const list = (run.memberAccesses ??= []);
  if (list.length > MAX_ACCESSES) return;
  if (list.length === MAX_ACCESSES) {
    list.push({ owner: undefined, attr: undefined, offset: at });
    return;
  }
  const pair = args?.k === 'tuple' && args.count === 2 ? args.items : undefined;
  const owner = pair?.[0];
  const instanceOf = owner?.k === 'obj' ? originGlobal(owner) : undefined;
  list.push({
    owner: owner?.k === 'global' ? owner.ref : undefined,
    ...(instanceOf ? { instanceOf } : {}),
    attr: strOf(pair?.[1]),
    offset: at,
  });
}
