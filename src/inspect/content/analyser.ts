import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { PICKLE_CLAIMS, PICKLE_FORMATS } from '../../discover/catalogue/index.js';
import type { Finding } from '../../core/finding.js';
import type { AnalysisReport, ModelAnalyser } from '../analyser.js';
import type { ContentContext, ContentLimits } from './content.js';
import { addDuplicateKeys, DEFAULT_CONTENT_LIMITS, insideCompression, inspectContent, TAR_HEAD } from './content.js';
import { sniffCompression } from '../containers/compression.js';
import { parseNpyHeader } from '../containers/npy.js';
import {
  analyseLeadingPickleFile,
  analysePickleFile,
  isLegacyTorch,
  leadingFindings,
  looksLikePickleStream,
} from '../pickle/pickles.js';
import type { SidecarRef } from '../pickle/joblib.js';
import { followSidecars } from '../pickle/joblib-sidecars.js';
import type { FileOpener, FileSource } from '../../core/file-source.js';
import { createFileOpener } from '../../io/file-source.js';
import { inspectZipByRanges } from './zip-ranged.js';
import { analyseCompressedStream } from './streamed.js';
import { walkTarStream } from './tar-stream.js';
import { isTar } from '../containers/tar.js';
import { linkSteps } from '../containers/tar-links.js';
import { loadLzmaDecoder } from '../containers/lzma.js';
import { isOpcode } from '../pickle/vm.js';
import { isPicklePrefix, leadingPickle } from '../../discover/formats/pickle-head.js';
import { MAX_NPY_HEADER, npyHeaderEnd } from '../../discover/formats/npy-header.js';
import { DISTCP_NAME, distcpItems, distcpMember, type DistcpItem } from './distcp.js';
import { DISTCP_ITEM } from '../pickle/verdict.js';
import { sliceSource } from './member-stream.js';
import { loadMemberReaders } from './member-formats.js';
import { declaredRanges } from './distcp-metadata.js';
import { locateInRoot } from '../../io/open-regular.js';
import { folderOf } from '../../io/raw-names.js';
import path from 'node:path';
import { leavesBase } from '../../core/relative-path.js';

/** Files larger than this are never read whole: pickles stream from disk, containers past it are a finding. */
const MAX_IN_MEMORY = 64 * 1024 ** 2;

const RULES_NOT_FULLY_READ = new Set(['CPI003', 'CPI004', 'CPI012', 'CPI013', 'CPI015', 'CPI016']);

export const pickleAnalyser: ModelAnalyser = {
  name: 'pickle',
  formats: PICKLE_FORMATS,
  async analyze(file: DiscoveredFile, ctx: ScanContext): Promise<AnalysisReport> {
    const findings = await analyseAnySize(file, ctx.policy.models.allowedGlobals, ctx.files, ctx.root);
    const artifact = { kind: 'model' as const, path: file.path, format: file.format };
    const withArtifact = findings.map((f) => ({ ...f, artifact: f.artifact ?? artifact }));
    const partial = findings.some((f) => RULES_NOT_FULLY_READ.has(f.ruleId));
    return { status: partial ? 'partial' : 'ok', findings: withArtifact };
  },
};

/**
 * Inspect a file of any size through the I/O edge (so its bytes are counted in `result.io`). Pickles stream in
 * bounded windows; a zip past the in-memory limit (a multi-GB torch checkpoint) is read by ranges: its directory
 * and the members a loader unpickles, never its tensor storages. `limits` other than the defaults are for tests:
 * the same paths at a budget of MiBs instead of GiBs (the real sizes run in `npm run bench`).
 */
