import { inflateRawSync } from 'node:zlib';
import { ContainerLimitError, UnsupportedContentError } from './errors.js';
import { unsafeMemberName } from './names.js';
import { pushAll } from '../../core/push-all.js';

export { ContainerLimitError as ZipLimitError } from './errors.js';

/** Limits on reading a zip archive; hitting one is reported, never a silent pass. */
export interface ZipLimits {
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Largest inflated size of one entry. */
  readonly maxEntrySize: number;
  /** Largest inflated/compressed ratio of one entry. */
  readonly maxRatio: number;
}

export interface ZipEntry {
  readonly name: string;
  readonly compressedSize: number;
  readonly size: number;
  readonly method: number;
  /** General-purpose flags; bit 0 = encrypted. */
  readonly flags?: number;
  /** Where the local header is. */
  readonly offset?: number;
  /** Found by scanning local headers only: the central directory does not list it. */
  readonly hidden?: boolean;
  /** Inflates with a hard output cap; throws ContainerLimitError when a limit is hit. */
  read(): Buffer;
}

export interface ZipArchive {
  readonly entries: ZipEntry[];
  readonly problems: string[];
  /** Problems about the directory disagreeing with the local headers (a separate rule). */
  readonly mismatches?: string[];
  /** Member names with `..`, absolute paths or backslashes. */
  readonly unsafeNames?: string[];
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 100_000, maxEntrySize: 4 * 1024 ** 3, maxRatio: 1000 };

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const MAX_U32 = 0xffffffff;

interface CentralRecord {
  name: string;
  method: number;
  flags: number;
  csize: number;
  usize: number;
  offset: number;
}

/**
 * Read a zip the way lenient loaders do (PyTorch's miniz ignores CRCs): entries come from the central directory
 * AND from scanning local headers, so a corrupt, missing or duplicated directory cannot hide a member.
 * Supports zip64, stored and deflate; other methods and encryption make `read()` throw UnsupportedContentError.
 */
export function readZip(data: Buffer, limits?: Partial<ZipLimits>): ZipArchive {
  const lim: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const problems: string[] = [];
  const mismatches: string[] = [];
  const entries: ZipEntry[] = [];
  const extraEocds: number[] = [];
  const central = readCentralDirectory(data, problems, extraEocds, lim);
  const claimed: [number, number][] = [];
  const byOffset = new Map<number, CentralRecord>();
  for (const rec of central) byOffset.set(rec.offset, rec);

  for (const rec of central) {
    const local = parseLocal(data, rec.offset);
    if (!local) {
      problems.push(
        `central directory entry ${JSON.stringify(rec.name)} points at ${rec.offset}, where there is no local header`,
      );
      continue;
    }
    if (local.name !== rec.name) {
      mismatches.push(
        `member named ${JSON.stringify(rec.name)} in the central directory is ${JSON.stringify(local.name)} in its local header`,
      );
    }
    claimed.push([local.dataStart, local.dataStart + rec.csize]);
    entries.push(
      makeEntry(data, rec.name, rec.method, rec.flags, rec.csize, rec.usize, local.dataStart, rec.offset, false, lim),
    );
  }

  // Scan local headers outside every listed member's data: anything found there is a member some reader may use.
  for (let at = data.indexOf('PK\x03\x04', 0, 'latin1'); at >= 0; at = data.indexOf('PK\x03\x04', at + 4, 'latin1')) {
    if (byOffset.has(at) || claimed.some(([s, e]) => at >= s && at < e)) continue;
    const local = parseLocal(data, at);
    if (!local) continue;
    if (entries.length >= lim.maxEntries) {
      throw new ContainerLimitError(`zip has more than ${lim.maxEntries} entries`);
    }
    let csize = local.csize;
    if (local.flags & 0x08 && csize === 0) csize = data.length - local.dataStart; // sizes in a trailing descriptor
    csize = Math.min(csize, data.length - local.dataStart);
    claimed.push([local.dataStart, local.dataStart + csize]);
    if (central.length > 0) {
      mismatches.push(
        `local header at byte ${at} (${JSON.stringify(local.name)}) is not listed in the central directory`,
      );
    }
    entries.push(
      makeEntry(
        data,
        local.name,
        local.method,
        local.flags,
        csize,
        local.usize,
        local.dataStart,
        at,
        central.length > 0,
        lim,
      ),
    );
  }
  // A second end record inside a member's data is a nested archive; outside every member it is a second directory.
  const stray = extraEocds.filter((at) => !claimed.some(([st, en]) => at >= st && at < en));
  if (stray.length > 0) {
    mismatches.push(`zip has ${stray.length + 1} end-of-central-directory records; readers may pick different ones`);
  }
  if (central.length === 0 && entries.length > 0)
    problems.push('zip has no readable central directory; members were found by their local headers');
  const unsafeNames = entries.map((e) => e.name).filter((n) => unsafeMemberName(n));
  return { entries, problems, mismatches, unsafeNames };
}

function makeEntry(
  data: Buffer,
  name: string,
  method: number,
  flags: number,
  csize: number,
  usize: number,
  dataStart: number,
  offset: number,
  hidden: boolean,
  lim: ZipLimits,
): ZipEntry {
  return {
    name,
    method,
    flags,
    compressedSize: csize,
    size: usize,
    offset,
    ...(hidden ? { hidden } : {}),
    read(): Buffer {
      if (dataStart + csize > data.length) throw new RangeError(`member ${JSON.stringify(name)} is truncated`);
      const raw = data.subarray(dataStart, dataStart + csize);
      if (flags & 0x41) throw new UnsupportedContentError(`member ${JSON.stringify(name)} is encrypted`, raw);
      if (method === 0) {
        if (csize > lim.maxEntrySize)
          throw new ContainerLimitError(`member ${JSON.stringify(name)} is larger than ${lim.maxEntrySize} bytes`);
        return raw;
      }
      if (method !== 8)
        throw new UnsupportedContentError(`member ${JSON.stringify(name)} uses compression method ${method}`, raw);
      return inflateCapped(raw, lim, name);
    },
  };
}

