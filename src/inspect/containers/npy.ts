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
  const count = h.shape.reduce((n, d) => n * d, 1);
  const dup = { duplicateKeys: h.duplicateKeys };
  if (h.descr.k === 'str') {
    const info = parseDtypeString(h.descr.v);
    if (!info) return `unknown dtype ${JSON.stringify(h.descr.v)}`;
    return {
      dataOffset: h.dataOffset,
      hasObject: info.hasObject,
      dataSize: info.hasObject ? undefined : count * info.itemsize,
      ...dup,
    };
  }
  if (h.descr.k !== 'list' && h.descr.k !== 'tuple') return 'header descr is neither a type string nor a field list';
  // A structured or subarray dtype: numpy pickles the array if any field, at any depth, is an object.
  return { dataOffset: h.dataOffset, hasObject: anyObjectField(h.descr), dataSize: undefined, ...dup };
}

/**
 * numpy `format.descr_to_dtype`: a string is a dtype; a tuple is `(dtype, shape)` (a subarray, which np.save never
 * writes at the top but np.load accepts); a list holds fields `(name, dtype)` or `(name, dtype, shape)`. Only the
 * dtype positions count, never a field name that happens to read `'O'`.
 */
function anyObjectField(descr: PyLiteral): boolean {
  const todo: PyLiteral[] = [descr];
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    if (v.k === 'str' && parseDtypeString(v.v)?.hasObject) return true;
    if (v.k === 'tuple' && v.items[0] !== undefined) todo.push(v.items[0]);
    if (v.k === 'list') {
      for (const field of v.items) {
        const dtype = field.k === 'tuple' || field.k === 'list' ? field.items[1] : undefined;
        if (dtype !== undefined) todo.push(dtype);
      }
    }
  }
  return false;
}