export async function analyseAnySize(
  file: DiscoveredFile,
  allowedGlobals: readonly string[],
  opener: FileOpener = createFileOpener(),
  root?: string,
  limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
): Promise<Finding[]> {
  // The xz/LZMA_Alone decoder loads asynchronously; the content reader below is synchronous.
  await loadLzmaDecoder();
  const sidecars: SidecarRef[] = [];
  const declared = root !== undefined && DISTCP_NAME.test(file.path) ? await shardRanges(file, root, opener) : [];
  const src = await opener.open(file.abs, file.path, file);
  let findings: Finding[];
  try {
    findings = await analyseFile(src, file, allowedGlobals, (ref) => sidecars.push(ref), limits);
    // A DCP shard's items and the files its .metadata names are archives, whatever this file was.
    if (declared.length > 0 || (root !== undefined && path.posix.basename(file.path) === DCP_METADATA))
      await loadMemberReaders();
    if (declared.length > 0)
      findings = findings.concat(await inspectDeclared(src, file, declared, { extra: allowedGlobals }, limits));
    if (root !== undefined && path.posix.basename(file.path) === DCP_METADATA)
      findings = findings.concat(await inspectOtherTargets(src, file, root, opener, { extra: allowedGlobals }, limits));
  } finally {
    await src.close();
  }
  if (root === undefined || sidecars.length === 0) return findings;
  // The joblib sidecar files the pickle makes joblib.load open. np.load reads a sidecar with plain pickle.load, so
  // a sidecar names no further sidecars (no root passed down).
  const followed = await followSidecars(file, root, sidecars, (sidecar) =>
    analyseAnySize(sidecar, allowedGlobals, opener, undefined, limits),
  );
  return findings.concat(followed);
}

