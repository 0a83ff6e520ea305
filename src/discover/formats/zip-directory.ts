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
}

export interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Absolute offset of the local header (with `concat` added). */
  readonly offset: number;
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
  let recordStart = eocd; // where the directory must end, within tail
  let zip64 = false;
  const loc = eocd - EOCD64_LOCATOR_SIZE;
  if (loc >= 0 && tail.readUInt32LE(loc) === EOCD64_LOCATOR_SIG) {
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
    at: { eocdOffset: tailStart + eocd, cdOffset: cdStart + concat, cdSize, count, concat, zip64, commentMismatch },
  };
}

/**
 * Where torch.load's reader finds the directory when it differs from zipfile's: caffe2 `PyTorchStreamReader` opens
 * the file with miniz `mz_zip_reader_init` → `mz_zip_reader_read_central_dir`, which finds the same end record (the
 * last signature with a whole record after it, `mz_zip_reader_locate_header_sig`) but takes its `cdir_ofs` and every
 * entry's local-header offset as absolute: no `concat`. So with bytes before the archive (`concat` > 0) the two
 * readers read different directories — one may be planted at the raw offset. Undefined when they agree. `readable`
 * is false where miniz refuses the archive (`cdir_ofs + cdir_size` past the file: MZ_ZIP_INVALID_HEADER_OR_CORRUPTED).
 */
export function minizLocation(
  at: DirectoryLocation,
  size: number,
): { readonly at: DirectoryLocation; readonly readable: boolean } | undefined {
  if (at.concat === 0) return undefined;
  const cdOffset = at.cdOffset - at.concat;
  return { at: { ...at, cdOffset, concat: 0 }, readable: cdOffset + at.cdSize <= size };
}

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
    entries.push({ name, method, flags, compressedSize: csize, size: usize, offset: offset + at.concat });
    p = end;
  }
  if (!truncated && entries.length !== at.count)
    problems.push(`central directory lists ${entries.length} entries but its end record says ${at.count}`);
  if (at.cdSize > ZIP_LIMITS.maxDirectoryBytes)
    problems.push(`central directory of ${at.cdSize} bytes is past the ${ZIP_LIMITS.maxDirectoryBytes}-byte limit`);
  return { entries, problems, truncated };
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

/** Zip64 extended information (tag 1): the 64-bit values of the fields that were 0xFFFFFFFF, in order. */
function zip64Extra(extra: Buffer, want: readonly boolean[]): (number | undefined)[] {
  const out: (number | undefined)[] = want.map(() => undefined);
  for (let p = 0; p + 4 <= extra.length;) {
    const tag = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (tag === 1) {
      let q = p + 4;
      want.forEach((w, i) => {
        if (w && q + 8 <= p + 4 + len && q + 8 <= extra.length) {
          out[i] = safeU64(extra, q);
          q += 8;
        }
      });
    }
    p += 4 + len;
  }
  return out;
}

/** A u64 as a number; values past 2^53 become Infinity, which every bound check then rejects. */
function safeU64(b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}
