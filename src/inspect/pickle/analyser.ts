import { closeSync, openSync, readSync } from 'node:fs';
import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { PICKLE_CLAIMS, PICKLE_FORMATS } from '../../discover/catalogue/index.js';
import type { Finding } from '../../core/finding.js';
import type { AnalysisReport, ModelAnalyser } from '../analyser.js';
import type { ContentContext } from '../containers/content.js';
import { addDuplicateKeys, DEFAULT_CONTENT_LIMITS, inspectContent } from '../containers/content.js';
import { sniffCompression } from '../containers/compression.js';
import { parseNpyHeader } from '../containers/npy.js';
import { analysePickleSource, isLegacyTorch, looksLikePickleStream } from '../containers/pickles.js';
import { createFileOpener } from '../../io/file-source.js';
import { inspectZipByRanges } from '../containers/zip-ranged.js';
import { loadLzmaDecoder } from '../containers/lzma.js';
import { ByteSource } from './source.js';
import type { SidecarRef } from '../containers/joblib.js';
import { followSidecars } from './joblib-sidecars.js';
import { isOpcode } from './vm.js';

/** Files larger than this are never read whole: pickles stream from disk, containers past it are a finding. */
const MAX_IN_MEMORY = 2 * 1024 ** 3;

const RULES_NOT_FULLY_READ = new Set(['CPI003', 'CPI004', 'CPI012', 'CPI013', 'CPI015', 'CPI016']);

export const pickleAnalyser: ModelAnalyser = {
  name: 'pickle',
  formats: PICKLE_FORMATS,
  async analyze(file: DiscoveredFile, ctx: ScanContext): Promise<AnalysisReport> {
    const findings = await analyseAnySize(file, ctx.policy.models.allowedGlobals, ctx.root);
    const artifact = { kind: 'model' as const, path: file.path, format: file.format };
    const withArtifact = findings.map((f) => ({ ...f, artifact: f.artifact ?? artifact }));
    const partial = findings.some((f) => RULES_NOT_FULLY_READ.has(f.ruleId));
    return { status: partial ? 'partial' : 'ok', findings: withArtifact };
  },
};

/**
 * Inspect a file of any size. A zip past the in-memory limit (a multi-GB torch checkpoint) is read by ranges:
 * its directory and the members a loader unpickles, never its tensor storages.
 */
export async function analyseAnySize(
  file: DiscoveredFile,
  allowedGlobals: readonly string[],
  root?: string,
): Promise<Finding[]> {
  // The xz/LZMA_Alone decoder loads asynchronously; the content reader below is synchronous.
  await loadLzmaDecoder();
  if (file.size <= MAX_IN_MEMORY) return analyseWithSidecars(file, allowedGlobals, root);
  // The pipeline does not hand plugins an opened FileSource yet; open one through the I/O edge until it does.
  const src = await createFileOpener().open(file.abs, file.path);
  try {
    const head = await src.read(0, 4);
    if (head.length < 4 || (head.readUInt32LE(0) !== 0x04034b50 && head.readUInt32LE(0) !== 0x06054b50))
      return analyseWithSidecars(file, allowedGlobals, root);
    const ctx: ContentContext = {
      path: file.path,
      allow: { extra: allowedGlobals },
      limits: DEFAULT_CONTENT_LIMITS,
      findings: [],
      extracted: 0,
    };
    await inspectZipByRanges(src, ctx);
    return ctx.findings;
  } finally {
    await src.close();
  }
}

/** A file and, when the scan root is known, the joblib sidecar files its pickle makes joblib.load open. */
function analyseWithSidecars(file: DiscoveredFile, allowedGlobals: readonly string[], root?: string): Finding[] {
  const refs: SidecarRef[] = [];
  const findings = analyseFile(file, allowedGlobals, (ref) => refs.push(ref));
  if (root === undefined || refs.length === 0) return findings;
  // np.load reads a sidecar with plain pickle.load: it names no further sidecars.
  return findings.concat(followSidecars(file, root, refs, (sidecar) => analyseFile(sidecar, allowedGlobals)));
}