/** Inspect one opened file by its content. */
async function analyseFile(
  src: FileSource,
  file: DiscoveredFile,
  allowedGlobals: readonly string[],
  onSidecar: (ref: SidecarRef) => void,
  limits: ContentLimits,
): Promise<Finding[]> {
  const size = src.size;
  const h = await src.read(0, Math.min(size, 1 << 16));
  const allow = { extra: allowedGlobals };
  const claims = PICKLE_CLAIMS.has(file.format) || (file.claimed !== undefined && PICKLE_CLAIMS.has(file.claimed));
  // The walk found a zip's end record behind a head no format claims, in a file its name's loader opens as a zip.
  const zipBehindHead = file.zipBehindHead === true;
  const headPickle = !isContainerHead(h) && readAsPickle(h, size, claims);
  const plainPickle = !zipBehindHead && headPickle;
  // A pickle with that zip behind it: pickle.load (which goes by content) reads the one, zipfile the other.
  const ahead: Finding[] =
    zipBehindHead && headPickle ? await analysePickleFile(src, { path: file.path, allow, what: 'pickle' }) : [];
  const npyHead = h.toString('latin1', 0, 6) === '\x93NUMPY';
  // A .npy head with that zip behind it: np.load (by the magic) reads the array, zipfile the archive.
  if (npyHead && zipBehindHead) ahead.push(...(await analyseNpyFile(src, file, h, allow)));
  // Anything but a pickle or .npy stream may hold members another format's reader judges: their readers load here.
  if (!plainPickle && (!npyHead || zipBehindHead)) await loadMemberReaders();
  if (DISTCP_NAME.test(file.path) && h.length >= 4 && h.readUInt32LE(0) === 0x04034b50) {
    const items = await distcpItems(src);
    if (items !== undefined && items.length > 1) return inspectDistcp(src, file, items, allow, limits);
  }
  if (size > MAX_IN_MEMORY && (zipBehindHead || isZipHead(h))) {
    const npz = isNpz(file);
    const ctx: ContentContext = { path: file.path, allow, limits, findings: ahead, extracted: 0, npz, zipBehindHead };
    await inspectZipByRanges(src, ctx);
    return ctx.findings;
  }
  if (size > MAX_IN_MEMORY && isTar(h)) {
    const byRanges = await inspectTarByRanges(src, file.path, allow, limits);
    if (byRanges !== undefined) {
      // content.ts `inspectTarHead`, with the pickle read from the file: its head may run past the 64 KiB read here.
      const lead = leadingPickle(h, false);
      const head = lead === 'no' ? [] : await analyseLeadingPickleFile(src, { path: file.path, allow, what: TAR_HEAD });
      return leadingFindings(lead, head).concat(byRanges);
    }
  }
  if (plainPickle) {
    return analysePickleFile(src, { path: file.path, allow, what: 'pickle', onSidecar });
  }
  if (npyHead && !zipBehindHead) return analyseNpyFile(src, file, h, allow);
  // A compressed pickle is decompressed as the pickle reader goes, never whole (zlib only where joblib claims it,
  // as inspectContent decides).
  const compressed = sniffCompression(h);
  if (
    compressed === 'gzip' ||
    compressed === 'zf' ||
    compressed === 'bzip2' ||
    compressed === 'xz' ||
    compressed === 'lzma' ||
    compressed === 'lz4' ||
    (compressed === 'zlib' && claims && file.format === 'joblib')
  ) {
    const behind = insideCompression(file.path, claims);
    const found = await analyseCompressedStream(src, compressed, {
      path: file.path,
      allow,
      limits,
      onSidecar,
      claimed: behind.claimed,
    });
    if (Array.isArray(found)) return found;
    if (found !== undefined) {
      const ctx: ContentContext = {
        path: file.path,
        allow,
        limits,
        findings: found.findings,
        extracted: found.decompressed,
        linkSteps: found.linkSteps,
      };
      inspectContent(found.tar, behind.name, found.member, found.depth, 'sniff', ctx);
      return ctx.findings;
    }
  }
  if (size > MAX_IN_MEMORY) {
    return [
      {
        ruleId: 'CPI012',
        message: `${file.path}: ${size} bytes is past the ${MAX_IN_MEMORY}-byte limit for archives read in memory; it was not checked.`,
        location: { path: file.path },
        evidence: { size, limit: MAX_IN_MEMORY },
      },
    ];
  }
  const data = await src.read(0, size);
  const ctx: ContentContext = {
    path: file.path,
    allow,
    limits,
    findings: ahead,
    extracted: 0,
    onSidecar,
    npz: isNpz(file),
    zipBehindHead,
  };
  const known = inspectContent(
    data,
    file.path,
    undefined,
    0,
    claims && file.format === 'joblib' ? 'claimed' : 'sniff',
    ctx,
  );
  // A file the walk recognised nothing in, under a name its loader unpickles, always gets a finding here: the models
  // stage leaves this cause to this one (models/mismatch.ts), so a read that found nothing to say still says it.
  const unrecognisedClaim = file.format === 'other' && claims && ctx.findings.length === 0;
  if ((!known && (claims || file.format !== 'other')) || unrecognisedClaim) {
    ctx.findings.push({
      ruleId: 'CPI016',
      message: `${file.path}: named as ${file.claimed ?? file.format} but the content is ${describeHead(h)}, not a valid model file. Replace it or rename it to what it is.`,
      location: { path: file.path },
      evidence: { claimed: file.claimed ?? file.format, head: h.subarray(0, 8).toString('hex') },
    });
  }
  return ctx.findings;
}

/**
 * A Distributed Checkpoint shard, item by item as `FileSystemReader.read_data` cuts it (distcp.ts): each item is the
 * archive `torch.load` reads, in memory when small, else by ranges like any large checkpoint.
 */
async function inspectDistcp(
  src: FileSource,
  file: DiscoveredFile,
  items: readonly DistcpItem[],
  allow: { extra: readonly string[] },
  limits: ContentLimits,
  member: (item: DistcpItem) => string = distcpMember,
): Promise<Finding[]> {
  const ctx: ContentContext = { path: file.path, allow, limits, findings: [], extracted: 0 };
  for (const item of items) {
    const view = sliceSource(src, item.start, item.end - item.start);
    if (view.size > MAX_IN_MEMORY) await inspectZipByRanges(view, ctx);
    else inspectContent(await view.read(0, view.size), file.path, member(item), 0, 'sniff', ctx);
  }
  return ctx.findings;
}

