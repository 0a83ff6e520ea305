import { toPython3 } from './compat.js';
import type { PickleRun } from './result.js';
import type { GlobalRef, Value } from './values.js';

/**
 * CPython pickles the three singleton types as a call of `type` on the singleton: `Pickler.save_type` in
 * Lib/pickle.py (and `save_type` in Modules/_pickle.c) writes `type(None)`, `type(NotImplemented)` and
 * `type(...)` as `save_reduce(type, (<singleton>,))`, and cloudpickle keeps that path. One-argument `type` only
 * returns the argument's class; with three arguments it builds a new class, which stays known-dangerous.
 */
const SINGLETONS: ReadonlySet<string> = new Set(['builtins.Ellipsis', 'builtins.NotImplemented']);

function isBuiltinType(g: { module: string; name: string }): boolean {
  const py3 = toPython3(g.module, g.name);
  return py3.module === 'builtins' && py3.name === 'type';
}

function isSingleton(v: Value | undefined): boolean {
  if (v === undefined) return false;
  if (v.k === 'scalar') return v.v === null;
  if (v.k !== 'global') return false;
  const py3 = toPython3(v.ref.module, v.ref.name);
  return SINGLETONS.has(`${py3.module}.${py3.name}`);
}

/** Called by the VM for every REDUCE: counts `type(<singleton>)` calls and any other call of `builtins.type`. */
export function noteTypeCall(run: PickleRun, callee: Value, args: Value | undefined): void {
  if (callee.k !== 'global' || !isBuiltinType(callee.ref)) return;
  const counts = (run.typeCalls ??= { singleton: 0, other: 0 });
  const one = args?.k === 'tuple' && args.count === 1 ? args.items[0] : undefined;
  if (isSingleton(one)) counts.singleton += 1;
  else counts.other += 1;
}

/**
 * Whether every use of this `builtins.type` import is the `type(<singleton>)` call CPython writes: no other
 * argument, and no opcode other than REDUCE calls it (NEWOBJ on `type` builds a class).
 */
export function singletonTypeExplained(run: PickleRun, g: GlobalRef): boolean {
  if (!isBuiltinType(g)) return false;
  const counts = run.typeCalls;
  if (counts === undefined || counts.other > 0 || counts.singleton === 0) return false;
  // Summed over every spelling (`__builtin__.type`, `builtins.type`): the counts above do not tell them apart.
  let reduces = 0;
  for (const c of run.calls.values()) {
    if (c.target === undefined || !isBuiltinType(c.target)) continue;
    if (c.kind !== 'REDUCE' || !c.onGlobal || c.computed) return false;
    reduces += c.count;
  }
  return reduces === counts.singleton;
}