/** Inflate with a cap of min(maxEntrySize, ratio × compressed size); exceeding it is a ContainerLimitError. */
export function inflateCapped(raw: Buffer, lim: Pick<ZipLimits, 'maxEntrySize' | 'maxRatio'>, name: string): Buffer {
  const cap = Math.min(lim.maxEntrySize, Math.max(1 << 20, raw.length * lim.maxRatio));
  try {
    return inflateRawSync(raw, { maxOutputLength: cap });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ContainerLimitError(
        `member ${JSON.stringify(name)} inflates past ${cap} bytes (limit on size and ratio)`,
      );
    }
    throw err;
  }
}

function parseLocal(data: Buffer, at: number) {
  if (at < 0 || at + 30 > data.length || data.readUInt32LE(at) !== LOCAL) return undefined;
  const flags = data.readUInt16LE(at + 6);
  const method = data.readUInt16LE(at + 8);
  let csize = data.readUInt32LE(at + 18);
  let usize = data.readUInt32LE(at + 22);
  const nameLen = data.readUInt16LE(at + 26);
  const extraLen = data.readUInt16LE(at + 28);
  const dataStart = at + 30 + nameLen + extraLen;
  if (dataStart > data.length || nameLen === 0) return undefined;
  const name = data.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 30, at + 30 + nameLen);
  const z64 = zip64Extra(data.subarray(at + 30 + nameLen, dataStart), [usize === MAX_U32, csize === MAX_U32, false]);
  if (z64[0] !== undefined) usize = z64[0];
  if (z64[1] !== undefined) csize = z64[1];
  return { name, flags, method, csize, usize, dataStart };
}

/** Zip64 extended information (tag 1): the 64-bit values for the fields that were 0xFFFFFFFF, in order. */
function zip64Extra(extra: Buffer, want: readonly boolean[]): (number | undefined)[] {
  const out: (number | undefined)[] = want.map(() => undefined);
  for (let p = 0; p + 4 <= extra.length;) {
    const tag = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (tag === 1) {
      let q = p + 4;
      want.forEach((w, i) => {
        if (w && q + 8 <= p + 4 + len && q + 8 <= extra.length) {
          out[i] = Number(extra.readBigUInt64LE(q));
          q += 8;
        }
      });
    }
    p += 4 + len;
  }
  return out;
}

function readCentralDirectory(data: Buffer, problems: string[], extraEocds: number[], lim: ZipLimits): CentralRecord[] {
  const eocds: number[] = [];
  const from = Math.max(0, data.length - (0xffff + 22));
  for (
    let at = data.lastIndexOf('PK\x05\x06', data.length, 'latin1');
    at >= from;
    at = data.lastIndexOf('PK\x05\x06', at - 1, 'latin1')
  ) {
    if (at + 22 <= data.length) eocds.push(at);
    if (at === 0) break;
  }
  if (eocds.length === 0) return [];
  pushAll(extraEocds, eocds.slice(1));
  const eocd = eocds[0]!;
  let count = data.readUInt16LE(eocd + 10);
  let size = data.readUInt32LE(eocd + 12);
  let offset = data.readUInt32LE(eocd + 16);
  const loc = eocd - 20;
  if (loc >= 0 && data.readUInt32LE(loc) === EOCD64_LOCATOR) {
    const at64 = Number(data.readBigUInt64LE(loc + 8));
    if (at64 + 56 <= data.length && data.readUInt32LE(at64) === EOCD64) {
      count = Number(data.readBigUInt64LE(at64 + 32));
      size = Number(data.readBigUInt64LE(at64 + 40));
      offset = Number(data.readBigUInt64LE(at64 + 48));
    } else {
      problems.push('zip64 end-of-central-directory locator points at no zip64 record');
    }
  }
  if (offset + size > data.length) {
    problems.push(`central directory (${size} bytes at ${offset}) lies outside the file`);
    return [];
  }
  const out: CentralRecord[] = [];
  let p = offset;
  while (p + 46 <= data.length && data.readUInt32LE(p) === CENTRAL) {
    if (out.length >= lim.maxEntries) throw new ContainerLimitError(`zip has more than ${lim.maxEntries} entries`);
    const flags = data.readUInt16LE(p + 8);
    const method = data.readUInt16LE(p + 10);
    let csize = data.readUInt32LE(p + 20);
    let usize = data.readUInt32LE(p + 24);
    const nameLen = data.readUInt16LE(p + 28);
    const extraLen = data.readUInt16LE(p + 30);
    const commentLen = data.readUInt16LE(p + 32);
    let local = data.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > data.length) break;
    const name = data.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    const z64 = zip64Extra(data.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), [
      usize === MAX_U32,
      csize === MAX_U32,
      local === MAX_U32,
    ]);
    usize = z64[0] ?? usize;
    csize = z64[1] ?? csize;
    local = z64[2] ?? local;
    out.push({ name, method, flags, csize, usize, offset: local });
    p = end;
  }
  if (out.length !== count)
    problems.push(`central directory lists ${out.length} entries but its end record says ${count}`);
  return out;
}
