import type { Finding } from '../../core/finding.js';
import type { FileSource } from '../../core/file-source.js';
import { sniffCompression } from '../containers/compression.js';
import type { DecompressBudget, StreamedCompression } from '../containers/inflate-source.js';
import { InflateSource } from '../containers/inflate-source.js';
import type { AllowContext } from '../pickle/allowlist.js';
import type { SidecarRef } from '../pickle/joblib.js';
import { analysePickleFile, looksLikePickle } from '../pickle/pickles.js';
import { sniffPickleStream } from '../../discover/formats/pickle-head.js';
import type { ContentLimits } from './content.js';
import { insideCompression } from './content.js';
import { memberContentClaimed, memberNameClaimed } from './member-formats.js';
import { walkTarStream } from './tar-stream.js';
import { isTar } from '../containers/tar.js';
import { linkSteps, type LinkSteps } from '../containers/tar-links.js';

const HEAD = 1 << 16;
/** Decompressed bytes walked when HEAD cannot tell: within the history a stream keeps (inflate-source.ts HISTORY). */
const FURTHER = 4 << 20;

/**
 * Whether a decompressed stream starts as a pickle: its head walks as one (pickle-head.ts). A head that ends inside a
 * well-formed stream (a UNICODE or STRING line longer than it: `pickle.load` reads a line of any length, and
 * joblib.load or pickle.load(gzip.open(…)) runs the opcodes after it) is walked again over FURTHER bytes; a stream
 * that still cannot be told, or whose reading ahead hit a limit, is read as a pickle — never a silent pass.
 */
async function startsAsPickle(s: InflateSource, head: Buffer): Promise<boolean> {
  const whole = head.length < HEAD;
  // pickles.ts looksLikePickleStream, keeping the head's verdict to tell 'more' apart.
  if (looksLikePickle(head)) return true;
  const sniffed = sniffPickleStream(head, whole);
  if (sniffed === 'pickle') return true;
  if (whole || sniffed !== 'more') return false;
  const more = await s.read(0, FURTHER);
  return sniffPickleStream(more, more.length < FURTHER && !s.limitHit) !== 'not-pickle';
}
/** Bytes any stream may produce whatever its ratio (see the cap below). */
const RATIO_FLOOR = 16 << 20;

/** A tar inside the stream(s): its image (large members already read, see tar-stream.ts) for inspectContent. */
export interface StreamedTar {
  readonly tar: Buffer;
  /** Where the tar sits (`<gzip>`), and how many stream levels deep. */
  readonly member: string;
  readonly depth: number;
  readonly findings: Finding[];
  /** Bytes decompressed so far, to start the file's budget from. */
  readonly decompressed: number;
  /** The file's budget for following symlinks, as the walk left it. */
  readonly linkSteps: LinkSteps;
}

export interface StreamTarget {
  readonly path: string;
  readonly allow: AllowContext;
  readonly limits: ContentLimits;
  readonly onSidecar?: (ref: SidecarRef) => void;
  /**
   * The file's format or its name (inside the compression) promises a pickle: its content is judged as one whatever
   * it looks like, as the loader would unpickle it. Otherwise content that does not start as a pickle is plain data.
   */
  readonly claimed: boolean;
}

/**
 * A gzip/zlib/zf file whose decompressed content is a pickle (through any nesting of those streams), read the way
 * `gzip.open` + `pickle.load` (or joblib's decompressor) reads it: decompressed as it goes into the pickle VM's
 * window, one budget for every level, and nothing decompressed after the pickle reader stops. A zero run the VM skips
 * is counted, never stored. Returns undefined when the content is a container (tar, zip, .npy, bzip2/xz) or the
 * stream is corrupt at its start: the caller reads those in memory as before, and reports them.
 */
