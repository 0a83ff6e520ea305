import { createHash } from 'node:crypto';
import type { Evidence } from '../../core/finding.js';
import type { ModelAnalyser } from '../analyser.js';
import { GgufTemplates } from './gguf-templates.js';
import type { Findings } from './report.js';
import { analyseWith, FirstOfEach, registerReadMember } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { checkedCount, Cursor, cutAtNul, driveSync, FormatError } from './source.js';

/** Hard caps on what a GGUF header may claim (llama.cpp's own are similar or looser). */
export const GGUF_LIMITS = {
  maxKv: 1_000_000,
  maxTensors: 10_000_000,
  maxArray: 100_000_000,
  maxKeyBytes: 65_536,
  maxStringBytes: 256 * 1024 * 1024,
  /**
   * Chat templates are parsed up to this size each, and up to `maxTemplateTotal` over all of a file's templates; past
   * either, the template is not checked and that is an error finding (a payload could sit in it). Real chat templates
   * are a few KiB (the largest tool-calling ones about 20 KiB); parsing is about 4 µs a byte.
   */
  maxTemplateBytes: 256 * 1024,
  maxTemplateTotal: 1024 * 1024,
  maxArrayDepth: 4,
  maxDims: 4,
} as const;

/** ggml types: [elements per block, bytes per block]. Removed types keep their slots (llama.cpp rejects them). */
const GGML_TYPES: Readonly<Record<number, readonly [number, number]>> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
};

/** Items of an array-valued chat template that are checked; only a one-item array is ever rendered. */
const MAX_TEMPLATE_ITEMS = 16;

/** Characters of a tensor name kept for messages; the whole name is only hashed. */
const NAME_SHOWN = 256;

/**
 * ggml's `GGML_MAX_NAME`: gguf.cpp's `gguf_init_from_file_impl` refuses a tensor whose name is this many bytes or more
 * (`name.length() >= GGML_MAX_NAME`), as a `ggml_tensor` holds its name in a `char[GGML_MAX_NAME]`; gguf-py reads it.
 */
const GGML_MAX_NAME = 64;

/**
 * A key or tensor name by the digest of its bytes. gguf.cpp compares the bytes (`key == ctx->kv[j].key`), not their
 * UTF-8 reading, and a file of a million 64 KiB keys would otherwise be held whole here.
 */
const idOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');

/**
 * A metadata key or tensor name seen before in the file (`seen` holds the `idOf` of each, the bytes whole, as gguf.cpp
 * compares them): one `check` problem, its evidence the check and then `where`.
 */
function noteRepeat(
  seen: Set<string>,
  bytes: Buffer,
  problems: FirstOfEach,
  check: 'duplicate-key' | 'duplicate-tensor',
  what: string,
  where: Evidence,
): void {
  const id = idOf(bytes);
  if (seen.has(id)) problems.note(check, `${what} appears twice; llama.cpp rejects the file`, { check, ...where });
  seen.add(id);
}

/** GGUF metadata value types. */
const T = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  U64: 10,
  I64: 11,
  F64: 12,
} as const;
const SCALAR_SIZE: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

interface Tensor {
  /** At most `NAME_SHOWN` characters of it: llama.cpp refuses names of 64 bytes or more (GGML_MAX_NAME). */
  readonly name: string;
  readonly offset: bigint;
  readonly size: bigint | undefined;
  readonly at: number;
}

