/**
 * THE pickle opcode table (CPython `Lib/pickletools.py` `opcodes`): name, argument encoding and stack effect of
 * every opcode protocols 0–5 define. The discovery sniffer and the inspector's VM both read it.
 */
export type OpArg =
  | 'none'
  | 'u1'
  | 'u2'
  | 'i4'
  | 'u4'
  | 'u8'
  | 'f8'
  /** 1-, 4- or 8-byte little-endian length, then that many bytes. */
  | 'len1'
  | 'len4'
  | 'len8'
  /** protocol-0 text arguments up to `\n` */
  | 'string-line' // STRING: a quoted Python string literal
  | 'text-line' // UNICODE (raw-unicode-escape), PERSID
  | 'int-line' // INT (pickle-numbers.ts reads each kind as CPython does)
  | 'long-line' // LONG
  | 'decimal-line' // GET, PUT
  | 'float-line'
  | 'name-pair'; // GLOBAL, INST: module and name lines

/** Bytes of a fixed-size argument. */
const FIXED_WIDTH: Partial<Record<OpArg, number>> = { none: 0, u1: 1, u2: 2, i4: 4, u4: 4, u8: 8, f8: 8 };

/** Bytes of a length-prefixed argument's length field: its payload starts that far past the opcode. */
export const LENGTH_WIDTH: Partial<Record<OpArg, number>> = { len1: 1, len4: 4, len8: 8 };

/**
 * Where an opcode's argument starting at `at` ends by its encoding (pickletools' `ArgumentDescriptor`s): its fixed
 * width or its declared length, either of which may lie past the bytes, or its line's newline (GLOBAL and INST take
 * two lines). Undefined when the length field or the newline is not in the bytes.
 */
export function opArgEnd(bytes: Buffer, at: number, arg: OpArg): number | undefined {
  const fixed = FIXED_WIDTH[arg];
  if (fixed !== undefined) return at + fixed;
  const width = LENGTH_WIDTH[arg];
  if (width !== undefined) {
    if (at + width > bytes.length) return undefined;
    const len = width === 1 ? bytes[at]! : width === 4 ? bytes.readUInt32LE(at) : Number(bytes.readBigUInt64LE(at));
    return at + width + len;
  }
  const first = bytes.indexOf(0x0a, at);
  if (first < 0) return undefined;
  if (arg !== 'name-pair') return first + 1;
  const second = bytes.indexOf(0x0a, first + 1);
  return second < 0 ? undefined : second + 1;
}

export interface OpcodeSpec {
  readonly name: string;
  readonly arg: OpArg;
  /** Items taken from the stack; 'mark' = everything down to the topmost MARK (the MARK too). */
  readonly pops: number | 'mark';
  readonly pushes: number;
  /** Items that must sit below the MARK (APPENDS, SETITEMS, ADDITEMS add to the list/dict/set there). */
  readonly below?: number;
}

const op = (name: string, arg: OpArg, pops: number | 'mark', pushes: number, below?: number): OpcodeSpec =>
  below === undefined ? { name, arg, pops, pushes } : { name, arg, pops, pushes, below };

