import type { OpArg } from './pickle-opcodes.js';
import { LENGTH_WIDTH, OPCODES, opArgEnd } from './pickle-opcodes.js';
import { isCSpace, pickleDecimalArg, pickleFloatArg, pickleIntArg, pickleLongArg } from './pickle-numbers.js';

/**
 * Recognise a pickle by walking its first opcodes, as `pickle.load` would read them — whatever the file is called
 * and whatever it starts with (protocol 0/1 with no PROTO, FRAME first, leading no-ops): every opcode must exist,
 * its argument must be well formed as CPython's `_Unpickler` parses it, and stack and MARK use must be consistent.
 * Text, JSON, source code and images fail within a few bytes. Recognition only: nothing is unpickled.
 */

/** Opcodes that must validate before a stream longer than the head counts as a pickle. */
const MIN_OPS_OPEN = 16;
/** A pickle that stops within the head with bytes after it must have at least this many opcodes. */
const MIN_OPS_STOPPED = 4;

/**
 * `more`: every opcode in the head is well formed, but the head ends before enough of them to tell (a long STRING or
 * BINUNICODE first: `pickle.load` has no limit on either). The caller reads further (walk.ts `sniffFurther`).
 */
export type PickleSniff = 'pickle' | 'not-pickle' | 'more';

/**
 * Opcodes that import or call (find_class, a callable on the stack, persistent_load, the extension registry): before
 * one has run, `pickle.load` has done nothing but build data.
 */
const RUNS = new Set([0x63, 0x93, 0x69, 0x6f, 0x52, 0x62, 0x81, 0x92, 0x82, 0x83, 0x84, 0x50, 0x51]);
/** The opcodes that import (`find_class`): GLOBAL, STACK_GLOBAL, INST. */
const IMPORTS = new Set([0x63, 0x93, 0x69]);

/**
 * Walk `head` (the first bytes of a file or member; `wholeFile` when it is all of it; `size` the bytes of the whole
 * file, when known).
 */
export function sniffPickleStream(head: Buffer, wholeFile: boolean, size?: number): PickleSniff {
  const walk = walkPickleHead(head, size);
  switch (walk.end) {
    case 'invalid':
      return 'not-pickle';
    case 'stopped':
      // A real pickle that ends here is one, a two-byte "N." in prose is not.
      return walk.at === head.length && wholeFile ? 'pickle' : walk.ops >= MIN_OPS_STOPPED ? 'pickle' : 'not-pickle';
    case 'ended':
      // The head ended inside a well-formed stream: a truncated file is no pickle, a long one may be.
      return wholeFile ? 'not-pickle' : walk.ops >= MIN_OPS_OPEN ? 'pickle' : 'more';
  }
}

/** UNICODE and STRING: their line only makes a string (pickle.py `load_unicode`, `load_string`). */
const DATA_LINES = new Set([0x56, 0x53]);

/**
 * Where `head` ends inside the line of a UNICODE or STRING with nothing imported or called before it: the offset of
 * that line's first byte. `pickle.load` reads such a line to its newline however long it is (`_Unpickler.readline`)
 * and goes on at the opcode after it, so the head alone says nothing yet; the bytes after the newline do
 * (`sniffAfterLine`). A text file whose first line is a megabyte long and starts with `V` reads this way.
 */
export function openDataLine(head: Buffer): number | undefined {
  const walk = walkPickleHead(head);
  if (walk.end !== 'ended' || walk.ran || walk.cutOp === undefined || !DATA_LINES.has(walk.cutOp)) return undefined;
  return walk.at + 1;
}

/**
 * `sniffPickleStream` of a stream whose data line (`openDataLine`) ends at a newline past the head: `before` is the
 * head up to that line, `edges` the line's first and last bytes (what `load_string` checks for quotes; a line of
 * fewer than two bytes is itself), `rest` what follows its newline (`wholeFile` when it runs to the end of the file),
 * `size` the file's bytes counted with the line cut down to `edges`.
 */
export function sniffAfterLine(
  before: Buffer,
  edges: Buffer,
  rest: Buffer,
  wholeFile: boolean,
  size: number,
): PickleSniff {
  return sniffPickleStream(Buffer.concat([before, edges, NEWLINE, rest]), wholeFile, size);
}

const NEWLINE = Buffer.from([0x0a]);

/**
 * Whether `head` is the start of a stream `pickle.load` reads without an error, however few opcodes it holds: for a
 * file its loader unpickles whatever it starts with (a `.pt`, `.pkl` or `pytorch_model.bin` goes to `torch.load`'s
 * `_legacy_load`, whose first act is `pickle_module.load(f)`), so a GIF or MZ "magic" spelled by a first opcode's
 * argument does not make it an image. A genuine image or executable fails within its first bytes.
 */
