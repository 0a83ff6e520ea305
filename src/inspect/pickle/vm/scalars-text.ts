import { noteCodeBytes, noteCodeText, WINDOW } from '../code-text.js';
import { mayNoteText, noteBytes, noteText } from '../nested.js';
import { decodeEscapes, decodeRawUnicodeEscape, decodeStringLine } from '../text.js';
import { lengthText } from '../source.js';
import { pickleFloatArg, pickleIntArg, pickleLongArg } from '../../../discover/formats/pickle-numbers.js';
import type { Value } from '../values.js';
import { KEEP_STRING, NONE } from '../values.js';
import type { HandlerTable, LongLine, VmState } from './state.js';
import { Stop } from './state.js';

/**
 * Numbers, strings and bytes. Numbers keep their value (shapes, counts and the legacy magic are read from them);
 * strings are decoded only up to KEEP_STRING characters; bytes are never copied — nested.ts peeks at the few that
 * start like a pickle and copies those out.
 */

/** BININT1 values are shared: a state dict pushes millions of small shape numbers. */
const SMALL: readonly Value[] = Array.from({ length: 256 }, (_, v) => ({ k: 'scalar', v }) as const);
const TRUE: Value = { k: 'scalar', v: true };
const FALSE: Value = { k: 'scalar', v: false };
const UNKNOWN_NUMBER: Value = { k: 'scalar' };

const scalar = (v: number): Value => (v >= 0 && v < 256 && Number.isInteger(v) ? SMALL[v]! : { k: 'scalar', v });

/**
 * `utf8`: a BINUNICODE payload, which `load_counted_binunicode` decodes with 'surrogatepass': a bad sequence stops
 * the load there. A payload longer than the buffered window (over 2 MiB, skipped unread) is not checked. BINSTRING's
 * are a Python 2 str's raw bytes.
 */
function readText(vm: VmState, n: number, utf8: boolean): Value {
  const { src } = vm;
  if (n > src.remaining) vm.ranOut(`pickle data was truncated (string of ${lengthText(n)} bytes)`);
  // Decoded before anything else looks at it: the load stops at a bad payload, so nothing in it counts.
  let s: string | undefined;
  if (utf8) {
    const ok = n > KEEP_STRING ? src.utf8Ahead(n) !== false : (s = src.peekUtf8(n)) !== undefined;
    if (!ok) vm.fail(`a str of ${n} bytes is not valid UTF-8`);
  }
  noteBytes(vm.run, src, n, vm.opAt, utf8);
  // A short str is decoded already (`s`, the whole string, within code-text.ts's window): not decoded again.
  if (s !== undefined) noteCodeText(vm.run, s, vm.opAt);
  else noteCodeBytes(vm.run, src, n, vm.opAt, utf8);
  if (n > KEEP_STRING) {
    const at = src.pos;
    src.skip(n);
    return { k: 'str', s: undefined, len: n, at };
  }
  if (s === undefined) return { k: 'str', s: src.text(n), len: n };
  src.skip(n);
  return { k: 'str', s, len: n };
}

function readBytes(vm: VmState, n: number, mutable = false): Value {
  const { src } = vm;
  if (n > src.remaining) vm.ranOut(`pickle data was truncated (bytes of ${lengthText(n)})`);
  noteBytes(vm.run, src, n, vm.opAt);
  const at = src.pos;
  src.skip(n);
  return { k: 'bytes', len: n, mutable, at };
}

const NOT_QUOTED = 'the STRING opcode argument must be quoted';
const BAD_ESCAPE = 'invalid raw-unicode-escape in UNICODE';

/** STRING (a quoted Python 2 repr, `load_string`) or UNICODE (raw-unicode-escape, `load_unicode`): a str. */
function textLine(vm: VmState, quoted: boolean): void {
  const line = vm.src.line(vm.budget.maxLine);
  if (line === undefined) return startLongLine(vm, quoted);
  const s = quoted ? decodeStringLine(line) : decodeRawUnicodeEscape(line);
  if (s === undefined) return vm.fail(quoted ? NOT_QUOTED : BAD_ESCAPE);
  noteText(vm.run, s, vm.opAt);
  noteCodeText(vm.run, s, vm.opAt);
  vm.push({ k: 'str', s: s.length <= KEEP_STRING ? s : undefined, len: s.length });
}

/**
 * A line longer than `maxLine`: `_Unpickler.readline` reads a line of any length, and STRING and UNICODE only make a
 * str of it, so it is read on to its newline over refills (`readLongLine`) rather than stopping the analysis — a
 * Python 2 era protocol-0 pickle of a numpy array is one such line per array. Its first LONG_LINE_HEAD bytes are looked at
 * as a shorter line's whole is (code-text.ts); a head that may be a pickle kept as text (nested.ts `mayNoteText`)
 * stops the analysis as a budget problem, since the whole str is not kept to be read as one.
 */
function startLongLine(vm: VmState, quoted: boolean): void {
  const { src, budget } = vm;
  if (src.remaining <= budget.maxLine) vm.ranOut('pickle data was truncated (no newline)');
  const head = src.peekBytes(LONG_LINE_HEAD);
  const quote = quoted ? head[0] : undefined;
  if (quoted && quote !== 0x27 && quote !== 0x22) vm.fail(NOT_QUOTED);
  const text = decodeHead(quoted ? head.subarray(1) : head, quoted);
  if (text === undefined) return vm.fail(quoted ? 'invalid escape in STRING' : BAD_ESCAPE);
  if (mayNoteText(text)) throw new Stop('budget', `text argument longer than ${budget.maxLine} bytes`);
  noteCodeText(vm.run, text, vm.opAt);
  const line: LongLine = { from: src.pos, quote, last: undefined };
  vm.longLine = line;
  readLongLine(vm, line);
}

