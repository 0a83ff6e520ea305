import type { DiscoveredFile } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import type { ModelAnalyser } from '../analyser.js';
import { misplacedFindings } from './external-files.js';
import type { Findings } from './report.js';
import { analyseWith, registerReadMember } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError, readAt } from './source.js';
import { Flat } from './flatbuffer.js';
import { memberIs } from '../content/member-formats.js';
import { escapeReason } from './onnx.js';
import { DANGEROUS_TF_OPS } from './tf-ops.js';

const BUILTIN_CUSTOM = 32;
const MAX_OPCODES = 100_000;
/** Subgraphs and operators walked at most (real models: a few subgraphs, thousands of operators). */
const MAX_OPERATORS = 1_000_000;
/**
 * Tensor tables visited in all subgraphs. Each subgraph is an offset, so a few kilobytes of subgraphs can all name one
 * vector of a million tensors (a walk of 10^12 tables); flatbuffers' verifier counts every table it visits against
 * `max_tables` (verifier.h `Verifier::VerifyComplexity`, 1,000,000 by default) and refuses such a file.
 */
const MAX_TABLES_VISITED = 1_000_000;
/** Bytes of Flex custom options read in all: each is one serialized NodeDef of a few hundred bytes. */
const MAX_FLEX_OPTIONS = 64 * 1024 * 1024;

/** An external weights file a model names by a plain relative path: where it is named, for the link check. */
export interface TfliteExternal {
  readonly group: number;
  readonly file: string;
  readonly at: number;
}

/**
 * Check a TFLite flatbuffer's identifier and root, and list the custom operators it needs; each external weights
 * file named by a plain relative path goes to `onExternal`.
 */
export function* tfliteSteps(
  src: RandomAccess,
  out: Findings,
  onExternal?: (e: TfliteExternal) => void,
): ParseSteps<void> {
  if (src.size < 8) throw new FormatError(`file is ${src.size} bytes, too short for a TFLite model`, 0);
  if ((yield* readAt(src, 4, 4)).toString('latin1') !== 'TFL3') throw new FormatError('no TFL3 file identifier', 4);
  const fb = new Flat(src);
  const root = yield* fb.u32(0);
  if (root < 8 || root + 4 > src.size) throw new FormatError(`root table offset ${root} is out of bounds`, 0);
  // A malformed or oversized external-weights section stops that walk, not the operators' (its error comes last).
  const externalFailed = yield* settled(checkExternalBuffers(fb, root, out, onExternal));
  yield* checkOperatorCodes(fb, root, out);
  if (externalFailed !== undefined) throw externalFailed;
}

