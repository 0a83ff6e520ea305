import { parseTypestr } from './dtype.js';

export interface NpyHeader {
  /** Offset of the array data (or the pickle, for object arrays). */
  readonly dataOffset: number;
  readonly hasObject: boolean;
  /** Bytes of raw data expected; undefined for object arrays. */
  readonly dataSize: number | undefined;
}

/** Parse a `.npy` header: magic, version, header length, then a Python dict literal. Undefined when malformed. */
export function parseNpyHeader(data: Buffer): NpyHeader | string {
  if (data.length < 10 || data.toString('latin1', 0, 6) !== '\x93NUMPY') return 'missing \\x93NUMPY magic';
  const major = data[6]!;
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = data.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (data.length < 12) return 'truncated header';
    hlen = data.readUInt32LE(8);
    start = 12;
  } else {
    return `unsupported .npy version ${major}`;
  }
  if (hlen > 1 << 20 || start + hlen > data.length) return `header length ${hlen} runs past the file`;
  const text = data.toString(major === 3 ? 'utf8' : 'latin1', start, start + hlen);
  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  const dataOffset = start + hlen;
  if (!shape) return 'header has no shape';
  const dims = shape[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!dims.every((d) => /^\d+L?$/.test(d))) return 'header shape is not a tuple of integers';
  const count = dims.reduce((n, d) => n * Number(d.replace('L', '')), 1);
  if (!descr) {
    // Structured dtypes are a list of fields; numpy pickles the array if any field is an object.
    const list = /['"]descr['"]\s*:\s*\[(.*)\]\s*,\s*['"]fortran_order/s.exec(text);
    if (!list) return 'header has no descr';
    const hasObject = /['"][<>|=]?O\d*['"]/.test(list[1]!);
    return { dataOffset, hasObject, dataSize: undefined };
  }
  const info = parseTypestr(descr[2]!);
  if (!info) return `unknown dtype ${JSON.stringify(descr[2])}`;
  return { dataOffset, hasObject: info.hasObject, dataSize: info.hasObject ? undefined : count * info.itemsize };
}
