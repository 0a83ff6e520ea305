import type { CallKind } from '../result.js';
import type { ContainerValue, Value } from '../values.js';
import { addExpanded, describe, isUnhashable, KEEP_ITEMS } from '../values.js';
import type { Tracked } from './memo.js';
import { recordCall } from './record.js';
import type { HandlerTable, VmState } from './state.js';
import { Stop } from './state.js';

/** Tuples, lists, dicts and sets: counted, their first KEEP_ITEMS items kept, their expanded size tracked. */

export function makeTuple(items: Value[]): Value {
  const t: ContainerValue = {
    k: 'tuple',
    items: items.length > KEEP_ITEMS ? items.slice(0, KEEP_ITEMS) : items,
    count: items.length,
    expanded: 1,
    unhashable: items.some((x) => isUnhashable(x)),
  };
  for (const x of items) addExpanded(t, x);
  return t;
}

/** A tree walk (repr, deepcopy, JSON) would visit `expanded` nodes; a sane pickle stays near its opcode count. */
export function checkExpansion(vm: VmState, c: ContainerValue): void {
  if (c.expanded > 1e7 && c.expanded > 1000 * vm.run.opcodes) {
    throw new Stop('expansion', `shared references expand to ${c.expanded >= 2 ** 52 ? '2^52+' : c.expanded} nodes`);
  }
}

/** After a container grew: refresh the memo placeholders that stand for it, then check its expansion. */
function grew(vm: VmState, c: ContainerValue): void {
  if ((c as Tracked).memoAt !== undefined && !vm.memo.grew(c))
    throw new Stop('budget', 'too many huge containers in the memo');
  checkExpansion(vm, c);
}

function appendTo(vm: VmState, target: Value, items: Value[], kind: CallKind): void {
  if (target.k === 'list') {
    for (const x of items) {
      if (target.items.length < KEEP_ITEMS) target.items.push(x);
      addExpanded(target, x);
    }
    target.count += items.length;
    grew(vm, target);
  } else if (target.k === 'global' || target.k === 'obj') {
    recordCall(vm, kind, target); // calls target.append / target.extend
  } else if (isBytearray(target)) {
    // `_pickle.c` do_append calls the `extend` of anything that is not a list (Lib/pickle.py load_append its
    // `append`): a protocol 5 BYTEARRAY8 value has both, so the stream goes on.
  } else {
    vm.fail(`${vm.opName()} on ${describe(target)}`);
  }
}

function setItems(vm: VmState, target: Value, kv: Value[], kind: CallKind): void {
  if (kv.length % 2 !== 0) vm.fail(`odd number of items for ${vm.opName()}`);
  if (target.k === 'dict') {
    for (let i = 0; i < kv.length; i += 2) {
      const key = kv[i]!;
      const val = kv[i + 1]!;
      if (isUnhashable(key)) vm.fail(`unhashable dict key ${describe(key)}`);
      // `dict[key] = value` keeps the last value of a repeated key, as readers of the state (joblib's wrapper
      // sizes, scipy's exec'd template) see it; a key first set past the KEEP_ITEMS kept ones is not kept.
      // A key a call, a global or a persistent load made may be any str at run time (`builtins.str('shape')`).
      if (key.k === 'obj' || key.k === 'global' || key.k === 'persistent') target.opaqueKeys = true;
      const same = keptEntry(target.entries, key);
      if (same) same[1] = val;
      else {
        if (target.entries.length < KEEP_ITEMS) target.entries.push([key, val]);
        target.count++;
      }
      addExpanded(target, key);
      addExpanded(target, val);
    }
    grew(vm, target);
  } else if (target.k === 'global' || target.k === 'obj') {
    recordCall(vm, kind, target); // calls target.__setitem__
  } else if (isBytearray(target) || target.k === 'persistent') {
    // `_pickle.c` do_setitems is `PyObject_SetItem` (Lib/pickle.py load_setitems `dict[key] = value`): a bytearray
    // takes `ba[i] = byte`, and the storage torch.load's persistent_load returns (`TypedStorage.__setitem__`)
    // takes `storage[i] = value`. The stream goes on.
  } else if (target.k === 'list') {
    // `list[i] = v` (load_setitem's `dict[key] = value` works on a list): the stream goes on. Values put there are
    // not tracked; nothing can read them back out of the list without a call, which is judged on its own.
    for (let i = 0; i < kv.length; i += 2) addExpanded(target, kv[i + 1]!);
    grew(vm, target);
  } else {
    vm.fail(`${vm.opName()} on ${describe(target)}`);
  }
}

/** A protocol 5 BYTEARRAY8 value: a `bytearray`, which has `extend`, `append` and `__setitem__`. */
function isBytearray(v: Value): boolean {
  return v.k === 'bytes' && v.mutable;
}

type Entries = [Value, Value][];
/** The kept entries of a full dict by key, so a large state dict's SETITEMs do not each scan KEEP_ITEMS keys. */
const fullIndex = new WeakMap<Entries, Map<string | number, [Value, Value]>>();

