import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { PICKLE_CLAIMS, PICKLE_FORMATS } from '../../discover/catalogue/index.js';
import type { Finding } from '../../core/finding.js';
import type { AnalysisReport, ModelAnalyser } from '../analyser.js';
import type { ContentContext, ContentLimits } from './content.js';
import { addDuplicateKeys, DEFAULT_CONTENT_LIMITS, insideCompression, inspectContent } from './content.js';
import { sniffCompression } from '../containers/compression.js';
import { parseNpyHeader } from '../containers/npy.js';
import { analysePickleFile, isLegacyTorch, looksLikePickleStream } from '../pickle/pickles.js';
import type { SidecarRef } from '../pickle/joblib.js';
import { followSidecars } from '../pickle/joblib-sidecars.js';
import type { FileOpener, FileSource } from '../../core/file-source.js';
import { createFileOpener } from '../../io/file-source.js';
import { inspectZipByRanges } from './zip-ranged.js';
import { analyseCompressedStream } from './streamed.js';
import { walkTarStream } from './tar-stream.js';
import { isTar } from '../containers/tar.js';
import { loadLzmaDecoder } from '../containers/lzma.js';
import { isOpcode } from '../pickle/vm.js';
import { isPicklePrefix } from '../../discover/formats/pickle-head.js';
import { npyDataOffset } from '../../discover/formats/npy-header.js';
import { DISTCP_NAME, distcpItems, distcpMember, type DistcpItem } from './distcp.js';
import { sliceSource } from './member-stream.js';

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
  const src = await opener.open(file.abs, file.path, file);
  let findings: Finding[];
  try {
    findings = await analyseFile(src, file, allowedGlobals, (ref) => sidecars.push(ref), limits);
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
  if (DISTCP_NAME.test(file.path) && h.length >= 4 && h.readUInt32LE(0) === 0x04034b50) {
    const items = await distcpItems(src);
    if (items !== undefined && items.length > 1) return inspectDistcp(src, file, items, allow, limits);
  }
  if (size > MAX_IN_MEMORY && h.length >= 4 && (h.readUInt32LE(0) === 0x04034b50 || h.readUInt32LE(0) === 0x06054b50)) {
    const ctx: ContentContext = { path: file.path, allow, limits, findings: [], extracted: 0, npz: isNpz(file) };
    await inspectZipByRanges(src, ctx);
    return ctx.findings;
  }
  if (size > MAX_IN_MEMORY && isTar(h)) {
    const byRanges = await inspectTarByRanges(src, file.path, allow, limits);
    if (byRanges !== undefined) return byRanges;
  }
  const claims = PICKLE_CLAIMS.has(file.format) || (file.claimed !== undefined && PICKLE_CLAIMS.has(file.claimed));
  if (!isContainerHead(h) && readAsPickle(h, size, claims)) {
    return analysePickleFile(src, { path: file.path, allow, what: 'pickle', onSidecar });
  }
  if (h.toString('latin1', 0, 6) === '\x93NUMPY') return analyseNpyFile(src, file, h, allow);
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
    findings: [],
    extracted: 0,
    onSidecar,
    npz: isNpz(file),
  };
  const known = inspectContent(
    data,
    file.path,
    undefined,
    0,
    claims && file.format === 'joblib' ? 'claimed' : 'sniff',
    ctx,
  );
  if (!known && (claims || file.format !== 'other')) {
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
): Promise<Finding[]> {
  const ctx: ContentContext = { path: file.path, allow, limits, findings: [], extracted: 0 };
  for (const item of items) {
    const view = sliceSource(src, item.start, item.end - item.start);
    if (view.size > MAX_IN_MEMORY) await inspectZipByRanges(view, ctx);
    else inspectContent(await view.read(0, view.size), file.path, distcpMember(item), 0, 'sniff', ctx);
  }
  return ctx.findings;
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
  const tar = await walkTarStream(src, { path, allow, member: undefined, maxImage: limits.maxInMemory }, findings);
  if (tar === undefined) return undefined;
  const ctx: ContentContext = { path, allow, limits, findings, extracted: 0 };
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
  head: Buffer,
  allow: { extra: readonly string[] },
): Promise<Finding[]> {
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
    // A header form not read here may still be one numpy accepts: a pickle after it is judged all the same.
    const at = npyDataOffset(head);
    if (at === undefined || !looksLikePickleStream(head.subarray(at), head.length >= src.size)) return [invalid];
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

function isContainerHead(h: Buffer): boolean {
  if (h.length >= 4 && (h.readUInt32LE(0) === 0x04034b50 || h.readUInt32LE(0) === 0x06054b50)) return true;
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