const DCP_METADATA = '.metadata';

/**
 * Ranges a `.metadata` declares in files that are not the shards beside it (those are read with the shard,
 * `shardRanges`): `read_data` opens `concat_path(checkpoint, relative_path)` whatever it names, so a README or an
 * image in the folder, or a file elsewhere in the tree through `..`, is cut and torch.loaded all the same. Each range
 * is inspected as an item and reported at the `.metadata`, naming the file (`<distcp item@offset in path>`). A path
 * that leaves the scan root or names no regular file is not read: one CPI131 names them all.
 */
async function inspectOtherTargets(
  src: FileSource,
  file: DiscoveredFile,
  root: string,
  opener: FileOpener,
  allow: { extra: readonly string[] },
  limits: ContentLimits,
): Promise<Finding[]> {
  if (src.size > MAX_IN_MEMORY) return [];
  const declared = declaredRanges(await src.read(0, src.size));
  const out: Finding[] = [];
  const unchecked: [rel: string, why: string][] = [];
  for (const rel of [...declared.keys()].sort()) {
    const abs = path.resolve(folderOf(file.abs), rel);
    const inRoot = path.relative(root, abs);
    if (leavesBase(inRoot)) {
      unchecked.push([rel, 'outside the scan root']);
      continue;
    }
    const located = await locateInRoot(root, abs);
    if (located.kind !== 'file') {
      unchecked.push([rel, UNREACHED[located.kind]]);
      continue;
    }
    // A shard beside the `.metadata` is read with its own ranges (`shardRanges`).
    if (DISTCP_NAME.test(rel) && !/[/\\]/.test(rel)) continue;
    const shown = inRoot.split(path.sep).join('/');
    const target = await opener.open(located.real, shown, located.stats);
    try {
      const budget = withinBudget(file, uniqueRanges(declared.get(rel)!, target.size, new Set()), target.size, shown);
      const named = (i: DistcpItem) => `${DISTCP_ITEM}${i.start} in ${shown}>`;
      out.push(...(await inspectDistcp(target, file, budget.items, allow, limits, named)), ...budget.findings);
    } finally {
      await target.close();
    }
  }
  if (unchecked.length > 0) out.push(uncheckedTargets(file, unchecked, declared));
  return out;
}

const UNREACHED: Record<'missing' | 'symlink-outside-root' | 'not-regular-file', string> = {
  missing: 'missing',
  'symlink-outside-root': 'a link out of the scan root',
  'not-regular-file': 'not a regular file',
};

/** CPI131: the files a `.metadata` makes read_data open that were not read, each with why (one finding for all). */
function uncheckedTargets(
  file: DiscoveredFile,
  unchecked: readonly (readonly [rel: string, why: string])[],
  declared: ReadonlyMap<string, readonly DistcpItem[]>,
): Finding {
  const items = unchecked.reduce((n, [rel]) => n + declared.get(rel)!.length, 0);
  const shown = unchecked.slice(0, 5).map(([rel, why]) => `${JSON.stringify(rel)} (${why})`);
  const more = unchecked.length > shown.length ? ` and ${unchecked.length - shown.length} more` : '';
  return {
    ruleId: 'CPI131',
    message: `${file.path}: the Distributed Checkpoint .metadata makes torch read ${items} item${items === 1 ? '' : 's'} from ${unchecked.length === 1 ? 'a file' : `${unchecked.length} files`} chainproof could not check: ${shown.join(', ')}${more}. FileSystemReader.read_data opens each path joined to the checkpoint folder and torch.loads what it cuts out there. Do not load this checkpoint.`,
    location: { path: file.path },
    evidence: { files: unchecked.map(([rel, why]) => `${rel} (${why})`).join(', '), items },
  };
}

/**
 * At most this many declared ranges, and bytes in them beyond the file's own size, are inspected per file: a genuine
 * checkpoint declares exactly its shards' items, which are read already, so every extra range is an oddity, and a
 * hostile `.metadata` could otherwise make the scan re-read one large shard without end.
 */
