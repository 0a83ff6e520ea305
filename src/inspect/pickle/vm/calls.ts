import { COMPUTED_NAME, LONG_NAME } from '../danger.js';
import { noteKerasUnpickle } from '../keras-object.js';
import { noteMemberAccess } from '../member-access.js';
import { argumentCall, calledArgumentLost } from '../arg-calls.js';
import { noteStateCallables, reachableStateCallables } from '../state-calls.js';
import { noteTorchBytesLoad } from '../torch-bytes.js';
import { noteDillCall } from '../dill-calls.js';
import { noteTypeCall } from '../singleton-types.js';
import type { CallKind } from '../result.js';
import { TruncatedError } from '../source.js';
import { decodeUtf8Strict } from '../text.js';
import type { GlobalRef, Value } from '../values.js';
import { argItems, describe } from '../values.js';
import { makeTuple } from './containers.js';
import { LOST_STR } from './memo.js';
import { importGlobal, recordCall } from './record.js';
import type { HandlerTable, VmState } from './state.js';
import { Stop } from './state.js';

/**
 * The opcodes that import (GLOBAL, STACK_GLOBAL, INST, EXT*) and call (REDUCE, BUILD, OBJ, NEWOBJ*, persistent
 * loads). Nothing is imported or called: each records the import or the call, and pushes what stands for the result.
 */

function doGlobal(vm: VmState, module: string | undefined, name: string | undefined, op: GlobalRef['opcode']): Value {
  if (module === undefined || name === undefined) vm.fail(`${op} module or name is not valid UTF-8 text`);
  return importGlobal(vm, module, name, op);
}

/**
 * Helpers that import the global their arguments name: numpy/core/__init__.py `_ufunc_reconstruct(module, name)`
 * and scipy/_lib/_uarray/_backend.py `unpickle_function(mod_name, qname, self_)` (copyreg's reconstructor for
 * uarray's `_Function`: `importlib.import_module(mod_name)`, then getattr along the dotted qname).
 */
const IMPORTING_HELPERS: ReadonlySet<string> = new Set([
  'numpy.core._ufunc_reconstruct',
  'numpy._core._ufunc_reconstruct',
  'scipy._lib._uarray._backend.unpickle_function',
  // Old cloudpickle `_getobject(modname, attribute)`: `__import__(modname, fromlist=[attribute]).__dict__[attribute]`.
  'cloudpickle.cloudpickle._getobject',
  'cloudpickle._getobject',
]);
const DIRECT: ReadonlySet<CallKind> = new Set<CallKind>(['REDUCE', 'OBJ', 'INST']);

/** Whether a global is a helper that imports whatever its arguments name (judged by its calls, not its name). */
export function isImportingHelper(ref: Pick<GlobalRef, 'module' | 'name'>): boolean {
  return IMPORTING_HELPERS.has(`${ref.module}.${ref.name}`);
}

/**
 * numpy's `_ufunc_reconstruct(module, name)`, copyreg's reconstructor for ufuncs in older pickles, is
 * `getattr(__import__(module, fromlist=[name]), name)`: an import of any global. It is recorded as the import it
 * makes — so `('os', 'system')` is judged as os.system — and stands for that global; a name that is not a literal
 * string is a computed import.
 */
function helperImport(vm: VmState, kind: CallKind, callee: Value, args: Value | undefined): Value | undefined {
  if (!DIRECT.has(kind) || callee.k !== 'global') return undefined;
  if (!isImportingHelper(callee.ref)) return undefined;
  const items = argItems(args)?.items ?? [];
  const text = (v: Value | undefined): string => (v?.k === 'str' && v.s !== undefined ? v.s : COMPUTED_NAME);
  return importGlobal(vm, text(items[0]), text(items[1]), 'REDUCE');
}

/**
 * Calling an object the stream built may call the callables a BUILD gave it as attributes (state-calls.ts): each is
 * recorded as called, so `numpy.memmap` there is judged as called and an unknown class as one the pickle calls.
 */
function callStateCallables(vm: VmState, callee: Value): void {
  const held = reachableStateCallables(vm.stateCalls, callee);
  if (held === undefined) return;
  if (held.unread) vm.lost(`the attributes of ${describe(callee)}, which the stream calls,`);
  for (const g of held.globals) recordCall(vm, 'REDUCE', g);
}

