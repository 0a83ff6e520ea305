import { inflateRawSync } from 'node:zlib';
import type { ByteSource } from './source.js';
import { Cursor, FormatError } from './source.js';

/** Bounds for reading a zip's central directory with positioned reads (the weights are never read). */
const MAX_CD_BYTES = 16 * 1024 * 1024;
const MAX_ENTRIES = 100_000;
const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly offset: number;
}

/**
 * A zip's entries from its central directory, found as Python's `zipfile` (which Keras uses) finds them: the last
 * end-of-central-directory record, zip64 when its locator is present. Only the directory is read.
 */
export function readCentralDirectory(src: ByteSource): CentralEntry[] {
  const tailLen = Math.min(src.size, 0xffff + 22);
  const tail = src.read(src.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError('no zip end-of-central-directory record', src.size);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdEnd = src.size - tailLen + eocd;
  if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
    const rec = eocd - 20 - 56;
    if (rec < 0 || tail.readUInt32LE(rec) !== EOCD64) throw new FormatError('bad zip64 end record', cdEnd);
    count = Number(tail.readBigUInt64LE(rec + 32));
    cdSize = Number(tail.readBigUInt64LE(rec + 40));
    cdEnd = src.size - tailLen + rec;
  }
  if (cdSize > cdEnd) throw new FormatError('central directory is larger than the file', cdEnd);
  if (cdSize > MAX_CD_BYTES)
    throw new FormatError(`central directory of ${cdSize} bytes is past the limit`, cdEnd, 'limit');
  if (count > MAX_ENTRIES)
    throw new FormatError(`${count} zip entries is past the limit of ${MAX_ENTRIES}`, cdEnd, 'limit');
  const c = new Cursor(src, cdEnd - cdSize);
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = c.pos;
    if (c.left < 46 || c.u32() !== CENTRAL) throw new FormatError(`bad central directory header #${i}`, at);
    const h = c.bytes(42);
    const flags = h.readUInt16LE(4);
    const method = h.readUInt16LE(6);
    let csize = h.readUInt32LE(16);
    let usize = h.readUInt32LE(20);
    const nameLen = h.readUInt16LE(24);
    const extraLen = h.readUInt16LE(26);
    const commentLen = h.readUInt16LE(28);
    let offset = h.readUInt32LE(38);
    const name = c.bytes(nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    const extra = c.bytes(extraLen);
    c.skip(commentLen);
    // zip64 extra field: the sizes and offset that were 0xffffffff, in that order.
    for (let p = 0; p + 4 <= extra.length;) {
      const id = extra.readUInt16LE(p);
      const len = extra.readUInt16LE(p + 2);
      if (id === 1) {
        let q = p + 4;
        const next = () => {
          if (q + 8 > p + 4 + len || q + 8 > extra.length) throw new FormatError('short zip64 extra field', at);
          const v = Number(extra.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = next();
        if (csize === 0xffffffff) csize = next();
        if (offset === 0xffffffff) offset = next();
      }
      p += 4 + len;
    }
    entries.push({ name, method, flags, compressedSize: csize, size: usize, offset });
  }
  return entries;
}

/** Read one member's bytes through its local header, inflating with a hard output cap. */
export function readMember(src: ByteSource, e: CentralEntry, maxSize: number): Buffer {
  if (e.flags & 1) throw new FormatError(`${e.name} is encrypted`, e.offset);
  if (e.size > maxSize)
    throw new FormatError(`${e.name} is ${e.size} bytes, past the ${maxSize}-byte limit`, e.offset, 'limit');
  const c = new Cursor(src, e.offset);
  if (c.left < 30 || c.u32() !== LOCAL) throw new FormatError(`no local header for ${e.name}`, e.offset);
  const h = c.bytes(26);
  c.skip(h.readUInt16LE(22) + h.readUInt16LE(24));
  const data = c.bytes(e.compressedSize);
  if (e.method === 0) return data;
  if (e.method !== 8)
    throw new FormatError(`${e.name} uses compression method ${e.method}, which chainproof cannot read`, e.offset);
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, Math.min(maxSize, e.size + 1)) });
  } catch (err) {
    // Node reports output past maxOutputLength as a RangeError: the entry lied about its size (a bomb).
    if (err instanceof RangeError)
      throw new FormatError(`${e.name} inflates past its ${maxSize}-byte limit`, e.offset, 'limit');
    throw new FormatError(`${e.name} does not inflate (${(err as Error).message})`, e.offset);
  }
}
