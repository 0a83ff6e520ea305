import type { FileSource } from '../../core/file-source.js';
import type { CentralEntry, DirectoryLocation } from '../../discover/formats/zip-directory.js';
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
} from '../../discover/formats/zip-directory.js';
import type { Add, ContentContext } from './content.js';
import {
  emptyFolder,
  inspectZipArchive,
  isLargeNpy,
  NPY_MAGIC,
  NPY_HEAD_BYTES,
  overlapping,
  PICKLE_NAME,
  plainNpyHeader,
  storageMembers,
} from './content.js';
import { analyseDeflatedMember } from './member-stream.js';
import { looksLikePickleStream } from '../pickle/pickles.js';
import { pushAll } from '../../core/push-all.js';
import { TORCH_BYTECODE_PKL } from '../containers/torchscript-bytecode.js';

/** Deflated pickle members larger than this are inflated as the pickle reader goes, not held whole. */
const STREAM_MEMBER = 8 << 20;
import { ContainerLimitError } from '../containers/errors.js';
import { unsafeMemberName } from '../containers/names.js';
import type { MinizView, ZipEntry } from '../containers/zip.js';
import { decodeHead, minizViewBase, rangedEntry } from '../containers/zip.js';

/**
 * A zip of any size, read by positioned reads through the one shared directory reader: the tail, the central
 * directory, and only the members a loader unpickles (`data.pkl`, …). Tensor storages (`data/0`…), usually all of
 * a multi-GB checkpoint, are never read — torch's `PyTorchStreamReader` hands them to storages, not to pickle.
 * Memory is bounded by the largest member inspected, which the content limits cap.
 */
export async function inspectZipByRanges(src: FileSource, ctx: ContentContext): Promise<void> {
  const add: Add = (ruleId, message, evidence = {}) =>
    ctx.findings.push({ ruleId, message, level: 'error', location: { path: ctx.path }, evidence });
  const tailLen = Math.min(src.size, EOCD_SEARCH);
  const found = locateDirectory(await src.read(src.size - tailLen, tailLen), src.size);
  if (!found.ok) {
    add('CPI013', `${ctx.path}: ${found.reason}; the archive is not known to be safe.`, { detail: found.reason });
    return;
  }
  const at = found.at;
  const dir = parseDirectory(await src.read(at.cdOffset, directoryReadLength(at)), at);
  const problems = [...dir.problems];
  const mismatches: string[] = [];
  if (at.commentMismatch)
    mismatches.push(
      "the end record's comment length disagrees with the bytes after it; readers may pick another end record",
    );
  const entries: ZipEntry[] = [];
  // Members sharing compressed bytes are refused unread (inspectZipArchive): never streamed either.
  const overlaps = overlapping(dir.entries);
  const storage = storageMembers(dir.entries, ctx.npz === true);
  for (const e of dir.entries) {
    if (emptyFolder(e) || (storage(e.name) && !(await startsWithNpy(src, e)))) continue;
    entries.push(await readEntry(src, e, ctx, problems, mismatches, overlaps));
  }
  const directoryNames = dir.entries.map((e) => e.name);
  const unsafeNames = directoryNames.filter((n) => unsafeMemberName(n));
  const miniz = await readMinizView(src, at, dir.entries, ctx);
  inspectZipArchive(
    { entries, directoryNames, problems, mismatches, unsafeNames, ...(miniz ? { miniz } : {}) },
    ctx.path,
    (n) => n,
    0,
    ctx,
    add,
  );
}

/**
 * torch.load's view when it reads another directory than zipfile (`minizLocation`), by ranges as above: its own
 * storages left unread, members zipfile lists too (same local header, same name) not read twice.
 */
async function readMinizView(
  src: FileSource,
  at: DirectoryLocation,
  zipfileEntries: readonly CentralEntry[],
  ctx: ContentContext,
): Promise<MinizView | undefined> {
  const recordAt = minizZip64RecordOffset(at, src.size);
  const record = recordAt === undefined ? undefined : await src.read(recordAt, ZIP64_RECORD_SIZE);
  const found = minizLocation(at, src.size, record);
  if (!found) return undefined;
  const view = minizViewBase(found, at);
  if (!found.readable)
    return {
      ...view,
      entries: [],
      problems: [found.refused ?? `its directory (${found.at.cdSize} bytes) runs past the file`],
    };
  const dir = parseDirectory(await src.read(found.at.cdOffset, directoryReadLength(found.at)), found.at);
  const problems = [...dir.problems];
  const same = new Set(zipfileEntries.map((e) => `${e.offset}:${e.name}`));
  const overlaps = overlapping(dir.entries);
  const storage = storageMembers(dir.entries, ctx.npz === true);
  const entries: ZipEntry[] = [];
  for (const e of dir.entries) {
    if (emptyFolder(e) || same.has(`${e.offset}:${e.name}`)) continue;
    if (storage(e.name) && !(await startsWithNpy(src, e))) continue;
    // miniz never compares the local header's name with the directory's: no name mismatch to report here.
    entries.push(await readEntry(src, e, ctx, problems, [], overlaps));
  }
  return { ...view, entries, problems };
}

