import type { ModelAnalyser } from '../analyser.js';
import { scanTorchScriptCode } from '../containers/torchscript.js';
import { fileOperatorsOnce, MAX_OPERATOR_NAME, type OperatorName } from '../containers/torchscript-bytecode.js';
import type { Findings } from './report.js';
import { analyseWith, registerReadMember } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError, readAt } from './source.js';
import { Flat } from './flatbuffer.js';
import { memberIs } from '../content/member-formats.js';

/** The file is read a chunk at a time (weights are most of it); chunks overlap by more than one whole string. */
const CHUNK = 16 * 1024 * 1024;
const OVERLAP = 2 * MAX_OPERATOR_NAME + 8;

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
  const fb = new Flat(src);
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
    const name = yield* fb.stringField(entry, 0, MAX_SOURCE_NAME);
    const content = yield* fb.stringField(entry, 1, MAX_SOURCE);
    left -= name.length + content.length;
    if (left < 0) throw new FormatError('jit sources larger than the file (entries share bytes)', vector, 'limit');
    for (const f of scanTorchScriptCode(content, `jit_sources/${name}`)) out.add(f.ruleId, f.message, f.evidence);
  }
}

/** Each operator name of the file, wherever its tables hold it (see torchMobileSteps). */
function* checkOperatorNames(src: RandomAccess, out: Findings): ParseSteps<void> {
  // A string in two chunks is whole in the second; one found twice is reported once.
  const seen = new Set<string>();
  for (let from = 0; from < src.size; from += CHUNK - OVERLAP) {
    const bytes = yield* readAt(src, from, Math.min(CHUNK, src.size - from));
    for (const { name, why, at } of fileOperatorsOnce(operatorStrings(bytes), seen)) {
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
function* operatorStrings(bytes: Buffer): Generator<OperatorName & { at: number }> {
  for (let sep = bytes.indexOf('::'); sep >= 0; sep = bytes.indexOf('::', sep + 2)) {
    let end = sep + 2;
    while (end < bytes.length && end - sep <= MAX_OPERATOR_NAME && isIdentifierByte(bytes[end]!)) end++;
    if (end === sep + 2 || bytes[end] !== 0) continue;
    for (
      let start = sep - 1;
      start >= 4 && sep - start <= MAX_OPERATOR_NAME && isIdentifierByte(bytes[start]!);
      start--
    ) {
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
