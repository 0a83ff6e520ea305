import { constants, gunzipSync, inflateSync } from 'node:zlib';
import { sniffPickleStream } from './pickle-head.js';

/**
 * THE compression-header reader. Discovery and the content inspector both call `sniffCompression`; the prefixes
 * are joblib's (`joblib/compressor.py` `_COMPRESSORS` prefixes and `numpy_pickle_utils._detect_compressor`), which
 * are also the stream magics of gzip, bz2, xz, LZMA_Alone and zlib.
 */
export type Compression = 'gzip' | 'zlib' | 'bzip2' | 'xz' | 'lzma' | 'zf' | 'lz4';

/** joblib's `_LZ4_PREFIX` b'\\x04\\x22\\x4D\\x18', the LZ4 frame magic (an LZ4 frame written by python-lz4). */
export const LZ4_PREFIX = Buffer.from([0x04, 0x22, 0x4d, 0x18]);

/** joblib's pre-0.10 'ZF' format (`numpy_pickle_compat.read_zfile`): 'ZF', a 19-byte hex length, then zlib (`zfDataStart`). */
export const ZF_HEADER = 2 + 19;

/**
 * `int(field, 16)` as CPython reads the ZF length field: ASCII whitespace around, a sign, an optional `0x` (and an
 * underscore after it), underscores between digits. A trailing `L` (Python 2's `hex()` of a long) is let through too.
 */
const PY_HEX_INT = /^[ \t\n\r\v\f]*[+-]?(?:0[xX]_?)?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*L?[ \t\n\r\v\f]*$/;

/**
 * Where the zlib data of joblib's pre-0.10 'ZF' format starts (`numpy_pickle_compat.read_zfile`): 'ZF', 19 bytes
 * `int(…, 16)` must parse, then one optional space (joblib <= 0.8.4 under Python 2 wrote a 20-byte field), then the
 * stream `zlib.decompress` reads. Undefined when the head is not such a file.
 */
export function zfDataStart(head: Buffer): number | undefined {
  if (head.length < ZF_HEADER + 2 || head.toString('latin1', 0, 2) !== 'ZF') return undefined;
  if (!PY_HEX_INT.test(head.toString('latin1', 2, ZF_HEADER))) return undefined;
  const at = head[ZF_HEADER] === 0x20 ? ZF_HEADER + 1 : ZF_HEADER;
  return isZlibHeader(head.subarray(at)) ? at : undefined;
}

/** Which single-stream compression a buffer starts with, if any. */
export function sniffCompression(head: Buffer): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.subarray(0, 4).equals(LZ4_PREFIX)) return 'lz4';
  // joblib's `_ZLIB_PREFIX` is b'\x78' (`_detect_compressor` matches prefixes): another valid RFC 1950 header, such as
  // "(S" (0x28 0x53), is a protocol 0 pickle's MARK and STRING to `pickle.load`, and joblib unpickles it as such.
  if (head.length >= 2 && head[0] === 0x78 && isZlibHeader(head)) return 'zlib';
  if (zfDataStart(head) !== undefined) return 'zf';
  // LZMA_Alone (joblib's `_LZMA_PREFIX` b'\x5d\x00'): properties byte 0x5d and a little-endian dictionary size.
  if (head.length >= 13 && head[0] === 0x5d && isLzmaAloneHeader(head)) return 'lzma';
  return undefined;
}

/** RFC 1950 header: deflate (CM 8) with a window of at most 32 KiB and a valid FCHECK, as `zlib.decompress` takes. */
export function isZlibHeader(head: Buffer): boolean {
  return head.length >= 2 && (head[0]! & 0x0f) === 8 && head[0]! >> 4 <= 7 && ((head[0]! << 8) | head[1]!) % 31 === 0;
}

/** Bound on what discovery inflates from a file's first bytes. */
const MAX_INFLATE = 1024 * 1024;
/** Deflate expands at most ~1032:1, so 1 KiB of input stays under MAX_INFLATE. */
const INFLATE_INPUT = 1024;

/**
 * joblib compresses the whole pickle stream (zlib by default, or gzip, or the old 'ZF' format). A head that
 * inflates to a pickle is a compressed joblib/pickle whatever its name: `joblib.load`
 * (`numpy_pickle_utils._detect_compressor`, then `_read_fileobject`) picks the decompressor by the magic alone and
 * unpickles what comes out, a protocol 0/1 stream without PROTO as readily as a PROTO one — so the inflated bytes
 * are sniffed as `pickle.load` reads them (pickle-head.ts). Partial inflate of the head.
 */
export function inflatesToPickle(head: Buffer): boolean {
  const out = tryInflate(head);
  if (out === undefined || out.length < 2) return false;
  if (out[0] === 0x80 && out[1]! >= 2 && out[1]! <= 5) return true;
  const sniff = sniffPickleStream(out, false);
  // A zlib or ZF stream still well formed where its inflated head ends (a UNICODE line longer than it, which
  // pickle.load reads whole before the opcodes after it) is taken for one, as nothing else would read it: the pickle
  // inspector reads it to the end. A gzip file is inspected whatever it holds (streamed.ts `startsAsPickle` reads on).
  return sniff === 'pickle' || (sniff === 'more' && sniffCompression(head) !== 'gzip');
}

function tryInflate(whole: Buffer): Buffer | undefined {
  const kind = sniffCompression(whole);
  const opts = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATE };
  try {
    if (kind === 'gzip') return gunzipSync(whole.subarray(0, INFLATE_INPUT), opts);
    if (kind === 'zlib') return inflateSync(whole.subarray(0, INFLATE_INPUT), opts);
    const zf = zfDataStart(whole);
    if (zf !== undefined) return inflateSync(whole.subarray(zf, zf + INFLATE_INPUT), opts);
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * LZMA_Alone header as xz-utils' `lzma_alone_decoder` checks it: properties byte (lc+lp*9+pb*45 < 225), a
 * dictionary size of 2^n or 2^n + 2^(n-1), and an uncompressed size that is unknown (all ones) or below 2^38.
 */
function isLzmaAloneHeader(head: Buffer): boolean {
  if (head[0]! >= 225) return false;
  const dict = head.readUInt32LE(1);
  const pow = dict & -dict;
  if (dict !== pow && dict !== pow + pow * 2) return false;
  const size = head.readBigUInt64LE(5);
  return size === 0xffffffffffffffffn || size < 1n << 38n;
}
