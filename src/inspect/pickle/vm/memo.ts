import type { ContainerValue, GlobalRef, Value } from '../values.js';
import { isContainer, isUnhashable } from '../values.js';
import { MemoCodes } from './memo-codes.js';

/**
 * The unpickler's memo, kept lean. CPython's memo (`_pickle.c` `_Unpickler_MemoPut`) holds every object a stream
 * memoizes, so its size grows with the file; verdicts only need the values that name or call something. Entries are
 * kept whole while their estimated weight fits the budget; past it each entry is one code byte — its kind and, for a
 * container, the order of magnitude of its expanded size — and those bytes are compressed as they fill (a stream of
 * records repeats the same codes), so memory stays flat however long the stream is.
 * A value read back from such a placeholder has lost its content: using it as a callee or a name is reported as a
 * budget problem by the VM (never a silent pass).
 */

/** Kind codes of placeholder entries (low 4 bits); RICH = the whole value is in `rich`. */
const ABSENT = 0;
const SCALAR = 1;
const STR = 2;
const BYTES = 3;
const BYTEARRAY = 4;
const TUPLE = 5;
const UNHASHABLE_TUPLE = 6;
const LIST = 7;
const DICT = 8;
const SET = 9;
const FROZENSET = 10;
const OBJ = 11;
const GLOBAL = 12;
const PERSISTENT = 13;
const BUFFER = 14;
const RICH = 15;

/** Containers whose expanded size passes 2^MAX_BUCKET stay whole: the bomb check needs their exact size. */
const MAX_BUCKET = 15;
/** Whole entries kept past the weight budget because their size matters (huge containers). */
const MAX_FORCED = 1 << 20;

/** The global a dropped entry stood for: calls on it cannot be attributed. */
export const LOST_REF: GlobalRef & { count: number } = {
  module: '<dropped memo entry>',
  name: '<dropped memo entry>',
  opcode: 'GLOBAL',
  offset: -1,
  count: 0,
};
/** A string whose text was dropped with its memo entry. */
export const LOST_STR: Value = { k: 'str', s: undefined, len: 0 };
const LOST_SCALAR: Value = { k: 'scalar' };
const LOST_GLOBAL: Value = { k: 'global', ref: LOST_REF };
const LOST_BYTES: Value = { k: 'bytes', len: 0, mutable: false };
const LOST_BYTEARRAY: Value = { k: 'bytes', len: 0, mutable: true };
const LOST_LIST: Value = { k: 'list', items: [], count: Infinity, expanded: 1 };

/** A container remembers where it was memoized as a placeholder, so growing it afterwards updates that entry. */
export type Tracked = ContainerValue & { memoAt?: number[] };

export class Memo {
  /** One code per index, compressed as its pages fill (memo-codes.ts): flat however many entries there are. */
  private readonly codes = new MemoCodes(() => this.size);
  /** Whole entries: a dense array while indices come in order (MEMOIZE), a map for the rest. */
  private readonly richDense: (Value | undefined)[] = [];
  private readonly richSparse = new Map<number, Value>();
  private weight = 0;
  private forced = 0;
  /** Entries present (CPython's `len(memo)`, which MEMOIZE uses as the next index). */
  size = 0;

  constructor(private readonly maxWeight: number) {}

  has(i: number): boolean {
    return i < this.richDense.length || this.code(i) !== ABSENT;
  }

  get(i: number): Value | undefined {
    // Every index below richDense.length was put (entries are never removed): a kept value, or a dropped one.
    if (i < this.richDense.length) {
      const v = this.richDense[i];
      if (v !== undefined) return v;
    }
    const c = this.code(i);
    if (c === ABSENT) return undefined;
    if (c === RICH) return i < this.richDense.length ? this.richDense[i] : this.richSparse.get(i);
    return decode(i, c);
  }

  /** False when a whole entry was needed and the forced budget is spent (the VM stops with a budget problem). */
  put(i: number, v: Value): boolean {
    if (!this.has(i)) this.size++;
    const w = weightOf(v);
    const old = this.code(i) === RICH ? this.get(i) : undefined;
    if (old !== undefined) this.weight -= weightOf(old);
    if (this.weight + w <= this.maxWeight) {
      this.weight += w;
      return this.keepWhole(i, v);
    }
    if (old !== undefined) this.dropWhole(i);
    const code = encode(v);
    if (code === RICH) {
      if (++this.forced > MAX_FORCED) return false;
      return this.keepWhole(i, v);
    }
    this.setCode(i, code);
    if (isContainer(v)) ((v as Tracked).memoAt ??= []).push(i);
    return true;
  }

