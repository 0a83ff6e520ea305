import type { CallKind, CallSite } from '../result.js';
import type { GlobalRef, Value } from '../values.js';
import { describe, originGlobal } from '../values.js';
import { LOST_REF } from './memo.js';
import type { VmState } from './state.js';
import { Stop } from './state.js';

/** Opcodes whose callee is called directly (the others call a method of an existing object). */
const CALLS: ReadonlySet<CallKind> = new Set<CallKind>(['REDUCE', 'OBJ', 'INST', 'NEWOBJ', 'NEWOBJ_EX']);

/** The key an import is recorded by in `run.globals`. */
export const globalKey = (module: string, name: string): string => `${module}\u0000${name}`;

/** The key a call is recorded by in `run.calls`: its opcode, its callee (a global's key, else a description), whether on a global. */
export const callKey = (kind: string, callee: string, onGlobal: boolean): string =>
  `${kind}\u0000${callee}\u0000${onGlobal}`;

/** Record an import (aggregated by module and name) and return the one value that stands for it. */
export function importGlobal(vm: VmState, module: string, name: string, opcode: GlobalRef['opcode']): Value {
  const { run } = vm;
  const key = globalKey(module, name);
  let ref = run.globals.get(key);
  if (ref) ref.count++;
  else {
    if (run.globals.size >= vm.budget.maxDistinct)
      throw new Stop('budget', `more than ${vm.budget.maxDistinct} distinct globals`);
    ref = { module, name, opcode, offset: vm.opAt, count: 1 };
    run.globals.set(key, ref);
  }
  let v = vm.globalValues.get(ref);
  if (!v) vm.globalValues.set(ref, (v = { k: 'global', ref }));
  return v;
}

/** Record that `kind` calls `callee` (or a method of it), aggregated by kind and the global it came from. */
export function recordCall(vm: VmState, kind: CallKind, callee: Value): void {
  const { run } = vm;
  const target = originGlobal(callee);
  if (target === LOST_REF) vm.lost(kind);
  const onGlobal = callee.k === 'global';
  let byRef: Map<GlobalRef, CallSite> | undefined;
  if (target) {
    const ck = onGlobal ? `${kind}!` : kind;
    byRef = vm.callCache.get(ck);
    if (!byRef) vm.callCache.set(ck, (byRef = new Map<GlobalRef, CallSite>()));
    const hit = byRef.get(target);
    if (hit) {
      hit.count++;
      return;
    }
  }
  const computed = CALLS.has(kind) && callee.k !== 'global';
  const key = callKey(kind, target ? globalKey(target.module, target.name) : describe(callee), onGlobal);
  const seen = run.calls.get(key);
  if (seen) {
    seen.count++;
    byRef?.set(target!, seen);
    return;
  }
  if (run.calls.size >= vm.budget.maxDistinct)
    throw new Stop('budget', `more than ${vm.budget.maxDistinct} distinct calls`);
  const site: CallSite = { kind, target, onGlobal, computed, offset: vm.opAt, count: 1 };
  run.calls.set(key, site);
  byRef?.set(target!, site);
}
