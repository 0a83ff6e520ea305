import { LENGTH_WIDTH, OPCODES, opArgEnd, type OpArg } from '../../discover/formats/pickle-opcodes.js';
import { decodeRawUnicodeEscape, decodeStringLine, decodeUtf8Lenient } from './text.js';
import { pickleDecimalArg } from '../../discover/formats/pickle-numbers.js';
import { LONG_NAME } from './danger.js';

/** An import named in the bytes after the point where the VM stopped. */
export interface TailImport {
  readonly module: string;
  readonly name: string;
  readonly opcode: 'GLOBAL' | 'STACK_GLOBAL' | 'INST';
  readonly offset: number;
}

/** What the bytes after a stop import, and where they first call something, if they do. */
export interface TailScan {
  readonly imports: TailImport[];
  /** The first REDUCE, OBJ, INST, NEWOBJ or NEWOBJ_EX: it may call any global the pickle imported. */
  readonly callAt: number | undefined;
}

/** Most opcodes and imports read past a stop: the tail is a second opinion, bounded like everything else. */
const MAX_TAIL_OPS = 1_000_000;
const MAX_TAIL_IMPORTS = 256;
const MAX_NAME = 1024;

const STACK_GLOBAL = 0x93;
const CALL_OPS = new Set([0x52, 0x6f, 0x69, 0x81, 0x92]);
const STRING_OPS = new Set([0x53, 0x55, 0x54, 0x56, 0x58, 0x8c, 0x8d]);
const PUT_OPS = new Set([0x70, 0x71, 0x72]);
const GET_OPS = new Set([0x67, 0x68, 0x6a]);

/**
 * The imports (GLOBAL, INST, STACK_GLOBAL) of the opcodes that follow a point where the VM stopped on something it
 * judged CPython would refuse. If the two unpicklers (`_pickle.c`, and `Lib/pickle.py` which joblib uses) or a
 * later CPython go on there, these are what they import next. Read lexically, as `pickletools.genops` walks a
 * stream: each opcode's argument by its encoding, no stack. STACK_GLOBAL takes the last two strings pushed
 * (directly or through the memo). Stops at an unknown opcode or the end of the bytes. Which values a call takes is
 * not read (there is no stack), only that one is made.
 */
export function scanTail(data: Buffer, base: number): TailScan {
  const out: TailImport[] = [];
  let callAt: number | undefined;
  const strings: string[] = [];
  const memo = new Map<number, string>();
  let memoSize = 0;
  let pushedString = false;
  let pos = 0;
  for (let ops = 0; ops < MAX_TAIL_OPS && pos < data.length && out.length < MAX_TAIL_IMPORTS; ops++) {
    const at = pos;
    const code = data[pos++]!;
    const spec = OPCODES.get(code);
    if (spec === undefined) break;
    const arg = readArg(data, pos, spec.arg);
    if (arg === undefined) break;
    pos = arg.end;
    if (CALL_OPS.has(code)) callAt ??= base + at;
    if (spec.arg === 'name-pair' && arg.lines !== undefined) {
      const [module, name] = arg.lines;
      out.push({ module: module!, name: name!, opcode: code === 0x69 ? 'INST' : 'GLOBAL', offset: base + at });
    } else if (code === STACK_GLOBAL && strings.length >= 2) {
      const name = strings.pop()!;
      const module = strings.pop()!;
      out.push({ module, name, opcode: 'STACK_GLOBAL', offset: base + at });
    }
    const wasString: boolean = pushedString;
    pushedString = false;
    if (STRING_OPS.has(code)) {
      const s = stringOf(code, data, arg);
      // A longer name is not cut (its last parts may be the global it walks to), but judged unread.
      if (s !== undefined) strings.push(s.length > MAX_NAME ? LONG_NAME : s);
      if (strings.length > 64) strings.shift();
      pushedString = s !== undefined;
    } else if (code === 0x94 || PUT_OPS.has(code)) {
      // MEMOIZE stores at len(memo) (`load_memoize`); only a string pushed just before is known to be the top.
      const idx = code === 0x94 ? memoSize : memoIndex(code, data, arg);
      if (idx !== undefined && wasString) memo.set(idx, strings[strings.length - 1]!);
      if (idx !== undefined && idx >= memoSize) memoSize = idx + 1;
      pushedString = wasString;
    } else if (GET_OPS.has(code)) {
      const s = memo.get(memoIndex(code, data, arg) ?? -1);
      if (s !== undefined) strings.push(s);
      pushedString = s !== undefined;
    }
  }
  return { imports: out, callAt };
}

interface Arg {
  readonly start: number;
  readonly end: number;
  readonly lines?: string[];
}

/** An argument's bytes (a length-prefixed one's payload) and, for GLOBAL and INST, its module and name lines. */
function readArg(data: Buffer, pos: number, kind: OpArg): Arg | undefined {
  const end = opArgEnd(data, pos, kind);
  if (end === undefined || end > data.length) return undefined;
  const start = pos + (LENGTH_WIDTH[kind] ?? 0);
  return kind === 'name-pair' ? { start, end, lines: nameLines(data, pos, end) } : { start, end };
}

/** The module and name lines of a GLOBAL or INST argument `[pos, end)`. */
function nameLines(data: Buffer, pos: number, end: number): string[] {
  const nl = data.indexOf(0x0a, pos);
  return [decodeUtf8Lenient(data.subarray(pos, nl)), decodeUtf8Lenient(data.subarray(nl + 1, end - 1))];
}

function stringOf(code: number, data: Buffer, arg: Arg): string | undefined {
  if (code === 0x53) return decodeStringLine(data.subarray(arg.start, arg.end - 1));
  if (code === 0x56) return decodeRawUnicodeEscape(data.subarray(arg.start, arg.end - 1));
  if (code === 0x55 || code === 0x54) return data.toString('latin1', arg.start, arg.end);
  return decodeUtf8Lenient(data.subarray(arg.start, arg.end));
}

function memoIndex(code: number, data: Buffer, arg: Arg): number | undefined {
  if (code === 0x71 || code === 0x68) return data[arg.start];
  if (code === 0x72 || code === 0x6a) return data.readUInt32LE(arg.start);
  return pickleDecimalArg(data.subarray(arg.start, arg.end - 1));
}
