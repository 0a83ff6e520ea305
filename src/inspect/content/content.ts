import type { Finding } from '../../core/finding.js';
import { formatFromName, namePromisesPickle, ZIP_FROM_TAIL } from '../../discover/catalogue/index.js';
import {
  directoryReadLength,
  EOCD_SEARCH,
  locateDirectory,
  parseDirectory,
} from '../../discover/formats/zip-directory.js';
import type { AllowContext } from '../pickle/allowlist.js';
import { decompress, sniffCompression } from '../containers/compression.js';
import { inflatesToPickle } from '../../discover/formats/compressed-head.js';
import { ContainerLimitError, StreamCutError, UnsupportedContentError } from '../containers/errors.js';
import { parseNpyHeader } from '../containers/npy.js';
import { npyHeaderEnd } from '../../discover/formats/npy-header.js';
import {
  analyseLeadingPickle,
  analysePickleBuffer,
  leadingFindings,
  looksLikePickle,
  looksLikePickleStream,
  type PickleTarget,
} from '../pickle/pickles.js';
import { leadingPickle } from '../../discover/formats/pickle-head.js';
import type { SidecarRef } from '../pickle/joblib.js';
import {
  isTar,
  readTar,
  tarfileReadsAsFile,
  WALKED_IMAGE_MARKS,
  type TarEntry,
  type UnsafeLink,
} from '../containers/tar.js';
import { hardLinkTargets, LINK_STEP_BUDGET, linkSteps, type LinkSteps } from '../containers/tar-links.js';
import { analyseLegacyTarRecords } from '../pickle/torch-legacy.js';
import { WEIGHTS_ONLY_REFUSED } from '../pickle/weights-only.js';
import { nemoConfigFindings, nemoConfigMembers, unresolvedNemoConfigProblem } from './nemo-config.js';
import { scanTorchScriptCode } from '../containers/torchscript.js';
import { scanMobileBytecode, TORCH_BYTECODE_PKL } from '../containers/torchscript-bytecode.js';
import type { MinizView, ZipArchive, ZipEntry } from '../containers/zip.js';
import { escapingLinkTarget } from '../containers/tar-links.js';
import { readZip } from '../containers/zip.js';
import { isTorchScriptZip, torchArchiveRoot } from '../../discover/formats/zip-names.js';
import { pushAll } from '../../core/push-all.js';
import { isZstdFrame, isZstdPickleName, zstdPickleMessage } from './zstd-pickle.js';
import { tailIndexOf } from '../../core/linear-text.js';
import { judgeMember, type MemberVerdict } from './member-formats.js';

/** Limits for one top-level file, across all nesting. */
export interface ContentLimits {
  readonly maxDepth: number;
  readonly maxEntrySize: number;
  readonly maxRatio: number;
  readonly maxEntries: number;
  /**
   * Bytes decompressed in total for one file, across every nesting level (a 42.zip multiplies per-level limits):
   * sized for about 10 s of inflation on a busy 2-core runner. Failed decompressions are charged what they inflated.
   */
  readonly maxTotalBytes: number;
  /**
   * Largest output of one decompression held whole in memory (a compressed archive, a deflated zip member). zlib
   * builds the result from its chunks, so the peak is about twice this: 192 MiB keeps a scan under 512 MiB. Pickles
   * in gzip/zlib streams are not held whole (streamed.ts) and are bound only by the total.
   */
  readonly maxInMemory: number;
  /**
   * Raw array bytes (joblib's NumpyArrayWrapper data) skipped through in a decompressed pickle stream, apart from
   * `maxTotalBytes`: counted, never stored or parsed. joblib.load allocates each array whole (`np.empty(count)`),
   * so a genuine file's arrays fit in the loading machine's memory; sized for about 10 s of inflation.
   */
  readonly maxArrayBytes: number;
  /** Path steps spent at most following one file's tar symlinks, across every tar in it (tar-links.ts). */
  readonly maxLinkSteps: number;
}

/** Largest size a zip member may declare before it is refused unread. */
const DECLARED_SIZE_LIMIT = 8 * 1024 ** 3;

export const DEFAULT_CONTENT_LIMITS: ContentLimits = {
  maxDepth: 6,
  maxEntrySize: 2 * 1024 ** 3,
  maxRatio: 1000,
  maxEntries: 100_000,
  maxTotalBytes: 1024 ** 3,
  maxInMemory: 192 * 1024 ** 2,
  maxArrayBytes: 4 * 1024 ** 3,
  maxLinkSteps: LINK_STEP_BUDGET,
};

export interface ContentContext {
  readonly path: string;
  readonly allow: AllowContext;
  readonly limits: ContentLimits;
  readonly findings: Finding[];
  /** Bytes decompressed so far (shared across the whole file). */
  extracted: number;
  /** Set once the decompression budget ran out and that was reported: nothing more is decompressed, no repeat. */
  budgetSpent?: boolean;
  /** The file's symlink-following budget (`linkStepsOf`): made with the context, or on its first tar. */
  linkSteps?: LinkSteps;
  /** Told of joblib sidecar files named by the file's own (possibly compressed) pickle. */
  readonly onSidecar?: (ref: SidecarRef) => void;
  /** The file is an .npz that `np.load` opens as an NpzFile: its own members are read with allow_pickle=False. */
  readonly npz?: boolean;
  /**
   * The file is a zip behind leading bytes (the walk's `zipBehindHead`): Python's zipfile opens it by its end record,
   * torch.load never as a zip (`_is_zipfile` reads byte 0), so its miniz view and its folder rule do not apply.
   */
  readonly zipBehindHead?: boolean;
}

/** How sure we are that a buffer must be a pickle: `claimed` parses it whatever it starts with. */
export type Expectation = 'claimed' | 'sniff';

const SEVEN_ZIP = Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]);
const RAR = Buffer.from('Rar!\x1a\x07', 'latin1');

/**
 * Inspect bytes by what they are, recursively: zip, tar, compressed streams, .npy, pickles. `member` names
 * where the bytes sit inside the file (`a.zip!b/data.pkl`). Returns whether anything model-like was recognised.
 */