/** The head of a long line decoded: what code-text.ts looks at of a string, not the megabytes after. */
const LONG_LINE_HEAD = WINDOW;

/** The longest escape (`\UXXXXXXXX`, `\xXX`) a cut head may end inside. */
const LONGEST_ESCAPE = 10;

/** The head of a long line decoded, less an escape its cut splits; undefined when an escape in it is invalid. */
function decodeHead(head: Buffer, quoted: boolean): string | undefined {
  for (let cut = 0; cut < LONGEST_ESCAPE && cut < head.length; cut++) {
    const part = head.subarray(0, head.length - cut);
    const s = quoted ? decodeEscapes(part) : decodeRawUnicodeEscape(part);
    if (s !== undefined) return s;
  }
  return undefined;
}

/**
 * Read on a long line (`startLongLine`) through the bytes buffered; true once its newline is read and its str pushed
 * (vm.ts runs the checks that follow the opcode then). Its content is not decoded past the head.
 */
export function readLongLine(vm: VmState, line: LongLine): boolean {
  const { ended, last } = vm.src.skipLinePart();
  if (last !== undefined) line.last = last;
  if (!ended) {
    if (vm.src.atEnd()) vm.ranOut('pickle data was truncated (no newline)');
    return false;
  }
  vm.longLine = undefined;
  if (line.quote !== undefined && line.last !== line.quote) vm.fail(NOT_QUOTED);
  vm.push({ k: 'str', s: undefined, len: vm.src.pos - 1 - line.from });
  return true;
}

/** Signed little-endian integer; exact below 2^53, approximate above (only used for naming). */
function littleLong(b: Buffer): number {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return Number(v);
}

export function addScalarTextOps(t: HandlerTable): void {
  t[0x4e] = (vm) => vm.push(NONE); // NONE
  t[0x88] = (vm) => vm.push(TRUE); // NEWTRUE
  t[0x89] = (vm) => vm.push(FALSE); // NEWFALSE
  t[0x4a] = (vm) => vm.push(scalar(vm.src.i32())); // BININT
  t[0x4b] = (vm) => vm.push(SMALL[vm.src.u8()]!); // BININT1
  t[0x4d] = (vm) => vm.push(scalar(vm.src.u16())); // BININT2
  t[0x47] = (vm) => vm.push({ k: 'scalar', v: vm.src.f64be() }); // BINFLOAT
  t[0x46] = (vm) =>
    vm.push({ k: 'scalar', v: pickleFloatArg(vm.readLine()) ?? vm.fail('could not convert FLOAT argument') }); // FLOAT
  t[0x49] = (vm) => vm.push({ k: 'scalar', v: pickleIntArg(vm.readLine()) ?? vm.fail('invalid INT argument') }); // INT
  t[0x4c] = (vm) => vm.push({ k: 'scalar', v: pickleLongArg(vm.readLine()) ?? vm.fail('invalid LONG argument') }); // LONG
  t[0x8a] = (vm) => {
    // LONG1
    const n = vm.src.u8();
    vm.push(scalar(littleLong(vm.src.bytes(n))));
  };
  t[0x8b] = (vm) => {
    // LONG4
    const n = vm.src.i32();
    if (n < 0) vm.fail('LONG pickle has negative byte count');
    if (n > vm.src.remaining) vm.ranOut('pickle data was truncated (LONG4)');
    if (n <= 16) vm.push(scalar(littleLong(vm.src.bytes(n))));
    else {
      vm.src.skip(n);
      vm.push(UNKNOWN_NUMBER);
    }
  };
  t[0x53] = (vm) => textLine(vm, true); // STRING
  t[0x56] = (vm) => textLine(vm, false); // UNICODE
  t[0x54] = (vm) => {
    // BINSTRING
    const n = vm.src.i32();
    if (n < 0) vm.fail('BINSTRING pickle has negative byte count');
    vm.push(readText(vm, n, false));
  };
  t[0x55] = (vm) => vm.push(readText(vm, vm.src.u8(), false)); // SHORT_BINSTRING
  t[0x58] = (vm) => vm.push(readText(vm, vm.src.u32(), true)); // BINUNICODE
  t[0x8d] = (vm) => vm.push(readText(vm, vm.src.u64(), true)); // BINUNICODE8
  t[0x8c] = (vm) => vm.push(readText(vm, vm.src.u8(), true)); // SHORT_BINUNICODE
  t[0x42] = (vm) => vm.push(readBytes(vm, vm.src.u32())); // BINBYTES
  t[0x43] = (vm) => vm.push(readBytes(vm, vm.src.u8())); // SHORT_BINBYTES
  t[0x8e] = (vm) => vm.push(readBytes(vm, vm.src.u64())); // BINBYTES8
  t[0x96] = (vm) => vm.push(readBytes(vm, vm.src.u64(), true)); // BYTEARRAY8
  t[0x97] = (vm) => vm.fail('pickle stream refers to out-of-band data but no buffers argument was given'); // NEXT_BUFFER
  t[0x98] = (vm) => void vm.top(); // READONLY_BUFFER
}
