import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { FIXTURES, inspectFolder } from '../pickle/scan-folder.js';
import { externalWeightsModel, gguf, kerasArchive, onnxModel, safetensors, savedModel, sequential } from './build.js';

const DIR = path.join(FIXTURES, 'models-inspect');

/** The legacy Keras file with its Dense layer rewritten, same length, as a Lambda whose key is JSON-escaped. */
function escapedLambdaH5(): Buffer {
  const data = Buffer.from(readFileSync(corpusPath('models/keras_legacy_layout.h5')));
  const from = '{"class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "linear"}}';
  const to = '{"\\u0063lass_name": "Lambda", "config": {"name": "dense", "function": ["x"]}}'.padEnd(from.length, ' ');
  const at = data.indexOf(from);
  if (at < 0 || to.length !== from.length) throw new Error('keras_legacy_layout.h5 changed');
  data.write(to, at, 'latin1');
  return data;
}

const F32 = (n: number) => ({ dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] });

/** Every hand-made case: how it is built and the rule IDs it must produce. */
const CASES: { file: string; build: () => Buffer; want: string[] }[] = [
  {
    file: 'safetensors_overlap.safetensors',
    build: () => safetensors({ a: F32(4), b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, 16),
    want: ['CPI053'],
  },
  {
    file: 'safetensors_hidden_gap.safetensors',
    build: () => safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [64, 72] } }, 72),
    want: ['CPI053'],
  },
  {
    file: 'safetensors_bad_header.safetensors',
    build: () =>
      safetensors(
        { __metadata__: { format: 'pt', n: 3 }, a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } },
        16,
      ),
    want: ['CPI052'],
  },
  {
    file: 'safetensors_huge_header.safetensors',
    build: () => {
      const b = safetensors({ a: F32(1) }, 4);
      b.writeBigUInt64LE(1n << 40n, 0);
      return b;
    },
    want: ['CPI051'],
  },
  {
    file: 'gguf_huge_count.gguf',
    // Past the file: llama.cpp's read fails, a parse failure (source.ts `checkedCount`), not a limit.
    build: () => gguf({ kvCount: 1n << 62n }),
    want: ['CPI050'],
  },
  {
    file: 'gguf_tensor_past_end.gguf',
    build: () => gguf({ tensors: [{ name: 'w', dims: [64], type: 0, offset: 0 }], dataLen: 128 }),
    want: ['CPI056'],
  },
  {
    file: 'gguf_escaped_ssti.gguf',
    build: () =>
      gguf({
        kv: [
          ['general.architecture', { type: 'string', value: 'llama' }],
          [
            'tokenizer.chat_template',
            {
              type: 'string',
              value:
                "{% for m in messages %}{{ m.content }}{% endfor %}{{ (cycler|attr('\\x5f\\x5finit\\x5f\\x5f')|attr('_' ~ '_globals__')).os.popen('id').read() }}",
            },
          ],
        ],
      }),
    want: ['CPI055'],
  },
  {
    file: 'onnx_traversal_external.onnx',
    build: () => onnxModel({ externals: [{ name: 'w', location: '../../etc/passwd' }], nodes: [{ op: 'MatMul' }] }),
    want: ['CPI065'],
  },
  {
    file: 'onnx_absolute_in_subgraph.onnx',
    build: () => onnxModel({ nodes: [{ op: 'If', subgraphExternal: '/etc/shadow' }] }),
    want: ['CPI065'],
  },
  {
    file: 'onnx_custom_domain.onnx',
    build: () => onnxModel({ nodes: [{ op: 'Tokenize', domain: 'ai.onnx.contrib' }, { op: 'Relu' }] }),
    want: ['CPI066'],
  },
  {
    file: 'savedmodel_readfile/saved_model.pb',
    build: () => savedModel(['Const', 'ReadFile', 'SaveV2', 'RestoreV2']),
    want: ['CPI070'],
  },
  {
    file: 'savedmodel_pyfunc_in_function/saved_model.pb',
    build: () => savedModel(['Placeholder', 'StatefulPartitionedCall'], ['Identity', 'EagerPyFunc']),
    want: ['CPI070'],
  },
  {
    file: 'savedmodel_checkpoint_ops/saved_model.pb',
    build: () =>
      savedModel(
        ['Placeholder', 'MatMul', 'SaveV2', 'RestoreV2', 'MergeV2Checkpoints', 'ShardedFilename'],
        ['MatMul'],
        'stderr',
      ),
    want: [],
  },
  {
    file: 'keras_module_os.keras',
    build: () =>
      kerasArchive(
        sequential([
          {
            module: 'keras.layers',
            class_name: 'Activation',
            config: { name: 'act', activation: { module: 'os', class_name: 'function', config: 'system' } },
          },
        ]),
      ),
    want: ['CPI061'],
  },
  {
    file: 'keras_unsafe_mode.keras',
    build: () =>
      kerasArchive(
        sequential([
          {
            module: 'keras.config',
            class_name: 'function',
            config: 'enable_unsafe_deserialization',
            registered_name: 'enable_unsafe_deserialization',
          },
        ]),
      ),
    want: ['CPI063'],
  },
  {
    file: 'keras_custom_layer.keras',
    build: () =>
      kerasArchive(
        sequential([
          {
            module: 'my_project.layers',
            class_name: 'Scale',
            config: { name: 's' },
            registered_name: 'MyProject>Scale',
          },
        ]),
      ),
    want: ['CPI062'],
  },
  { file: 'keras_h5_escaped_lambda.h5', build: escapedLambdaH5, want: ['CPI060'] },
  {
    file: 'tfjs_escape/model.json',
    build: () =>
      Buffer.from(
        JSON.stringify({
          format: 'graph-model',
          modelTopology: {},
          weightsManifest: [{ paths: ['group1-shard1of1.bin', '../../secrets/id_rsa'], weights: [] }],
        }),
      ),
    want: ['CPI076'],
  },
  // LiteRT's compiled model reads external weights from the file a group names; an absolute name is opened as is.
  {
    file: 'tflite_external_weights_escape.tflite',
    build: () =>
      externalWeightsModel({
        groups: ['/home/u/.ssh/id_rsa'],
        buffers: [{ id: 0x80000000, group: 0 }],
        tensors: [{ buffer: 0x80000000 }],
      }),
    want: ['CPI077'],
  },
  {
    file: 'tfjs_url-weights_manifest.json',
    build: () => Buffer.from(JSON.stringify([{ paths: ['https://attacker.example/shard.bin'], weights: [] }])),
    want: ['CPI076'],
  },
];

if (process.env.WRITE_FIXTURES === '1') {
  for (const c of CASES) {
    mkdirSync(path.dirname(path.join(DIR, c.file)), { recursive: true });
    writeFileSync(path.join(DIR, c.file), c.build());
  }
}

describe('fixtures/models-inspect', () => {
  it.each(CASES)('$file is what its builder makes', ({ file, build }) => {
    expect(existsSync(path.join(DIR, file))).toBe(true);
    expect(readFileSync(path.join(DIR, file)).equals(build())).toBe(true);
  });

  it('every hand-made case produces exactly its rules through the inspect stage', async () => {
    const by = await inspectFolder(DIR);
    const got = Object.fromEntries(
      CASES.map((c) => [c.file, [...new Set((by.get(c.file) ?? []).map((f) => f.ruleId))].sort()]),
    );
    expect(got).toEqual(Object.fromEntries(CASES.map((c) => [c.file, c.want])));
  });
});