/**
 * A method reached through its class by a dotted protocol 4 name (`FunctionTransformer.transform`) is called with
 * the instance first, and what it calls may be one of that instance's attributes: sklearn/preprocessing/
 * _function_transformer.py `transform(self, X)` is `self.func(X, **self.kw_args)` (Debian's scikit-learn 1.2 made
 * the file of `transform(<func=numpy.memmap, kw_args={mode: 'w+', …}>, path)`).
 */
function callSelfStateCallables(vm: VmState, callee: Value, args: Value | undefined): void {
  if (callee.k !== 'global' || !callee.ref.name.includes('.')) return;
  const self = argItems(args)?.items[0];
  if (self !== undefined) callStateCallables(vm, self);
}

function call(vm: VmState, kind: CallKind, callee: Value, args: Value | undefined): Value {
  recordCall(vm, kind, callee);
  noteMemberAccess(vm.run, kind, callee, args, vm.opAt);
  const imported = helperImport(vm, kind, callee, args);
  // A helper that calls its argument (arg-calls.ts) makes that call itself: record it as the unpickler's own.
  if (calledArgumentLost(kind, callee, args)) vm.lost(`the argument ${describe(callee)} calls`);
  if (DIRECT.has(kind)) {
    callStateCallables(vm, callee);
    callSelfStateCallables(vm, callee, args);
  }
  let inner = argumentCall(kind, callee, args);
  for (let depth = 0; inner && depth < 8; depth++) {
    recordCall(vm, inner.kind, inner.callee);
    noteMemberAccess(vm.run, inner.kind, inner.callee, inner.args, vm.opAt);
    helperImport(vm, inner.kind, inner.callee, inner.args);
    if (DIRECT.has(inner.kind)) callStateCallables(vm, inner.callee);
    inner = argumentCall(inner.kind, inner.callee, inner.args);
  }
  if (imported) return imported;
  if (kind === 'REDUCE' && (callee.k === 'obj' || callee.k === 'global'))
    noteKerasUnpickle(vm.run, callee, args, vm.opAt);
  if (kind === 'REDUCE') {
    noteTorchBytesLoad(vm.run, callee, args, vm.opAt);
    noteDillCall(vm.run, callee, args, vm.opAt);
    noteTypeCall(vm.run, callee, args);
  }
  return { k: 'obj', callee, args, state: undefined };
}

/**
 * What may be a `str` when STACK_GLOBAL runs: a literal, or what a call, a global or a persistent load gave
 * (`_pickle.c` load_stack_global only checks `PyUnicode_CheckExact`, so `builtins.str('os')` or
 * `_codecs.encode('bf', 'rot13')` names `os`).
 */
function isText(v: Value): boolean {
  return v.k === 'str' || v.k === 'obj' || v.k === 'global' || v.k === 'persistent';
}

/**
 * A STACK_GLOBAL argument: the text, a marker when it was too long to keep or is computed while loading (judged
 * dangerous: any global), or a budget problem when dropped.
 */
function nameOf(vm: VmState, v: Value): string {
  if (v === LOST_STR) vm.lost('STACK_GLOBAL');
  if (v.k !== 'str') return COMPUTED_NAME;
  return v.s ?? LONG_NAME;
}

/**
 * A state BUILD applies to no attribute, so it succeeds on any value, a list or an int included: `Lib/pickle.py`
 * `load_build` skips a falsy state and a falsy slot state (joblib.load unpickles with it); `_pickle.c` skips `None`
 * and iterates an empty slot-state dict. Either way the stream goes on, and so must the analysis.
 */
function isEmptyState(v: Value): boolean {
  if (v.k === 'tuple' && v.count === 2) return v.items.every((x) => isFalsy(x));
  return isFalsy(v);
}

function isFalsy(v: Value): boolean {
  if (v.k === 'scalar') return v.v === null || v.v === false || v.v === 0;
  if (v.k === 'str' || v.k === 'bytes') return v.len === 0;
  if (v.k === 'tuple' || v.k === 'list' || v.k === 'dict' || v.k === 'set') return v.count === 0;
  return false;
}

