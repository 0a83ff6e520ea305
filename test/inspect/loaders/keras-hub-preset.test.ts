import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/*
 * KerasHub presets, written by hand in the shape `KerasPresetSaver` writes (`json.dumps(serialize_keras_object(x),
 * indent=4)` per object, metadata.json from `_save_metadata`): `from_preset` hands each of them to
 * `keras.saving.deserialize_keras_object` (`preset_utils.load_serialized_object`).
 */

const dtype = (name: string) => ({
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name },
  registered_name: null,
});
const dump = (v: unknown) => JSON.stringify(v, null, 4);

const backbone = {
  module: 'keras_hub.src.models.gemma.gemma_backbone',
  class_name: 'GemmaBackbone',
  config: {
    name: 'gemma_backbone',
    trainable: true,
    dtype: dtype('float32'),
    vocabulary_size: 256,
    num_layers: 2,
    num_query_heads: 2,
    num_key_value_heads: 1,
    hidden_dim: 16,
    intermediate_dim: 32,
    head_dim: 8,
    layer_norm_epsilon: 1e-6,
    dropout: 0,
  },
  registered_name: 'keras_hub>GemmaBackbone',
};
const tokenizer = {
  module: 'keras_hub.src.models.gemma.gemma_tokenizer',
  class_name: 'GemmaTokenizer',
  config: {
    name: 'gemma_tokenizer',
    trainable: true,
    dtype: dtype('int32'),
    config_file: 'tokenizer.json',
    proto: null,
    sequence_length: null,
    add_bos: false,
    add_eos: false,
  },
  registered_name: 'keras_hub>GemmaTokenizer',
};
const metadata = dump({
  keras_version: '3.8.0',
  keras_hub_version: '0.19.0',
  parameter_count: 9000,
  date_saved: '2025-01-01@00:00:00',
});
/** A Keras 3 `__lambda__` function, as `serialize_keras_object` writes a Python lambda (harmless bytes). */
const lambdaLayer = {
  module: 'keras.layers',
  class_name: 'Lambda',
  config: {
    name: 'lambda',
    function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null, closure: null } },
  },
  registered_name: null,
};
/** A function reference into a module outside Keras, which `_retrieve_class_or_fn` imports. */
const osSystem = { module: 'os', class_name: 'function', config: 'system', registered_name: null };
const causalLm = (inner: Record<string, unknown>) => ({
  module: 'keras_hub.src.models.gemma.gemma_causal_lm',
  class_name: 'GemmaCausalLM',
  config: { name: 'gemma_causal_lm', trainable: true, backbone, ...inner },
  registered_name: 'keras_hub>GemmaCausalLM',
});
/** What the `tokenizers` library writes (`Tokenizer.save`): a vocabulary, no Keras object. */
const hfTokenizer = dump({
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: 0, content: '<s>', single_word: false, lstrip: false, rstrip: false, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  model: { type: 'BPE', dropout: null, unk_token: null, vocab: { '<s>': 0, a: 1, b: 2 }, merges: ['a b'] },
});
const hfConfig = dump({ architectures: ['GemmaForCausalLM'], model_type: 'gemma', vocab_size: 256 });

