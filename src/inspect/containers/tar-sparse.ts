import { ContainerLimitError, UnsupportedContentError } from './errors.js';
import { parseOctal } from '../../discover/formats/tar-head.js';

/** A sparse member: its chunks (offset, length) in the rebuilt file, which is `realSize` bytes. */
export interface SparseMap {
  readonly chunks: readonly (readonly [number, number])[];
  readonly realSize: number;
}

/** A rebuilt sparse file larger than this is refused (its holes would be zeros we allocate). */
export const MAX_SPARSE_REBUILD = 256 << 20;

/**
 * An old-GNU sparse header ('S'), as tarfile's `TarInfo._proc_sparse` reads it: four (offset, numbytes) octal
 * pairs at byte 386, `isextended` at 482, the real size at 483; while extended, a 512-byte block of 21 more pairs
 * with its own flag at 504. Returns the map and how many extension blocks precede the data.
 */
export function oldGnuSparse(data: Buffer, header: number): { map: SparseMap; extBlocks: number } {
  const chunks: [number, number][] = [];
  const pairs = (b: Buffer, at: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      const off = parseOctal(b.subarray(at + i * 24, at + i * 24 + 12));
      const num = parseOctal(b.subarray(at + i * 24 + 12, at + i * 24 + 24));
      if (off !== undefined && num !== undefined && (off > 0 || num > 0)) chunks.push([off, num]);
    }
  };
  const h = data.subarray(header, header + 512);
  pairs(h, 386, 4);
  const realSize = parseOctal(h.subarray(483, 495)) ?? 0;
  let extended = h[482] !== 0;
  let extBlocks = 0;
  while (extended) {
    const at = header + 512 * (extBlocks + 1);
    if (at + 512 > data.length) throw new RangeError('GNU sparse extension block is truncated');
    const b = data.subarray(at, at + 512);
    pairs(b, 0, 21);
    extended = b[504] !== 0;
    extBlocks++;
  }
  return { map: { chunks, realSize }, extBlocks };
}

/**
 * A PAX sparse member, as tarfile's `_proc_pax` dispatches it: 1.0 (`GNU.sparse.major` 1, what `tar --sparse
 * --format=pax` writes) keeps the map as decimal lines at the start of the data, padded to 512 bytes
 * (`_proc_gnusparse_10`); 0.1 keeps it in `GNU.sparse.map`. Returns the map and where the chunks start in the body;
 * undefined when the member is not sparse. 0.0 (repeated `GNU.sparse.offset` records) is not read.
 */
export function paxSparse(
  pax: Readonly<Record<string, string>>,
  body: Buffer,
): { map: SparseMap; dataStart: number } | undefined {
  if (!Object.keys(pax).some((k) => k.startsWith('GNU.sparse.'))) return undefined;
  const realSize = Number(pax['GNU.sparse.realsize'] ?? pax['GNU.sparse.size']);
  if (!Number.isSafeInteger(realSize) || realSize < 0)
    throw new UnsupportedContentError('sparse member without a real size');
  if (pax['GNU.sparse.major'] === '1' && pax['GNU.sparse.minor'] === '0') {
    const nums: number[] = [];
    let pos = 0;
    let count: number | undefined;
    while (count === undefined || nums.length < 2 * count) {
      const nl = body.indexOf(0x0a, pos);
      if (nl < 0) throw new RangeError('GNU sparse 1.0 map is truncated');
      const n = Number(body.toString('latin1', pos, nl));
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('GNU sparse 1.0 map holds a bad number');
      if (count === undefined) count = n;
      else nums.push(n);
      pos = nl + 1;
    }
    return { map: { chunks: pairsOf(nums), realSize }, dataStart: Math.ceil(pos / 512) * 512 };
  }
  const text = pax['GNU.sparse.map'];
  if (text === undefined) throw new UnsupportedContentError('GNU sparse 0.0 members are not read');
  const nums = text.split(',').map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new RangeError('GNU.sparse.map holds a bad number');
  return { map: { chunks: pairsOf(nums), realSize }, dataStart: 0 };
}

function pairsOf(nums: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < nums.length; i += 2) out.push([nums[i]!, nums[i + 1]!]);
  return out;
}

/** The file tarfile serves for a sparse member: each chunk's bytes (stored one after another) at its offset. */
export function rebuildSparse(map: SparseMap, stored: Buffer): Buffer {
  if (map.realSize > MAX_SPARSE_REBUILD)
    throw new ContainerLimitError(`sparse member rebuilds to ${map.realSize} bytes, past ${MAX_SPARSE_REBUILD}`);
  const out = Buffer.alloc(map.realSize);
  let from = 0;
  for (const [off, num] of map.chunks) {
    if (off + num > map.realSize || from + num > stored.length)
      throw new RangeError('a sparse chunk lies outside the member or its stored data');
    stored.copy(out, off, from, from + num);
    from += num;
  }
  return out;
}