export function isPicklePrefix(head: Buffer): boolean {
  return head.length > 0 && walkPickleHead(head).end !== 'invalid';
}

/**
 * Whether `head` starts with opcodes `pickle.load` reads up to an import (GLOBAL, STACK_GLOBAL or INST), whatever
 * follows that: the unpickler acts on each opcode as it reads it, so what it imported and called before a later
 * error has run. For content another format also claims — a tar whose first member name is a pickle, an HDF5 user
 * block — which pickle.load, joblib.load and np.load(allow_pickle=True) read from byte 0 all the same. `undecided`
 * when the head (short of the whole file) ends inside a well-formed stream before any import, as behind a long
 * BINBYTES: only reading on tells.
 */
export type LeadingPickle = 'imports' | 'undecided' | 'no';

export function leadingPickle(head: Buffer, wholeFile: boolean): LeadingPickle {
  const walk = walkPickleHead(head);
  if (walk.imported) return 'imports';
  return walk.end === 'ended' && !wholeFile ? 'undecided' : 'no';
}

interface HeadWalk {
  /** `stopped` at a STOP, `ended` with the head still well formed, `invalid` where `pickle.load` would raise. */
  readonly end: 'stopped' | 'ended' | 'invalid';
  /** An import opcode was read whole before the walk ended. */
  readonly imported: boolean;
  /** Opcodes read, and the offset after the last one. */
  readonly ops: number;
  readonly at: number;
  /** An import or call was read before the walk ended. */
  readonly ran: boolean;
  /** For `ended`: the opcode whose argument the head cut off, and where that opcode starts. */
  readonly cutOp?: number;
}

/** Walk the opcodes of `head` with `_pickle.c`'s stack and MARK rules, up to its first STOP. */
function walkPickleHead(head: Buffer, size?: number): HeadWalk {
  let p = 0;
  let depth = 0;
  // Stack depth at each open MARK; the top one is `Pdata`'s fence, below which nothing is popped.
  const marks: number[] = [];
  let ops = 0;
  let ran = false;
  let imported = false;
  const end = (e: HeadWalk['end'], cutOp?: number): HeadWalk => ({
    end: e,
    ops,
    at: p,
    imported,
    ran,
    ...(cutOp !== undefined ? { cutOp } : {}),
  });
  while (p < head.length) {
    const code = head[p]!;
    const spec = OPCODES.get(code);
    if (!spec) return end('invalid');
    if (code === 0x80 && p + 1 >= head.length) return end('ended');
    if (code === 0x80 && head[p + 1]! > 5) return end('invalid');
    const after = skipArg(head, p + 1, spec.arg);
    if (after === 'invalid') return end('invalid');
    // An argument longer than the rest of the file: `pickle.load` raises "pickle data was truncated" there, and when
    // nothing before it imported or called, nothing ran (the float32 weights of a tfjs `.bin` shard that start `B`
    // and a length of 790 MB).
    if (after === 'short' && size !== undefined && !ran && (declaredEnd(head, p + 1, spec.arg) ?? 0) > size)
      return end('invalid');
    if (after === 'short') return end('ended', code);
    if (RUNS.has(code)) ran = true;
    p = after;
    ops++;
    if (code === 0x28) {
      marks.push(depth);
      continue;
    }
    const fence = marks.at(-1);
    // POP with nothing above the topmost MARK pops that MARK (`_pickle.c` `load_pop`; pickle.py `load_pop` →
    // `pop_mark`): `(0` is a no-op, not an underflow.
    if (code === 0x30 && fence === depth) {
      marks.pop();
      continue;
    }
    if (spec.pops === 'mark') {
      const m = marks.pop();
      if (m === undefined) return end('invalid');
      if ((spec.below ?? 0) > m) return end('invalid');
      depth = m;
    } else {
      if (depth - (fence ?? 0) < spec.pops) return end('invalid');
      depth -= spec.pops;
    }
    depth += spec.pushes;
    if (IMPORTS.has(code)) imported = true;
    // `pickle.load` stops at STOP and returns what is on top, above the last MARK (the pops check above: `_pickle.c`
    // `load_stop`, Pdata_pop's fence). Values or MARKs left below it do not stop it: a pickle that leaves them still
    // runs every call before its STOP.
    if (code === 0x2e) return end('stopped');
  }
  return end('ended');
}

/** Where a length-prefixed argument at `p` says it ends, when its length field is in the head. */
function declaredEnd(b: Buffer, p: number, arg: OpArg): number | undefined {
  return LENGTH_WIDTH[arg] === undefined ? undefined : opArgEnd(b, p, arg);
}