/** The kept entry whose key equals `key`, if any. */
function keptEntry(entries: Entries, key: Value): [Value, Value] | undefined {
  if (entries.length < KEEP_ITEMS) return entries.find(([k]) => sameKey(k, key));
  let index = fullIndex.get(entries);
  if (!index) {
    index = new Map();
    for (const e of entries) {
      const id = keyId(e[0]);
      if (id !== undefined && !index.has(id)) index.set(id, e);
    }
    fullIndex.set(entries, index);
  }
  const id = keyId(key);
  return id === undefined ? undefined : index.get(id);
}

/** A map key that is the same exactly when sameKey says so. */
function keyId(v: Value): string | number | undefined {
  if (v.k === 'str') return v.s === undefined ? undefined : `s${v.s}`;
  if (v.k !== 'scalar' || v.v === undefined) return undefined;
  if (v.v === null) return 'none';
  const n = Number(v.v);
  return Number.isNaN(n) ? undefined : n; // nan != nan: never the same key
}

/** Python `==` between two literal keys (`1 == 1.0 == True`); values it cannot compare are never the same. */
function sameKey(a: Value, b: Value): boolean {
  if (a.k === 'str' && b.k === 'str') return a.s !== undefined && a.s === b.s;
  if (a.k === 'scalar' && b.k === 'scalar') {
    if (a.v === undefined || b.v === undefined) return false;
    if (a.v === null || b.v === null) return a.v === b.v;
    return Number(a.v) === Number(b.v);
  }
  return false;
}

function addItems(vm: VmState, target: Value, items: Value[]): void {
  if (target.k === 'set' && !target.frozen) {
    for (const x of items) {
      if (isUnhashable(x)) vm.fail(`unhashable set member ${describe(x)}`);
      addExpanded(target, x);
    }
    target.count += items.length;
    grew(vm, target);
  } else if (target.k === 'global' || target.k === 'obj') {
    recordCall(vm, 'ADDITEMS', target);
  } else {
    vm.fail(`ADDITEMS on ${describe(target)}`);
  }
}

const emptyList = (): Value => ({ k: 'list', items: [], count: 0, expanded: 1 });
const emptyDict = (): Value => ({ k: 'dict', entries: [], count: 0, expanded: 1 });

export function addContainerOps(t: HandlerTable): void {
  t[0x29] = (vm) => vm.push(makeTuple([])); // EMPTY_TUPLE
  t[0x74] = (vm) => vm.push(makeTuple(vm.popMark())); // TUPLE
  t[0x85] = (vm) => vm.push(makeTuple([vm.pop()])); // TUPLE1
  t[0x86] = (vm) => {
    // TUPLE2
    const b = vm.pop();
    vm.push(makeTuple([vm.pop(), b]));
  };
  t[0x87] = (vm) => {
    // TUPLE3
    const c = vm.pop();
    const b = vm.pop();
    vm.push(makeTuple([vm.pop(), b, c]));
  };
  t[0x5d] = (vm) => vm.push(emptyList()); // EMPTY_LIST
  t[0x6c] = (vm) => {
    // LIST
    const items = vm.popMark();
    const l = emptyList();
    appendTo(vm, l, items, 'APPENDS');
    vm.push(l);
  };
  t[0x61] = (vm) => {
    // APPEND
    const x = vm.pop();
    appendTo(vm, vm.top(), [x], 'APPEND');
  };
  t[0x65] = (vm) => {
    // APPENDS
    const items = vm.popMark();
    appendTo(vm, vm.top(), items, 'APPENDS');
  };
  t[0x7d] = (vm) => vm.push(emptyDict()); // EMPTY_DICT
  t[0x64] = (vm) => {
    // DICT
    const kv = vm.popMark();
    const d = emptyDict();
    setItems(vm, d, kv, 'SETITEMS');
    vm.push(d);
  };
  t[0x73] = (vm) => {
    // SETITEM
    const v = vm.pop();
    const k = vm.pop();
    setItems(vm, vm.top(), [k, v], 'SETITEM');
  };
  t[0x75] = (vm) => {
    // SETITEMS
    const kv = vm.popMark();
    setItems(vm, vm.top(), kv, 'SETITEMS');
  };
  t[0x8f] = (vm) => vm.push({ k: 'set', frozen: false, count: 0, expanded: 1 }); // EMPTY_SET
  t[0x90] = (vm) => {
    // ADDITEMS
    const items = vm.popMark();
    addItems(vm, vm.top(), items);
  };
  t[0x91] = (vm) => {
    // FROZENSET
    const items = vm.popMark();
    const s: ContainerValue = { k: 'set', frozen: true, count: items.length, expanded: 1 };
    for (const x of items) {
      if (isUnhashable(x)) vm.fail(`unhashable frozenset member ${describe(x)}`);
      addExpanded(s, x);
    }
    vm.push(s);
  };
}