export function inspectContent(
  data: Buffer,
  name: string,
  member: string | undefined,
  depth: number,
  expect: Expectation,
  ctx: ContentContext,
): boolean {
  const add = (ruleId: string, message: string, evidence: Record<string, string | number | boolean> = {}): void => {
    ctx.findings.push({
      ruleId,
      message,
      location: { path: ctx.path, ...(member !== undefined ? { member } : {}) },
      evidence,
    });
  };
  const where = member !== undefined ? `${ctx.path} (${member})` : ctx.path;
  if (depth > ctx.limits.maxDepth) {
    add(
      'CPI012',
      `${where}: containers nest deeper than ${ctx.limits.maxDepth} levels; the innermost content was not checked.`,
      { limit: 'depth' },
    );
    return true;
  }
  const child = (n: string): string => (member !== undefined ? `${member}!${n}` : n);

  const zipHead = data.length >= 4 && (data.readUInt32LE(0) === 0x04034b50 || data.readUInt32LE(0) === 0x06054b50);
  if (zipHead || (member === undefined && ctx.zipBehindHead === true)) {
    // np.load reads the file itself as an .npz by its name (`ctx.npz`); a zip inside anything, by the member's name.
    inspectZip(data, where, child, depth, ctx, add, member === undefined ? ctx.npz === true : /\.npz$/i.test(name));
    return true;
  }
  // A member named for a loader that finds the zip by its end record (a self-extractor `model.zip` inside a tar):
  // the zip is read as the walk reads such a file, and the head goes on to be judged as whatever it is.
  const zipBehind = member !== undefined && zipBehindHead(data, name);
  if (zipBehind) inspectZip(data, where, child, depth, ctx, add, false, true);
  const compression = sniffCompression(data);
  // zlib's one-byte magic is read only where a pickle is claimed, or — as discovery detects a top-level file
  // (compressed-head.ts `inflatesToPickle`) — where the head inflates to a pickle: joblib.load picks the codec by
  // magic whatever the name, so a SageMaker-style model.tar.gz holding a compressed model.joblib is read too.
  if (compression !== undefined && (compression !== 'zlib' || expect === 'claimed' || inflatesToPickle(data))) {
    if (budgetSpent(ctx, where, member)) return true;
    let inner: Buffer;
    try {
      inner = decompress(compression, data, {
        maxOutput: Math.min(ctx.limits.maxEntrySize, ctx.limits.maxInMemory, ctx.limits.maxTotalBytes - ctx.extracted),
        maxRatio: ctx.limits.maxRatio,
      });
    } catch (err) {
      chargeFailure(err, ctx);
      // joblib.load (`numpy_pickle_utils._detect_compressor`) decompresses LZMA_Alone whatever the file is called,
      // so a sniffed one is decoded; its first byte is also EMPTY_LIST, so one that does not decode is read as a
      // pickle too — and still fails the gate as a stream joblib would unpickle and we could not open.
      const joblibReads = compression === 'lzma' && expect === 'sniff' && !(err instanceof ContainerLimitError);
      if (joblibReads) inspectAsPickle(data, member, expect, ctx);
      // A stream joblib would decompress and unpickle (a claimed joblib/pickle) that we cannot open fails the gate.
      const addAs: Add =
        expect === 'claimed' || joblibReads
          ? (id, msg, ev) => ctx.findings.push(withLevel(id, msg, ev, member, ctx))
          : add;
      reportReadError(err, where, `${compression} stream`, addAs);
      // A stream cut short still hands its loader what it decoded up to the cut (decompress): judged as well.
      if (err instanceof StreamCutError && err.decoded.length > 0)
        inspectInflated(err.decoded, name, child(`<${compression}>`), depth, expect, ctx);
      return true;
    }
    inspectInflated(inner, name, child(`<${compression}>`), depth, expect, ctx);
    return true;
  }
  if (isTar(data)) {
    inspectTarHead(data, member, ctx);
    inspectTar(data, where, child, depth, ctx, add);
    return true;
  }
  if (data.toString('latin1', 0, 6) === '\x93NUMPY') {
    const h = parseNpyHeader(data);
    if (typeof h !== 'string' && h.duplicateKeys.length > 0) addDuplicateKeys(h.duplicateKeys, where, add);
    if (typeof h === 'string') {
      add('CPI013', `${where}: not a valid .npy file: ${h}.`, { detail: h });
      // A header form not read here (or one too long to read) may still be one numpy accepts: a pickle after it is
      // judged all the same.
      const at = npyHeaderEnd(data);
      if (at !== undefined && at < data.length && looksLikePickleStream(data.subarray(at), true))
        pushAll(ctx.findings, analysePickleBuffer(data.subarray(at), target(ctx, member, 'object-array pickle')));
    } else if (h.hasObject) {
      const judged = analysePickleBuffer(data.subarray(h.dataOffset), target(ctx, member, 'object-array pickle'));
      ctx.findings.push(...judged);
      // Only for an otherwise clean pickle, as for a lone .npy: a flagged one already says not to load it.
      if (ctx.npz === true && member !== undefined && !member.includes('!') && judged.length === 0)
        add(
          'CPI120',
          `${where}: this .npz member holds an object array, stored as a pickle; np.load opens the .npz lazily and refuses the member when it is read (allow_pickle=False by default), loading it only with allow_pickle=True, which unpickles it. Store plain dtypes, or pass allow_pickle=True only after reviewing what the pickle imports.`,
          { loader: 'numpy.lib.npyio.NpzFile.__getitem__', allowPickle: 'required' },
        );
    } else if (h.dataSize !== undefined && h.dataOffset + h.dataSize > data.length) {
      add('CPI013', `${where}: .npy data is truncated (${data.length - h.dataOffset} of ${h.dataSize} bytes).`, {
        expected: h.dataSize,
      });
    }
    return true;
  }
  if (data.subarray(0, 6).equals(SEVEN_ZIP) || data.subarray(0, 6).equals(RAR)) {
    add(
      'CPI015',
      `${where}: ${data[0] === 0x37 ? '7z' : 'RAR'} archives cannot be opened by chainproof; its members were not checked. Provide the model as zip/tar or a safe format.`,
      { container: data[0] === 0x37 ? '7z' : 'rar' },
    );
    return true;
  }
  if (isZstdFrame(data) && isZstdPickleName(name)) {
    ctx.findings.push(withLevel('CPI015', zstdPickleMessage(where), { container: 'zstd' }, member, ctx));
    return true;
  }
  return inspectAsPickle(data, member, expect, ctx) || zipBehind;
}

/**
 * Whether a member not starting with a zip record is one all the same for the loader its name calls for (catalogue
 * `zipFromTail`: `zipfile.ZipFile`/`is_zipfile`, whose `_EndRecData` finds the end record in the last 64 KiB and
 * `_RealGetContents` shifts every offset by the bytes before the archive): an end record there whose directory
 * lists members. The walk decides a file the same way (discover/walk.ts `zipInTail`).
 */