/** Parse a GGUF v1–v3 header, metadata and tensor infos with every count and length bounded; check the layout. */
export function* ggufSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  const c = new Cursor(src);
  yield* c.need(4 + 4 + 8 + 8); // magic, version and the two counts
  if (src.size < 4 || src.read(0, 4).toString('latin1') !== 'GGUF') throw new FormatError('no GGUF magic', 0);
  c.skip(4);
  const version = c.u32();
  if (version < 1 || version > 3) throw new FormatError(`unsupported GGUF version ${version}`, 4);
  // v1 used 32-bit counts and string lengths; v2 and v3 use 64-bit.
  const count = (): bigint => (version === 1 ? BigInt(c.u32()) : c.u64());
  const tensorsAt = c.pos;
  const nTensors = count();
  const kvAt = c.pos;
  const nKv = count();
  const lenBytes = version === 1 ? 4 : 8;

  const readString = (cap: number, what: string): { at: number; len: number } => {
    const at = c.pos;
    const len = checkedCount(count(), `${what} length`, at, { left: c.left, minItemBytes: 1, cap });
    return { at: c.pos, len };
  };
  const templates = new GgufTemplates(src, out, GGUF_LIMITS);

  const keys = new Set<string>();
  // gguf_init_from_file_impl stops at the first duplicate key or bad tensor info: one finding for each kind, counted.
  const keyProblems = new FirstOfEach('CPI056', 'keys');
  const tensorProblems = new FirstOfEach('CPI056');
  let alignment = 32;
  let alignmentSet = false;
  let currentKey = '';
  let nestedReported = false;
  // A limit hit before every key was read leaves the rest of the metadata unread, and chat templates are there
  // (llama.cpp reads any count or length the file holds): an error, as an unchecked template is (gguf-templates.ts).
  try {
    yield* readMetadata();
  } catch (err) {
    keyProblems.report(out);
    if (!(err instanceof FormatError) || err.kind !== 'limit') throw err;
    out.add(
      'CPI051',
      `the GGUF file's ${err.message} (at byte ${err.offset}); the metadata from there on, where chat templates are, was not checked for template injection. Do not load it until you know why.`,
      { offset: err.offset, error: err.message },
      undefined,
      'error',
    );
    out.incomplete = true;
    return;
  }
  keyProblems.report(out);

  function* readMetadata(): ParseSteps<void> {
    const nk = checkedCount(nKv, 'metadata count', kvAt, {
      left: c.left,
      minItemBytes: lenBytes + 4 + 1,
      cap: GGUF_LIMITS.maxKv,
    });
    for (let i = 0; i < nk; i++) {
      yield* c.need(lenBytes);
      const keyRef = readString(GGUF_LIMITS.maxKeyBytes, `metadata key #${i}`);
      // The key, its type, and the longest value head read before the next need (an array's item type and length).
      yield* c.need(keyRef.len + 4 + 4 + 8);
      const keyBytes = src.read(keyRef.at, keyRef.len);
      const key = keyBytes.toString('utf8');
      c.skip(keyRef.len);
      noteRepeat(keys, keyBytes, keyProblems, 'duplicate-key', `metadata key ${JSON.stringify(key)}`, {
        key,
        offset: keyRef.at,
      });
      // gguf.cpp keeps the key's bytes whole (its duplicate check compares them all), but every lookup reads it as a C
      // string: gguf_get_key returns `key.c_str()`, gguf_find_key compares with strcmp, and llama_model::load_hparams
      // puts each value into `gguf_kv` (what llama_model_chat_template and llama-cpp-python's metadata read) under that
      // C string, the first key winning. So "tokenizer.chat_template\0x" is the chat template llama.cpp renders.
      const name = cutAtNul(key);
      const typeAt = c.pos;
      const type = c.u32();
      if (name === 'general.alignment' && !alignmentSet) {
        if (type !== T.U32) throw new FormatError('general.alignment is not a u32', typeAt);
        alignment = c.u32();
        alignmentSet = true;
        if (alignment === 0 || (alignment & (alignment - 1)) !== 0)
          throw new FormatError(`general.alignment ${alignment} is not a power of two`, typeAt + 4);
        continue;
      }
      const templateKey = name === 'tokenizer.chat_template' || name.startsWith('tokenizer.chat_template.');
      if (templateKey && type === T.STRING) {
        const s = readString(GGUF_LIMITS.maxStringBytes, `value of ${key}`);
        yield* templates.check(key, s);
        c.skip(s.len);
        continue;
      }
      // transformers' `load_gguf_checkpoint` reads each field with gguf-py and unwraps a one-item array (`if len(value)
      // == 1: value = value[0]`), so a template stored as an array of one string becomes the tokenizer's chat_template
      // and is rendered; llama.cpp's `load_hparams` skips arrays, and transformers maps no named template
      // (`tokenizer.chat_template.<name>`). Its strings are checked like a string value.
      if (
        name === 'tokenizer.chat_template' &&
        type === T.ARRAY &&
        c.left >= 4 &&
        src.read(c.pos, 4).readUInt32LE(0) === T.STRING
      ) {
        c.skip(4);
        const nAt = c.pos;
        const n = checkedCount(count(), 'array length', nAt, {
          left: c.left,
          minItemBytes: lenBytes,
          cap: GGUF_LIMITS.maxArray,
        });
        for (let j = 0; j < n; j++) {
          if (c.wants(lenBytes)) yield* c.need(lenBytes);
          const s = readString(GGUF_LIMITS.maxStringBytes, `item ${j} of ${key}`);
          if (j < MAX_TEMPLATE_ITEMS) yield* templates.check(key, s);
          c.skip(s.len);
        }
        continue;
      }
      currentKey = key;
      yield* skipValue(type, typeAt, 0);
    }
  }

  /** Skip a value whose type was just read; at most an array head (12 bytes) is read before the next need. */
  function* skipValue(type: number, typeAt: number, depth: number): ParseSteps<void> {
    if (type in SCALAR_SIZE) return c.skip(SCALAR_SIZE[type]!);
    // A value skipped unread costs nothing however long: only the file bounds it, as for llama.cpp.
    if (type === T.STRING) return c.skip(readString(Number.MAX_SAFE_INTEGER, 'string').len);
    if (type !== T.ARRAY) throw new FormatError(`unknown metadata value type ${type}`, typeAt);
    if (depth >= GGUF_LIMITS.maxArrayDepth)
      throw new FormatError(`arrays nested deeper than ${GGUF_LIMITS.maxArrayDepth}`, typeAt, 'limit');
    const itemAt = c.pos;
    const item = c.u32();
    const nAt = c.pos;
    const minItem = item in SCALAR_SIZE ? SCALAR_SIZE[item]! : item === T.STRING ? lenBytes : 4 + lenBytes;
    // Items walked one by one (strings, arrays) are capped; scalars are skipped at once, bounded by the file alone.
    const n = checkedCount(count(), 'array length', nAt, {
      left: c.left,
      minItemBytes: minItem,
      cap: item in SCALAR_SIZE ? Number.MAX_SAFE_INTEGER : GGUF_LIMITS.maxArray,
    });
    if (item in SCALAR_SIZE) return c.skip(n * SCALAR_SIZE[item]!);
    // ggml's gguf.cpp (gguf_init_from_file_impl) reads array items of scalar or string type only and fails the
    // load on GGUF_TYPE_ARRAY; gguf-py reads nested arrays. Readers that disagree on a file: say it once.
    if (item === T.ARRAY && !nestedReported) {
      nestedReported = true;
      out.add(
        'CPI056',
        `metadata key ${JSON.stringify(currentKey)} is an array of arrays; llama.cpp rejects the file while gguf-py (and tools built on it) read it. Re-export the model.`,
        { check: 'nested-array', key: currentKey, offset: itemAt },
      );
    }
    for (let j = 0; j < n; j++) {
      if (item !== T.STRING && item !== T.ARRAY) throw new FormatError(`unknown array item type ${item}`, itemAt);
      // A string's length or a nested array's head. Token lists hold 100k+ strings: check before making a generator.
      if (c.wants(4 + 8)) yield* c.need(4 + 8);
      if (item === T.STRING) c.skip(readString(GGUF_LIMITS.maxStringBytes, 'string').len);
      else yield* skipValue(item, itemAt, depth + 1);
    }
  }

  // Tensor infos follow the metadata: their count is checked against what is left after it.
  const nt = checkedCount(nTensors, 'tensor count', tensorsAt, {
    left: c.left,
    minItemBytes: lenBytes + 4 + 4 + 8,
    cap: GGUF_LIMITS.maxTensors,
  });
  const tensors: Tensor[] = [];
  const names = new Set<string>();
  try {
    for (let i = 0; i < nt; i++) {
      const at = c.pos;
      yield* c.need(lenBytes);
      const nameRef = readString(GGUF_LIMITS.maxKeyBytes, `tensor #${i} name`);
      // The name, then at most 4 dimensions, the type and the offset.
      yield* c.need(nameRef.len + 4 + GGUF_LIMITS.maxDims * 8 + 4 + 8);
      const nameBytes = src.read(nameRef.at, nameRef.len);
      const name = nameBytes.toString('utf8', 0, NAME_SHOWN * 4).slice(0, NAME_SHOWN);
      c.skip(nameRef.len);
      if (nameRef.len >= GGML_MAX_NAME)
        tensorProblems.note(
          'tensor-name',
          `tensor name ${JSON.stringify(name)} is ${nameRef.len} bytes (ggml's limit is ${GGML_MAX_NAME - 1}); llama.cpp rejects the file while gguf-py reads it`,
          { check: 'tensor-name', tensor: name, offset: at },
        );
      const dimsAt = c.pos;
      const nDims = c.u32();
      if (nDims > GGUF_LIMITS.maxDims)
        throw new FormatError(`tensor ${JSON.stringify(name)} has ${nDims} dimensions (at most 4)`, dimsAt);
      const dims: bigint[] = [];
      for (let d = 0; d < nDims; d++) dims.push(version === 1 ? BigInt(c.u32()) : c.u64());
      const type = c.u32();
      const offset = c.u64();
      noteRepeat(names, nameBytes, tensorProblems, 'duplicate-tensor', `tensor name ${JSON.stringify(name)}`, {
        tensor: name,
        offset: at,
      });
      tensors.push({ name, offset, size: tensorSize(name, dims, type, at, tensorProblems), at });
    }
  } finally {
    tensorProblems.report(out);
  }

  const dataStart = BigInt(Math.ceil(c.pos / alignment) * alignment);
  const dataLen = BigInt(src.size) > dataStart ? BigInt(src.size) - dataStart : 0n;
  checkTensorLayout(tensors, dataLen, alignment, out);
}

