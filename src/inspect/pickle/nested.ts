import type { PickleRun } from './result.js';
import type { ByteSource } from './source.js';

/** A bytes or string value of the stream that reads as a pickle of its own (issue #12 class 6). */
export interface NestedBlob {
  readonly data: Buffer;
  /** Offset of the opcode that carried it in the outer stream. */
  readonly offset: number;
  readonly encoding: 'bytes' | 'base64' | 'hex' | 'text';
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
 * ordinary strings are never copied. `utf8`: the payload is a str's UTF-8 (BINUNICODE), which holds a pickle as
 * the Latin-1 text protocols 0–2 pickle bytes as (see noteText).
 */
export function noteBytes(run: PickleRun, src: ByteSource, n: number, at: number, utf8 = false): void {
  if (n < 4 || n > MAX_NESTED_BYTES) return;
  const first = src.peek();
  if (utf8 && first === 0xc2) {
    // U+0080 is C2 80 in UTF-8: the str may be a pickle's Latin-1 text.
    const head = src.peekBytes(3);
    if (head[1] !== 0x80 || head[2]! > 5) return;
    const data = src.peekBytes(n);
    if (data.length === n) noteLatin1(run, data.toString('utf8'), at);
    return;
  }
  if (first === 0x38)
    return noteHex(
      run,
      src.peekBytes(Math.min(n, 4)).toString('latin1'),
      () => src.peekBytes(n).toString('latin1'),
      at,
    );
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

/** Hex of PROTO 0–5 (`8004…`): what `pickle.dumps(x).hex()` starts with. */
const HEX_PICKLE_HEAD = /^800[0-5]$/i;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * A value holding a pickle as hex text (`bytes.hex()`), for code that does `pickle.loads(bytes.fromhex(…))` as others
 * do with base64: copied out only when its first 4 characters are hex of PROTO, so other text is never read whole.
 */
function noteHex(run: PickleRun, head: string, whole: () => string, at: number): void {
  if (!HEX_PICKLE_HEAD.test(head)) return;
  const text = whole();
  if (!HEX.test(text)) return;
  const data = Buffer.from(text, 'hex');
  if (startsLikePickle(data)) keep(run, { data, offset: at, encoding: 'hex' });
}

/**
 * A str whose characters are all below U+0100 and that starts with U+0080: protocols 0–2 pickle a bytes value as
 * `_codecs.encode(<its Latin-1 text>, 'latin1')` (Lib/pickle.py `save_bytes`), so a nested pickle in a protocol 0–2
 * stream is such a str, and so is one any loader turns back into bytes with `.encode('latin1')`.
 */
function noteLatin1(run: PickleRun, s: string, at: number): void {
  if (s.length < 4 || s.length > MAX_NESTED_BYTES) return;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return; // 'latin1' cannot encode it
  const data = Buffer.from(s, 'latin1');
  if (startsLikePickle(data)) keep(run, { data, offset: at, encoding: 'text' });
}

/**
 * Whether `noteText` could keep a str that starts with `head`: for a line too long to be kept whole
 * (vm/scalars-text.ts `startLongLine`), which is then not read on as if it held nothing.
 */
export function mayNoteText(head: string): boolean {
  return nestedTextKind(head, true) !== undefined;
}

/**
 * What a protocol-0 str may hold a nested pickle as, by its first characters: the Latin-1 text of a binary pickle,
 * hex or base64 of one, or a protocol-0 pickle kept as text (a GLOBAL line). `cut`: `s` is only the head of a longer
 * line, so the GLOBAL line may run past it.
 */
function nestedTextKind(s: string, cut: boolean): 'latin1' | 'hex' | 'base64' | 'text' | undefined {
  if (s.charCodeAt(0) === 0x80) return 'latin1';
  if (s.startsWith('80')) return 'hex';
  if (s.startsWith('gA')) return 'base64';
  return (cut ? /^c[A-Za-z_][\w.]*(\n|$)/ : /^c[A-Za-z_][\w.]*\n/).test(s) ? 'text' : undefined;
}

/**
 * Called by the VM for the protocol-0 strings it decodes (STRING, UNICODE): a protocol-0 pickle kept as text,
 * base64 of one, or the Latin-1 text of a binary one (noteLatin1).
 */
export function noteText(run: PickleRun, s: string, at: number): void {
  const kind = nestedTextKind(s, false);
  if (kind === 'latin1') noteLatin1(run, s, at);
  // Bounded as a bytes value is (noteBytes); the text itself, not a Latin-1 copy of it, is what must be hex.
  else if (kind === 'hex' && s.length <= MAX_NESTED_BYTES) noteHex(run, s.slice(0, 4), () => s, at);
  else if (kind === 'base64') {
    const text = s.replace(/\s+/g, '');
    if (!BASE64.test(text)) return;
    const data = Buffer.from(text, 'base64');
    if (startsLikePickle(data)) keep(run, { data, offset: at, encoding: 'base64' });
  } else if (kind === 'text') keep(run, { data: Buffer.from(s, 'latin1'), offset: at, encoding: 'text' });
}