export const OPCODES: ReadonlyMap<number, OpcodeSpec> = new Map<number, OpcodeSpec>([
  [0x28, op('MARK', 'none', 0, 0)],
  [0x2e, op('STOP', 'none', 1, 0)],
  [0x30, op('POP', 'none', 1, 0)],
  [0x31, op('POP_MARK', 'none', 'mark', 0)],
  [0x32, op('DUP', 'none', 1, 2)],
  [0x46, op('FLOAT', 'float-line', 0, 1)],
  [0x49, op('INT', 'int-line', 0, 1)],
  [0x4a, op('BININT', 'i4', 0, 1)],
  [0x4b, op('BININT1', 'u1', 0, 1)],
  [0x4c, op('LONG', 'long-line', 0, 1)],
  [0x4d, op('BININT2', 'u2', 0, 1)],
  [0x4e, op('NONE', 'none', 0, 1)],
  [0x50, op('PERSID', 'text-line', 0, 1)],
  [0x51, op('BINPERSID', 'none', 1, 1)],
  [0x52, op('REDUCE', 'none', 2, 1)],
  [0x53, op('STRING', 'string-line', 0, 1)],
  [0x54, op('BINSTRING', 'len4', 0, 1)],
  [0x55, op('SHORT_BINSTRING', 'len1', 0, 1)],
  [0x56, op('UNICODE', 'text-line', 0, 1)],
  [0x58, op('BINUNICODE', 'len4', 0, 1)],
  [0x61, op('APPEND', 'none', 2, 1)],
  [0x62, op('BUILD', 'none', 2, 1)],
  [0x63, op('GLOBAL', 'name-pair', 0, 1)],
  [0x64, op('DICT', 'none', 'mark', 1)],
  [0x7d, op('EMPTY_DICT', 'none', 0, 1)],
  [0x65, op('APPENDS', 'none', 'mark', 0, 1)],
  [0x67, op('GET', 'decimal-line', 0, 1)],
  [0x68, op('BINGET', 'u1', 0, 1)],
  [0x69, op('INST', 'name-pair', 'mark', 1)],
  [0x6a, op('LONG_BINGET', 'u4', 0, 1)],
  [0x6c, op('LIST', 'none', 'mark', 1)],
  [0x5d, op('EMPTY_LIST', 'none', 0, 1)],
  [0x6f, op('OBJ', 'none', 'mark', 1)],
  [0x70, op('PUT', 'decimal-line', 1, 1)],
  [0x71, op('BINPUT', 'u1', 1, 1)],
  [0x72, op('LONG_BINPUT', 'u4', 1, 1)],
  [0x73, op('SETITEM', 'none', 3, 1)],
  [0x74, op('TUPLE', 'none', 'mark', 1)],
  [0x29, op('EMPTY_TUPLE', 'none', 0, 1)],
  [0x75, op('SETITEMS', 'none', 'mark', 0, 1)],
  [0x47, op('BINFLOAT', 'f8', 0, 1)],
  [0x80, op('PROTO', 'u1', 0, 0)],
  [0x81, op('NEWOBJ', 'none', 2, 1)],
  [0x82, op('EXT1', 'u1', 0, 1)],
  [0x83, op('EXT2', 'u2', 0, 1)],
  [0x84, op('EXT4', 'i4', 0, 1)],
  [0x85, op('TUPLE1', 'none', 1, 1)],
  [0x86, op('TUPLE2', 'none', 2, 1)],
  [0x87, op('TUPLE3', 'none', 3, 1)],
  [0x88, op('NEWTRUE', 'none', 0, 1)],
  [0x89, op('NEWFALSE', 'none', 0, 1)],
  [0x8a, op('LONG1', 'len1', 0, 1)],
  [0x8b, op('LONG4', 'len4', 0, 1)],
  [0x42, op('BINBYTES', 'len4', 0, 1)],
  [0x43, op('SHORT_BINBYTES', 'len1', 0, 1)],
  [0x8c, op('SHORT_BINUNICODE', 'len1', 0, 1)],
  [0x8d, op('BINUNICODE8', 'len8', 0, 1)],
  [0x8e, op('BINBYTES8', 'len8', 0, 1)],
  [0x8f, op('EMPTY_SET', 'none', 0, 1)],
  [0x90, op('ADDITEMS', 'none', 'mark', 0, 1)],
  [0x91, op('FROZENSET', 'none', 'mark', 1)],
  [0x92, op('NEWOBJ_EX', 'none', 3, 1)],
  [0x93, op('STACK_GLOBAL', 'none', 2, 1)],
  [0x94, op('MEMOIZE', 'none', 1, 1)],
  [0x95, op('FRAME', 'u8', 0, 0)],
  [0x96, op('BYTEARRAY8', 'len8', 0, 1)],
  [0x97, op('NEXT_BUFFER', 'none', 0, 1)],
  [0x98, op('READONLY_BUFFER', 'none', 1, 1)],
]);

/** The opcode's name, or its hex value when it is not one. */
export function opcodeName(code: number): string {
  return OPCODES.get(code)?.name ?? `0x${code.toString(16).padStart(2, '0')}`;
}

export function isPickleOpcode(code: number): boolean {
  return OPCODES.has(code);
}
