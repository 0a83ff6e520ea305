import { toPython3 } from './compat.js';
import type { PickleRun } from './result.js';
import type { GlobalRef } from './values.js';

/** A public attribute name: enum members are identifiers; `_`-prefixed names reach internals. */
const MEMBER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Whether every use of this `getattr` global is CPython 3.11's enum pickling — `getattr(<class>, '<NAME>')` with a
 * literal public name on a class the allowlist accepts (Lib/enum.py `Enum.__reduce_ex__`). Any other use (a call
 * by another opcode, a computed object or name, an underscore name) keeps getattr dangerous.
 * What the accessed member is later used for is judged as usual: calling it is a computed call (CPI006).
 */
export function isEnumGetattr(run: PickleRun, g: GlobalRef, isSafe: (owner: GlobalRef) => boolean): boolean {
  const py3 = toPython3(g.module, g.name);
  if (py3.module !== 'builtins' || py3.name !== 'getattr') return false;
  const accesses = run.memberAccesses ?? [];
  let calls = 0;
  for (const c of run.calls.values()) {
    if (c.target?.module === g.module && c.target.name === g.name) calls += c.count;
  }
  if (accesses.length === 0 || calls !== accesses.length) return false;
  return accesses.every(
    (a) => a.owner !== undefined && a.attr !== undefined && MEMBER_NAME.test(a.attr) && isSafe(a.owner),
  );
}
