import { inflateRawSync } from 'node:zlib';
import { bunzip2Capped } from '../containers/bzip2.js';
import { ContainerLimitError, UnsupportedContentError } from '../containers/errors.js';
import { unlzmaCapped, zipLzmaToAlone } from '../containers/lzma.js';
import type { CentralEntry } from '../../discover/formats/zip-directory.js';
import {
  directoryReadLength,
  EOCD_SEARCH,
  LOCAL_SIZE,
  locateDirectory,
  parseDirectory,
  parseLocalHeader,
  ZIP_LIMITS,
} from '../../discover/formats/zip-directory.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { cutAtNul, driveSync, FormatError, readAt } from './source.js';

export type { CentralEntry } from '../../discover/formats/zip-directory.js';

/**
 * A zip's entries from its central directory, read with positioned reads through the one shared zip reader
 * (`discover/formats/zip-directory.ts`, CPython `zipfile._EndRecData` / `_RealGetContents`). Only the directory
 * is read, never the weights.
 */
export function* centralDirectorySteps(src: RandomAccess): ParseSteps<CentralEntry[]> {
  const tailLen = Math.min(src.size, EOCD_SEARCH);
  const found = locateDirectory(yield* readAt(src, src.size - tailLen, tailLen), src.size);
  if (!found.ok) throw new FormatError(found.reason, src.size);
  const at = found.at;
  if (at.cdOffset + directoryReadLength(at) > src.size)
    throw new FormatError('central directory runs past the end of the file', at.cdOffset);
  const dir = parseDirectory(yield* readAt(src, at.cdOffset, directoryReadLength(at)), at);
  if (dir.truncated) {
    const limit = at.cdSize > directoryReadLength(at) || dir.entries.length >= ZIP_LIMITS.maxEntries;
    throw new FormatError(
      dir.problems[0] ?? 'central directory is truncated',
      at.cdOffset,
      limit ? 'limit' : 'malformed',
    );
  }
  return dir.entries;
}

/** `centralDirectorySteps` over bytes in memory. */
export function readCentralDirectory(src: RandomAccess): CentralEntry[] {
  return driveSync(centralDirectorySteps(src));
}

/**
 * Where a member's data starts: `ZipFile.open` takes the name and extra lengths from the local header, the sizes
 * from the directory. The fixed part first, then exactly the header: a reader of many members (torch-package.ts)
 * would otherwise load 128 KiB for each. Undefined when there is no local header there.
 */
export function* memberDataStart(src: RandomAccess, e: CentralEntry): ParseSteps<number | undefined> {
  if (src.size - e.offset < LOCAL_SIZE) return undefined;
  const fixed = yield* readAt(src, e.offset, LOCAL_SIZE);
  const headLen = Math.min(LOCAL_SIZE + fixed.readUInt16LE(26) + fixed.readUInt16LE(28), src.size - e.offset);
  const local = parseLocalHeader(yield* readAt(src, e.offset, headLen));
  return local ? e.offset + local.headerLength : undefined;
}

/** Read one member's bytes through its local header, inflating with a hard output cap. */
export function* readMember(src: RandomAccess, e: CentralEntry, maxSize: number): ParseSteps<Buffer> {
  if (e.flags & 1) throw new FormatError(`${e.name} is encrypted`, e.offset);
  if (e.size > maxSize)
    throw new FormatError(`${e.name} is ${e.size} bytes, past the ${maxSize}-byte limit`, e.offset, 'limit');
  const start = yield* memberDataStart(src, e);
  if (start === undefined) throw new FormatError(`no local header for ${e.name}`, e.offset);
  // The directory's compressed size is a claim: past the end of the file it is a truncated (or lying) member,
  // refused before any read is sized by it (CPython zipfile raises on the short read the same way).
  if (e.compressedSize > src.size - start)
    throw new FormatError(`${e.name} claims ${e.compressedSize} compressed bytes, past the end of the file`, e.offset);
  if (e.compressedSize > maxSize)
    throw new FormatError(
      `${e.name} is ${e.compressedSize} compressed bytes, past the ${maxSize}-byte limit`,
      e.offset,
      'limit',
    );
  const data = yield* readAt(src, start, e.compressedSize);
  if (e.method === 0) return data;
  return decodeMember(e, data, maxSize);
}

