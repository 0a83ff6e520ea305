import { crc32 } from 'node:zlib';

/**
 * THE zip central-directory reader: discovery (member names), the container inspector (member bytes) and the
 * Keras analyser all locate and parse the directory with these pure functions, so they cannot disagree about
 * which members an archive has. It follows CPython's `zipfile` (`_EndRecData`, `_EndRecData64`,
 * `ZipFile._RealGetContents`), which `np.load` and Keras use. torch's miniz reader agrees on well-formed files; where
 * bytes precede the archive it reads another directory (`minizLocation`), and both are inspected.
 */

/** One set of limits for every zip reader; past them the rest of the directory is unread and reported. */
export const ZIP_LIMITS = {
  maxEntries: 100_000,
  maxDirectoryBytes: 16 * 1024 * 1024,
} as const;

export const EOCD_SIZE = 22;
/** The window `_EndRecData` searches: the largest comment plus the record. */
export const EOCD_SEARCH = 0xffff + EOCD_SIZE;
const EOCD_SIG = 0x06054b50;
const EOCD64_SIG = 0x06064b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIZE = 56;
const EOCD64_LOCATOR_SIZE = 20;
const CENTRAL_SIG = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIG = 0x04034b50;
export const LOCAL_SIZE = 30;
const U32_MAX = 0xffffffff;

/** Where the central directory is, as `_RealGetContents` computes it. */
export interface DirectoryLocation {
  /** Absolute offset of the end record. */
  readonly eocdOffset: number;
  /** Absolute offset of the directory (after adding bytes prepended to the archive). */
  readonly cdOffset: number;
  readonly cdSize: number;
  /** Entries the end record declares. */
  readonly count: number;
  /** Bytes prepended to the archive (`concat`): added to every member's local-header offset. */
  readonly concat: number;
  readonly zip64: boolean;
  /** The end record's comment length disagrees with the bytes after it (other readers may pick another record). */
  readonly commentMismatch: boolean;
  /** The end record's own 32-bit directory fields, before a zip64 record replaces them (miniz may keep them). */
  readonly eocd32: { readonly count: number; readonly cdSize: number; readonly cdStart: number };
  /** Where the zip64 locator says the zip64 end record is (as written), when the archive has a locator. */
  readonly zip64Locator?: number;
}

export interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Absolute offset of the local header (with `concat` added). */
  readonly offset: number;
  /**
   * The name Python 3.12+'s zipfile gives the member when it differs from the stored one: an Info-ZIP Unicode Path
   * extra field (0x7075) whose CRC matches the stored name (`ZipInfo._decodeExtra`, cut at a NUL like
   * `_sanitize_filename`). Python up to 3.11 and torch's miniz keep the stored name.
   */
  readonly unicodeName?: string;
  /**
   * Made on Unix (version-made-by host 3) with a symbolic link's mode (S_IFLNK) in the high half of the external
   * attributes: Info-ZIP `unzip` writes it as a link to the member's data text; Python's `zipfile`
   * (`ZipFile._extract_member`) ignores the mode and writes that text as a regular file.
   */
  readonly symlink?: true;
}

export interface ZipDirectory {
  readonly entries: CentralEntry[];
  /** Read problems (limits, bad headers, counts that disagree); non-empty means members may be missing. */
  readonly problems: string[];
  /** A limit stopped the read: members past it were not listed. */
  readonly truncated: boolean;
}

export type Located =
  { readonly ok: true; readonly at: DirectoryLocation } | { readonly ok: false; readonly reason: string };

/**
 * Find the end record in `tail` (the last `min(size, EOCD_SEARCH)` bytes of a `size`-byte file), as `_EndRecData`:
 * first a comment-less record in the last 22 bytes, else the LAST signature in the window, its comment length
 * taken as claimed. Then `_EndRecData64`: a zip64 locator right before it means the zip64 record right before that.
 */