const CASES: readonly UnseenCase[] = [
  {
    name: 'KerasHub preset whose tokenizer.json is a Lambda layer',
    loader: 'keras_hub preset_utils.KerasPresetLoader.load_tokenizer → load_serialized_object',
    files: {
      'preset/config.json': dump(backbone),
      'preset/metadata.json': metadata,
      'preset/tokenizer.json': dump(lambdaLayer),
      'preset/assets/tokenizer/vocabulary.spm': 'spm',
    },
    want: ['CPI060:error'],
  },
  {
    name: 'KerasHub preset whose task.json carries a Lambda in its preprocessor',
    loader: 'keras_hub preset_utils.KerasPresetLoader.load_task → load_serialized_object',
    files: {
      'preset/config.json': dump(backbone),
      'preset/metadata.json': metadata,
      'preset/tokenizer.json': dump(tokenizer),
      'preset/task.json': dump(causalLm({ preprocessor: lambdaLayer })),
    },
    want: ['CPI060:error'],
  },
  {
    name: 'KerasHub preset whose image_converter.json names os.system',
    loader: 'keras_hub preset_utils.KerasPresetLoader.load_image_converter → load_serialized_object',
    files: {
      'preset/config.json': dump(backbone),
      'preset/image_converter.json': dump({
        module: 'keras_hub.src.layers.preprocessing.image_converter',
        class_name: 'ImageConverter',
        config: { name: 'image_converter', image_size: [224, 224], interpolation: osSystem },
        registered_name: 'keras_hub>ImageConverter',
      }),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'keras_nlp preset known by metadata.json alone, Lambda in preprocessor.json',
    loader: 'keras_nlp preset_utils.check_format ("keras" from metadata.json keras_version) → load_serialized_object',
    files: {
      'preset/metadata.json': metadata,
      'preset/preprocessor.json': dump({
        module: 'keras_nlp.src.models.gemma.gemma_causal_lm_preprocessor',
        class_name: 'GemmaCausalLMPreprocessor',
        config: { name: 'p', tokenizer: lambdaLayer, sequence_length: 8 },
        registered_name: 'keras_nlp>GemmaCausalLMPreprocessor',
      }),
    },
    want: ['CPI060:error'],
  },
  {
    name: 'benign KerasHub preset',
    loader: 'keras_hub preset_utils.KerasPresetLoader',
    files: {
      'preset/config.json': dump(backbone),
      'preset/metadata.json': metadata,
      'preset/tokenizer.json': dump(tokenizer),
      'preset/task.json': dump(causalLm({ preprocessor: null })),
      'preset/assets/tokenizer/vocabulary.spm': 'spm',
    },
    want: [],
  },
  {
    name: 'Hugging Face tokenizer.json beside a transformers config.json',
    loader: 'tokenizers Tokenizer.from_file; keras_hub get_preset_loader → TransformersPresetLoader',
    files: { 'config.json': hfConfig, 'tokenizer.json': hfTokenizer },
    want: [],
  },
  {
    name: 'Keras-shaped tokenizer.json and task.json in a Hugging Face repository',
    loader: 'keras_hub get_preset_loader: `model_type` → TransformersPresetLoader, nothing deserialized as Keras',
    files: { 'config.json': hfConfig, 'tokenizer.json': dump(lambdaLayer), 'task.json': dump(lambdaLayer) },
    want: [],
  },
];

describeUnseenCases('KerasHub preset objects beside config.json', CASES);

describe('KerasHub preset objects: what is read', () => {
  const root = mkdtempSync(join(tmpdir(), 'cp-kerashub-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('opens no byte of a Hugging Face tokenizer.json', async () => {
    const dir = join(root, 'hf');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), hfConfig);
    // Vocabulary a scan would have to read through, were it parsed.
    const vocab = Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`token${i}`, i]));
    const big = dump({ version: '1.0', model: { type: 'BPE', vocab, merges: [] } });
    writeFileSync(join(dir, 'tokenizer.json'), big);
    const res = await scanWith(dir, [inspectStage]);
    expect(res.findings).toEqual([]);
    expect(res.io?.byKind.plugins.bytesRead ?? 0).toBeLessThan(big.length);
  });

  it('reports a preset object too large to check (never a silent pass)', async () => {
    const dir = join(root, 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), dump(backbone));
    writeFileSync(join(dir, 'tokenizer.json'), dump(lambdaLayer));
    // Padded past the limit (a sparse file: the size alone decides).
    truncateSync(join(dir, 'tokenizer.json'), 32 * 1024 * 1024 + 1);
    const res = await scanWith(dir, [inspectStage]);
    const got = res.findings.filter((f) => f.location.path === 'tokenizer.json').map((f) => f.ruleId);
    expect(got).toEqual(['CPI051']);
  });
});