/** `ggufSteps` over bytes in memory. */
export function parseGguf(src: RandomAccess, out: Findings): void {
  driveSync(ggufSteps(src, out));
}

function tensorSize(name: string, dims: bigint[], type: number, at: number, problems: FirstOfEach): bigint | undefined {
  const t = GGML_TYPES[type];
  const bad = (what: string): undefined =>
    void problems.note('tensor', `tensor ${JSON.stringify(name)} ${what}; llama.cpp rejects the file`, {
      check: 'tensor',
      tensor: name,
      offset: at,
    });
  if (!t) return bad(`has unknown ggml type ${type}`);
  let n = 1n;
  for (const d of dims) {
    // ne[j] is an int64_t: past 2^63 it is negative, which `gguf_init_from_reader` refuses.
    if (d >= 1n << 63n) return bad(`has dimension ${d}`);
    n *= d;
    if (n >= 1n << 63n) return bad('has more elements than fit in 63 bits');
  }
  // A 0 in ne[1..3] makes an empty tensor. ggml's gguf.cpp `gguf_init_from_reader` checks that the element count is
  // representable by dividing INT64_MAX by ne[1], ne[2] and ne[3]; ggml-org/llama.cpp at 067d44f6 runs that check
  // only when `ggml_nelements(&info.t) > 0` (added by llama.cpp PR #25596, 2026-08, whose test-gguf case
  // HANDCRAFTED_TENSORS_ZERO_DIM expects the file to load). Copies from before it test only `ne[j] < 0` and then
  // divide by the 0: SIGFPE on x86-64 (llama.cpp issue #26366). A 0 in ne[0] is only ever a dividend.
  const zeroAt = dims.findIndex((d, j) => j > 0 && d === 0n);
  if (zeroAt > 0)
    problems.note(
      'zero-dimension',
      `tensor ${JSON.stringify(name)} has 0 in dimension ${zeroAt}: llama.cpp reads it as an empty tensor since its PR #25596 (August 2026), but builds and copies of ggml from before divide by that 0 when they load the file (gguf_init_from_reader) and the process dies (SIGFPE on x86-64). Find out why the file holds an empty tensor`,
      { check: 'zero-dimension', tensor: name, offset: at },
    );
  const [block, bytes] = t;
  if ((dims[0] ?? 1n) % BigInt(block) !== 0n)
    return bad(`first dimension ${dims[0]} is not a multiple of the block size ${block}`);
  return (n / BigInt(block)) * BigInt(bytes);
}

