import type { FileSource } from '../../core/file-source.js';
import type { Finding } from '../../core/finding.js';
import { InflateSource, type DecompressBudget } from '../containers/inflate-source.js';
import { analysePickleFile } from '../pickle/pickles.js';
import type { ContentContext } from './content.js';

/** A range of a file seen as a file of its own (a zip member's compressed data). */
export function sliceSource(src: FileSource, start: number, length: number): FileSource {
  const size = Math.max(0, Math.min(length, src.size - start));
  const clamp = (offset: number, n: number): number => Math.max(0, Math.min(n, size - offset));
  return {
    path: src.path,
    size,
    read: (offset, n) => src.read(start + offset, clamp(offset, n)),
    readInto: (target, at, offset, n) => src.readInto(target, at, start + offset, clamp(offset, n)),
    chunks: (from = 0, end = size, chunkSize) => src.chunks(start + from, start + Math.min(end, size), chunkSize),
    close: () => Promise.resolve(),
  };
}

/**
 * A deflated zip member that is a pickle, inflated as the pickle reader goes (`ZipFile.open` hands `pickle.load` a
 * decompressing reader; torch's `PyTorchStreamReader` inflates `data.pkl` the same way): memory stays at the
 * reader's window, never the member. Charged to the file's decompression budget; a member that inflates past what
 * is left of it while the reader still wants more is a CPI012 error.
 */
export async function analyseDeflatedMember(
  src: FileSource,
  dataAt: number,
  e: { name: string; compressedSize: number; size: number },
  ctx: ContentContext,
): Promise<Finding[]> {
  const left = ctx.limits.maxTotalBytes - ctx.extracted;
  const budget = { left, dataLeft: ctx.limits.maxArrayBytes };
  const cap = Math.min(ctx.limits.maxEntrySize, Math.max(16 << 20, e.compressedSize * ctx.limits.maxRatio));
  const inflate = (b: DecompressBudget) =>
    new InflateSource(ctx.path, 'deflate', sliceSource(src, dataAt, e.compressedSize), b, cap);
  const s = inflate(budget);
  try {
    const findings = await analysePickleFile(s, {
      path: ctx.path,
      allow: ctx.allow,
      what: 'pickle',
      member: e.name,
      // The plain pickle.load reading of a joblib wrapper (pickles.ts addPlainLoad) inflates the member again.
      reopen: () => Promise.resolve(inflate({ left, dataLeft: ctx.limits.maxArrayBytes })),
    });
    ctx.extracted += s.counted;
    if (s.limitHit)
      findings.push({
        ruleId: 'CPI012',
        level: 'error',
        message: `${ctx.path} (${e.name}): the deflated member inflates past ${s.produced} bytes (limit on size, ratio and the file's decompression budget); the rest was not checked. Treat it as a decompression bomb.`,
        location: { path: ctx.path, member: e.name },
        evidence: { limit: s.limitKind === 'data' ? 'array-data' : 'stream', decompressed: s.produced },
      });
    return findings;
  } finally {
    await s.close();
  }
}
