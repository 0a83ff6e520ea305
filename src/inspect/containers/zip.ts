import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { bunzip2Capped } from './bzip2.js';
import { unlzmaCapped, zipLzmaToAlone } from './lzma.js';
import { ContainerLimitError, UnsupportedContentError } from './errors.js';
import {
  directoryReadLength,
  EOCD_SEARCH,
  LOCAL_SIZE,
  locateDirectory,
  minizLocation,
  minizZip64RecordOffset,
  parseDirectory,
  ZIP64_RECORD_SIZE,
  parseLocalHeader,
  type DirectoryLocation,
} from '../../discover/formats/zip-directory.js';
import { unsafeMemberName } from './names.js';

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
  /** Already inspected as it was read (a large deflated pickle, content/member-stream.ts): listed, not read again. */
  readonly readElsewhere?: boolean;
  /** Inflates with a hard output cap; throws ContainerLimitError when a limit is hit. */
  /** The member's bytes; a decompressed member stops at `maxOutput` too (what is left of the file's budget). */
  read(maxOutput?: number): Buffer;
  /**
   * The first decoded bytes of a stored or deflated member, from at most `compressedBytes` of its data (so at most
   * ~1032× that decoded); undefined for other methods. For readers that need only a member's head (a `.npy` header).
   */
  readHead?(compressedBytes: number): Buffer | undefined;
}

export interface ZipArchive {
  readonly entries: ZipEntry[];
  /** Every name the central directory lists, in its order, when `entries` leaves some out (read by ranges). */
  readonly directoryNames?: readonly string[];
  readonly problems: string[];
  /** Problems about the directory disagreeing with the local headers (a separate rule). */
  readonly mismatches?: string[];
  /** Member names with `..`, absolute paths or backslashes. */
  readonly unsafeNames?: string[];
  /** Members the directory marks as Unix symbolic links (`CentralEntry.symlink`); their data is the target. */
  readonly symlinks?: readonly ZipEntry[];
  /** torch.load's view where it differs from zipfile's (bytes before the archive, a second zip64 record): `minizLocation`. */
  readonly miniz?: MinizView;
}

/** The archive as torch's miniz reads it: the directory at the end record's raw offset, local headers unnamed-checked. */
export interface MinizView {
  /** Where miniz reads the directory, and where zipfile does (after adding `concat`). */
  readonly cdOffset: number;
  readonly zipfileCdOffset: number;
  readonly concat: number;
  /** Where miniz found the zip64 end record it used, when the locator named one zipfile does not read. */
  readonly zip64Record?: number;
  readonly entries: ZipEntry[];
  /** Why miniz would refuse the archive or a member (torch.load then fails there). */
  readonly problems: string[];
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 100_000, maxEntrySize: 4 * 1024 ** 3, maxRatio: 1000 };

interface CentralRecord {
  name: string;
  method: number;
  flags: number;
  csize: number;
  usize: number;
  offset: number;
  symlink?: true;
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
  const symlinks: ZipEntry[] = [];
  const extraEocds: number[] = [];
  const { records: central, at: location } = readCentralDirectory(data, problems, mismatches, extraEocds, lim);
  const miniz = location && readMinizView(data, location, lim);
  const claimed: [number, number][] = [];
  const byOffset = new Map<number, CentralRecord>();
  for (const rec of central) byOffset.set(rec.offset, rec);
  // A local header miniz lists is a member of its view, inspected there, not a second time as a hidden one.
  const minizOffsets = new Set(miniz?.entries.map((e) => e.offset));

  for (const rec of central) {
    const local = parseLocal(data, rec.offset);
    if (!local) {
      problems.push(
        `central directory entry ${JSON.stringify(rec.name)} points at ${rec.offset}, where there is no local header`,
      );
      continue;
    }
    // CPython's `ZipFile.open` reads a member by the directory's method and sizes (and refuses a differing name);
    // we read what it reads, and report any disagreement: another reader (miniz, unzip) may follow the local header.
    if (local.name !== rec.name) {
      mismatches.push(
        `member named ${JSON.stringify(rec.name)} in the central directory is ${JSON.stringify(local.name)} in its local header`,
      );
    } else if (local.method !== rec.method || (!(local.flags & 0x08) && local.csize !== rec.csize)) {
      mismatches.push(
        `member ${JSON.stringify(rec.name)} has method ${rec.method}/${rec.csize} bytes in the central directory but ${local.method}/${local.csize} in its local header`,
      );
    }
    claimed.push([local.dataStart, local.dataStart + rec.csize]);
    const entry = makeEntry(
      data,
      rec.name,
      rec.method,
      rec.flags,
      rec.csize,
      rec.usize,
      local.dataStart,
      rec.offset,
      false,
      lim,
    );
    entries.push(entry);
    if (rec.symlink) symlinks.push(entry);
  }

