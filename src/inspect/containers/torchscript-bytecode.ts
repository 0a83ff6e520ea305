import type { Finding } from '../../core/finding.js';
import { OPCODES, type OpArg } from '../../discover/formats/pickle-opcodes.js';
import { fileOperator } from './torchscript.js';

/**
 * The mobile bytecode of a lite-interpreter archive (`_save_for_lite_interpreter`), as torch.jit.mobile's
 * `_load_for_lite_interpreter` finds it: `<root>/bytecode.pkl` through PyTorchStreamReader, whose miniz lookup
 * ignores case (zip-names.ts `TORCH_DATA_PKL`).
 */
export const TORCH_BYTECODE_PKL = /^([^/]+\/)?bytecode\.pkl$/i;

/** An operator name as mobile/parse_bytecode.cpp `parseOperators` takes it: `ns::name`, the overload apart. */
const OPERATOR_NAME = /^([A-Za-z_]\w*)::([A-Za-z_]\w*)$/;

/** The BINUNICODE opcode: the only string the jit Unpickler reads (serialization/unpickler.cpp `readInstruction`). */
const BINUNICODE = 0x58;
const STOP = 0x2e;

/**
 * Findings (without location) for the file operators a lite-interpreter archive's bytecode calls. The lite
 * interpreter never reads `code/`: mobile/import.cpp `BytecodeDeserializer` runs each method's instructions from
 * bytecode.pkl, and `parseOperators` takes the operators they call (`__setstate__`'s at load too) by name from its
 * `operators` tuples, so an archive whose `code/` is clean may still save or read files. Every string of the pickle
 * that is an operator name is judged, wherever it stands: one more string is never less checked.
 */
export function scanMobileBytecode(bytes: Buffer, member: string): Omit<Finding, 'location'>[] {
  const out: Omit<Finding, 'location'>[] = [];
  const seen = new Set<string>();
  for (const name of binUnicodeStrings(bytes)) {
    const m = OPERATOR_NAME.exec(name);
    const why = m ? fileOperator(m[1]!, m[2]!) : undefined;
    if (why === undefined || seen.has(name)) continue;
    seen.add(name);
    out.push({
      ruleId: 'CPI017',
      message: `TorchScript mobile bytecode ${member} calls ${name}, which ${why}; the lite interpreter (_load_for_lite_interpreter) runs bytecode.pkl, not code/. Do not run this model.`,
      evidence: { member, operator: name },
    });
  }
  return out;
}

/**
 * The payloads of the pickle's BINUNICODE opcodes, in one walk over its opcodes (pickletools' argument layouts);
 * it ends at STOP, at an opcode no pickle has or at an argument cut off, where the jit Unpickler fails too.
 */
function* binUnicodeStrings(bytes: Buffer): Generator<string> {
  let at = 0;
  while (at < bytes.length) {
    const code = bytes[at]!;
    const spec = OPCODES.get(code);
    if (spec === undefined || code === STOP) return;
    const next = argumentEnd(bytes, at + 1, spec.arg);
    if (next === undefined) return;
    // Operator names are short: a long string is no name, and is not decoded.
    if (code === BINUNICODE && next - at - 5 <= MAX_NAME) yield bytes.toString('utf8', at + 5, next);
    at = next;
  }
}

/** Longer than any operator name. */
const MAX_NAME = 256;

/** Where an opcode's argument starting at `at` ends, or undefined when it runs past the bytes. */
function argumentEnd(bytes: Buffer, at: number, arg: OpArg): number | undefined {
  const fixed = FIXED_SIZE[arg];
  if (fixed !== undefined) return at + fixed <= bytes.length ? at + fixed : undefined;
  if (arg === 'len1' || arg === 'len4' || arg === 'len8') {
    const width = arg === 'len1' ? 1 : arg === 'len4' ? 4 : 8;
    if (at + width > bytes.length) return undefined;
    const len = width === 1 ? bytes[at]! : width === 4 ? bytes.readUInt32LE(at) : Number(bytes.readBigUInt64LE(at));
    const end = at + width + len;
    return end <= bytes.length ? end : undefined;
  }
  // Text arguments end at a newline; GLOBAL and INST take two lines.
  const first = bytes.indexOf(0x0a, at);
  if (first < 0) return undefined;
  if (arg !== 'name-pair') return first + 1;
  const second = bytes.indexOf(0x0a, first + 1);
  return second < 0 ? undefined : second + 1;
}

const FIXED_SIZE: Partial<Record<OpArg, number>> = { none: 0, u1: 1, u2: 2, i4: 4, u4: 4, u8: 8, f8: 8 };
