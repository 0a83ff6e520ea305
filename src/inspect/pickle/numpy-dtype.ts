import type { DtypeInfo } from '../containers/dtype.js';
import { parseTypestr } from '../containers/dtype.js';
import type { Value } from './values.js';
import { originGlobal } from './values.js';

/** numpy's `NPY_ITEM_HASOBJECT` bit of `dtype.flags`: what `dtype.hasobject` (and so joblib's `read_array`) tests. */
const NPY_ITEM_HASOBJECT = 1;
/**
 * Type strings of flexible dtypes (`NPY_STRING`, `NPY_UNICODE`, `NPY_VOID`, including a bare `'c'` = S1, while
 * `'c8'`/`'c16'`/`'c32'` — what numpy's `__reduce__` writes for complex dtypes — are fixed-size): the only ones
 * whose size `arraydescr_setstate` takes from the pickled state. numpy's `__reduce__` spells a structured or
 * subarray dtype `'V<n>'`.
 */
const FLEXIBLE = /^[<>|=]?(?:[SaUV]\d*|c|bytes0?|bytes_|string_|str0?|str_|unicode_?|void0?)$/;

/**
 * A dtype rebuilt by a pickle: `numpy.dtype(typestr, align, copy)`, then BUILD with numpy's `__setstate__` tuple,
 * read the way numpy/core/src/multiarray/descriptor.c `arraydescr_setstate` reads it. The state is attacker data,
 * so only what numpy honours counts: `elsize` sizes flexible types alone (`float64` with `elsize=16` stays 8 bytes
 * wide), and from version 3 on `hasobject` is the pickled `flags` bit, whatever the type string says. A state
 * numpy refuses (`dtype.__setstate__` raises, so the load stops) gives undefined.
 */
export function dtypeFromPickle(v: Value | undefined): DtypeInfo | undefined {
  if (v?.k !== 'obj') return undefined;
  const g = originGlobal(v);
  if (!g || g.name !== 'dtype' || !g.module.startsWith('numpy')) return undefined;
  const typestr = v.args?.k === 'tuple' && v.args.items[0]?.k === 'str' ? v.args.items[0].s : undefined;
  // Only the single type strings numpy's __reduce__ writes; anything else is a dtype chainproof cannot size.
  const base = typestr !== undefined ? parseTypestr(typestr) : undefined;
  if (typestr === undefined || base === undefined) return undefined;
  if (v.state === undefined) return base;
  const state = readState(v.state);
  if (!state) return undefined;
  const flexible = FLEXIBLE.test(typestr);
  const itemsize = flexible ? state.elsize : base.itemsize;
  // joblib divides by the item size and reads `count * itemsize` bytes: numpy keeps a pickled size <= 0, joblib
  // then fails or reads nothing, so such an array is not sized at all (the caller reports it) rather than guessed.
  if (!(itemsize > 0)) return undefined;
  return { itemsize, hasObject: state.version >= 3 ? state.hasObjectFlag : hasObjectBefore3(base, state) };
}

interface DtypeState {
  readonly version: number;
  readonly elsize: number;
  /** The pickled `flags` (0 when the tuple has none). */
  readonly flags: number;
  readonly hasObjectFlag: boolean;
  readonly fields: Value | undefined;
}

/** The tuple forms `arraydescr_setstate` accepts (9, 8, 7, 6 or 5 items), by position as its `PyArg_ParseTuple` reads them. */
function readState(s: Value): DtypeState | undefined {
  if (s.k !== 'tuple' || s.count !== s.items.length) return undefined;
  const it = s.items;
  let version: number | undefined;
  let fields: Value | undefined;
  let elsize: number | undefined;
  let flags: number | undefined = 0;
  switch (it.length) {
    case 9:
    case 8:
    case 7:
      [version, fields, elsize] = [intOf(it[0]), it[4], intOf(it[5])];
      if (it.length > 7) flags = intOf(it[7]);
      break;
    case 6:
      [version, fields, elsize] = [intOf(it[0]), it[3], intOf(it[4])];
      // Without a names item, versions 2+ leave names unset and numpy raises "inconsistent fields and names".
      if (version !== 0 && version !== 1) return undefined;
      break;
    case 5:
      [version, fields, elsize] = [0, it[2], intOf(it[3])];
      break;
    default:
      return undefined;
  }
  if (version === undefined || version < 0 || version > 4 || elsize === undefined || flags === undefined)
    return undefined;
  return { version, elsize, flags, hasObjectFlag: (flags & NPY_ITEM_HASOBJECT) !== 0, fields };
}

/**
 * Before version 3 numpy recomputes the flags (`_descr_find_object`): any pickled flag, an object type, or a field
 * whose dtype holds objects. A field chainproof cannot read counts as objects: never under-read.
 */
function hasObjectBefore3(base: DtypeInfo, state: DtypeState): boolean {
  if (state.flags !== 0 || base.hasObject) return true;
  if (state.fields?.k !== 'dict') return false;
  // Fields past the ones the VM keeps, or named by computed keys, are fields chainproof cannot read.
  if (state.fields.count !== state.fields.entries.length || state.fields.opaqueKeys) return true;
  for (const [, f] of state.fields.entries) {
    const sub = f.k === 'tuple' ? dtypeFromPickle(f.items[0]) : undefined;
    if (!sub || sub.hasObject) return true;
  }
  return false;
}

/** A Python int as `PyArg_ParseTuple`'s `i` takes it (a bool is an int); undefined for anything else. */
function intOf(v: Value | undefined): number | undefined {
  if (v?.k !== 'scalar') return undefined;
  if (typeof v.v === 'boolean') return v.v ? 1 : 0;
  return typeof v.v === 'number' && Number.isInteger(v.v) ? v.v : undefined;
}
