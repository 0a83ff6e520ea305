import type { ModelAnalyser } from '../analyser.js';
import { fileOperator, scanTorchScriptCode } from '../containers/torchscript.js';
import type { Findings } from './report.js';
import { analyseWith, registerReadMember } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError, readAt } from './source.js';
import { memberIs } from '../content/member-formats.js';

/** Longer than any operator name (`ns::name`). */
const MAX_NAME = 256;

/** The file is read a chunk at a time (weights are most of it); chunks overlap by more than one whole string. */
const CHUNK = 16 * 1024 * 1024;
const OVERLAP = 2 * MAX_NAME + 8;

/**
 * A PyTorch Mobile flatbuffer (torch/csrc/jit/serialization/mobile_bytecode.fbs). `_load_for_lite_interpreter` hands
 * it to mobile/flatbuffer_loader.cpp `parseModule`, and each function's operators (`Operator.name`, the overload
 * apart) are looked up by name and run when the method runs — `__setstate__`'s while the module loads. The file
 * holds no pickle: what the lite interpreter can do is in those names, each flatbuffer string (a u32 length, the
 * bytes, a NUL) that is an operator name judged as TorchScript's code is (torchscript.ts `fileOperator`); what
 * torch.jit.load runs is the TorchScript source beside them (`checkJitSources`).
 */
export function* torchMobileSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  // The names first: a malformed table stops the walk of jit_sources, not them.
  yield* checkOperatorNames(src, out);
  yield* checkJitSources(src, out);
}

/** `jit_sources` (Module field 8) entries read at most, and the bytes of one source. */
const MAX_SOURCES = 100_000;
const MAX_SOURCE = 64 * 1024 * 1024;
/** A source's name: a qualified module name (`__torch__.torch.nn.modules.linear`). */
const MAX_SOURCE_NAME = 4096;

/**
 * torch.jit.load takes the flatbuffer too (serialization/import.cpp, flatbuffer_serializer_jit
 * `parseAndInitializeJitModule`), and then compiles and runs the TorchScript source it carries in `jit_sources`
 * (`jitModuleFromSourceAndConstants`), not the bytecode: each source is judged as an archive's `code/` member is.
 */
function* checkJitSources(src: RandomAccess, out: Findings): ParseSteps<void> {
  const fb = new FlatReader(src);
  const root = yield* fb.deref(0);
  const sources = yield* fb.field(root, 8);
  if (sources === undefined) return;
  const vector = yield* fb.deref(sources);
  const count = yield* fb.u32(vector);
  if (count > MAX_SOURCES) throw new FormatError(`${count} jit sources is past the limit`, vector, 'limit');
  // Sources are distinct bytes of the file: entries that point at the same bytes again are refused past its size.
  let left = src.size;
  for (let i = 0; i < count; i++) {
    const entry = yield* fb.deref(vector + 4 + 4 * i);
    const name = yield* fb.string(entry, 0, MAX_SOURCE_NAME);
    const content = yield* fb.string(entry, 1, MAX_SOURCE);
    left -= name.length + content.length;
    if (left < 0) throw new FormatError('jit sources larger than the file (entries share bytes)', vector, 'limit');
    for (const f of scanTorchScriptCode(content, `jit_sources/${name}`)) out.add(f.ruleId, f.message, f.evidence);
  }
}