export function locateDirectory(tail: Buffer, size: number): Located {
  const tailStart = size - tail.length;
  let eocd = -1;
  const last = tail.length - EOCD_SIZE;
  if (last >= 0 && tail.readUInt32LE(last) === EOCD_SIG && tail.readUInt16LE(last + 20) === 0) eocd = last;
  else eocd = tail.lastIndexOf('PK\x05\x06', last, 'latin1');
  if (eocd < 0 || eocd + EOCD_SIZE > tail.length) return { ok: false, reason: 'no end-of-central-directory record' };
  const commentMismatch = eocd + EOCD_SIZE + tail.readUInt16LE(eocd + 20) !== tail.length;
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdStart = tail.readUInt32LE(eocd + 16);
  const eocd32 = { count, cdSize, cdStart };
  let recordStart = eocd; // where the directory must end, within tail
  let zip64 = false;
  let zip64Locator: number | undefined;
  const loc = eocd - EOCD64_LOCATOR_SIZE;
  if (loc >= 0 && tail.readUInt32LE(loc) === EOCD64_LOCATOR_SIG) {
    zip64Locator = safeU64(tail, loc + 8);
    const rec = loc - EOCD64_SIZE;
    if (rec < 0 || tail.readUInt32LE(rec) !== EOCD64_SIG)
      return { ok: false, reason: 'zip64 locator without a zip64 end record before it' };
    count = safeU64(tail, rec + 32);
    cdSize = safeU64(tail, rec + 40);
    cdStart = safeU64(tail, rec + 48);
    recordStart = rec;
    zip64 = true;
  }
  const recordAbs = tailStart + recordStart;
  // `concat`: bytes prepended to the archive (self-extractors); CPython adds it to every offset. It may be negative:
  // `_RealGetContents` refuses only a directory start (`offset_cd + concat`) before the file's start.
  const concat = recordAbs - cdSize - cdStart;
  if (!Number.isSafeInteger(concat) || cdSize > recordAbs)
    return { ok: false, reason: `central directory (${cdSize} bytes at ${cdStart}) lies outside the file` };
  return {
    ok: true,
    at: {
      eocdOffset: tailStart + eocd,
      cdOffset: cdStart + concat,
      cdSize,
      count,
      concat,
      zip64,
      commentMismatch,
      eocd32,
      ...(zip64Locator === undefined ? {} : { zip64Locator }),
    },
  };
}

/**
 * Where torch.load's reader finds the directory when it differs from zipfile's: caffe2 `PyTorchStreamReader` opens
 * the file with miniz `mz_zip_reader_init` → `mz_zip_reader_read_central_dir` (the same in miniz 2.0.8 and in the
 * 3.0.2 torch ships today), which finds the same end record (the last signature with a whole record after it,
 * `mz_zip_reader_locate_header_sig`) but
 * - takes its `cdir_ofs` and every entry's local-header offset as absolute: no `concat`. So with bytes before the
 *   archive (`concat` > 0) the two readers read different directories — one may be planted at the raw offset;
 * - reads the zip64 end record where the locator says (`MZ_ZIP64_ECDL_REL_OFS_TO_ZIP64_ECDR_OFS`, `record`: the
 *   56 bytes there, see `minizZip64RecordOffset`), checking only its signature, and keeps the end record's 32-bit
 *   fields when there is none; CPython's zipfile (`_EndRecData64`, up to the CVE-2025-8291 fix) reads the record
 *   right before the locator. A locator pointing at a second zip64 record names a second directory.
 * Undefined when the two agree. `readable` is false where miniz refuses the archive (`cdir_ofs + cdir_size` or the
 * locator's offset past the file: MZ_ZIP_INVALID_HEADER_OR_CORRUPTED, MZ_ZIP_NOT_AN_ARCHIVE).
 */
