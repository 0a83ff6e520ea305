import type { ModelAnalyser } from '../analyser.js';
import type { Findings } from './report.js';
import { analyseWith, registerReadMember } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError, readAt } from './source.js';
import { memberIs } from '../content/member-formats.js';
import { DANGEROUS_TF_OPS } from './savedmodel.js';

const BUILTIN_CUSTOM = 32;
const MAX_OPCODES = 100_000;
/** Subgraphs and operators walked at most (real models: a few subgraphs, thousands of operators). */
const MAX_OPERATORS = 1_000_000;
/** Bytes of Flex custom options read in all: each is one serialized NodeDef of a few hundred bytes. */
const MAX_FLEX_OPTIONS = 64 * 1024 * 1024;

/** Flatbuffer tables read with every offset checked against the file; each read loads its bytes first. */
class Flat {
  constructor(readonly src: RandomAccess) {}
  *u32(at: number): ParseSteps<number> {
    return (yield* readAt(this.src, at, 4)).readUInt32LE(0);
  }
  /** Absolute position of a table field's data, or undefined when the field is absent. */
  *field(table: number, index: number): ParseSteps<number | undefined> {
    const vtable = table - (yield* readAt(this.src, table, 4)).readInt32LE(0);
    if (vtable < 0 || vtable + 4 > this.src.size) throw new FormatError('flatbuffer vtable out of bounds', table);
    const vsize = (yield* readAt(this.src, vtable, 2)).readUInt16LE(0);
    const slot = 4 + 2 * index;
    if (slot + 2 > vsize) return undefined;
    const off = (yield* readAt(this.src, vtable + slot, 2)).readUInt16LE(0);
    return off === 0 ? undefined : table + off;
  }
  /** Follow a uoffset stored at `at`. */
  *deref(at: number): ParseSteps<number> {
    const target = at + (yield* this.u32(at));
    if (target >= this.src.size) throw new FormatError('flatbuffer offset out of bounds', at);
    return target;
  }
  *string(at: number, max = 4096): ParseSteps<string> {
    const s = yield* this.deref(at);
    const len = yield* this.u32(s);
    if (len > max) throw new FormatError(`flatbuffer string of ${len} bytes is past the limit`, s, 'limit');
    return (yield* readAt(this.src, s + 4, len)).toString('utf8');
  }
}

/** Check a TFLite flatbuffer's identifier and root, and list the custom operators it needs. */
export function* tfliteSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  if (src.size < 8) throw new FormatError(`file is ${src.size} bytes, too short for a TFLite model`, 0);
  if ((yield* readAt(src, 4, 4)).toString('latin1') !== 'TFL3') throw new FormatError('no TFL3 file identifier', 4);
  const fb = new Flat(src);
  const root = yield* fb.u32(0);
  if (root < 8 || root + 4 > src.size) throw new FormatError(`root table offset ${root} is out of bounds`, 0);
  const codesField = yield* fb.field(root, 1);
  if (codesField === undefined) return;
  const vec = yield* fb.deref(codesField);
  const n = yield* fb.u32(vec);
  if (n > MAX_OPCODES || vec + 4 + 4 * n > src.size)
    throw new FormatError(`operator_codes claims ${n} entries`, vec, n > MAX_OPCODES ? 'limit' : 'malformed');
  const custom = new Set<string>();
  /** Operator-code index → custom code of the Flex ops (`Flex` + a TensorFlow op name). */
  const flex = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const code = yield* fb.deref(vec + 4 + 4 * i);
    const dep = yield* fb.field(code, 0);
    const full = yield* fb.field(code, 3);
    const builtin = Math.max(
      dep === undefined ? 0 : (yield* readAt(src, dep, 1)).readInt8(0),
      full === undefined ? 0 : (yield* readAt(src, full, 4)).readInt32LE(0),
    );
    if (builtin !== BUILTIN_CUSTOM) continue;
    const name = yield* fb.field(code, 1);
    const customName = name === undefined ? '(unnamed)' : yield* fb.string(name);
    custom.add(customName);
    if (customName.startsWith('Flex')) flex.set(i, customName);
  }
  yield* checkFlexOps(fb, root, flex, out);
  if (custom.size > 0) {
    const names = [...custom].sort();
    out.add(
      'CPI075',
      `the model uses custom operators ${names.slice(0, 10).join(', ')}; the application must provide their implementation. Make sure it comes from a trusted library.`,
      { operators: names.slice(0, 50).join(',') },
    );
  }
}

/**
 * A `Flex*` custom operator runs a TensorFlow kernel through the Flex delegate, which the TensorFlow pip package
 * applies by itself. The delegate runs the NodeDef serialized in the operator's `custom_options` (flexbuffer
 * `[name, nodedef]`, delegates/flex/kernel.cc `OpNode::InitializeNodeDef`), not the op the custom code names, so
 * each Flex operator's options are searched for a NodeDef `op` (field 2) naming an op that calls Python or reaches
 * files or the network. Model → subgraphs (2) → operators (3) → opcode_index (0), custom_options (5).
 */