function build(vm: VmState): void {
  const state = vm.pop();
  const inst = vm.top();
  recordCall(vm, 'BUILD', inst);
  if (inst.k === 'obj') {
    inst.state = state;
    noteStateCallables(vm.stateCalls, inst, state);
  } else if (inst.k !== 'global' && inst.k !== 'persistent' && !isEmptyState(state))
    vm.fail(`BUILD on ${describe(inst)}`);
  vm.buildEnd = vm.src.pos;
  const hook = vm.opts.afterBuild;
  if (!hook) return;
  try {
    vm.nested = hook(inst, vm.src, vm.run, vm.frameEnd >= 0 ? vm.frameEnd - vm.src.pos : 0) ?? undefined;
  } catch (err) {
    throw asStop(err);
  }
}

/** A loader hook's error stops the pickle as CPython's would: malformed. */
export function asStop(err: unknown): unknown {
  if (err instanceof Stop || err instanceof TruncatedError) return err;
  return new Stop('malformed', err instanceof Error ? err.message : String(err));
}

function ext(vm: VmState): void {
  // EXT1/2/4: copyreg's extension registry is empty unless something registered a code at run time.
  const { op, src } = vm;
  const code = op === 0x82 ? src.u8() : op === 0x83 ? src.u16() : src.i32();
  // Reported from the global it imports (verdict.ts extensionFinding), which no cap on problems can drop.
  if (code <= 0) vm.fail('EXT specifies code <= 0');
  const v = importGlobal(vm, 'copyreg', `<extension ${code}>`, 'GLOBAL');
  recordCall(vm, 'EXT', v);
  vm.push(v);
}

export function addCallOps(t: HandlerTable): void {
  t[0x63] = (vm) => {
    // GLOBAL
    const module = decodeUtf8Strict(vm.readLine());
    const name = decodeUtf8Strict(vm.readLine());
    vm.push(doGlobal(vm, module, name, 'GLOBAL'));
  };
  t[0x93] = (vm) => {
    // STACK_GLOBAL
    const name = vm.pop();
    const module = vm.pop();
    if (!isText(module) || !isText(name)) vm.fail('STACK_GLOBAL requires str');
    vm.push(doGlobal(vm, nameOf(vm, module), nameOf(vm, name), 'STACK_GLOBAL'));
  };
  t[0x69] = (vm) => {
    // INST
    const module = decodeUtf8Strict(vm.readLine());
    const name = decodeUtf8Strict(vm.readLine());
    const args = vm.popMark();
    const cls = doGlobal(vm, module, name, 'INST');
    vm.push(call(vm, 'INST', cls, makeTuple(args)));
  };
  t[0x6f] = (vm) => {
    // OBJ
    const items = vm.popMark();
    const cls = items.shift() ?? vm.fail('OBJ without a class');
    vm.push(call(vm, 'OBJ', cls, makeTuple(items)));
  };
  t[0x81] = (vm) => {
    // NEWOBJ
    const args = vm.pop();
    const cls = vm.pop();
    vm.push(call(vm, 'NEWOBJ', cls, args));
  };
  t[0x92] = (vm) => {
    // NEWOBJ_EX
    vm.pop(); // kwargs
    const args = vm.pop();
    const cls = vm.pop();
    vm.push(call(vm, 'NEWOBJ_EX', cls, args));
  };
  t[0x52] = (vm) => {
    // REDUCE
    const args = vm.pop();
    const callee = vm.pop();
    vm.push(call(vm, 'REDUCE', callee, args));
  };
  t[0x62] = build;
  t[0x82] = ext;
  t[0x83] = ext;
  t[0x84] = ext;
  t[0x50] = (vm) => {
    // PERSID
    const pid = vm.readLine();
    if (pid.some((b) => b > 0x7f)) vm.fail('persistent IDs in protocol 0 must be ASCII strings');
    vm.push({ k: 'persistent', pid: { k: 'str', s: pid.toString('latin1'), len: pid.length } });
  };
  t[0x51] = (vm) => {
    // BINPERSID
    const pid = vm.pop();
    vm.opts.onPersistent?.(pid);
    vm.push(vm.opts.resolvePersistent?.(pid) ?? { k: 'persistent', pid });
  };
}