export function minizLocation(
  at: DirectoryLocation,
  size: number,
  record?: Buffer,
):
  | {
      readonly at: DirectoryLocation;
      readonly readable: boolean;
      readonly zip64Record?: number;
      /** Why miniz refuses the archive, when it is not for the directory's extent. */
      readonly refused?: string;
    }
  | undefined {
  let { count, cdSize, cdStart } = at.eocd32;
  let zip64Record: number | undefined;
  if (at.zip64Locator !== undefined) {
    if (minizZip64RecordOffset(at, size) === undefined)
      return { at: { ...at, concat: 0 }, readable: false, refused: 'its zip64 locator points past the file' };
    if (record !== undefined && record.length >= EOCD64_SIZE && record.readUInt32LE(0) === EOCD64_SIG) {
      count = safeU64(record, 32);
      cdSize = safeU64(record, 40);
      cdStart = safeU64(record, 48);
      zip64Record = at.zip64Locator;
    }
  }
  if (cdStart === at.cdOffset && cdSize === at.cdSize && count === at.count) return undefined;
  const where = { ...at, cdOffset: cdStart, cdSize, count, concat: 0 };
  return {
    at: where,
    readable: cdStart + cdSize <= size,
    ...(zip64Record === undefined ? {} : { zip64Record }),
  };
}

/** Where miniz reads the zip64 end record (the locator's offset), when there is a locator and it lies in the file. */
export function minizZip64RecordOffset(at: DirectoryLocation, size: number): number | undefined {
  const off = at.zip64Locator;
  return off !== undefined && off <= size - EOCD64_SIZE ? off : undefined;
}

/** Bytes of a zip64 end record, as miniz reads them. */
export const ZIP64_RECORD_SIZE = EOCD64_SIZE;

/** Parse the directory bytes `cd` (the first `min(cdSize, maxDirectoryBytes)` bytes at `at.cdOffset`). */
export function parseDirectory(cd: Buffer, at: DirectoryLocation): ZipDirectory {
  const entries: CentralEntry[] = [];
  const problems: string[] = [];
  let truncated = cd.length < at.cdSize;
  let p = 0;
  while (p < cd.length) {
    if (entries.length >= ZIP_LIMITS.maxEntries) {
      truncated = true;
      problems.push(`zip has more than ${ZIP_LIMITS.maxEntries} entries`);
      break;
    }
    if (p + CENTRAL_SIZE > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) {
      if (p + CENTRAL_SIZE > cd.length && truncated) break;
      problems.push(`bad central directory header at byte ${at.cdOffset + p}`);
      truncated = true;
      break;
    }
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let csize = cd.readUInt32LE(p + 20);
    let usize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let offset = cd.readUInt32LE(p + 42);
    const end = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (end > cd.length) {
      truncated = true;
      if (cd.length >= at.cdSize) problems.push(`central directory entry at byte ${at.cdOffset + p} runs past it`);
      break;
    }
    const name = decodeName(cd.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen), flags);
    const z64 = zip64Extra(cd.subarray(p + CENTRAL_SIZE + nameLen, p + CENTRAL_SIZE + nameLen + extraLen), [
      usize === U32_MAX,
      csize === U32_MAX,
      offset === U32_MAX,
    ]);
    usize = z64[0] ?? usize;
    csize = z64[1] ?? csize;
    offset = z64[2] ?? offset;
    const extra = cd.subarray(p + CENTRAL_SIZE + nameLen, p + CENTRAL_SIZE + nameLen + extraLen);
    const unicodeName = unicodePathName(extra, cd.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen));
    entries.push({
      name,
      method,
      flags,
      compressedSize: csize,
      size: usize,
      offset: offset + at.concat,
      ...(unicodeName !== undefined && unicodeName !== name ? { unicodeName } : {}),
      ...(isUnixSymlink(cd, p) ? { symlink: true as const } : {}),
    });
    p = end;
  }
  if (!truncated && entries.length !== at.count)
    problems.push(`central directory lists ${entries.length} entries but its end record says ${at.count}`);
  if (at.cdSize > ZIP_LIMITS.maxDirectoryBytes)
    problems.push(`central directory of ${at.cdSize} bytes is past the ${ZIP_LIMITS.maxDirectoryBytes}-byte limit`);
  return { entries, problems, truncated };
}

/** S_IFLNK in the Unix mode a Unix-made entry keeps in the high 16 bits of its external attributes (offset 38). */
function isUnixSymlink(cd: Buffer, p: number): boolean {
  return cd[p + 5] === 3 && ((cd.readUInt32LE(p + 38) >>> 16) & 0o170000) === 0o120000;
}