  // Scan local headers outside every listed member's data: anything found there is a member some reader may use.
  for (let at = data.indexOf('PK\x03\x04', 0, 'latin1'); at >= 0; at = data.indexOf('PK\x03\x04', at + 4, 'latin1')) {
    if (byOffset.has(at) || minizOffsets.has(at) || claimed.some(([s, e]) => at >= s && at < e)) continue;
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
  return {
    entries,
    problems,
    mismatches,
    unsafeNames,
    ...(symlinks.length > 0 ? { symlinks } : {}),
    ...(miniz ? { miniz } : {}),
  };
}

/**
 * The members torch.load's miniz finds when its directory is not zipfile's (`minizLocation`). miniz looks a member
 * up by its central-directory name and reads its data after the local header (`mz_zip_reader_extract_to_mem_no_alloc1`
 * takes only the local name and extra lengths, never checks the local name), with the directory's method and size.
 */
function readMinizView(data: Buffer, zipfileAt: DirectoryLocation, lim: ZipLimits): MinizView | undefined {
  const recordAt = minizZip64RecordOffset(zipfileAt, data.length);
  const record = recordAt === undefined ? undefined : data.subarray(recordAt, recordAt + ZIP64_RECORD_SIZE);
  const found = minizLocation(zipfileAt, data.length, record);
  if (!found) return undefined;
  const view = minizViewBase(found, zipfileAt);
  if (!found.readable)
    return {
      ...view,
      entries: [],
      problems: [found.refused ?? `its directory (${found.at.cdSize} bytes) runs past the file`],
    };
  const dir = parseDirectory(
    data.subarray(found.at.cdOffset, found.at.cdOffset + directoryReadLength(found.at)),
    found.at,
  );
  const problems = [...dir.problems];
  const entries: ZipEntry[] = [];
  for (const rec of dir.entries.slice(0, lim.maxEntries)) {
    const local = parseLocal(data, rec.offset);
    if (!local) {
      problems.push(`${JSON.stringify(rec.name)} points at ${rec.offset}, where there is no local header`);
      continue;
    }
    const { name, method, flags, compressedSize, size, offset } = rec;
    entries.push(makeEntry(data, name, method, flags, compressedSize, size, local.dataStart, offset, false, lim));
  }
  return { ...view, entries, problems };
}

/** Where the two readers read their directories (shared with the ranged reader). */
export function minizViewBase(
  found: NonNullable<ReturnType<typeof minizLocation>>,
  zipfileAt: DirectoryLocation,
): Pick<MinizView, 'cdOffset' | 'zipfileCdOffset' | 'concat' | 'zip64Record'> {
  return {
    cdOffset: found.at.cdOffset,
    zipfileCdOffset: zipfileAt.cdOffset,
    concat: zipfileAt.concat,
    ...(found.zip64Record === undefined ? {} : { zip64Record: found.zip64Record }),
  };
}

/** A member whose (still compressed) bytes were read by range: decoded on `read()` with the usual caps. */
export function rangedEntry(
  raw: Buffer,
  e: { name: string; method: number; flags: number; compressedSize: number; size: number; offset: number },
  limits?: Partial<ZipLimits>,
): ZipEntry {
  const lim: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  return makeEntry(raw, e.name, e.method, e.flags, e.compressedSize, e.size, 0, e.offset, false, lim);
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
    read(maxOutput = Infinity): Buffer {
      const capped = { maxEntrySize: Math.min(lim.maxEntrySize, maxOutput), maxRatio: lim.maxRatio };
      if (dataStart + csize > data.length) throw new RangeError(`member ${JSON.stringify(name)} is truncated`);
      const raw = data.subarray(dataStart, dataStart + csize);
      if (flags & 0x41) throw new UnsupportedContentError(`member ${JSON.stringify(name)} is encrypted`, raw);
      if (method === 0) {
        if (csize > lim.maxEntrySize)
          throw new ContainerLimitError(`member ${JSON.stringify(name)} is larger than ${lim.maxEntrySize} bytes`);
        return raw;
      }
      // CPython's zipfile (`_get_decompressor`) reads stored, deflate, bzip2 (12) and lzma (14).
      if (method === 12) return bunzip2Capped(raw, entryCap(raw, capped), () => tooLarge(name, entryCap(raw, capped)));
      if (method === 14)
        return unlzmaCapped(
          zipLzmaToAlone(raw, flags, usize),
          entryCap(raw, capped),
          () => tooLarge(name, entryCap(raw, capped)),
          false, // zipfile's LZMADecompressor reads the member's one stream
        );
      if (method !== 8)
        throw new UnsupportedContentError(`member ${JSON.stringify(name)} uses compression method ${method}`, raw);
      return inflateCapped(raw, capped, name);
    },
    readHead(compressedBytes: number): Buffer | undefined {
      if (dataStart + csize > data.length) return undefined;
      return decodeHead(method, flags, data.subarray(dataStart, dataStart + Math.min(csize, compressedBytes)));
    },
  };
}