/**
 * Tensor data placement. One CPI056 per kind of problem, not per tensor: a truncated file leaves every later tensor
 * past its end, a changed `general.alignment` misaligns them all, and llama.cpp (`gguf_init_from_file_impl`) refuses
 * the file at the first one anyway — hundreds of findings would say one thing.
 */
function checkTensorLayout(tensors: Tensor[], dataLen: bigint, alignment: number, out: Findings): void {
  const sorted = [...tensors].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  const problems = new FirstOfEach('CPI056');
  let end = 0n;
  let prev: Tensor | undefined;
  for (const t of sorted) {
    if (t.offset % BigInt(alignment) !== 0n)
      problems.note('alignment', `tensor ${JSON.stringify(t.name)} offset ${t.offset} is not aligned to ${alignment}`, {
        check: 'alignment',
        tensor: t.name,
        offset: t.at,
      });
    if (t.size === undefined) continue;
    if (t.offset + t.size > dataLen)
      problems.note(
        'bounds',
        `tensor ${JSON.stringify(t.name)} data [${t.offset}, ${t.offset + t.size}) runs past the end of the file (data section is ${dataLen} bytes)`,
        { check: 'bounds', tensor: t.name, offset: t.at },
      );
    if (prev && t.offset < end)
      problems.note('overlap', `tensor ${JSON.stringify(t.name)} data overlaps ${JSON.stringify(prev.name)}`, {
        check: 'overlap',
        tensor: t.name,
        other: prev.name,
        offset: t.at,
      });
    if (t.offset + t.size > end) {
      end = t.offset + t.size;
      prev = t;
    }
  }
  problems.report(out);
}

export const ggufAnalyser: ModelAnalyser = {
  name: 'gguf',
  formats: ['gguf'],
  analyze: (file, ctx) => analyseWith(file, 'the GGUF file', ggufSteps, ctx.files),
};

/** llama.cpp `gguf_init_from_file_impl` reads the magic first and refuses a file without it, whatever its name. */
const isGgufHead = (head: Buffer): boolean => head.length >= 4 && head.toString('latin1', 0, 4) === 'GGUF';

/**
 * A GGUF file inside an archive (a model bundle `model.zip`, a release `.tar.gz`): extracted and handed to llama.cpp
 * (or llama-cpp-python, which renders its chat template with Jinja), it is read as the same file outside the archive
 * is, so `ggufSteps` judges it, on the bytes in memory or, for a member too large to hold, by ranges: the header and
 * metadata are read forward and the tensor data only measured, never read. Nothing else reads a GGUF file.
 */
registerReadMember({
  format: 'gguf',
  named: /\.gguf$/i,
  is: isGgufHead,
  what: 'the GGUF file',
  parse: parseGguf,
  steps: ggufSteps,
});