const NAME = /^[A-Za-z_][\w.]*$/;
/** The start of a NAME the head cuts off (possibly empty). */
const NAME_SO_FAR = /^(?:[A-Za-z_][\w.]*)?$/;

function skipArg(b: Buffer, p: number, arg: OpArg): number | 'short' | 'invalid' {
  const need = (n: number) => (p + n <= b.length ? p + n : 'short');
  switch (arg) {
    case 'none':
      return p;
    case 'u1':
      return need(1);
    case 'u2':
      return need(2);
    case 'i4':
    case 'u4':
      return need(4);
    case 'u8':
    case 'f8':
      return need(8);
    case 'len1':
      return p + 1 > b.length ? 'short' : need(1 + b[p]!);
    case 'len4':
      if (p + 4 > b.length) return 'short';
      return b.readInt32LE(p) < 0 ? 'invalid' : need(4 + b.readUInt32LE(p));
    case 'len8':
      return p + 8 > b.length ? 'short' : need(8 + Number(b.readBigUInt64LE(p)));
    case 'name-pair': {
      // Known before the line ends too: a character no module or attribute name holds (minified JavaScript that
      // starts `const e=…` on one line of megabytes is GLOBAL's `c` and a module line `find_class` never imports).
      const first = line(b, p);
      if (typeof first !== 'number') return NAME_SO_FAR.test(b.toString('latin1', p)) ? first : 'invalid';
      if (!NAME.test(b.toString('latin1', p, first - 1))) return 'invalid';
      const second = line(b, first);
      if (typeof second !== 'number') return NAME_SO_FAR.test(b.toString('latin1', first)) ? second : 'invalid';
      return NAME.test(b.toString('latin1', first, second - 1)) ? second : 'invalid';
    }
    case 'int-line':
    case 'long-line':
    case 'decimal-line':
    case 'float-line':
    case 'string-line':
    case 'text-line': {
      // Known before the line ends (text whose first line outruns the head is turned away at once): a STRING's quote;
      // a number's white space, sign and first digit, or a FLOAT's first character.
      if (arg === 'string-line' && p < b.length && b[p] !== 0x27 && b[p] !== 0x22) return 'invalid';
      if (arg === 'float-line' && p < b.length && !FLOAT_FIRST.has(b[p]!)) return 'invalid';
      if ((arg === 'int-line' || arg === 'long-line' || arg === 'decimal-line') && !numberStart(b, p)) return 'invalid';
      const end = line(b, p);
      if (typeof end !== 'number') return end;
      const text = b.subarray(p, end - 1);
      // `_pickle.c` `load_int`, `load_long`, `load_get`/`load_put` (a negative index raises), `load_float`;
      // STRING must be a quoted literal.
      if (arg === 'int-line' && pickleIntArg(text) === undefined) return 'invalid';
      if (arg === 'long-line' && pickleLongArg(text) === undefined) return 'invalid';
      if (arg === 'decimal-line' && !((pickleDecimalArg(text) ?? -1) >= 0)) return 'invalid';
      if (arg === 'float-line' && pickleFloatArg(text) === undefined) return 'invalid';
      if (
        arg === 'string-line' &&
        !(text.length >= 2 && (text[0] === 0x27 || text[0] === 0x22) && text[text.length - 1] === text[0])
      )
        return 'invalid';
      return end;
    }
  }
}

/**
 * What a FLOAT's line may start with: a sign, a digit, a point, `inf`/`infinity`/`nan` in any case, or white space
 * (pickle.py's `float(line)` skips it).
 */
const FLOAT_FIRST = new Set([...'+-.0123456789iInN \t\v\f\r'].map((c) => c.charCodeAt(0)));

/**
 * Whether a number's line may start at `p` as far as the head shows: white space, a sign, then a digit (every form
 * `strtol` and `PyLong_FromString` read has one there). True when the head ends first.
 */
function numberStart(b: Buffer, p: number): boolean {
  let i = p;
  while (i < b.length && isCSpace(b[i]!) && b[i] !== 0x0a) i++;
  if (i < b.length && (b[i] === 0x2b || b[i] === 0x2d)) i++;
  return i >= b.length || (b[i]! >= 0x30 && b[i]! <= 0x39);
}

/** Index after the next `\n` from `p`: `_Unpickler.readline`, which sets no limit on a line's length. */
function line(b: Buffer, p: number): number | 'short' {
  const nl = b.indexOf(0x0a, p);
  return nl < 0 ? 'short' : nl + 1;
}
