import { gunzipSync, inflateSync } from 'node:zlib';
import { ContainerLimitError, UnsupportedContentError } from './errors.js';

export type Compression = 'gzip' | 'zlib' | 'bzip2' | 'xz' | 'lzma';

/** Which single-stream compression a buffer starts with, if any. */
export function sniffCompression(head: Buffer): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  // zlib: CMF 0x78 with a valid FCHECK; joblib's default compressor writes it bare.
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]!) % 31 === 0) return 'zlib';
  // legacy .lzma (LZMA_Alone): properties byte 0x5d and a 4-byte dictionary size.
  if (head.length >= 13 && head[0] === 0x5d && head[1] === 0x00 && head[2] === 0x00) return 'lzma';
  return undefined;
}

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
      case 'bzip2':
      case 'xz':
      case 'lzma':
        throw new UnsupportedContentError(`${kind} decompression is not supported yet`);
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ContainerLimitError(`${kind} stream decompresses past ${cap} bytes (limit on size and ratio)`);
    }
    throw err;
  }
}