/** How many directory bytes to read for a location (bounded by the one limit). */
export function directoryReadLength(at: DirectoryLocation): number {
  return Math.min(at.cdSize, ZIP_LIMITS.maxDirectoryBytes);
}

export interface LocalHeader {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Length of the local header with its name and extra field (data starts at offset + headerLength). */
  readonly headerLength: number;
}

/**
 * A local file header at `buf[0..]`, which must hold at least LOCAL_SIZE bytes plus its name and extra field
 * (callers read LOCAL_SIZE + 0xffff + 0xffff at most). `ZipFile.open` reads the name and extra lengths from here.
 */
export function parseLocalHeader(buf: Buffer): LocalHeader | undefined {
  if (buf.length < LOCAL_SIZE || buf.readUInt32LE(0) !== LOCAL_SIG) return undefined;
  const flags = buf.readUInt16LE(6);
  const method = buf.readUInt16LE(8);
  let csize = buf.readUInt32LE(18);
  let usize = buf.readUInt32LE(22);
  const nameLen = buf.readUInt16LE(26);
  const extraLen = buf.readUInt16LE(28);
  const headerLength = LOCAL_SIZE + nameLen + extraLen;
  if (headerLength > buf.length) return undefined;
  const name = decodeName(buf.subarray(LOCAL_SIZE, LOCAL_SIZE + nameLen), flags);
  const z64 = zip64Extra(buf.subarray(LOCAL_SIZE + nameLen, headerLength), [usize === U32_MAX, csize === U32_MAX]);
  usize = z64[0] ?? usize;
  csize = z64[1] ?? csize;
  return { name, flags, method, compressedSize: csize, size: usize, headerLength };
}

/** Names are UTF-8 with flag bit 11, else cp437 (latin1 here: identical for the ASCII names loaders look for). */
function decodeName(raw: Buffer, flags: number): string {
  return raw.toString(flags & 0x800 ? 'utf8' : 'latin1');
}

/**
 * Zip64 extended information (tag 1): the 64-bit values of the fields that were 0xFFFFFFFF, in order. A second tag-1
 * field changes only what is still 0xFFFFFFFF: CPython's `ZipInfo._decodeExtra` tests each field's current value
 * before reading it, and miniz (`mz_zip_file_stat_internal`) stops at the first tag-1 field, so the first one names
 * the member both loaders read; a later copy must not move it elsewhere.
 */
function zip64Extra(extra: Buffer, want: readonly boolean[]): (number | undefined)[] {
  const out: (number | undefined)[] = want.map(() => undefined);
  const still = [...want];
  for (let p = 0; p + 4 <= extra.length;) {
    const tag = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (tag === 1) {
      let q = p + 4;
      still.forEach((w, i) => {
        if (w && q + 8 <= p + 4 + len && q + 8 <= extra.length) {
          out[i] = safeU64(extra, q);
          still[i] = out[i] === U32_MAX;
          q += 8;
        }
      });
    }
    p += 4 + len;
  }
  return out;
}

/**
 * The Info-ZIP Unicode Path extra field (0x7075) as Python 3.12+'s `ZipInfo._decodeExtra` reads it: version 1, the
 * CRC-32 of the stored name, then the UTF-8 name, which replaces the stored one when it is not empty (cut at its first
 * NUL by `_sanitize_filename`). Undefined when absent or unusable: the stored name stands (a field zipfile cannot
 * decode makes it refuse the whole archive).
 */
function unicodePathName(extra: Buffer, rawName: Buffer): string | undefined {
  let found: string | undefined;
  for (let p = 0; p + 4 <= extra.length;) {
    const tag = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    const body = extra.subarray(p + 4, Math.min(extra.length, p + 4 + len));
    if (tag === 0x7075 && body.length >= 5 && body[0] === 1 && body.readUInt32LE(1) === crc32(rawName)) {
      const text = utf8Strict(body.subarray(5));
      if (text) found = text.split('\0')[0];
    }
    p += 4 + len;
  }
  return found;
}

function utf8Strict(b: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}

/** A u64 as a number; values past 2^53 become Infinity, which every bound check then rejects. */
function safeU64(b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}