/** The FormatError that stopped `steps`, undefined when they ran to the end. */
function* settled(steps: ParseSteps<void>): ParseSteps<FormatError | undefined> {
  try {
    yield* steps;
    return undefined;
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
}

/** The custom operators the model needs (CPI075) and the TensorFlow ops its Flex operators run (checkFlexOps). */
function* checkOperatorCodes(fb: Flat, root: number, out: Findings): ParseSteps<void> {
  const src = fb.src;
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
 * LiteRT's external weights (weight_loader/external_weight_loader_litert.cc `ParseFlatBuffer`): a tensor with a shape
 * whose `external_buffer` (10) is the `id` (0) of one of the model's `external_buffers` (9, the first with that id)
 * reads `length` bytes at `offset` of the file its `group` (1) names, `external_buffer_groups` (8) → `name` (0).
 * `ResolveGroupPath` opens an absolute name as it is and joins any other to the model's folder, `..` and all, so
 * `CompiledModel::Create` reads a file the model's author chose into the weights.
 */
function* checkExternalBuffers(
  fb: Flat,
  root: number,
  out: Findings,
  onExternal?: (e: TfliteExternal) => void,
): ParseSteps<void> {
  const buffers = yield* tables(fb, root, 9);
  if (buffers.length === 0) return;
  const groupOf = new Map<number, number>();
  for (const buffer of buffers) {
    const id = yield* fb.u32Field(buffer, 0);
    if (!groupOf.has(id)) groupOf.set(id, yield* fb.u32Field(buffer, 1));
  }
  const read = new Set<number>();
  // Subgraphs may all point at one tensor vector: the tensors are counted as visited, not as distinct tables.
  let tensorsVisited = 0;
  for (const subgraph of yield* tables(fb, root, 2)) {
    const tensors = yield* tables(fb, subgraph, 0);
    tensorsVisited += tensors.length;
    if (tensorsVisited > MAX_TABLES_VISITED)
      throw new FormatError(`subgraphs list more than ${MAX_TABLES_VISITED} tensors`, subgraph, 'limit');
    for (const tensor of tensors) {
      const id = yield* fb.u32Field(tensor, 10);
      const group = id === 0 ? undefined : groupOf.get(id);
      if (group !== undefined && (yield* hasLiteRtRank(fb, tensor))) read.add(group);
    }
  }
  const groups = yield* tables(fb, root, 8);
  for (const g of [...read].sort((a, b) => a - b)) {
    const nameAt = g < groups.length ? yield* fb.field(groups[g]!, 0) : undefined;
    if (nameAt === undefined) continue;
    const name = yield* fb.string(nameAt);
    const why = escapeReason(name);
    if (!why) onExternal?.({ group: g, file: name, at: nameAt });
    else
      out.add(
        'CPI077',
        `external weights group ${g} is the file ${JSON.stringify(name)}, ${why}; LiteRT's compiled model reads that file into the model's weights. Do not load it; keep weight files beside the model under plain relative names.`,
        { group: g, file: name.slice(0, 200), offset: nameAt },
      );
  }
}

/** litert_layout.h `LITERT_TENSOR_MAX_RANK`: the most dimensions a LiteRT tensor type holds. */
const LITERT_TENSOR_MAX_RANK = 8;

/**
 * Whether `BuildRankedTensorType` gives the tensor a type: it fails a tensor without a shape (0) or with more than
 * `LITERT_TENSOR_MAX_RANK` dimensions, and `ParseFlatBuffer` then skips the tensor, so its group is never opened.
 */
function* hasLiteRtRank(fb: Flat, tensor: number): ParseSteps<boolean> {
  const shape = yield* fb.field(tensor, 0);
  return shape !== undefined && (yield* fb.u32(yield* fb.deref(shape))) <= LITERT_TENSOR_MAX_RANK;
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
      if (customCode === undefined) continue;
      const options = yield* customOptions(fb, op);
      if (options === undefined) continue;
      const { at: vec, len } = options;
      optionBytes += len;
      if (optionBytes > MAX_FLEX_OPTIONS)
        throw new FormatError(`Flex custom options past ${MAX_FLEX_OPTIONS} bytes`, vec, 'limit');
      const bytes = yield* readAt(fb.src, vec, len);
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

/**
 * Where an operator's custom options are, as `InterpreterBuilder::ParseNodes` (core/interpreter_builder.cc) hands them
 * to the kernel: the `custom_options` vector (5) when the operator has one, else — the `buffer_offset` layout of models
 * past 2 GiB — `large_custom_options_offset` (9) and `large_custom_options_size` (10), bytes anywhere in the file,
 * when the offset is past 1 (the builder fails a range that ends past the file).
 */
function* customOptions(fb: Flat, op: number): ParseSteps<{ at: number; len: number } | undefined> {
  const options = yield* fb.field(op, 5);
  if (options !== undefined) {
    const vec = yield* fb.deref(options);
    const len = yield* fb.u32(vec);
    if (vec + 4 + len > fb.src.size) throw new FormatError(`custom_options of ${len} bytes run past the file`, vec);
    return { at: vec + 4, len };
  }
  const offsetAt = yield* fb.field(op, 9);
  const sizeAt = yield* fb.field(op, 10);
  const offset = offsetAt === undefined ? 0n : (yield* readAt(fb.src, offsetAt, 8)).readBigUInt64LE(0);
  const size = sizeAt === undefined ? 0n : (yield* readAt(fb.src, sizeAt, 8)).readBigUInt64LE(0);
  if (offset <= 1n || offset + size > BigInt(fb.src.size)) return undefined;
  return { at: Number(offset), len: Number(size) };
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

/** Longest op name taken from the options: TensorFlow's op names are a few dozen characters. */
const MAX_OP_NAME = 127;

/**
 * Every string a NodeDef's `op` field (field 2, length-delimited: tag 0x12) could spell inside the options bytes. The
 * tag and the length are varints read as protobuf's parser reads them (parse_context.h `ReadTag`, `ReadSize`): an
 * over-long encoding is accepted, so `92 00` is the tag 0x12 and `89 00` the length 9 — `NodeDef::ParseFromString`
 * reads the op those bytes spell, and a scan for the byte 0x12 followed by a one-byte length would not.
 */
function nodeDefOps(bytes: Buffer): string[] {
  const ops: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x12 && b !== 0x92) continue; // the first byte of any encoding of the varint 0x12
    const tag = varint(bytes, i);
    if (tag?.value !== 0x12) continue;
    const len = varint(bytes, tag.end);
    if (len === undefined || len.value === 0 || len.value > MAX_OP_NAME || len.end + len.value > bytes.length) continue;
    const name = bytes.toString('latin1', len.end, len.end + len.value);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) ops.push(name);
  }
  return ops;
}

const FILE_STREAM = Buffer.from('file://');

/**
 * The file a PrintV2 NodeDef writes to: `PrintV2Op::SetFilePathIfAny` (kernels/logging_ops.cc) takes an
 * `output_stream` attr that starts with `file://` as a path, and `AppendStringToFile` appends each printed string to
 * it, creating it if needed. The attr's map entry may hold its value before its key, and its tags and lengths may be
 * over-long varints (protobuf reads both), so the stream is found by that prefix wherever it is in the options, and
 * read up to the first control byte.
 */
function printV2File(bytes: Buffer): string | undefined {
  const at = bytes.indexOf(FILE_STREAM);
  if (at < 0) return undefined;
  let end = at + FILE_STREAM.length;
  while (end < bytes.length && end - at < 200 + FILE_STREAM.length && bytes[end]! >= 0x20) end++;
  return bytes.toString('utf8', at + FILE_STREAM.length, end);
}

/**
 * A protobuf varint32 at `at`: up to 5 bytes, an over-long encoding accepted as `ReadTag`/`ReadSize` accept it (lengths
 * inside a few-kilobyte options blob).
 */
function varint(bytes: Buffer, at: number): { value: number; end: number } | undefined {
  let value = 0;
  for (let k = 0; k < 5 && at + k < bytes.length; k++) {
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
  async analyze(file, ctx) {
    const relative: TfliteExternal[] = [];
    const report = await analyseWith(
      file,
      'the TFLite model',
      (src, out) => tfliteSteps(src, out, (e) => relative.push(e)),
      ctx.files,
    );
    const linked = await checkExternalWeightFiles(file, ctx.root, relative);
    return linked.length === 0 ? report : { ...report, findings: [...report.findings, ...linked] };
  },
};

/**
 * A plain relative weights file can still lead out of the model folder: LiteRT's `MapFileSliceFromPath` opens the
 * joined path with `open(2)`, which follows a symbolic link beside the model to whatever it points at.
 */
async function checkExternalWeightFiles(
  file: DiscoveredFile,
  root: string | undefined,
  externals: readonly TfliteExternal[],
): Promise<Finding[]> {
  return misplacedFindings(
    file,
    root,
    externals,
    (e) => e.file,
    (out, e, kind) =>
      out.add(
        'CPI077',
        kind === 'symlink-outside-root'
          ? `external weights group ${e.group} is the file ${JSON.stringify(e.file)}, a symbolic link that leads out of the scan root; LiteRT opens it and reads what it points at into the model's weights. Do not load the model; replace the link with the weights file.`
          : `external weights group ${e.group} is the file ${JSON.stringify(e.file)}, which is not a regular file (a device, FIFO or folder); LiteRT opens it as the model's weights. Replace it with the weights file.`,
        {
          group: e.group,
          file: e.file.slice(0, 200),
          offset: e.at,
          resolves: kind === 'symlink-outside-root' ? 'outside-root' : kind,
        },
      ),
  );
}

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
  is: (_head, name, sniffed) => memberIs(sniffed, name, 'tflite', TFLITE_NAME),
  what: 'the TFLite model',
  parse: parseTflite,
});
