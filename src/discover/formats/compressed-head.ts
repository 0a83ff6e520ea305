import { constants, gunzipSync, inflateSync } from 'node:zlib';

/** Bound on what discovery inflates from a file's first bytes. */
const MAX_INFLATE = 1024 * 1024;
/** Deflate expands at most ~1032:1, so 1 KiB of input stays under MAX_INFLATE. */
const INFLATE_INPUT = 1024;

/**
 * joblib compresses the whole pickle stream (zlib by default, or gzip). A zlib or gzip head that inflates to a
 * pickle PROTO opcode is a compressed joblib/pickle whatever its name. Partial inflate of the head only.
 */
export function inflatesToPickle(head: Buffer): boolean {
  const out = tryInflate(head);
  return out !== undefined && out.length >= 2 && out[0] === 0x80 && out[1]! >= 2 && out[1]! <= 5;
}

export function isZlibHeader(head: Buffer): boolean {
  return head.length >= 2 && (head[0]! & 0x0f) === 8 && head[0]! >> 4 <= 7 && ((head[0]! << 8) | head[1]!) % 31 === 0;
}

function tryInflate(whole: Buffer): Buffer | undefined {
  const head = whole.subarray(0, INFLATE_INPUT);
  const opts = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATE };
  try {
    if (head[0] === 0x1f && head[1] === 0x8b) return gunzipSync(head, opts);
    if (isZlibHeader(head)) return inflateSync(head, opts);
  } catch {
    return undefined;
  }
  return undefined;
}
