import { toPython3 } from './compat.js';
import type { KerasExplained } from './keras-object-verdict.js';
import type { PickleRun } from './result.js';
import type { GlobalRef } from './values.js';
import { isTorchFunctionAccess } from './torch-functions.js';
import { memberDangerOf } from './danger.js';
import type { MemberAccess } from './member-access.js';
import type { GlobalVerdict } from './verdict.js';

/** A public attribute name: enum members are identifiers; `_`-prefixed names reach internals. */
const MEMBER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** A method name: public or single-underscore private (`_entropy`), never dunder or name-mangled (`__x`). */
const METHOD_NAME = /^_?[A-Za-z][A-Za-z0-9_]*$/;
/** A class name (the last part of a dotted qualname): enum classes are CapWords, modules and functions are not. */
const CLASS_NAME = /(^|\.)_?[A-Z][A-Za-z0-9_]*$/;

/**
 * Whether every use of this `getattr` global is one of the two shapes CPython itself writes: an enum member,
 * `getattr(<class>, '<NAME>')` with a literal public name on a class the allowlist accepts (Python 3.11
 * Lib/enum.py `Enum.__reduce_ex__`), or a bound method, `getattr(<instance>, '<method>')` on an object the stream
 * built from such a class (Objects/classobject.c `method___reduce__`; scipy.stats keeps `vectorize(self._entropy)`).
 * Any other use (a call by another opcode, a computed object or name, a dunder name) keeps getattr dangerous, and
 * so does a member that would be dangerous named directly (`getattr(pathlib.Path, 'write_text')` is
 * `pathlib.Path.write_text`): a safe-listed helper may call it with no opcode (arg-calls.ts). What the member is
 * later used for is judged as usual: calling it, by an opcode or such a helper, is a computed call (CPI006).
 *
 * The enum class may be one nobody has listed: every enum member of a user's own class (a Lightning
 * hyper-parameter, a config field of a pickled model) is written this way since Python 3.11. Such a class is
 * reported on its own as an unknown global (CPI002); fetching a public member of it shows no more than naming
 * `<class>.<member>` as a global would, which is judged the same way (`fetchedDangerOf`).
 */
export function isBenignGetattr(
  run: PickleRun,
  g: GlobalRef,
  judge: (owner: GlobalRef) => GlobalVerdict['kind'],
  keras?: KerasExplained,
): boolean {
  const isSafe = (owner: GlobalRef): boolean => judge(owner) === 'safe';
  const py3 = toPython3(g.module, g.name);
  if (py3.module !== 'builtins' || py3.name !== 'getattr') return false;
  // Keras `_unpickle_model` lookups and the calls on them are judged by their archive (keras-object-verdict.ts).
  const all = run.memberAccesses ?? [];
  const accesses = keras ? all.filter((a) => !keras.isAccess(a)) : all;
  let calls = -(keras?.computedCalls ?? 0) - (all.length - accesses.length);
  for (const c of run.calls.values()) {
    if (c.target?.module === g.module && c.target.name === g.name) calls += c.count;
  }
  if (keras && accesses.length === 0 && calls === 0) return true;
  if (accesses.length === 0 || calls !== accesses.length) return false;
  return accesses.every((a) => {
    if (a.attr === undefined || fetchedDangerOf(a) !== undefined) return false;
    if (a.owner !== undefined)
      return (
        (MEMBER_NAME.test(a.attr) &&
          (isSafe(a.owner) || isTorchFunctionAccess(a.owner, a.attr) || isUnlistedClass(a.owner, judge))) ||
        isSafeDottedName(a.owner, a.attr, isSafe)
      );
    return a.instanceOf !== undefined && METHOD_NAME.test(a.attr) && isSafe(a.instanceOf);
  });
}

/** Why the member a `getattr` fetches is dangerous, judged as the dotted name it is (danger.ts), if it is. */
export function fetchedDangerOf(a: MemberAccess): string | undefined {
  const owner = a.owner ?? a.instanceOf;
  if (owner === undefined || a.attr === undefined) return undefined;
  const py3 = toPython3(owner.module, owner.name);
  const why = memberDangerOf(py3.module, py3.name, a.attr);
  return why !== undefined ? `getattr fetches \`${py3.module}.${py3.name}.${a.attr}\` (${why})` : undefined;
}

/**
 * `getattr(<class>, '<name>')` where `<class>.<name>` is itself on the safe list: how protocols 2 and 3 write a
 * function whose qualname is dotted (Lib/pickle.py `_Pickler.save_global`: `save_reduce(getattr, (parent,
 * lastname))` below protocol 4, where protocol 4 writes STACK_GLOBAL of the dotted name and `find_class` walks it).
 * torch.save writes protocol 2, so an `interp1d` in a checkpoint keeps `getattr(interp1d, '_call_linear_np')`.
 */
function isSafeDottedName(owner: GlobalRef, attr: string, isSafe: (owner: GlobalRef) => boolean): boolean {
  return METHOD_NAME.test(attr) && isSafe({ ...owner, name: `${owner.name}.${attr}` });
}

/** An enum class nobody has listed: judged unknown (not dangerous) and named like a class, not a module alias. */
function isUnlistedClass(owner: GlobalRef, judge: (owner: GlobalRef) => GlobalVerdict['kind']): boolean {
  return CLASS_NAME.test(owner.name) && judge(owner) === 'unknown';
}
