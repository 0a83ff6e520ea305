import type { PyLiteral } from './py-literal.js';
export type { PyLiteral } from './py-literal.js';
import { entryOf, parsePyLiteral } from './py-literal.js';

/**
 * THE .npy header parser, following numpy `lib/format.py` `_read_array_header`: magic, version 1.0/2.0/3.0, a u16
 * (v1) or u32 (v2, v3) length, then a dict literal read with `ast.literal_eval` (latin1 for v1/v2, UTF-8 for v3)
 * whose keys must be exactly `descr`, `fortran_order`, `shape`. A repeated key keeps the last value, as in Python.
 */
export interface NpyHeaderFields {
  readonly version: 1 | 2 | 3;
  /** Offset of the array data (or, for object arrays, of the pickle). */
  readonly dataOffset: number;
  /** A type string, or the field list of a structured dtype. */
  readonly descr: PyLiteral;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  /** Keys written more than once (numpy silently keeps the last: a place to hide a different dtype). */
  readonly duplicateKeys: readonly string[];
}

export const NPY_MAGIC = '\x93NUMPY';
/** Larger headers are refused here; numpy refuses past 10,000 bytes unless `allow_pickle` lifts it. */
export const MAX_NPY_HEADER = 1 << 20;

export function isNpyHead(head: Buffer): boolean {
  return head.length >= 6 && head.toString('latin1', 0, 6) === NPY_MAGIC;
}

/**
 * Where a .npy header ends by its length field (magic, version, u16 or u32 length), however long: numpy
 * `_read_array_header` reads that many bytes, and np.load lifts its 10,000-byte cap with `allow_pickle=True` — which an
 * object array needs anyway. Undefined when the first bytes are not a .npy head.
 */
export function npyHeaderEnd(data: Buffer): number | undefined {
  if (!isNpyHead(data) || data.length < 12 || data[7] !== 0) return undefined;
  const major = data[6];
  return major === 1 ? 10 + data.readUInt16LE(8) : major === 2 || major === 3 ? 12 + data.readUInt32LE(8) : undefined;
}

/** Parse the header from the file's first bytes; a string says why numpy would refuse it (or we cannot tell). */
export function parseNpyHeaderFields(data: Buffer): NpyHeaderFields | string {
  if (data.length < 10 || !isNpyHead(data)) return 'missing \\x93NUMPY magic';
  const major = data[6]!;
  if (data[7] !== 0 || (major !== 1 && major !== 2 && major !== 3))
    return `unsupported .npy version ${major}.${data[7]}`;
  if (major !== 1 && data.length < 12) return 'truncated header';
  const hlen = major === 1 ? data.readUInt16LE(8) : data.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (hlen > MAX_NPY_HEADER) return `header length ${hlen} is over the ${MAX_NPY_HEADER} bytes chainproof reads`;
  if (start + hlen > data.length) return `header length ${hlen} runs past the file`;
  const text = data.toString(major === 3 ? 'utf8' : 'latin1', start, start + hlen);
  // Versions 1.0 and 2.0 may come from Python 2: `_filter_header` drops the `L` of its long integers first.
  const lit = parsePyLiteral(text.trimEnd(), { py2Long: major !== 3 });
  if (typeof lit === 'string') return `header is not a Python literal (${lit})`;
  if (lit.k !== 'dict') return 'header is not a dict';
  const descr = entryOf(lit, 'descr');
  const shape = entryOf(lit, 'shape');
  const fortran = entryOf(lit, 'fortran_order');
  if (lit.entries.size !== 3 || !descr || !shape || !fortran)
    return `header keys are ${JSON.stringify([...lit.entries.values()].map((e) => (e.key.k === 'str' ? e.key.v : '?')).sort())}`;
  // `isinstance(x, int)` for each dimension: a bool is one, and so is a negative number (numpy unpickles an object
  // array before the shape is used). `numpy.multiply.reduce(shape, dtype=int64)` refuses one past int64 first.
  if (shape.k !== 'tuple' || !shape.items.every((d) => d.k === 'int' || (d.k === 'const' && typeof d.v === 'boolean')))
    return 'header shape is not valid (numpy wants a tuple of ints)';
  const dims = shape.items.map(dimension);
  const huge = dims.find((d) => Math.abs(d) >= 2 ** 63);
  // Parsed as a double: 2**63 - 1 reads as 2**63, so the message says "about" and admits the edge. numpy fails there
  // too ("array is too big"), and past it with "negative dimensions are not allowed" or an OverflowError.
  if (huge !== undefined)
    return `header shape has a dimension of about ${huge.toPrecision(4)}, at or past int64's limit: np.load fails computing the element count (numpy.multiply.reduce(shape, dtype=int64)) and reads nothing`;
  if (fortran.k !== 'const' || typeof fortran.v !== 'boolean') return 'fortran_order is not a bool';
  return {
    version: major,
    dataOffset: start + hlen,
    descr,
    shape: dims,
    fortranOrder: fortran.v,
    duplicateKeys: lit.duplicates,
  };
}

/** A shape dimension (an int or a bool, already checked) as a number. */
function dimension(d: PyLiteral): number {
  if (d.k === 'const') return d.v === true ? 1 : 0;
  return d.k === 'int' ? d.v : NaN;
}