/** Bytes of a storage member's local header read at once: its fixed part, its name and a usual extra field. */
const STORAGE_PEEK = LOCAL_SIZE + 1024;

/**
 * Whether a member left unread as a torch storage starts with the `.npy` magic (`np.load` opens any zip as an
 * NpzFile and reads such a member as an array): a few bytes of its local header and data, never the storage itself.
 * A head we cannot decode counts as one, so the member is read.
 */
async function startsWithNpy(src: FileSource, e: CentralEntry): Promise<boolean> {
  let head = await src.read(e.offset, Math.min(STORAGE_PEEK, Math.max(0, src.size - e.offset)));
  if (head.length >= LOCAL_SIZE) {
    const wanted = LOCAL_SIZE + head.readUInt16LE(26) + head.readUInt16LE(28) + 64;
    if (wanted > head.length) head = await src.read(e.offset, Math.min(wanted, Math.max(0, src.size - e.offset)));
  }
  const local = parseLocalHeader(head);
  if (!local) return true;
  const data = decodeHead(e.method, e.flags ?? 0, head.subarray(local.headerLength));
  return data === undefined || data.toString('latin1', 0, 6) === NPY_MAGIC;
}

async function readEntry(
  src: FileSource,
  e: CentralEntry,
  ctx: ContentContext,
  problems: string[],
  mismatches: string[],
  overlaps: ReadonlySet<CentralEntry>,
): Promise<ZipEntry> {
  const cap = Math.min(ctx.limits.maxEntrySize, ctx.limits.maxTotalBytes);
  const failing = (err: Error): ZipEntry => ({
    ...e,
    read: () => {
      throw err;
    },
  });
  // A member larger than the cap is refused unread, except a large .npy whose head is read below: a plain-dtype
  // array of any size (a 20 GB stored `np.savez` member) is judged by its header, as np.load would only copy it.
  if ((e.compressedSize > cap || e.size > cap) && !isLargeNpy(e))
    return failing(new ContainerLimitError(`member ${JSON.stringify(e.name)} is larger than ${cap} bytes`));
  const head = await src.read(e.offset, Math.min(LOCAL_SIZE + 2 * 0xffff, Math.max(0, src.size - e.offset)));
  const local = parseLocalHeader(head);
  if (!local) {
    problems.push(
      `central directory entry ${JSON.stringify(e.name)} points at ${e.offset}, where there is no local header`,
    );
    return failing(new RangeError(`member ${JSON.stringify(e.name)} has no local header`));
  }
  if (local.name !== e.name)
    mismatches.push(
      `member named ${JSON.stringify(e.name)} in the central directory is ${JSON.stringify(local.name)} in its local header`,
    );
  // Read as CPython's `ZipFile.open` does: the directory's method and compressed size, after the local header.
  const dataAt = e.offset + local.headerLength;
  if (isLargeNpy(e)) {
    // A plain-dtype array is judged by its header (content.ts `plainNpyMember`): only the head is read.
    const flags = e.flags ?? 0;
    const head = decodeHead(e.method, flags, await src.read(dataAt, Math.min(e.compressedSize, NPY_HEAD_BYTES)));
    if (plainNpyHeader(head) !== undefined)
      return { ...e, readHead: () => head, read: () => failing(new Error('read by its header only')).read() };
  }
  // A lite interpreter's bytecode.pkl is read whole like code/: its operator names are judged besides its pickle.
  if (
    e.method === 8 &&
    !((e.flags ?? 0) & 0x41) &&
    e.size > STREAM_MEMBER &&
    !overlaps.has(e) &&
    !TORCH_BYTECODE_PKL.test(e.name)
  ) {
    // A large deflated pickle is inflated as the pickle reader goes, never held; its findings are the member's.
    const head = decodeHead(8, e.flags ?? 0, await src.read(dataAt, Math.min(e.compressedSize, 4096)));
    if (PICKLE_NAME.test(e.name) || (head !== undefined && looksLikePickleStream(head, false))) {
      pushAll(ctx.findings, await analyseDeflatedMember(src, dataAt, e, ctx));
      return { ...e, readElsewhere: true, read: () => Buffer.alloc(0) };
    }
  }
  if (e.compressedSize > cap || e.size > cap)
    return failing(new ContainerLimitError(`member ${JSON.stringify(e.name)} is larger than ${cap} bytes`));
  const raw = await src.read(dataAt, e.compressedSize);
  return rangedEntry(raw, e, { maxEntrySize: cap, maxRatio: ctx.limits.maxRatio });
}