const MAX_EXTRA_RANGES = 1024;

/** The ranges within budget, and a CPI004 (error: what was not checked may hide code) naming what was left. */
function withinBudget(
  file: DiscoveredFile,
  items: readonly DistcpItem[],
  size: number,
  where: string,
): { items: DistcpItem[]; findings: Finding[] } {
  let bytes = 0;
  const kept: DistcpItem[] = [];
  for (const i of items) {
    if (kept.length >= MAX_EXTRA_RANGES || bytes + (i.end - i.start) > Math.max(size, MAX_IN_MEMORY)) break;
    bytes += i.end - i.start;
    kept.push(i);
  }
  const left = items.length - kept.length;
  if (left === 0) return { items: kept, findings: [] };
  const message = `${file.path}: the Distributed Checkpoint .metadata declares ${items.length} ranges in ${where} beyond its items; ${left} of them were not checked (past ${MAX_EXTRA_RANGES} ranges or the file's size in bytes read). Do not load this checkpoint.`;
  return {
    items: kept,
    findings: [
      {
        ruleId: 'CPI004',
        message,
        location: { path: file.path },
        evidence: { declared: items.length, unchecked: left },
      },
    ],
  };
}

/** Declared ranges inside a file of `size` bytes, each once, in file order, but for those in `skip` (`start:end`). */
function uniqueRanges(declared: readonly DistcpItem[], size: number, skip: ReadonlySet<string>): DistcpItem[] {
  const seen = new Set<string>(skip);
  return declared
    .filter(
      (i) => i.end > i.start && i.end <= size && !seen.has(`${i.start}:${i.end}`) && seen.add(`${i.start}:${i.end}`),
    )
    .sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * The ranges of this shard that its folder's `.metadata` declares (distcp-metadata.ts), which `read_data` cuts out and
 * loads whatever the shard's own layout: none when there is no readable `.metadata` beside it.
 */
async function shardRanges(file: DiscoveredFile, root: string, opener: FileOpener): Promise<DistcpItem[]> {
  const located = await locateInRoot(root, path.join(folderOf(file.abs), '.metadata'));
  if (located.kind !== 'file' || located.stats.size > MAX_IN_MEMORY) return [];
  const { real, stats } = located;
  const key = `${real}\0${stats.size}\0${stats.mtimeMs}`;
  // Every shard of a checkpoint reads the same `.metadata`: it is parsed once while its shards are inspected.
  if (lastMetadata?.key !== key) {
    const read = async (): Promise<Map<string, DistcpItem[]>> => {
      const meta = await opener.open(real, path.relative(root, real).split(path.sep).join('/'), stats);
      try {
        return declaredRanges(await meta.read(0, meta.size));
      } finally {
        await meta.close();
      }
    };
    // One that cannot be read declares nothing here; its own inspection reports what is wrong with it.
    lastMetadata = { key, ranges: read().catch(() => new Map<string, DistcpItem[]>()) };
  }
  return (await lastMetadata.ranges).get(path.posix.basename(file.path)) ?? [];
}

let lastMetadata: { readonly key: string; readonly ranges: Promise<Map<string, DistcpItem[]>> } | undefined;

/**
 * The declared ranges the shard's own items do not already cover (an archive hidden inside another item's tensor
 * bytes, or a shard that does not tile), each inspected as the item `torch.load` reads there. A range past the end
 * of the file gives torch.load a short read, which fails: it is skipped.
 */
async function inspectDeclared(
  src: FileSource,
  file: DiscoveredFile,
  declared: readonly DistcpItem[],
  allow: { extra: readonly string[] },
  limits: ContentLimits,
): Promise<Finding[]> {
  const own = new Set(((await distcpItems(src)) ?? []).map((i) => `${i.start}:${i.end}`));
  const budget = withinBudget(file, uniqueRanges(declared, src.size, own), src.size, 'this shard');
  if (budget.items.length === 0) return budget.findings;
  return (await inspectDistcp(src, file, budget.items, allow, limits)).concat(budget.findings);
}

/**
 * A tar past the in-memory limit (a checkpoint folder packed with `tar`), walked in order as `tarfile` reads it:
 * headers and small members are kept for the in-memory reader, a large pickle member is read by range, large raw
 * members (tensor data) are skipped unread. Undefined when the walk cannot keep parity (see walkTarStream).
 */
async function inspectTarByRanges(
  src: FileSource,
  path: string,
  allow: { extra: readonly string[] },
  limits: ContentLimits,
): Promise<Finding[] | undefined> {
  const findings: Finding[] = [];
  // One budget for following symlinks, shared by the walk and the in-memory reader of the image it keeps. The walk
  // follows no link but the config's way (unreadNemoConfigs), from the budget's own config look-up share, which the
  // reader's look-up resolves again (nemo-config.ts `configSteps`); readTar's links are followed once, by the reader.
  const steps = linkSteps(limits.maxLinkSteps);
  const tar = await walkTarStream(
    src,
    { path, allow, member: undefined, maxImage: limits.maxInMemory, maxEntries: limits.maxEntries, linkSteps: steps },
    findings,
  );
  if (tar === undefined) return undefined;
  const ctx: ContentContext = { path, allow, limits, findings, extracted: 0, linkSteps: steps };
  inspectContent(tar, path, undefined, 0, 'sniff', ctx);
  return ctx.findings;
}

/** `np.load` opens a zip as an NpzFile (numpy/lib/npyio.py `load`: zip magic → NpzFile) for a numpy-npz file. */
function isNpz(file: DiscoveredFile): boolean {
  return file.format === 'numpy-npz' || file.claimed === 'numpy-npz';
}

async function analyseNpyFile(
  src: FileSource,
  file: DiscoveredFile,
  first: Buffer,
  allow: { extra: readonly string[] },
): Promise<Finding[]> {
  const head = await wholeNpyHeader(src, first);
  const h = parseNpyHeader(head);
  const dup: Finding[] = [];
  if (typeof h !== 'string' && h.duplicateKeys.length > 0)
    addDuplicateKeys(h.duplicateKeys, file.path, (ruleId, message, evidence = {}) =>
      dup.push({ ruleId, message, location: { path: file.path }, evidence }),
    );
  if (typeof h === 'string') {
    const invalid: Finding = {
      ruleId: 'CPI013',
      message: `${file.path}: not a valid .npy file: ${h}.`,
      location: { path: file.path },
      evidence: { detail: h },
    };
    // A header form not read here (or one too long to read) may still be one numpy accepts: a pickle after it is
    // judged all the same.
    const at = npyHeaderEnd(head);
    if (at === undefined || at >= src.size) return [invalid];
    const after = await src.read(at, Math.min(src.size - at, 1 << 16));
    if (!looksLikePickleStream(after, at + after.length >= src.size)) return [invalid];
    return [invalid, ...(await analysePickleFile(src, { path: file.path, allow, what: 'object-array pickle' }, at))];
  }
  if (h.hasObject) {
    const judged = await analysePickleFile(src, { path: file.path, allow, what: 'object-array pickle' }, h.dataOffset);
    // Only for an otherwise clean pickle: a flagged one already says not to load it.
    return dup.concat(judged, file.format === 'numpy' && judged.length === 0 ? [allowPickleNote(file)] : []);
  }
  if (h.dataSize !== undefined && h.dataOffset + h.dataSize > src.size) {
    return [
      {
        ruleId: 'CPI013',
        message: `${file.path}: .npy data is truncated (${src.size - h.dataOffset} of ${h.dataSize} bytes).`,
        location: { path: file.path },
        evidence: { expected: h.dataSize, actual: src.size - h.dataOffset },
      },
      ...dup,
    ];
  }
  return dup;
}

/**
 * The .npy head with its whole header: the first 64 KiB read for every file, or, when the header's length field runs
 * past them (np.save writes a long header for a dtype of thousands of fields; a crafted file pads one), the file up to
 * that header's end and a little beyond, so what follows it is seen too. Bounded by the largest header the parser reads.
 */
async function wholeNpyHeader(src: FileSource, first: Buffer): Promise<Buffer> {
  const end = npyHeaderEnd(first);
  if (end === undefined || end <= first.length || end - 12 > MAX_NPY_HEADER) return first;
  return src.read(0, Math.min(src.size, end + (1 << 16)));
}

/**
 * Whether the loader would unpickle a file with this head. A head that walks as a pickle is one, whatever magic a
 * first opcode's argument spells (`G` + `IF89a…` is a BINFLOAT, `M` + `Z…` a BININT2): `pickle.load` reads any bytes.
 * A name that promises a pickle (`torch.load`'s `_legacy_load` runs `pickle_module.load(f)` on any non-zip file)
 * makes any opcode-led head one, except a head in a known non-pickle format that fails as a pickle (a genuine GIF or
 * PE named `.pt` raises within its first bytes: it is reported as what it is, not as a broken pickle).
 */
function readAsPickle(h: Buffer, size: number, claims: boolean): boolean {
  if (looksLikePickleStream(h, h.length >= size) || isLegacyTorch(h)) return true;
  if (!claims || h.length === 0 || !isOpcode(h[0]!)) return false;
  return describeHead(h) === unrecognised(h) || isPicklePrefix(h);
}

/** A zip's local-header or (empty archive) end-record magic at byte 0, where torch.load and np.load look. */
function isZipHead(h: Buffer): boolean {
  return h.length >= 4 && (h.readUInt32LE(0) === 0x04034b50 || h.readUInt32LE(0) === 0x06054b50);
}

function isContainerHead(h: Buffer): boolean {
  if (isZipHead(h)) return true;
  if (h.toString('latin1', 0, 6) === '\x93NUMPY') return true;
  if (isTar(h)) return true;
  const c = sniffCompression(h);
  // zlib alone is too weak a signal here (a pickle can start with 0x78); LZMA_Alone's 0x5d is EMPTY_LIST.
  return c === 'gzip' || c === 'bzip2' || c === 'xz' || c === 'lzma' || c === 'zf' || c === 'lz4';
}

function describeHead(h: Buffer): string {
  if (h.length === 0) return 'empty';
  if (h.toString('latin1', 0, 2) === '7z') return 'a 7z archive';
  if (h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'a PNG image';
  if (h.toString('latin1', 0, 4) === '%PDF') return 'a PDF document';
  if (h.toString('latin1', 0, 2) === 'MZ' || h.toString('latin1', 1, 4) === 'ELF') return 'an executable';
  if (h.toString('latin1', 0, 3) === 'GIF' || (h[0] === 0xff && h[1] === 0xd8)) return 'an image';
  return unrecognised(h);
}

function unrecognised(h: Buffer): string {
  return `unrecognised bytes (${h.subarray(0, 8).toString('hex')})`;
}

/**
 * `np.load` defaults to `allow_pickle=False` (numpy >= 1.16.3): `numpy.lib.format.read_array` raises "Object arrays
 * cannot be loaded when allow_pickle=False" before unpickling anything. Said for a .npy file loaded on its own
 * (joblib sidecars and Keras npz weights are read with allow_pickle=True by their loaders).
 */
function allowPickleNote(file: DiscoveredFile): Finding {
  return {
    ruleId: 'CPI120',
    message: `${file.path}: this .npy holds an object array, stored as a pickle; np.load refuses it by default (allow_pickle=False) and loads it only with allow_pickle=True, which unpickles it. Store plain dtypes, or load it with allow_pickle=True only after reviewing what the pickle imports.`,
    location: { path: file.path },
    artifact: { kind: 'model', path: file.path, format: file.format },
    evidence: { loader: 'numpy.lib.format.read_array', allowPickle: 'required' },
  };
}