/**
 * A compressed member's bytes, for the methods CPython's `zipfile._get_decompressor` reads: deflate (8), bzip2 (12)
 * and lzma (14). Keras `saving_lib`, `skops.io.load` and torch-model-archiver's readers open members with that
 * zipfile, so a config stored with bzip2 or lzma loads like a deflated one. The output is capped at the size the
 * directory states (plus one byte, to see a lie) and the caller's limit. lzma needs `loadLzmaDecoder` first.
 */
function decodeMember(e: CentralEntry, data: Buffer, maxSize: number): Buffer {
  const cap = Math.max(1, Math.min(maxSize, e.size + 1));
  const tooLarge = () => new FormatError(`${e.name} inflates past its ${maxSize}-byte limit`, e.offset, 'limit');
  try {
    if (e.method === 8) return inflateRawSync(data, { maxOutputLength: cap });
    if (e.method === 12) return bunzip2Capped(data, cap, tooLarge);
    // zipfile's LZMADecompressor reads the member's one stream.
    if (e.method === 14) return unlzmaCapped(zipLzmaToAlone(data, e.flags, e.size), cap, tooLarge, false);
  } catch (err) {
    if (err instanceof FormatError) throw err;
    // Node reports output past maxOutputLength as a RangeError: the entry lied about its size (a bomb).
    if (err instanceof RangeError) throw tooLarge();
    if (err instanceof ContainerLimitError) throw new FormatError(`${e.name}: ${err.message}`, e.offset, 'limit');
    if (err instanceof UnsupportedContentError)
      throw new FormatError(`${e.name} could not be decompressed: ${err.message}`, e.offset);
    throw new FormatError(`${e.name} does not decompress (${(err as Error).message})`, e.offset);
  }
  throw new FormatError(`${e.name} uses compression method ${e.method}, which chainproof cannot read`, e.offset);
}

/**
 * The entries CPython's `zipfile` opens under `name`, in directory order (`ZipFile.open` takes the last):
 * `ZipInfo.__init__` cuts a stored name at its first NUL, so "config.json\0x" is read as "config.json" by every
 * Python loader of a zip (Keras `saving_lib`, skops `io.load`).
 */
export function entriesNamed(entries: readonly CentralEntry[], name: string): CentralEntry[] {
  return entries.filter((e) => pythonZipName(e.name) === name || e.unicodeName === name);
}

/**
 * How each Python names a member for `ZipFile.open`: up to 3.11 by its stored name, from 3.12 by its Unicode Path
 * name (`CentralEntry.unicodeName`) when it has one.
 */
export const PYTHON_ZIP_NAMINGS: readonly ((e: CentralEntry) => string)[] = [
  (e) => pythonZipName(e.name),
  (e) => e.unicodeName ?? pythonZipName(e.name),
];

/**
 * The entries `ZipFile.open(name)` reads, one per Python naming: the last entry of that name (`NameToInfo` keeps it).
 * One entry when they agree, two (3.11's first) when an extra field renames another member to `name`.
 */
export function entriesLoadedAs(entries: readonly CentralEntry[], name: string): CentralEntry[] {
  const loaded = PYTHON_ZIP_NAMINGS.map((nameOf) => entries.filter((e) => nameOf(e) === name).at(-1));
  return [...new Set(loaded.filter((e): e is CentralEntry => e !== undefined))];
}

/** A stored member name as CPython's `zipfile.ZipInfo` keeps it: up to its first NUL. */
export const pythonZipName = cutAtNul;