export async function analyseCompressedStream(
  src: FileSource,
  kind: StreamedCompression,
  t: StreamTarget,
): Promise<Finding[] | StreamedTar | undefined> {
  const budget: DecompressBudget = { left: t.limits.maxTotalBytes, dataLeft: t.limits.maxArrayBytes };
  const opened: InflateSource[] = [];
  const closeAll = (): Promise<unknown> => Promise.all(opened.map((s) => s.close()));
  let input = src;
  let member = '';
  // Only the outermost stream has a known compressed size for the ratio limit; inner levels share the budget. The
  // floor is above the pickle reader's read-ahead (~4 MiB), which can pass the start of a joblib array before its
  // BUILD declares it: a 4 KB bzip2 of a GiB of zeros is a genuine joblib file.
  let cap = Math.min(t.limits.maxEntrySize, Math.max(RATIO_FLOOR, src.size * t.limits.maxRatio));
  const levels: { readonly kind: StreamedCompression; readonly cap: number }[] = [];
  // The levels opened so far, again from the start: for a second reading once the loop below has found the content.
  const reopen = () => Promise.resolve(reopenStreams(src, levels, t));
  try {
    for (let depth = 1; ; depth++) {
      const s = new InflateSource(t.path, kind, input, budget, cap);
      opened.push(s);
      levels.push({ kind, cap });
      member = member === '' ? `<${kind}>` : `${member}!<${kind}>`;
      const head = await s.read(0, HEAD);
      const inner = sniffCompression(head);
      if ((inner === 'gzip' || inner === 'zlib' || inner === 'zf') && depth < t.limits.maxDepth) {
        input = s;
        kind = inner;
        cap = t.limits.maxEntrySize;
        continue;
      }
      if (inner === undefined && isTar(head)) {
        const findings: Finding[] = [];
        const target = {
          path: t.path,
          allow: t.allow,
          member,
          maxImage: t.limits.maxInMemory,
          maxEntries: t.limits.maxEntries,
          linkSteps: linkSteps(t.limits.maxLinkSteps),
          reopen,
        };
        const tar = await walkTarStream(s, target, findings);
        if (tar === undefined) return undefined;
        if (opened.some((o) => o.limitHit)) findings.push(limitFinding(t, member, s.produced));
        const decompressed = t.limits.maxTotalBytes - budget.left;
        return { tar, member, depth, findings, decompressed, linkSteps: target.linkSteps };
      }
      if (inner !== undefined || isContainerHead(head)) return undefined;
      // A model its own format judges (a PyTorch Mobile flatbuffer gzipped for download): whoever decompresses it
      // hands it to that format's loader, so the in-memory reader judges it as it judges an archive's member.
      if (memberNameClaimed(insideCompression(t.path, false).name) || memberContentClaimed(head, head.length))
        return undefined;
      // A gzipped CSV, JSON or yarn's .yarn/install-state.gz is data, not a pickle: joblib.load or
      // pickle.load(gzip.open(...)) would stop at its first bytes with "invalid load key" (_pickle.c load()) before
      // running anything. Unless something promises a pickle, the decompressed head must look like one, the same
      // test an uncompressed file of unknown kind passes (analyser.ts).
      if (!t.claimed && !(await startsAsPickle(s, head))) return [];
      const findings = await analysePickleFile(s, {
        path: t.path,
        allow: t.allow,
        what: 'pickle',
        member,
        reopen,
        cutShort: () => opened.some((o) => o.limitHit),
        ...(t.onSidecar ? { onSidecar: t.onSidecar } : {}),
      });
      const hit = opened.find((o) => o.limitHit);
      if (hit)
        findings.push(
          hit.limitKind === 'data' ? dataLimitFinding(t, member, hit) : limitFinding(t, member, s.produced),
        );
      return findings;
    }
  } catch {
    // Corrupt data or a read error: the whole-buffer path reads it again and names the problem.
    return undefined;
  } finally {
    await closeAll();
  }
}

/**
 * The same nesting of streams over `src` again, from its first byte, with a budget of its own (the limits of the
 * first reading): a decompressed stream only reads forward, and the plain `pickle.load` reading of a joblib file
 * (pickles.ts `addPlainLoad`) starts over. Closing it closes every level.
 */
function reopenStreams(
  src: FileSource,
  levels: readonly { readonly kind: StreamedCompression; readonly cap: number }[],
  t: StreamTarget,
): FileSource {
  const budget: DecompressBudget = { left: t.limits.maxTotalBytes, dataLeft: t.limits.maxArrayBytes };
  const chain: InflateSource[] = [];
  let input = src;
  for (const { kind, cap } of levels) chain.push((input = new InflateSource(t.path, kind, input, budget, cap)));
  const last = chain[chain.length - 1]!;
  return {
    path: last.path,
    size: last.size,
    openEnded: true,
    get limitHit() {
      return chain.some((c) => c.limitHit);
    },
    read: (offset, length) => last.read(offset, length),
    readInto: (target, at, offset, length) => last.readInto(target, at, offset, length),
    chunks: (start, end, chunkSize) => last.chunks(start, end, chunkSize),
    close: async () => {
      await Promise.all(chain.map((c) => c.close()));
    },
  } as FileSource;
}

function isContainerHead(h: Buffer): boolean {
  if (h.length >= 4 && (h.readUInt32LE(0) === 0x04034b50 || h.readUInt32LE(0) === 0x06054b50)) return true;
  if (h.toString('latin1', 0, 6) === '\x93NUMPY') return true;
  if (isTar(h)) return true;
  const magic = h.toString('latin1', 0, 6);
  return magic === '7z\xbc\xaf\x27\x1c' || magic === 'Rar!\x1a\x07';
}

/**
 * Arrays the pickle declares run past the allowance for raw array data: what follows them (the rest of the pickle)
 * was not read and could hold code.
 */
function dataLimitFinding(t: StreamTarget, member: string, s: InflateSource): Finding {
  return {
    ruleId: 'CPI012',
    level: 'error',
    message: `${t.path} (${member}): the arrays the pickle declares decompress past ${s.dataProduced} bytes (the limit for raw array data); the rest of the pickle after them was not checked. Re-save large arrays outside the pickle (safetensors, .npy) or raise the limit.`,
    location: { path: t.path, member },
    evidence: { limit: 'array-data', decompressed: s.counted + s.dataProduced, arrayData: s.dataProduced },
  };
}

/** The stream went past its cap while the pickle reader still wanted more: the rest could hold code. */
function limitFinding(t: StreamTarget, member: string, produced: number): Finding {
  return {
    ruleId: 'CPI012',
    level: 'error',
    message: `${t.path} (${member}): the compressed stream decompresses past ${produced} bytes (limit on size, ratio and the file's decompression budget); the rest was not checked. Treat it as a decompression bomb.`,
    location: { path: t.path, member },
    evidence: { limit: 'stream', decompressed: produced },
  };
}
