import type { Finding } from '../../core/finding.js';
import { OPCODES, opArgEnd } from '../../discover/formats/pickle-opcodes.js';
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
  return [...fileOperatorsOnce(operatorNames(bytes), new Set())].map(({ name, why }) => ({
    ruleId: 'CPI017',
    message: `TorchScript mobile bytecode ${member} calls ${name}, which ${why}; the lite interpreter (_load_for_lite_interpreter) runs bytecode.pkl, not code/. Do not run this model.`,
    evidence: { member, operator: name },
  }));
}

/** Longer than any operator name (`ns::name`). */
export const MAX_OPERATOR_NAME = 256;

/** An operator name split as `parseOperators` looks it up: namespace and name. */
export interface OperatorName {
  readonly name: string;
  readonly ns: string;
  readonly op: string;
}

/**
 * The names among `names` whose operators reach files (torchscript.ts `fileOperator`), with why: each once, `seen`
 * holding the names already given (one finding per operator, however often a file names it).
 */
export function* fileOperatorsOnce<T extends OperatorName>(
  names: Iterable<T>,
  seen: Set<string>,
): Generator<T & { why: string }> {
  for (const n of names) {
    const why = fileOperator(n.ns, n.op);
    if (why === undefined || seen.has(n.name)) continue;
    seen.add(n.name);
    yield { ...n, why };
  }
}

/** The BINUNICODE strings of the pickle that are operator names. */
function* operatorNames(bytes: Buffer): Generator<OperatorName> {
  for (const name of binUnicodeStrings(bytes)) {
    const m = OPERATOR_NAME.exec(name);
    if (m) yield { name, ns: m[1]!, op: m[2]! };
  }
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
    const next = opArgEnd(bytes, at + 1, spec.arg);
    if (next === undefined || next > bytes.length) return;
    // Operator names are short: a long string is no name, and is not decoded.
    if (code === BINUNICODE && next - at - 5 <= MAX_OPERATOR_NAME) yield bytes.toString('utf8', at + 5, next);
    at = next;
  }
}
