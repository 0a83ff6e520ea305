import type { PyLiteral } from '../../discover/formats/npy-header.js';
import { parseNpyHeaderFields } from '../../discover/formats/npy-header.js';
import { parseDtypeString } from './dtype.js';

export type { PyLiteral } from '../../discover/formats/npy-header.js';

export interface NpyHeader {
  /** Offset of the array data (or the pickle, for object arrays). */
  readonly dataOffset: number;
  readonly hasObject: boolean;
  /** Bytes of raw data expected; undefined for object arrays and structured dtypes. */
  readonly dataSize: number | undefined;
  /** Keys repeated in the header dict; numpy keeps the last value of each. */
  readonly duplicateKeys: readonly string[];
}

/**
 * A `.npy` header through the one shared parser (`discover/formats/npy-header.ts`, numpy `_read_array_header`).
 * The dtype is the LAST `descr` written, as numpy's `ast.literal_eval` sees it. A string says why it is invalid.
 */
export function parseNpyHeader(data: Buffer): NpyHeader | string {
  const h = parseNpyHeaderFields(data);
  if (typeof h === 'string') return h;
  const dup = { duplicateKeys: h.duplicateKeys };
  const dtype = descrToDtype(h.descr);
  if (typeof dtype === 'string') return dtype;
  if (dtype.hasObject) return { dataOffset: h.dataOffset, hasObject: true, dataSize: undefined, ...dup };
  // A plain array of a negative size: `read_array` fails allocating it, before reading any data.
  if (h.shape.some((d) => d < 0)) return 'header shape has a negative dimension';
  const count = h.shape.reduce((n, d) => n * d, 1);
  return {
    dataOffset: h.dataOffset,
    hasObject: false,
    dataSize: dtype.itemsize === undefined ? undefined : count * dtype.itemsize,
    ...dup,
  };
}

/** What `descr_to_dtype` makes of a header's `descr`: whether it holds objects, and the item size of a plain string type. */
interface DescrInfo {
  readonly hasObject: boolean;
  readonly itemsize: number | undefined;
}

/**
 * numpy `format.descr_to_dtype`: a string is a dtype; a tuple is `(dtype, shape)` (a subarray, which np.save never
 * writes at the top but np.load accepts); anything else is iterated as `for field in descr` — a list, a dict (its
 * keys), a set — and each field unpacks as `(name, dtype)` or `(name, dtype, shape)`, whatever iterable it is (a
 * two-letter string is a name and a one-letter type). Only the dtype positions count, never a field name that
 * reads `'O'`. A string says why numpy would refuse it (or we cannot tell).
 */
function descrToDtype(descr: PyLiteral): DescrInfo | string {
  if (descr.k === 'str') {
    const info = parseDtypeString(descr.v);
    return info ? info : `unknown dtype ${JSON.stringify(descr.v)}`;
  }
  let hasObject = false;
  const todo: PyLiteral[] = [descr];
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    if (v.k === 'str') {
      const info = parseDtypeString(v.v);
      if (!info) return `unknown dtype ${JSON.stringify(v.v)}`;
      hasObject ||= info.hasObject;
      continue;
    }
    if (v.k === 'tuple') {
      if (v.items.length < 2) return 'header descr is a tuple without a shape';
      todo.push(v.items[0]!);
      continue;
    }
    const fields = iterate(v);
    if (fields === undefined) return 'header descr is neither a type string nor a field list';
    for (const field of fields) {
      const parts = iterate(field);
      if (parts === undefined || (parts.length !== 2 && parts.length !== 3))
        return 'header descr has a field that is not (name, dtype) or (name, dtype, shape)';
      todo.push(parts[1]!);
    }
  }
  return { hasObject, itemsize: undefined };
}

/** The items `for x in v` yields: a list's or tuple's, a dict's keys, a set's elements, a string's characters. */
function iterate(v: PyLiteral): readonly PyLiteral[] | undefined {
  if (v.k === 'list' || v.k === 'tuple' || v.k === 'set') return v.items;
  if (v.k === 'dict') return [...v.entries.values()].map((e) => e.key);
  if (v.k === 'str') return [...v.v].map((c) => ({ k: 'str', v: c }));
  return undefined;
}
