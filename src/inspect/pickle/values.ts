/**
 * Symbolic values of the pickle machine. Nothing is ever constructed: a value records what CPython would have
 * built, keeping only what naming and verdicts need (short strings, small tuples/dicts, the callable behind an
 * object). Containers carry `expanded`, the size a naive tree walk of them would visit, to spot reference bombs.
 */
export type Value =
  | { readonly k: 'scalar'; readonly v?: number | boolean | null }
  /** `s` is kept when short; `len` is always the character/byte count; `at`: a long string's UTF-8 payload offset. */
  | { readonly k: 'str'; readonly s: string | undefined; readonly len: number; readonly at?: number }
  /** `at`: absolute offset of the payload in the source, so a verdict can re-read it (keras-object.ts). */
  | { readonly k: 'bytes'; readonly len: number; readonly mutable: boolean; readonly at?: number }
  /** `unhashable`: an item is, decided once when the tuple is made (a tuple's items never change). */
  | {
      readonly k: 'tuple';
      readonly items: readonly Value[];
      readonly count: number;
      expanded: number;
      readonly unhashable?: boolean;
    }
  | { readonly k: 'list'; readonly items: Value[]; count: number; expanded: number }
  /** `opaqueKeys`: a key is a value computed while loading, which may equal (and so replace) any kept key. */
  | { readonly k: 'dict'; readonly entries: [Value, Value][]; count: number; expanded: number; opaqueKeys?: true }
  | { readonly k: 'set'; readonly frozen: boolean; count: number; expanded: number }
  /** A global imported by GLOBAL/STACK_GLOBAL/INST: a module attribute, class or function. */
  | { readonly k: 'global'; readonly ref: GlobalRef }
  /** What calling something returned (REDUCE, NEWOBJ, OBJ, INST, EXT…). `state` is the last BUILD state. */
  | { readonly k: 'obj'; readonly callee: Value; readonly args: Value | undefined; state: Value | undefined }
  | { readonly k: 'persistent'; readonly pid: Value }
  | { readonly k: 'buffer' };

export type ContainerValue = Extract<Value, { expanded: number }>;

/** One import the pickle performs. `offset` is where the importing opcode is. */
export interface GlobalRef {
  readonly module: string;
  readonly name: string;
  /** REDUCE: a helper that imports what its arguments name (vm/calls.ts helperImport). */
  readonly opcode: 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'REDUCE';
  readonly offset: number;
}

/** How many items of a tuple/list/dict we keep for later inspection (dtype states, shapes, joblib wrappers). */
export const KEEP_ITEMS = 64;

/** Strings longer than this are counted, not kept. */
export const KEEP_STRING = 1024;

export const NONE: Value = { k: 'scalar', v: null };

export function isContainer(v: Value): v is ContainerValue {
  return v.k === 'tuple' || v.k === 'list' || v.k === 'dict' || v.k === 'set';
}

/** Whether CPython would raise `TypeError: unhashable type` for this value as a dict key or set member. */
export function isUnhashable(v: Value, depth = 0): boolean {
  switch (v.k) {
    case 'list':
    case 'dict':
      return true;
    case 'set':
      return !v.frozen;
    case 'bytes':
      return v.mutable;
    case 'tuple':
      // Read from the flag when the VM made the tuple: walking nested tuples at every SETITEM cost the size of the
      // whole tree each time (a tuple of 64 tuples of 64 tuples… as the key of 20,000 dicts ran for minutes).
      return v.unhashable ?? (depth < 32 && v.items.some((x) => isUnhashable(x, depth + 1)));
    case 'scalar':
    case 'str':
    case 'global':
    case 'obj':
    case 'persistent':
    case 'buffer':
      return false;
  }
}

/** Tree size of a value for expansion accounting; saturates far below float precision issues. */
export function expandedSize(v: Value): number {
  return isContainer(v) ? v.expanded : 1;
}

export const EXPANSION_CAP = 2 ** 52;

export function addExpanded(into: ContainerValue, child: Value): void {
  into.expanded = Math.min(EXPANSION_CAP, into.expanded + expandedSize(child));
}

/**
 * The items a call unpacks from its argument value: a tuple's, or a list's, which Lib/pickle.py `load_reduce`
 * (`func(*args)`) and `load_newobj` (`cls.__new__(cls, *args)`) unpack alike — joblib.load runs those, while
 * `_pickle.c` refuses anything but a tuple.
 */
export function argItems(
  v: Value | undefined,
): { readonly items: readonly Value[]; readonly count: number } | undefined {
  return v?.k === 'tuple' || v?.k === 'list' ? v : undefined;
}

export function strOf(v: Value | undefined): string | undefined {
  return v?.k === 'str' ? v.s : undefined;
}

/**
 * How many calls deep `describe` names a value: a stream of REDUCEs on what the last one returned makes each value
 * one call deeper, and naming every level made a string per call as long as the chain (a 390 KiB pickle of 200,000
 * REDUCEs built 1.7 GB of call-site keys before the distinct-call budget stopped it).
 */
const DESCRIBE_DEPTH = 8;

export function describe(v: Value, depth = 0): string {
  switch (v.k) {
    case 'scalar':
      return v.v === undefined ? 'number' : String(v.v);
    case 'str':
      return v.s !== undefined ? JSON.stringify(v.s.length > 60 ? `${v.s.slice(0, 60)}…` : v.s) : `<str ${v.len}>`;
    case 'bytes':
      return `<${v.mutable ? 'bytearray' : 'bytes'} ${v.len}>`;
    case 'tuple':
      return `tuple(${v.count})`;
    case 'list':
      return `list(${v.count})`;
    case 'dict':
      return `dict(${v.count})`;
    case 'set':
      return v.frozen ? 'frozenset' : 'set';
    case 'global':
      return `${v.ref.module}.${v.ref.name}`;
    case 'obj':
      return depth < DESCRIBE_DEPTH ? `${describe(v.callee, depth + 1)}(…)` : '…';
    case 'persistent':
      return 'persistent_load(…)';
    case 'buffer':
      return 'buffer';
  }
}

/** The global a value was made by, following calls: `f(...)(...)` → f. */
export function originGlobal(v: Value, depth = 0): GlobalRef | undefined {
  if (v.k === 'global') return v.ref;
  if (v.k === 'obj' && depth < 64) return originGlobal(v.callee, depth + 1);
  return undefined;
}

/** The value at a str key, as the dict holds it when read; undefined too when a computed key may have replaced it. */
export function dictGet(d: Value | undefined, key: string): Value | undefined {
  if (d?.k !== 'dict' || d.opaqueKeys) return undefined;
  for (const [k, v] of d.entries) if (k.k === 'str' && k.s === key) return v;
  return undefined;
}
