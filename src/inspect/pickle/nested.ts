import type { PickleRun } from './result.js';
import type { ByteSource } from './source.js';

/** A bytes or string value of the stream that reads as a pickle of its own (issue #12 class 6). */
export interface NestedBlob {
  readonly data: Buffer;
  /** Offset of the opcode that carried it in the outer stream. */
  readonly offset: number;
  readonly encoding: 'bytes' | 'base64' | 'text';
}

/** Blobs larger than this are not copied out (the read window of a file source is 1 MiB). */
export const MAX_NESTED_BYTES = 1 << 20;
/** At most this many blobs per pickle are kept for analysis. */
const MAX_BLOBS = 64;

/** PROTO 0–5, or a protocol-0/1 GLOBAL line (`cmodule\nname\n`): what pickle.dumps output starts with. */
function startsLikePickle(head: Buffer): boolean {
  if (head.length < 2) return false;
  if (head[0] === 0x80) return head[1]! <= 5;
  return head[0] === 0x63 && /^c[A-Za-z_][\w.]*\n/.test(head.toString('latin1'));
}

function keep(run: PickleRun, blob: NestedBlob): void {
  const list = (run.nested ??= []);
  if (list.length < MAX_BLOBS) list.push(blob);
  else run.nestedSkipped = (run.nestedSkipped ?? 0) + 1; // reported, never silently dropped
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Called by the VM before it reads or skips a bytes or string payload: peeks at most 64 bytes, and copies the
 * payload out only when it starts like a pickle, raw or base64 (`gA` is base64 of PROTO) — array data, weights and
 * ordinary strings are never copied.
 */
export function noteBytes(run: PickleRun, src: ByteSource, n: number, at: number): void {
  if (n < 4 || n > MAX_NESTED_BYTES) return;
  const first = src.peek();
  if (first !== 0x80 && first !== 0x63 && first !== 0x67) return; // PROTO, GLOBAL, base64 "gA"
  const head = src.peekBytes(Math.min(n, 64));
  if (startsLikePickle(head)) {
    const data = src.peekBytes(n);
    if (data.length === n) keep(run, { data, offset: at, encoding: head[0] === 0x80 ? 'bytes' : 'text' });
    return;
  }
  if (head[0] !== 0x67 || head[1] !== 0x41) return; // 'gA'
  const text = src.peekBytes(n).toString('latin1').replace(/\s+/g, '');
  if (!BASE64.test(text)) return;
  const data = Buffer.from(text, 'base64');
  if (startsLikePickle(data)) keep(run, { data, offset: at, encoding: 'base64' });
}

/**
 * Called by the VM for short strings it decodes anyway, only when they start with `c` or `g`: a protocol-0 pickle
 * kept as text, or base64 of one. (A decoded string cannot start with raw PROTO: CPython's UTF-8 and ASCII decoders
 * reject a leading 0x80.)
 */
export function noteText(run: PickleRun, s: string, at: number): void {
  if (s.startsWith('gA')) {
    const text = s.replace(/\s+/g, '');
    if (!BASE64.test(text)) return;
    const data = Buffer.from(text, 'base64');
    if (startsLikePickle(data)) keep(run, { data, offset: at, encoding: 'base64' });
  } else if (/^c[A-Za-z_][\w.]*\n/.test(s)) {
    keep(run, { data: Buffer.from(s, 'latin1'), offset: at, encoding: 'text' });
  }
}
