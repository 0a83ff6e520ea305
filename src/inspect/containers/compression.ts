import { gunzipSync, inflateSync } from 'node:zlib';
import type { Compression } from '../../discover/formats/compressed-head.js';
import { ZF_HEADER, zfDataStart } from '../../discover/formats/compressed-head.js';
import { bunzip2Capped } from './bzip2.js';
import { ContainerLimitError } from './errors.js';
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
  const cap = Math.min(lim.maxOutput, Math.max(1 << 20, data.length * lim.maxRatio));
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

function limitError(kind: Compression, cap: number): ContainerLimitError {
  return new ContainerLimitError(
    `${kind} stream decompresses past ${cap} bytes (limit on size, ratio and the file's decompression budget)`,
    cap,
  );
}