/** Inspect one file by its content, streaming pickles from disk so memory stays flat on multi-GB files. */
export function analyseFile(
  file: DiscoveredFile,
  allowedGlobals: readonly string[],
  onSidecar?: (ref: SidecarRef) => void,
): Finding[] {
  const fd = openSync(file.abs, 'r');
  try {
    const head = Buffer.alloc(Math.min(file.size, 1 << 16));
    const n = head.length > 0 ? readSync(fd, head, 0, head.length, 0) : 0;
    const h = head.subarray(0, n);
    const allow = { extra: allowedGlobals };
    const claims = PICKLE_CLAIMS.has(file.format) || (file.claimed !== undefined && PICKLE_CLAIMS.has(file.claimed));
    const container = isContainerHead(h) || describeHead(h) !== unrecognised(h);
    if (
      !container &&
      (looksLikePickleStream(h, h.length >= file.size) ||
        isLegacyTorch(h) ||
        (claims && h.length > 0 && isOpcode(h[0]!)))
    ) {
      return analysePickleSource(ByteSource.fromFd(fd, 0, file.size), {
        path: file.path,
        allow,
        what: 'pickle',
        ...(onSidecar ? { onSidecar } : {}),
      });
    }
    if (h.toString('latin1', 0, 6) === '\x93NUMPY') return analyseNpyFile(fd, file, h, allow);
    if (file.size > MAX_IN_MEMORY) {
      return [
        {
          ruleId: 'CPI012',
          message: `${file.path}: ${file.size} bytes is past the ${MAX_IN_MEMORY}-byte limit for archives read in memory; it was not checked.`,
          location: { path: file.path },
          evidence: { size: file.size, limit: MAX_IN_MEMORY },
        },
      ];
    }
    const data = Buffer.alloc(file.size);
    let got = 0;
    while (got < file.size) {
      const r = readSync(fd, data, got, file.size - got, got);
      if (r <= 0) break;
      got += r;
    }
    const ctx: ContentContext = {
      path: file.path,
      allow,
      limits: DEFAULT_CONTENT_LIMITS,
      findings: [],
      extracted: 0,
      ...(onSidecar ? { onSidecar } : {}),
    };
    const known = inspectContent(
      data.subarray(0, got),
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
  } finally {
    closeSync(fd);
  }
}

function analyseNpyFile(
  fd: number,
  file: DiscoveredFile,
  head: Buffer,
  allow: { extra: readonly string[] },
): Finding[] {
  const h = parseNpyHeader(head);
  const dup: Finding[] = [];
  if (typeof h !== 'string' && h.duplicateKeys.length > 0)
    addDuplicateKeys(h.duplicateKeys, file.path, (ruleId, message, evidence = {}) =>
      dup.push({ ruleId, message, location: { path: file.path }, evidence }),
    );
  if (typeof h === 'string') {
    return [
      {
        ruleId: 'CPI013',
        message: `${file.path}: not a valid .npy file: ${h}.`,
        location: { path: file.path },
        evidence: { detail: h },
      },
    ];
  }
  if (h.hasObject) {
    return dup.concat(
      analysePickleSource(ByteSource.fromFd(fd, h.dataOffset, file.size), {
        path: file.path,
        allow,
        what: 'object-array pickle',
      }),
    );
  }
  if (h.dataSize !== undefined && h.dataOffset + h.dataSize > file.size) {
    return [
      {
        ruleId: 'CPI013',
        message: `${file.path}: .npy data is truncated (${file.size - h.dataOffset} of ${h.dataSize} bytes).`,
        location: { path: file.path },
        evidence: { expected: h.dataSize, actual: file.size - h.dataOffset },
      },
      ...dup,
    ];
  }
  return dup;
}

function isContainerHead(h: Buffer): boolean {
  if (h.length >= 4 && (h.readUInt32LE(0) === 0x04034b50 || h.readUInt32LE(0) === 0x06054b50)) return true;
  if (h.toString('latin1', 0, 6) === '\x93NUMPY') return true;
  if (h.length >= 262 && h.toString('latin1', 257, 262) === 'ustar') return true;
  const c = sniffCompression(h);
  // zlib alone is too weak a signal here (a pickle can start with 0x78); LZMA_Alone's 0x5d is EMPTY_LIST.
  return c === 'gzip' || c === 'bzip2' || c === 'xz' || c === 'lzma' || c === 'zf';
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