function zipBehindHead(data: Buffer, name: string): boolean {
  const format = formatFromName(name);
  if (format === undefined || !ZIP_FROM_TAIL.has(format)) return false;
  const found = locateDirectory(data.subarray(Math.max(0, data.length - EOCD_SEARCH)), data.length);
  if (!found.ok || found.at.cdOffset < 0 || found.at.cdOffset + directoryReadLength(found.at) > data.length)
    return false;
  const cd = data.subarray(found.at.cdOffset, found.at.cdOffset + directoryReadLength(found.at));
  return parseDirectory(cd, found.at).entries.length > 0;
}

/**
 * The content of a compressed stream named `name`, at `innerMember`: judged as an archive's member is (decompressed,
 * it goes to its own format's loader), then read as any content one level deeper. Charged to the file's budget.
 */
function inspectInflated(
  inner: Buffer,
  name: string,
  innerMember: string,
  depth: number,
  expect: Expectation,
  ctx: ContentContext,
): void {
  ctx.extracted += inner.length;
  const behind = insideCompression(name, expect === 'claimed');
  const judged = judgeAsModel(inner, behind.name, innerMember, ctx);
  if (judged?.readsAllOfIt === true) return;
  const from = ctx.findings.length;
  inspectContent(inner, behind.name, innerMember, depth + 1, behind.claimed ? 'claimed' : 'sniff', ctx);
  dropSuperseded(ctx, from, judged);
}

/**
 * What a compressed stream named `name` holds: the name inside the compression (`model.pkl.gz` → `model.pkl`) and
 * whether its content is a pickle to judge as one — when the file itself was claimed or the inner name promises a
 * pickle; otherwise it is sniffed like any file (a gzipped CSV is data). The in-memory and streamed readers share it.
 */
export function insideCompression(name: string, outerClaimed: boolean): { name: string; claimed: boolean } {
  const inner = name.replace(/\.(gz|tgz|bz2|xz|lzma|lz4|z)$/i, '');
  return { name: inner, claimed: outerClaimed || namePromisesPickle(inner) };
}

/**
 * A tar's first header starts with its first member's name, 100 bytes the writer chooses: they can spell a pickle.
 * `tarfile.open` and torch.load's `legacy_load` read the archive, but `pickle.load`, `joblib.load`
 * (`numpy_pickle.load` → `_unpickle`, a tar is no compressor it knows) and `np.load(allow_pickle=True)` unpickle the
 * file from byte 0 — after decompressing it, for a `.tar.gz` handed to joblib. A head that reads as a pickle up to an
 * import is judged as that pickle; a genuine member name fails within its first bytes.
 */
function inspectTarHead(data: Buffer, member: string | undefined, ctx: ContentContext): void {
  const lead = leadingPickle(data, true);
  if (lead === 'no') return;
  const found = analyseLeadingPickle(data, target(ctx, member, TAR_HEAD));
  pushAll(ctx.findings, leadingFindings(lead, found));
}

export const TAR_HEAD = 'pickle at the start of a tar archive';

function inspectAsPickle(data: Buffer, member: string | undefined, expect: Expectation, ctx: ContentContext): boolean {
  // `pickle.load` reads any opcode stream under any name: a protocol-0 pickle called `readme.txt` is a pickle.
  if (looksLikePickleStream(data, true) || expect === 'claimed') {
    pushAll(ctx.findings, analysePickleBuffer(data, target(ctx, member, 'pickle')));
    return true;
  }
  return false;
}

function target(ctx: ContentContext, member: string | undefined, what: string): PickleTarget {
  // joblib.load resolves sidecars next to the file it opened: only the file's own stream (raw or decompressed,
  // `<zlib>`), never a member of an archive, which no loader unpickles with joblib's NumpyUnpickler.
  const own = member === undefined || /^<[a-z0-9]+>(!<[a-z0-9]+>)*$/.test(member);
  return {
    path: ctx.path,
    allow: ctx.allow,
    what,
    ...(member !== undefined ? { member } : {}),
    ...(own && ctx.onSidecar ? { onSidecar: ctx.onSidecar } : {}),
  };
}

/** An error-level finding at this content's location (where a loader would unpickle what we could not read). */
function withLevel(
  ruleId: string,
  message: string,
  evidence: Record<string, string | number | boolean> | undefined,
  member: string | undefined,
  ctx: ContentContext,
): Finding {
  return {
    ruleId,
    message,
    level: 'error',
    location: { path: ctx.path, ...(member !== undefined ? { member } : {}) },
    evidence: evidence ?? {},
  };
}

/** numpy keeps the last value of a repeated header key (`ast.literal_eval` of a dict display). */
export function addDuplicateKeys(keys: readonly string[], where: string, add: Add): void {
  add(
    'CPI080',
    `${where}: the .npy header repeats ${keys.map((k) => JSON.stringify(k)).join(', ')}; numpy uses the last value. Treat the file as crafted.`,
    { keys: keys.join(',') },
  );
}

/**
 * Whether the file's decompression budget is used up. The first time, one CPI012 at error level says so: what was
 * not decompressed could hold a pickle. Every later container or member of the file is skipped without a finding
 * (one finding per cause), which is what stops a 42.zip from inflating each of its thousands of leaves.
 */
function budgetSpent(ctx: ContentContext, where: string, member: string | undefined, declared = 0): boolean {
  if (
    ctx.extracted + Math.min(declared, ctx.limits.maxEntrySize) <= ctx.limits.maxTotalBytes &&
    ctx.extracted < ctx.limits.maxTotalBytes
  )
    return false;
  if (ctx.budgetSpent === true) return true;
  ctx.budgetSpent = true;
  ctx.findings.push(
    withLevel(
      'CPI012',
      `${where}: the file decompresses to more than ${ctx.limits.maxTotalBytes} bytes in total across its nested archives and streams; the rest was not checked. Treat it as a decompression bomb.`,
      { limit: 'total', decompressed: ctx.extracted, budget: ctx.limits.maxTotalBytes },
      member,
      ctx,
    ),
  );
  return true;
}