function* checkFlexOps(fb: Flat, root: number, flex: ReadonlyMap<number, string>, out: Findings): ParseSteps<void> {
  if (flex.size === 0) return;
  const seen = new Set<string>();
  let operators = 0;
  let optionBytes = 0;
  for (const subgraph of yield* tables(fb, root, 2)) {
    for (const op of yield* tables(fb, subgraph, 3)) {
      if (++operators > MAX_OPERATORS) throw new FormatError(`more than ${MAX_OPERATORS} operators`, op, 'limit');
      const index = yield* fb.field(op, 0);
      const customCode = flex.get(index === undefined ? 0 : yield* fb.u32(index));
      const options = yield* fb.field(op, 5);
      if (customCode === undefined || options === undefined) continue;
      const vec = yield* fb.deref(options);
      const len = yield* fb.u32(vec);
      optionBytes += len;
      if (vec + 4 + len > fb.src.size) throw new FormatError(`custom_options of ${len} bytes run past the file`, vec);
      if (optionBytes > MAX_FLEX_OPTIONS)
        throw new FormatError(`Flex custom options past ${MAX_FLEX_OPTIONS} bytes`, vec, 'limit');
      const bytes = yield* readAt(fb.src, vec + 4, len);
      for (const tfOp of nodeDefOps(bytes)) {
        const file = tfOp === 'PrintV2' ? printV2File(bytes) : undefined;
        const why = DANGEROUS_TF_OPS.get(tfOp) ?? (file !== undefined ? `appends to the file ${file}` : undefined);
        if (why === undefined || seen.has(tfOp)) continue;
        seen.add(tfOp);
        out.add(
          'CPI070',
          `Flex operator ${customCode} runs the TensorFlow op ${tfOp}, which ${why}; the Flex delegate of the TensorFlow package executes it when the model runs. Do not run the model until you know why it is there.`,
          { op: tfOp, customCode, where: 'tflite', offset: vec },
        );
      }
    }
  }
}

/** The tables of a vector-of-tables field, each offset checked. */
function* tables(fb: Flat, table: number, index: number): ParseSteps<number[]> {
  const field = yield* fb.field(table, index);
  if (field === undefined) return [];
  const vec = yield* fb.deref(field);
  const n = yield* fb.u32(vec);
  if (n > MAX_OPERATORS || vec + 4 + 4 * n > fb.src.size)
    throw new FormatError(`vector claims ${n} entries`, vec, n > MAX_OPERATORS ? 'limit' : 'malformed');
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(yield* fb.deref(vec + 4 + 4 * i));
  return out;
}

/** Every string a NodeDef's `op` field (tag 0x12, a one-byte length) could spell inside the options bytes. */
function nodeDefOps(bytes: Buffer): string[] {
  const ops: string[] = [];
  for (let i = bytes.indexOf(0x12); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(0x12, i + 1)) {
    const len = bytes[i + 1]!;
    if (len === 0 || len >= 0x80 || i + 2 + len > bytes.length) continue;
    const name = bytes.toString('latin1', i + 2, i + 2 + len);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) ops.push(name);
  }
  return ops;
}

const OUTPUT_STREAM_KEY = Buffer.from('\x0a\x0doutput_stream\x12', 'latin1');

/**
 * The file a PrintV2 NodeDef writes to: its `output_stream` attr (map entry key 1 = "output_stream", value 2 =
 * AttrValue whose `s` is field 2) when it starts with `file://`. `PrintV2Op::SetFilePathIfAny` (kernels/logging_ops.cc)
 * takes the rest as a path and `AppendStringToFile` appends each printed string to it, creating it if needed.
 */
function printV2File(bytes: Buffer): string | undefined {
  for (let i = bytes.indexOf(OUTPUT_STREAM_KEY); i >= 0; i = bytes.indexOf(OUTPUT_STREAM_KEY, i + 1)) {
    const value = varint(bytes, i + OUTPUT_STREAM_KEY.length);
    if (value === undefined || bytes[value.end] !== 0x12) continue;
    const s = varint(bytes, value.end + 1);
    if (s === undefined || s.end + s.value > bytes.length) continue;
    const stream = bytes.toString('utf8', s.end, s.end + s.value);
    if (stream.startsWith('file://')) return stream.slice('file://'.length).slice(0, 200);
  }
  return undefined;
}

/** A protobuf varint at `at` (at most 4 bytes: lengths inside a few-kilobyte options blob). */
function varint(bytes: Buffer, at: number): { value: number; end: number } | undefined {
  let value = 0;
  for (let k = 0; k < 4 && at + k < bytes.length; k++) {
    const b = bytes[at + k]!;
    value += (b & 0x7f) * 2 ** (7 * k);
    if (b < 0x80) return { value, end: at + k + 1 };
  }
  return undefined;
}

/** `tfliteSteps` over bytes in memory. */
export function parseTflite(src: RandomAccess, out: Findings): void {
  driveSync(tfliteSteps(src, out));
}

export const tfliteAnalyser: ModelAnalyser = {
  name: 'tflite',
  formats: ['tflite'],
  analyze: (file, ctx) => analyseWith(file, 'the TFLite model', tfliteSteps, ctx.files),
};

const TFLITE_NAME = /\.tflite$/i;

/**
 * A TFLite model inside an archive (a model bundle, a release `.tar.gz`): extracted and handed to the TFLite
 * interpreter, whose Flex delegate runs the TensorFlow ops its Flex operators carry, it is read as the same file
 * outside the archive is, so `tfliteSteps` judges it. As discovery decides for a file: detected as TFLite, or named
 * `.tflite` and detected as nothing else. A flatbuffer is read by offsets in any order, so only a member held in
 * memory is judged (the tar walk holds a member named `.tflite` up to its image limit).
 */
registerReadMember({
  format: 'tflite',
  named: TFLITE_NAME,
  is: (head, size, name) => memberIs(head, size, name, 'tflite', TFLITE_NAME),
  what: 'the TFLite model',
  parse: parseTflite,
});
