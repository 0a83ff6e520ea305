import { constants, gunzipSync, inflateSync } from 'node:zlib';
import type { Compression } from '../../discover/formats/compressed-head.js';
import { ZF_HEADER, zfDataStart } from '../../discover/formats/compressed-head.js';
import { bunzip2Capped } from './bzip2.js';
import { ContainerLimitError, StreamCutError } from './errors.js';
import { unlzmaCapped } from './lzma.js';
import { unlz4Capped } from './lz4.js';

export type { Compression } from '../../discover/formats/compressed-head.js';
/** Call (and await) once before `decompress` meets xz or LZMA_Alone. */
export { loadLzmaDecoder } from './lzma.js';
/** The one compression-header reader, shared with discovery. */
export { sniffCompression } from '../../discover/formats/compressed-head.js';

export interface DecompressLimits {
  readonly maxOutput: number;
  readonly maxRatio: number;
}

/** Decompress a whole stream with a hard output cap; past the cap (size or ratio) is a ContainerLimitError. */
export function decompress(kind: Compression, data: Buffer, lim: DecompressLimits): Buffer {
  const cap = outputCap(data, lim);
  try {
    switch (kind) {
      case 'gzip':
        return gunzipSync(data, { maxOutputLength: cap });
      case 'zlib':
        return inflateSync(data, { maxOutputLength: cap });
      case 'zf':
        return inflateSync(data.subarray(zfDataStart(data) ?? ZF_HEADER), { maxOutputLength: cap });
      case 'bzip2':
        return bunzip2Capped(data, cap, () => limitError(kind, cap));
      case 'xz':
      case 'lzma':
        // A whole compressed file: read stream after stream, as joblib's `lzma.LZMAFile` does.
        return unlzmaCapped(data, cap, () => limitError(kind, cap), true);
      case 'lz4':
        return unlz4Capped(data, cap, () => limitError(kind, cap));
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw limitError(kind, cap);
    throw err;
  }
}

/**
 * What a stream that failed part way decodes to before the failure, undefined for another error or no bytes: a gzip or
 * zlib stream cut short (`gzip -dc` / zcat write what they inflated, gzip's inflate.c `flush_window`, before
 * "unexpected end of file", and Python's `GzipFile.read` hands it to the reader, a `pickle.load`, before the EOFError
 * at the cut), and a bzip2 or xz stream that breaks part way (StreamCutError, as bzcat / xzcat and `BZ2File` /
 * `LZMAFile` do). The content is there to load. `err` is what `decompress` threw for the same stream and limits.
 */
export function truncatedPrefix(
  kind: Compression,
  data: Buffer,
  err: unknown,
  lim: DecompressLimits,
): Buffer | undefined {
  if (err instanceof StreamCutError) return err.decoded.length > 0 ? err.decoded : undefined;
  if ((err as { code?: string }).code !== 'Z_BUF_ERROR') return undefined;
  if (kind !== 'gzip' && kind !== 'zlib' && kind !== 'zf') return undefined;
  // Z_SYNC_FLUSH at the end of the input: zlib returns what it inflated instead of failing on the missing end.
  const opts = { maxOutputLength: outputCap(data, lim), finishFlush: constants.Z_SYNC_FLUSH };
  try {
    const out =
      kind === 'gzip'
        ? gunzipSync(data, opts)
        : inflateSync(kind === 'zf' ? data.subarray(zfDataStart(data) ?? ZF_HEADER) : data, opts);
    return out.length > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}

function outputCap(data: Buffer, lim: DecompressLimits): number {
  return Math.min(lim.maxOutput, Math.max(1 << 20, data.length * lim.maxRatio));
}

function limitError(kind: Compression, cap: number): ContainerLimitError {
  return new ContainerLimitError(
    `${kind} stream decompresses past ${cap} bytes (limit on size, ratio and the file's decompression budget)`,
    cap,
  );
}