/** A decompression stopped by a limit still spent the work up to it: charge that to the file's budget. */
function chargeFailure(err: unknown, ctx: ContentContext): void {
  if (err instanceof ContainerLimitError) ctx.extracted += err.decompressed;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type Add = (ruleId: string, message: string, evidence?: Record<string, string | number | boolean>) => void;

function reportReadError(err: unknown, where: string, what: string, add: Add, msg = messageOf(err)): void {
  if (err instanceof ContainerLimitError)
    add('CPI012', `${where}: ${msg}; the rest of the ${what} was not checked.`, { detail: msg });
  else if (err instanceof UnsupportedContentError)
    add('CPI015', `${where}: ${msg}; it was not checked.`, { detail: msg });
  else add('CPI013', `${where}: the ${what} could not be read (${msg}); it is not known to be safe.`, { detail: msg });
}

/**
 * A member that could not be read, named once, in the `path (member)` form every member finding takes (core/finding.ts
 * `whereOf`): the readers' errors say `member "<name>" …` for callers that have no place to name it.
 */
function reportMemberError(err: unknown, name: string, member: string, ctx: ContentContext, add: Add): void {
  const named = `member ${JSON.stringify(name)} `;
  const msg = messageOf(err);
  const own = msg.startsWith(named) ? `the member ${msg.slice(named.length)}` : msg;
  reportReadError(err, `${ctx.path} (${member})`, 'member', add, own);
}

/** Members a loader never unpickles: tensor storages and small metadata records of torch archives. */
export const STORAGE_MEMBER =
  /(^|\/)(data\/\d+|version|byteorder|\.data\/serialization_id|\.data\/version|\.format_version|\.storage_alignment)$/;

/**
 * Which members of a zip are torch storages and records, left unread: only in a torch archive (a `data.pkl` or
 * `constants.pkl` beside them), which `PyTorchStreamReader` reads by name, and only when the file is not an .npz to
 * its loader. `np.load` of an .npz serves any key, `f['version']` or `f['data/0']` too (numpy/lib/npyio.py
 * `NpzFile.__getitem__` → `format.read_array`, which unpickles an object array), whatever else the zip holds, so
 * there every member is inspected. In any other zip such a name is an ordinary member.
 */
export function storageMembers(names: readonly { readonly name: string }[], npz: boolean): (name: string) => boolean {
  const torch = !npz && names.some((e) => /(^|\/)(data|constants)\.pkl$/.test(e.name));
  return (name) => torch && STORAGE_MEMBER.test(name);
}

/** The `.npy` magic `NpzFile.__getitem__` tests a member's first bytes for (`format.MAGIC_PREFIX`). */
export const NPY_MAGIC = '\x93NUMPY';

/**
 * Whether a member left unread as a torch storage must be read after all: one that starts with the `.npy` magic is
 * an array to `np.load`, which opens any zip as an NpzFile whatever it is called. Undecodable heads are read too.
 */
function storageHoldsNpy(e: ZipEntry): boolean {
  const head = e.readHead?.(64);
  return head === undefined || head.toString('latin1', 0, 6) === NPY_MAGIC;
}

/**
 * A member with nothing to read: a folder entry. A name ending in '/' is all `ZipInfo.is_dir` tests, and neither
 * `ZipFile.open` nor numpy's `NpzFile.__getitem__` (keys from `namelist()`) checks it, so `x.npy/` holding an array
 * is loaded like any member. Only an empty one (zipfile reads at most `file_size` bytes) is skipped.
 */
export function emptyFolder(e: { readonly name: string; readonly size: number }): boolean {
  return e.name.endsWith('/') && e.size === 0;
}

export const PICKLE_NAME = /\.(pkl|pickle|debug_pkl|pt|pth|bin|ckpt|joblib|dill)$/i;

function inspectZip(
  data: Buffer,
  where: string,
  child: (n: string) => string,
  depth: number,
  ctx: ContentContext,
  add: Add,
  npz: boolean,
  behindHead?: boolean,
): void {
  let zip;
  try {
    zip = readZip(data, {
      maxEntries: ctx.limits.maxEntries,
      maxEntrySize: ctx.limits.maxEntrySize,
      maxRatio: ctx.limits.maxRatio,
    });
  } catch (err) {
    reportReadError(err, where, 'zip archive', add);
    return;
  }
  inspectZipArchive(zip, where, child, depth, ctx, add, npz, behindHead);
}

/**
 * A torch.save zip (a `<folder>/data.pkl`) that torch.load refuses whole: `PyTorchStreamReader::init`
 * (caffe2/serialize/inline_container.cc) takes the folder of the directory's first entry as the archive's, and
 * `getAllRecords` — which `torch.load` calls first, through serialization.py `_is_torchscript_zip` — raises "file in
 * archive is not in a subdirectory" at any entry outside it (torch 1.13 checked). So no data.pkl of it is what
 * torch.load unpickles: a second top-level folder is for another reader, and the pickles get no weights-only verdict.
 */
function torchRefusedArchive(
  names: readonly string[],
): { message: string; evidence: Record<string, string | number> } | false {
  if (!names.some((n) => /^[^/]+\/data\.pkl$/i.test(n)) || torchArchiveRoot(names) !== undefined) return false;
  const first = names[0] ?? '';
  const slash = first.indexOf('/');
  const root = slash < 0 ? undefined : first.slice(0, slash + 1);
  const outside = names.filter((n) => root === undefined || !n.startsWith(root));
  const shown = outside.slice(0, 3).map((n) => JSON.stringify(n));
  const more = outside.length > shown.length ? ', …' : '';
  const why =
    root === undefined
      ? `its first member ${JSON.stringify(first)} is in no folder`
      : `its records are read under ${JSON.stringify(root)} (the first member's folder) and ${outside.length} member(s) lie outside it (${shown.join(', ')}${more})`;
  return {
    message: `torch.load refuses this archive: ${why}, so PyTorchStreamReader raises "file in archive is not in a subdirectory" before unpickling anything. A loader other than torch.load (zipfile and pickle by hand) may still read any of its pickles; every member was inspected, and its pickles are judged without torch's weights-only default.`,
    evidence: { root: root ?? '', outside: outside.length },
  };
}

/** Names the central directory lists for more than one member, with how many. */
function duplicateNames(entries: readonly ZipEntry[]): [string, number][] {
  const count = new Map<string, number>();
  for (const e of entries) if (!e.hidden) count.set(e.name, (count.get(e.name) ?? 0) + 1);
  return [...count].filter(([, n]) => n > 1);
}

/** Report an archive's directory problems and inspect its members (in memory or read by range). */
export function inspectZipArchive(
  zip: ZipArchive,
  where: string,
  child: (n: string) => string,
  depth: number,
  ctx: ContentContext,
  add: Add,
  npz = ctx.npz === true,
  behindHead = depth === 0 && ctx.zipBehindHead === true,
): void {
  if (zip.problems.length > 0)
    add('CPI013', `${where}: ${zip.problems.join('; ')}.`, { detail: zip.problems.join('; ') });
  const overlaps = overlapping(zip.entries);
  // A refused overlapping member's name mismatch is part of the same construction: its one CPI012 below says it.
  const refused = new Set([...overlaps].map((e) => `member named ${JSON.stringify(e.name)} `));
  for (const m of zip.mismatches ?? []) {
    if (refused.size > 0 && refused.has(m.slice(0, m.indexOf(' in the central directory is ') + 1))) continue;
    add('CPI014', `${where}: ${m}. Readers may load a member a scanner never saw.`, { detail: m });
  }
  // One name for two members: Python's zipfile opens the last the directory lists (`NameToInfo` keeps it), torch's
  // miniz whichever its sorted-name search lands on. Every copy is inspected below; the archive is crafted.
  for (const [name, copies] of duplicateNames(zip.entries))
    add(
      'CPI014',
      `${where}: member ${JSON.stringify(name)} appears ${copies} times in the directory; readers disagree on which copy they load (Python's zipfile the last, torch's miniz the one its name search finds). Every copy was inspected; treat the archive as crafted.`,
      { member: name, copies },
    );
  for (const n of zip.unsafeNames ?? [])
    add('CPI011', `${where}: member ${JSON.stringify(n)} would be written outside the extraction folder.`, {
      member: n,
    });
  addUnsafeLinks(escapingZipLinks(zip.symlinks ?? []), where, add);
  // torch.jit's own unpickler (which resolves `torch.classes.*`) reads the archive only when torch.load dispatches it
  // there; otherwise `data.pkl` is unpickled like any torch.save archive's.
  const names = zip.directoryNames ?? zip.entries.filter((e) => e.hidden !== true).map((e) => e.name);
  const torchscript = isTorchScriptZip(names);
  // A `.zip` is named for zipfile, which has no folder rule: torch.load's refusal is no verdict on it.
  // A zip behind leading bytes is never torch.load's archive (`_is_zipfile` reads byte 0): no miniz view either.
  const torchOpens = !behindHead;
  const torchRefused = torchOpens && !npz && !/\.zip$/i.test(where) && torchRefusedArchive(names);
  if (torchRefused !== false) add('CPI014', `${where}: ${torchRefused.message}`, torchRefused.evidence);
  const sub: ContentContext =
    torchscript || torchRefused !== false
      ? {
          ...ctx,
          allow: { ...ctx.allow, ...(torchscript ? { torchscript: true } : { torchRefused: true }) },
          findings: ctx.findings,
          linkSteps: linkStepsOf(ctx),
        }
      : ctx;
  if (overlaps.size > 0) {
    const names = [...overlaps].slice(0, 3).map((e) => JSON.stringify(e.name));
    add(
      'CPI012',
      `${where}: ${overlaps.size} members' data overlap an earlier member's (${names.join(', ')}${overlaps.size > 3 ? ', …' : ''}): every reader inflates the same bytes again for each, the construction of a zip bomb. They were not read; treat the archive as hostile.`,
      { limit: 'overlap', members: overlaps.size },
    );
  }
  const storage = storageMembers(zip.entries, npz);
  for (const e of zip.entries) {
    if (emptyFolder(e) || overlaps.has(e) || e.readElsewhere === true) continue;
    if (storage(e.name) && !storageHoldsNpy(e)) continue;
    inspectMember(e, where, child, depth, sub, npz);
  }
  if (zip.miniz && torchOpens) inspectMinizView(zip.miniz, zip.entries, where, child, depth, sub, add, npz);
  ctx.extracted = sub.extracted;
  if (sub.budgetSpent === true) ctx.budgetSpent = true;
}

/**
 * torch.load reads the directory at another place than Python's zipfile (`minizLocation`): two readers, two archives.
 * The file is crafted whatever the members hold (CPI014), and miniz's members are inspected as its own archive (its
 * storages, its overlaps) under `<miniz>`, except those that are zipfile's members too (same header, same name).
 */
function inspectMinizView(
  view: MinizView,
  zipfileEntries: readonly ZipEntry[],
  where: string,
  child: (n: string) => string,
  depth: number,
  ctx: ContentContext,
  add: Add,
  npz: boolean,
): void {
  const detail = `${minizDifference(view)}${view.problems.length > 0 ? ` (miniz: ${view.problems.join('; ')})` : ''}`;
  add(
    'CPI014',
    `${where}: ${detail}. The two loaders see different archives; both were inspected. Treat the file as crafted.`,
    { detail, minizDirectory: view.cdOffset, zipfileDirectory: view.zipfileCdOffset, concat: view.concat },
  );
  const same = new Set(zipfileEntries.map((e) => `${e.offset}:${e.name}`));
  const overlaps = overlapping(view.entries);
  const storage = storageMembers(view.entries, npz);
  const minizChild = (n: string): string => child(`<miniz>!${n}`);
  for (const e of view.entries) {
    if (emptyFolder(e) || overlaps.has(e) || e.readElsewhere === true || same.has(`${e.offset}:${e.name}`)) continue;
    if (storage(e.name) && !storageHoldsNpy(e)) continue;
    inspectMember(e, where, minizChild, depth, ctx, npz);
  }
  if (overlaps.size > 0)
    add('CPI012', `${where}: members of miniz's directory overlap each other's data; they were not read.`, {
      limit: 'overlap',
      members: overlaps.size,
    });
}

/** Why torch's miniz reads another directory than Python's zipfile (`minizLocation`), in words. */
function minizDifference(view: MinizView): string {
  const miniz = "torch.load's zip reader (miniz, mz_zip_reader_read_central_dir)";
  if (view.zip64Record !== undefined)
    return `${miniz} reads the zip64 end record where the zip64 locator points (byte ${view.zip64Record}) and the central directory it names at byte ${view.cdOffset}; Python's zipfile (before the CVE-2025-8291 fix) reads the zip64 record right before the locator and the directory at byte ${view.zipfileCdOffset}`;
  if (view.concat !== 0)
    return `${miniz} takes the end record's directory offset as absolute and reads the central directory at byte ${view.cdOffset}; Python's zipfile adds the ${view.concat} bytes it finds before the archive and reads the one at byte ${view.zipfileCdOffset}`;
  return `${miniz} finds no zip64 end record where the zip64 locator points and keeps the end record's 32-bit fields (the central directory at byte ${view.cdOffset}); Python's zipfile reads the zip64 record right before the locator and the directory at byte ${view.zipfileCdOffset}`;
}

/** Fixed part of a local header: a member's data starts at least this far after its offset. */
const LOCAL_HEADER = 30;

/**
 * Members whose bytes (local header and compressed data) start inside an earlier member's, in file order. Real
 * archives never share bytes; "overlapping" zip bombs point thousands of directory entries into one deflate stream
 * so each is inflated again. The first member of a run is read; the rest are refused, with one finding.
 */
export function overlapping<T extends Pick<ZipEntry, 'offset' | 'compressedSize'>>(entries: readonly T[]): Set<T> {
  const out = new Set<T>();
  let end = -1;
  const placed = entries.filter((e): e is T & { offset: number } => e.offset !== undefined);
  for (const e of placed.sort((a, b) => a.offset - b.offset)) {
    if (e.offset < end) out.add(e);
    end = Math.max(end, e.offset + LOCAL_HEADER + e.compressedSize);
  }
  return out;
}

/** Findings on one archive member at error level: a member that cannot be read is where a pickle could hide. */
function memberErrorAdder(ctx: ContentContext, member: string): Add {
  return (ruleId, message, evidence = {}) =>
    ctx.findings.push({ ruleId, message, level: 'error', location: { path: ctx.path, member }, evidence });
}

function inspectMember(
  e: ZipEntry,
  where: string,
  child: (n: string) => string,
  depth: number,
  ctx: ContentContext,
  npz: boolean,
): void {
  const addError = memberErrorAdder(ctx, child(e.name));
  const claimed = PICKLE_NAME.test(e.name);
  // Stored members are views of bytes already in memory; only decompressing costs work and memory.
  // A compressed member that declares more than the budget has left spends it too (it would be cut off anyway).
  if (e.method !== 0 && budgetSpent(ctx, where, child(e.name), e.size)) return;
  if (plainNpyMember(e, where, child, ctx)) return;
  let body: Buffer;
  try {
    const left = ctx.limits.maxTotalBytes - ctx.extracted;
    // A declared size no model member has is refused before any work (a zip64 field may claim 2^62 bytes); a
    // smaller lie is caught by reading (truncation) or by the caps while inflating.
    if (e.size > DECLARED_SIZE_LIMIT)
      throw new ContainerLimitError(
        `member ${JSON.stringify(e.name)} declares ${e.size} bytes, past ${DECLARED_SIZE_LIMIT}`,
      );
    body = e.method === 0 ? e.read() : e.read(Math.min(left, ctx.limits.maxInMemory));
  } catch (err) {
    chargeFailure(err, ctx);
    // Encryption flags are ignored by some readers: if the stored bytes are a pickle, judge them anyway.
    if (err instanceof UnsupportedContentError && err.raw && e.method === 0 && looksLikePickle(err.raw)) {
      pushAll(ctx.findings, analysePickleBuffer(err.raw, target(ctx, child(e.name), 'pickle')));
      return;
    }
    // An encrypted member is as closed to the loaders (no password) as to us; a method we cannot decode is not:
    // CPython's zipfile reads stored, deflate, bzip2 and lzma, so a pickle could hide there whatever the name.
    if (err instanceof UnsupportedContentError && !claimed && e.flags !== undefined && e.flags & 0x41) return;
    // A member that cannot be read (codec, size lie, truncation, limit) is where a pickle could hide: fail the gate.
    reportMemberError(err, e.name, child(e.name), ctx, addError);
    return;
  }
  if (e.method !== 0) ctx.extracted += body.length;
  if (isTorchScriptCode(e.name)) {
    for (const f of scanTorchScriptCode(body.toString('utf8'), e.name))
      ctx.findings.push({ ...f, location: { path: ctx.path, member: child(e.name) } });
    return;
  }
  // The lite interpreter's code; still a pickle, judged as one below.
  if (TORCH_BYTECODE_PKL.test(e.name))
    for (const f of scanMobileBytecode(body, e.name))
      ctx.findings.push({ ...f, location: { path: ctx.path, member: child(e.name) } });
  // np.load reads an .npz member as an array or as raw bytes, whatever its name: no other loader is in play.
  const judged = npz ? undefined : judgeAsModel(body, e.name, child(e.name), ctx);
  if (judged?.readsAllOfIt === true) return;
  const from = ctx.findings.length;
  inspectContent(
    body,
    e.name,
    child(e.name),
    depth + 1,
    /\.(pkl|pickle|debug_pkl)$/i.test(e.name) ? 'claimed' : 'sniff',
    ctx,
  );
  dropSuperseded(ctx, from, judged);
}

/**
 * A member that a model format's own loader reads once the archive is extracted (a `.keras`, a Keras `.h5`, a
 * SavedModel's `saved_model.pb`: member-formats.ts) is judged by that format's analyser, as the same file outside
 * the archive is. Its `readsAllOfIt` says whether that reading is all there is to do; otherwise the member is then
 * read as any other (a pickle head before an HDF5 superblock is a pickle too). What the judge decompresses is
 * charged to the file's budget; once that is spent nothing more is judged (the budget's one CPI012 says so).
 */
function judgeAsModel(body: Buffer, name: string, member: string, ctx: ContentContext): MemberVerdict | undefined {
  if (ctx.budgetSpent === true) return undefined;
  const budget = ctx.limits.maxTotalBytes - ctx.extracted;
  const verdict = judgeMember(body, name, { path: ctx.path, member, allow: ctx.allow, budget });
  if (verdict === undefined) return undefined;
  pushAll(ctx.findings, verdict.findings);
  ctx.extracted += verdict.decompressed;
  return verdict;
}

/** Drop what the container reading added since `from` that the member's judged finding is the cause of. */
function dropSuperseded(ctx: ContentContext, from: number, judged: MemberVerdict | undefined): void {
  const supersedes = judged?.supersedes;
  if (supersedes === undefined) return;
  const added = ctx.findings.splice(from);
  pushAll(
    ctx.findings,
    added.filter((f) => !supersedes(f)),
  );
}

/** Compressed bytes decoded to read a `.npy` member's header: enough for any header numpy accepts (10,000 bytes). */
export const NPY_HEAD_BYTES = 64 << 10;

/**
 * A large deflated `.npy` member of a plain dtype is judged by its header alone. `np.load` of an `.npz`
 * (`NpzFile.__getitem__` → `numpy.lib.format.read_array`) runs code only for an object dtype, whose data is a pickle;
 * any other dtype's data is copied as bytes. So the rest is neither inflated nor held (a genuine 2 GiB
 * `np.savez_compressed` array is not a limit hit); an object array, or a head that does not parse, is read in full.
 */
function plainNpyMember(e: ZipEntry, where: string, child: (n: string) => string, ctx: ContentContext): boolean {
  if (!isLargeNpy(e) || !e.readHead) return false;
  const h = plainNpyHeader(e.readHead(NPY_HEAD_BYTES));
  if (h === undefined) return false;
  const add: Add = (ruleId, message, evidence = {}) =>
    ctx.findings.push({ ruleId, message, location: { path: ctx.path, member: child(e.name) }, evidence });
  if (h.duplicateKeys.length > 0) addDuplicateKeys(h.duplicateKeys, `${where} member ${JSON.stringify(e.name)}`, add);
  if (h.dataSize !== undefined && h.dataOffset + h.dataSize > e.size)
    add(
      'CPI013',
      `${where} member ${JSON.stringify(e.name)}: .npy data is truncated (${e.size - h.dataOffset} of ${h.dataSize} bytes).`,
      {
        expected: h.dataSize,
      },
    );
  return true;
}

/** A stored or deflated `.npy` member too large to be worth reading whole when its header says plain data. */
export function isLargeNpy(e: { name: string; method: number; size: number }): boolean {
  return (e.method === 0 || e.method === 8) && e.size > NPY_HEAD_BYTES && /\.npy$/i.test(e.name);
}

/** The header of a `.npy` head whose dtype holds no Python objects; undefined for object arrays and bad heads. */
export function plainNpyHeader(
  head: Buffer | undefined,
): Exclude<ReturnType<typeof parseNpyHeader>, string> | undefined {
  if (head === undefined || head.toString('latin1', 0, 6) !== '\x93NUMPY') return undefined;
  const h = parseNpyHeader(head);
  return typeof h === 'string' || h.hasObject ? undefined : h;
}

/** Bytes of a zip symlink member read as its target: a path, never long (PATH_MAX is 4096). */
const MAX_LINK_TARGET = 4096;

/**
 * A zip's Unix symlink members whose target leaves the extraction folder. Info-ZIP `unzip` creates them as links, so a
 * later member written through one (or a loader opening one) reaches a file outside; Python's zipfile writes the
 * target text as a plain file instead, and its bytes are inspected as any member's are. Judged as tar links are
 * (`escapingLinkTarget`, tarfile's `data_filter`), one CPX025 for them all.
 */
function escapingZipLinks(symlinks: readonly ZipEntry[]): UnsafeLink[] {
  const out: UnsafeLink[] = [];
  for (const e of symlinks) {
    let target: string;
    try {
      target = e.read(MAX_LINK_TARGET).toString('utf8');
    } catch {
      continue; // an unreadable member is reported where its bytes are inspected
    }
    if (escapingLinkTarget(e.name, target, 'symlink')) out.push({ name: e.name, target, kind: 'symlink' });
  }
  return out;
}

/** Escaping links named at most in one finding; the rest are counted. */
const LINKS_NAMED = 3;

/**
 * CPX025 for a tar's escaping links: one finding for those whose target leaves as written, one for those that leave
 * only through other symlinks (naming the first links of the chain: the target alone reads as inside). A crafted tar
 * of 100,000 links is one cause, not 100,000 findings: a few are named, the rest counted.
 */
function addUnsafeLinks(links: readonly UnsafeLink[], where: string, add: Add): void {
  const quoted = (l: { readonly name: string; readonly target: string }): string =>
    `${JSON.stringify(l.name)} -> ${JSON.stringify(l.target)}`;
  const through = (l: UnsafeLink): string =>
    l.chain === undefined ? '' : `${l.chain.via.map(quoted).join(', ')}${l.chain.more ? ', …' : ''}`;
  for (const group of [links.filter((l) => l.chain === undefined), links.filter((l) => l.chain !== undefined)]) {
    const first = group[0];
    if (first === undefined) continue;
    const chained = first.chain !== undefined;
    const evidence = groupedEvidence(chained ? 'through symlinks' : 'as written');
    const way = chained ? ' once the symlinks on the way are followed' : '';
    if (group.length === 1) {
      const via = chained ? `${way} (${through(first)})` : '';
      add(
        'CPX025',
        `${where}: ${first.kind} member ${JSON.stringify(first.name)} points outside the archive, to ${JSON.stringify(first.target)}${via}; do not extract it.`,
        evidence,
      );
      continue;
    }
    const named = group
      .slice(0, LINKS_NAMED)
      .map((l) => (chained ? `${quoted(l)} through ${through(l)}` : quoted(l)))
      .join('; ');
    add(
      'CPX025',
      `${where}: ${group.length} link members point outside the archive${way} (${named}${group.length > LINKS_NAMED ? `; and ${group.length - LINKS_NAMED} more` : ''}); do not extract it.`,
      evidence,
    );
  }
}

/**
 * The evidence of a finding that groups an archive's members for one cause (CPX025, CPX026): the cause only. The
 * fingerprint hashes the evidence, so a count or a first member there would make one more link, or one added before
 * the first, a new alert that a baseline or a suppression no longer matches; the message names and counts them.
 */
function groupedEvidence(members: string): Record<string, string> {
  return { members };
}

/** The file's budget for following tar symlinks, one for every tar in it. */
export function linkStepsOf(ctx: ContentContext): LinkSteps {
  return (ctx.linkSteps ??= linkSteps(ctx.limits.maxLinkSteps));
}

/** Tar header types of special files: a character ('3') and a block ('4') device, a FIFO ('6'). */
const SPECIAL_TYPES: ReadonlyMap<string, string> = new Map([
  ['3', 'character device'],
  ['4', 'block device'],
  ['6', 'FIFO'],
]);

/**
 * The archive's own special members: its FIFOs less those the stream walk wrote as FIFOs for members it read itself
 * (`WALKED_IMAGE_MARKS`, by header offset).
 */
function specialMembers(entries: readonly TarEntry[], image: Buffer): TarEntry[] {
  const marks = WALKED_IMAGE_MARKS.get(image);
  return entries.filter((e) => SPECIAL_TYPES.has(e.type) && !(e.type === '6' && marks?.has(e.header) === true));
}

/**
 * CPX026 for a tar's special members, one finding for the archive (three named, the rest counted). Python's `data`
 * filter (`tarfile._get_filtered_attrs`: a member neither a file, link nor folder raises SpecialFileError) refuses
 * them; `extractall` without it (the default before 3.14) makes each with `os.mknod` (devices, as root) or
 * `os.mkfifo` (`makefifo`, any user), and a FIFO blocks whoever opens it: a loader reading its config waits forever.
 */
function addSpecialMembers(entries: readonly TarEntry[], image: Buffer, where: string, add: Add): void {
  const special = specialMembers(entries, image);
  if (special.length === 0) return;
  const named = special
    .slice(0, LINKS_NAMED)
    .map((e) => `${JSON.stringify(e.name)} (${SPECIAL_TYPES.get(e.type)})`)
    .join(', ');
  const more = special.length > LINKS_NAMED ? ` and ${special.length - LINKS_NAMED} more` : '';
  const what = special.length === 1 ? 'member' : `${special.length} members`;
  const one = special.length === 1;
  const devices = "device nodes that read the machine's disk or memory";
  const fifos = 'FIFOs that hang whoever opens them (a loader reading one waits forever)';
  const message = !special.some((e) => e.type === '6')
    ? `${one ? 'is a device' : 'are devices'}; extracting as root without tarfile's 'data' filter makes ${devices}`
    : `${one ? 'is a special file' : 'are special files'}; extracting without tarfile's 'data' filter makes ${
        special.some((e) => e.type !== '6') ? `${fifos}, and as root ${devices}` : fifos
      }`;
  add('CPX026', `${where}: ${what} ${named}${more} ${message}. Do not extract it.`, groupedEvidence('special members'));
}

function inspectTar(
  data: Buffer,
  where: string,
  child: (n: string) => string,
  depth: number,
  ctx: ContentContext,
  add: Add,
): void {
  let tar;
  try {
    tar = readTar(data, ctx.limits.maxEntries, linkStepsOf(ctx));
  } catch (err) {
    reportReadError(err, where, 'tar archive', add);
    return;
  }
  // Before the tar's problems are said: a config link left unfollowed for want of steps is one of them.
  const linkTargets = hardLinkTargets(tar.entries);
  const nemoConfigs = nemoConfigMembers(tar.entries, linkTargets, linkStepsOf(ctx));
  const unfollowedConfig = unresolvedNemoConfigProblem(nemoConfigs.unresolved);
  const problems = unfollowedConfig === undefined ? tar.problems : [...tar.problems, unfollowedConfig];
  if (problems.length > 0) add('CPI013', `${where}: ${problems.join('; ')}.`, { detail: problems.join('; ') });
  for (const n of tar.unsafeNames)
    add('CPI011', `${where}: member ${JSON.stringify(n)} would be written outside the extraction folder.`, {
      member: n,
    });
  addUnsafeLinks(tar.unsafeLinks, where, add);
  addSpecialMembers(tar.entries, data, where, add);
  // torch/serialization.py `_legacy_load.legacy_load` extracts exactly `storages`, `tensors` and `pickle` (tarfile
  // `getmember`, names normalised); `sys_info` is written by old torch.save but never read back.
  const legacyName = (n: string): string => n.replace(/^(\.\/)+/, '');
  const legacyTorch = ['pickle', 'storages', 'tensors'].every((n) => tar.entries.some((e) => legacyName(e.name) === n));
  // Whatever its pickles hold, torch >= 2.6's default `torch.load(weights_only=True)` refuses the whole file:
  // `_legacy_load.legacy_load` raises "Cannot use ``weights_only=True`` with files saved in the legacy .tar format"
  // before it extracts a member, so every such checkpoint only loads with weights_only=False.
  if (legacyTorch)
    add(
      'CPI119',
      `${where}: torch.load with its default weights_only=True (torch >= 2.6) refuses this checkpoint: it is in torch's legacy .tar format, which the weights-only unpickler never reads. Loading it needs weights_only=False, which would also run anything its pickles import: re-save it with a current torch.save (a zip) from a trusted copy, and load that.`,
      { format: 'legacy-tar', ...WEIGHTS_ONLY_REFUSED },
    );
  // `tar.extract('storages')` of a hard link writes its target's bytes there (tarfile `makelink` → `_extract_member`
  // of `_find_link_target`): that member is the record torch reads. (A symlink is left dangling: open() fails.)
  const recordOf = new Map<TarEntry, string>();
  for (const [link, linked] of linkTargets) {
    const record = legacyName(link.name);
    if (legacyTorch && (record === 'storages' || record === 'tensors')) recordOf.set(linked, record);
  }
  for (const e of tar.entries) {
    if (!tarfileReadsAsFile(e.type)) continue;
    let body: Buffer;
    try {
      body = e.read();
    } catch (err) {
      // A sparse member whose map we cannot read or rebuild: a pickle could hide there as well as in any member we
      // cannot decode, so fail the gate, as inspectMember does.
      reportMemberError(err, e.name, child(e.name), ctx, memberErrorAdder(ctx, child(e.name)));
      continue;
    }
    const record = recordOf.get(e) ?? legacyName(e.name);
    if (legacyTorch && (record === 'storages' || record === 'tensors')) {
      pushAll(ctx.findings, analyseLegacyTarRecords(body, record, target(ctx, child(e.name), 'legacy PyTorch record')));
      continue;
    }
    if (nemoConfigs.members.has(e)) {
      pushAll(ctx.findings, nemoConfigFindings(body, ctx.path, child(e.name), ctx.allow));
      continue;
    }
    const judged = judgeAsModel(body, e.name, child(e.name), ctx);
    if (judged?.readsAllOfIt === true) continue;
    const claimed = legacyTorch && (record === 'sys_info' || record === 'pickle');
    const from = ctx.findings.length;
    inspectContent(
      body,
      e.name,
      child(e.name),
      depth + 1,
      claimed || /\.(pkl|pickle)$/i.test(e.name) ? 'claimed' : 'sniff',
      ctx,
    );
    dropSuperseded(ctx, from, judged);
  }
}

/**
 * `/(^|\/)code\/.*\.py$/i.test(name)` (a TorchScript archive's code): a `code/` folder, at the top or after a `/`, then
 * a `.py` file — by hand, as that expression scanned to the end from every `code/` of a hostile member name. In any
 * ASCII case: torch.jit.load's `findSourceInArchiveFromQualifier` asks `PyTorchStreamReader::getRecord` for
 * `code/<qualifier>.py`, and miniz's `mz_zip_reader_locate_file` (flags 0) compares names with MZ_TOLOWER, so
 * `archive/CODE/__torch__/m.PY` is the module's code.
 */
export function isTorchScriptCode(stored: string): boolean {
  const name = stored.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
  if (!name.endsWith('.py')) return false;
  for (let at = tailIndexOf(name, 'code/'); at >= 0 && at + 5 <= name.length - 3; at = name.indexOf('code/', at + 1))
    if (at === 0 || name[at - 1] === '/') return true;
  return false;
}
