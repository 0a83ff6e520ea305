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

/**
 * Decompress a whole stream with a hard output cap; past the cap (size or ratio) is a ContainerLimitError. A stream
 * that breaks part way is a StreamCutError carrying what it decoded before the break: a gzip or zlib stream cut short
 * (`gzip -dc` / zcat write what they inflated, gzip's inflate.c `flush_window`, before "unexpected end of file", and
 * Python's `GzipFile.read` hands it to the reader, a `pickle.load`, before the EOFError at the cut), and a bzip2 or xz
 * stream that breaks part way (as bzcat / xzcat and `BZ2File` / `LZMAFile` do). The content is there to load.
 */
export function decompress(kind: Compression, data: Buffer, lim: DecompressLimits): Buffer {
  const cap = outputCap(data, lim);
  try {
    switch (kind) {
      case 'gzip':
        return gunzipSync(data, { maxOutputLength: cap });
      case 'zlib':
        return inflateSync(data, { maxOutputLength: cap });
      case 'zf':
        return inflateSync(zfDeflated(data), { maxOutputLength: cap });
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
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw limitError(kind, cap);
    if (code === 'Z_BUF_ERROR' && (kind === 'gzip' || kind === 'zlib' || kind === 'zf'))
      throw new StreamCutError((err as Error).message, inflatedBeforeCut(kind, data, cap) ?? Buffer.alloc(0));
    throw err;
  }
}

/** A zlib-family stream cut short, re-inflated with Z_SYNC_FLUSH: zlib returns what it inflated up to the cut. */
function inflatedBeforeCut(kind: 'gzip' | 'zlib' | 'zf', data: Buffer, cap: number): Buffer | undefined {
  const opts = { maxOutputLength: cap, finishFlush: constants.Z_SYNC_FLUSH };
  try {
    return kind === 'gzip' ? gunzipSync(data, opts) : inflateSync(kind === 'zf' ? zfDeflated(data) : data, opts);
  } catch {
    return undefined;
  }
}

/** A zf (joblib's zlib) file's deflate stream, after its header. */
function zfDeflated(data: Buffer): Buffer {
  return data.subarray(zfDataStart(data) ?? ZF_HEADER);
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