/** Flatbuffer tables read with every offset checked against the file (tflite.ts reads the same way). */
class FlatReader {
  constructor(private readonly src: RandomAccess) {}
  *u32(at: number): ParseSteps<number> {
    if (at < 0 || at + 4 > this.src.size) throw new FormatError('flatbuffer offset out of bounds', at);
    return (yield* readAt(this.src, at, 4)).readUInt32LE(0);
  }
  /** Follow the uoffset stored at `at`. */
  *deref(at: number): ParseSteps<number> {
    const target = at + (yield* this.u32(at));
    if (target >= this.src.size) throw new FormatError('flatbuffer offset out of bounds', at);
    return target;
  }
  /** Where a table's field is, or undefined when absent. */
  *field(table: number, index: number): ParseSteps<number | undefined> {
    const vtable = (table - (yield* this.u32(table))) | 0;
    if (vtable < 0 || vtable + 4 > this.src.size) throw new FormatError('flatbuffer vtable out of bounds', table);
    const vsize = (yield* readAt(this.src, vtable, 2)).readUInt16LE(0);
    const slot = 4 + 2 * index;
    if (slot + 2 > vsize || vtable + slot + 2 > this.src.size) return undefined;
    const off = (yield* readAt(this.src, vtable + slot, 2)).readUInt16LE(0);
    return off === 0 ? undefined : table + off;
  }
  /** A table's string field ('' when absent), at most `max` bytes. */
  *string(table: number, index: number, max: number): ParseSteps<string> {
    const at = yield* this.field(table, index);
    if (at === undefined) return '';
    const s = yield* this.deref(at);
    const len = yield* this.u32(s);
    if (len > max) throw new FormatError(`flatbuffer string of ${len} bytes is past the limit`, s, 'limit');
    if (s + 4 + len > this.src.size) throw new FormatError('flatbuffer string runs past the file', s);
    return (yield* readAt(this.src, s + 4, len)).toString('utf8');
  }
}

/** Each operator name of the file, wherever its tables hold it (see torchMobileSteps). */
function* checkOperatorNames(src: RandomAccess, out: Findings): ParseSteps<void> {
  // A string in two chunks is whole in the second; one found twice is reported once.
  const seen = new Set<string>();
  for (let from = 0; from < src.size; from += CHUNK - OVERLAP) {
    const bytes = yield* readAt(src, from, Math.min(CHUNK, src.size - from));
    for (const { name, ns, op, at } of operatorStrings(bytes)) {
      const why = fileOperator(ns, op);
      if (why === undefined || seen.has(name)) continue;
      seen.add(name);
      out.add(
        'CPI017',
        `the mobile bytecode calls ${name}, which ${why}; the lite interpreter (_load_for_lite_interpreter) runs it when the model runs. Do not run this model.`,
        { operator: name, offset: from + at },
      );
    }
    if (from + CHUNK >= src.size) return;
  }
}

/**
 * Every flatbuffer string of the form `ns::name`: found by its `::`, bounded by identifier bytes, a NUL after it and
 * its own length in the four bytes before it (a name is tried from each start the length could give).
 */
function* operatorStrings(bytes: Buffer): Generator<{ name: string; ns: string; op: string; at: number }> {
  for (let sep = bytes.indexOf('::'); sep >= 0; sep = bytes.indexOf('::', sep + 2)) {
    let end = sep + 2;
    while (end < bytes.length && end - sep <= MAX_NAME && isIdentifierByte(bytes[end]!)) end++;
    if (end === sep + 2 || bytes[end] !== 0) continue;
    for (let start = sep - 1; start >= 4 && sep - start <= MAX_NAME && isIdentifierByte(bytes[start]!); start--) {
      if (bytes.readUInt32LE(start - 4) !== end - start) continue;
      const ns = bytes.toString('latin1', start, sep);
      const op = bytes.toString('latin1', sep + 2, end);
      yield { name: `${ns}::${op}`, ns, op, at: start };
      break;
    }
  }
}

function isIdentifierByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

export const torchMobileAnalyser: ModelAnalyser = {
  name: 'torch-mobile',
  formats: ['torch-mobile-flatbuffer'],
  analyze: (file, ctx) => analyseWith(file, 'the PyTorch Mobile flatbuffer', torchMobileSteps, ctx.files),
};

const MOBILE_NAME = /\.ptl$/i;

/**
 * A mobile flatbuffer inside an archive (an app bundle, a release `.tar.gz`): extracted and loaded, it runs as the same
 * file outside does, so it is judged by `torchMobileSteps` when held in memory (as tflite.ts judges its members).
 */
registerReadMember({
  format: 'torch-mobile-flatbuffer',
  named: MOBILE_NAME,
  is: (_head, name, sniffed) => memberIs(sniffed, name, 'torch-mobile-flatbuffer', MOBILE_NAME),
  what: 'the PyTorch Mobile flatbuffer',
  parse: (src, out) => driveSync(torchMobileSteps(src, out)),
});