  /** A container memoized as a placeholder grew: refresh its entries (promoting it when it got huge). */
  grew(c: Tracked): boolean {
    for (const i of c.memoAt ?? []) {
      if (this.code(i) === RICH) continue;
      const code = encode(c);
      if (code === RICH) {
        if (++this.forced > MAX_FORCED) return false;
        this.keepWhole(i, c);
        continue;
      }
      this.setCode(i, code);
    }
    return true;
  }

  private keepWhole(i: number, v: Value): boolean {
    const dense = this.richDense;
    if (i < dense.length) dense[i] = v;
    else if (i === dense.length && this.richSparse.size === 0) dense.push(v);
    else this.richSparse.set(i, v);
    this.setCode(i, RICH);
    return true;
  }

  private dropWhole(i: number): void {
    if (i < this.richDense.length) this.richDense[i] = undefined;
    else this.richSparse.delete(i);
  }

  private code(i: number): number {
    return this.codes.get(i);
  }

  private setCode(i: number, code: number): void {
    this.codes.set(i, code);
  }
}

/** A rough size in bytes of what keeping `v` whole retains (its own fields and the items it keeps). */
function weightOf(v: Value): number {
  switch (v.k) {
    case 'str':
      return 48 + (v.s?.length ?? 0) * 2;
    case 'tuple':
    case 'list':
      return 64 + 8 * v.items.length;
    case 'dict':
      return 64 + 40 * v.entries.length;
    case 'obj':
    case 'set':
      return 64;
    case 'scalar':
    case 'bytes':
    case 'global':
    case 'persistent':
    case 'buffer':
      return 32;
  }
}

/** ceil(log2(expanded)): the placeholder's size is 2^bucket, at most twice the real one. */
function bucketOf(expanded: number): number {
  if (expanded <= 1) return 0;
  return expanded > 2 ** 30 ? 31 : 32 - Math.clz32(expanded - 1);
}

function encode(v: Value): number {
  let kind: number;
  switch (v.k) {
    case 'scalar':
      return SCALAR;
    case 'str':
      return STR;
    case 'bytes':
      return v.mutable ? BYTEARRAY : BYTES;
    case 'global':
      return GLOBAL;
    case 'obj':
      return OBJ;
    case 'persistent':
      return PERSISTENT;
    case 'buffer':
      return BUFFER;
    case 'tuple':
      kind = isUnhashable(v) ? UNHASHABLE_TUPLE : TUPLE;
      break;
    case 'list':
      kind = LIST;
      break;
    case 'dict':
      kind = DICT;
      break;
    case 'set':
      kind = v.frozen ? FROZENSET : SET;
      break;
  }
  const bucket = bucketOf(v.expanded);
  return bucket > MAX_BUCKET ? RICH : kind | (bucket << 4);
}

/**
 * A stand-in for a dropped entry. Its size is an upper bound (the bomb check over-counts, never under-counts); its
 * count is unknown (Infinity), so readers that need the items (shapes, storage keys) refuse it.
 */
function decode(i: number, code: number): Value {
  const expanded = 2 ** (code >> 4);
  switch (code & 15) {
    case SCALAR:
      return LOST_SCALAR;
    case STR:
      return LOST_STR;
    case BYTES:
      return LOST_BYTES;
    case BYTEARRAY:
      return LOST_BYTEARRAY;
    case GLOBAL:
      return LOST_GLOBAL;
    case OBJ:
      return { k: 'obj', callee: LOST_GLOBAL, args: undefined, state: undefined };
    case PERSISTENT:
      return { k: 'persistent', pid: LOST_SCALAR };
    case BUFFER:
      return { k: 'buffer' };
    case TUPLE:
      return { k: 'tuple', items: [], count: Infinity, expanded };
    case UNHASHABLE_TUPLE:
      return { k: 'tuple', items: [LOST_LIST], count: Infinity, expanded };
    case LIST:
      return tracked({ k: 'list', items: [], count: Infinity, expanded }, i);
    case DICT:
      return tracked({ k: 'dict', entries: [], count: Infinity, expanded }, i);
    case SET:
      return tracked({ k: 'set', frozen: false, count: Infinity, expanded }, i);
    case FROZENSET:
      return { k: 'set', frozen: true, count: Infinity, expanded };
    default:
      return LOST_SCALAR;
  }
}

function tracked(c: ContainerValue, i: number): Value {
  (c as Tracked).memoAt = [i];
  return c;
}