/** The decoded start of a member from the start of its stored or deflated data; undefined for anything else. */
export function decodeHead(method: number, flags: number, prefix: Buffer): Buffer | undefined {
  if (flags & 0x41) return undefined;
  if (method === 0) return prefix;
  if (method !== 8) return undefined;
  try {
    // A cut deflate stream decodes up to the cut with a sync flush instead of failing on its missing end.
    return inflateRawSync(prefix, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

/** Inflate with a cap of min(maxEntrySize, ratio × compressed size); exceeding it is a ContainerLimitError. */
function entryCap(raw: Buffer, lim: Pick<ZipLimits, 'maxEntrySize' | 'maxRatio'>): number {
  return Math.min(lim.maxEntrySize, Math.max(1 << 20, raw.length * lim.maxRatio));
}

function tooLarge(name: string, cap: number): ContainerLimitError {
  return new ContainerLimitError(
    `member ${JSON.stringify(name)} inflates past ${cap} bytes (limit on size and ratio)`,
    cap,
  );
}

export function inflateCapped(raw: Buffer, lim: Pick<ZipLimits, 'maxEntrySize' | 'maxRatio'>, name: string): Buffer {
  const cap = entryCap(raw, lim);
  try {
    return inflateRawSync(raw, { maxOutputLength: cap });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(name, cap);
    }
    throw err;
  }
}

function parseLocal(data: Buffer, at: number) {
  if (at < 0 || at + LOCAL_SIZE > data.length) return undefined;
  // A nameless local header is still a member's: miniz finds members by their central-directory name only.
  const h = parseLocalHeader(data.subarray(at, Math.min(data.length, at + LOCAL_SIZE + 2 * 0xffff)));
  if (!h) return undefined;
  return {
    name: h.name,
    flags: h.flags,
    method: h.method,
    csize: h.compressedSize,
    usize: h.size,
    dataStart: at + h.headerLength,
  };
}

/** The central directory through the one shared reader; its problems are reported, never thrown past. */
function readCentralDirectory(
  data: Buffer,
  problems: string[],
  mismatches: string[],
  extraEocds: number[],
  lim: ZipLimits,
): { records: CentralRecord[]; at?: DirectoryLocation } {
  const tail = data.subarray(Math.max(0, data.length - EOCD_SEARCH));
  const found = locateDirectory(tail, data.length);
  if (!found.ok) {
    if (data.indexOf('PK\x05\x06', 0, 'latin1') >= 0 || data.indexOf('PK\x01\x02', 0, 'latin1') >= 0)
      problems.push(found.reason);
    return { records: [] };
  }
  const at = found.at;
  // Other end records are other readers' candidates: a second directory or a nested archive (sorted out later).
  for (
    let i = data.lastIndexOf('PK\x05\x06', data.length, 'latin1');
    i >= 0;
    i = i > 0 ? data.lastIndexOf('PK\x05\x06', i - 1, 'latin1') : -1
  )
    if (i !== at.eocdOffset) extraEocds.push(i);
  if (at.commentMismatch)
    mismatches.push(
      "the end record's comment length disagrees with the bytes after it; readers may pick another end record",
    );
  if (at.cdOffset + directoryReadLength(at) > data.length) {
    problems.push(`central directory (${at.cdSize} bytes at ${at.cdOffset}) lies outside the file`);
    return { records: [], at };
  }
  const dir = parseDirectory(data.subarray(at.cdOffset, at.cdOffset + directoryReadLength(at)), at);
  if (dir.entries.length > lim.maxEntries) throw new ContainerLimitError(`zip has more than ${lim.maxEntries} entries`);
  for (const p of dir.problems) {
    if (/more than \d+ entries|past the \d+-byte limit/.test(p)) throw new ContainerLimitError(p);
    problems.push(p);
  }
  const records = dir.entries.map((e) => ({
    name: e.name,
    method: e.method,
    flags: e.flags,
    csize: e.compressedSize,
    usize: e.size,
    offset: e.offset,
    ...(e.symlink ? { symlink: e.symlink } : {}),
  }));
  return { records, at };
}
