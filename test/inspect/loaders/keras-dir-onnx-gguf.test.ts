import { describe, expect, it } from 'vitest';
import { escapeReason } from '../../../src/inspect/formats/onnx.js';
import { gguf, kerasArchive, onnxModel, sequential } from '../formats/build.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** A Keras 3 `__lambda__` function, as `serialization_lib.serialize_keras_object` writes a Python lambda. */
const lambdaLayer = {
  module: 'keras.layers',
  class_name: 'Lambda',
  config: {
    name: 'lambda',
    function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null, closure: null } },
  },
  registered_name: null,
};
const osSystemActivation = {
  module: 'keras.layers',
  class_name: 'Dense',
  config: {
    name: 'dense',
    units: 1,
    activation: { module: 'os', class_name: 'function', config: 'system', registered_name: null },
  },
  registered_name: null,
};
/** A function-valued layer: `functional_from_config.process_node` calls it with the node's arguments. */
const legacyH5Loader = {
  module: 'keras.src.legacy.saving.legacy_h5_format',
  class_name: 'function',
  config: 'load_model_from_hdf5',
  registered_name: null,
};
const metadata = JSON.stringify({ keras_version: '3.8.0', date_saved: '2025-01-01@00:00:00' });
const PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const BENIGN_TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% endfor %}";
const arch: [string, { type: 'string'; value: string }] = ['general.architecture', { type: 'string', value: 'llama' }];

const CASES: readonly UnseenCase[] = [
  {
    name: 'Keras 3 model saved unzipped, Lambda in config.json',
    loader: 'keras saving_api.load_model is_keras_dir → saving_lib._load_model_from_dir → deserialize_keras_object',
    files: { 'model/config.json': JSON.stringify(sequential([lambdaLayer])), 'model/metadata.json': metadata },
    want: ['CPI060:error'],
  },
  {
    name: 'Keras 3 model folder pulled from the Hub, os.system activation',
    loader: 'keras saving_lib.load_model("hf://…") → snapshot_download → _load_model_from_dir',
    files: { 'config.json': JSON.stringify(sequential([osSystemActivation])), 'metadata.json': metadata },
    want: ['CPI061:error'],
  },
  {
    name: 'benign Keras 3 model folder',
    loader: 'keras saving_lib._load_model_from_dir',
    files: { 'model/config.json': JSON.stringify(sequential([])), 'model/metadata.json': metadata },
    want: [],
  },
  {
    name: 'transformers config.json is not a Keras config',
    loader: 'transformers PretrainedConfig._dict_from_json_file',
    files: {
      'config.json': JSON.stringify({
        architectures: ['BertModel'],
        model_type: 'bert',
        hidden_act: 'gelu',
        quantization_config: { quant_method: 'bitsandbytes', config: { load_in_8bit: true } },
      }),
    },
    want: [],
  },
  {
    name: '.keras calling the legacy HDF5 loader on a path of its choosing',
    loader: 'keras serialization_lib._retrieve_class_or_fn (keras package) → legacy_h5_format.load_model_from_hdf5',
    files: { 'model.keras': kerasArchive(sequential([legacyH5Loader])) },
    want: ['CPI061:error'],
  },
  {
    name: "ONNX initializer at ONNX Runtime's in-memory address tag",
    loader: 'onnxruntime utils::GetExtDataFromTensorProto (offset read as a pointer)',
    files: { 'model.onnx': onnxModel({ externals: [{ name: 'w', location: '*/_ORT_MEM_ADDR_/*' }] }) },
    want: ['CPI065:error'],
  },
  {
    name: 'GGUF chat template stored as a one-item string array',
    loader: 'transformers load_gguf_checkpoint (one-item arrays unwrapped) → apply_chat_template',
    files: {
      'model.gguf': gguf({ kv: [arch, ['tokenizer.chat_template', { type: 'array-string', value: [PAYLOAD] }]] }),
    },
    want: ['CPI055:error'],
  },
  {
    name: 'GGUF chat template array whose second item is the payload (judged conservatively)',
    loader: 'transformers load_gguf_checkpoint (a longer array stays a list)',
    files: {
      'model.gguf': gguf({
        kv: [arch, ['tokenizer.chat_template', { type: 'array-string', value: [BENIGN_TEMPLATE, PAYLOAD] }]],
      }),
    },
    want: ['CPI055:error'],
  },
  {
    name: 'GGUF named chat template stored as an array: nothing renders it',
    loader: 'llama.cpp load_hparams skips arrays; transformers GGUF_TOKENIZER_MAPPING has no named templates',
    files: {
      'model.gguf': gguf({
        kv: [arch, ['tokenizer.chat_template.tool_use', { type: 'array-string', value: [PAYLOAD] }]],
      }),
    },
    want: [],
  },
  {
    name: 'GGUF benign chat template stored as a one-item array',
    loader: 'transformers load_gguf_checkpoint',
    files: {
      'model.gguf': gguf({
        kv: [arch, ['tokenizer.chat_template', { type: 'array-string', value: [BENIGN_TEMPLATE] }]],
      }),
    },
    want: [],
  },
  {
    name: 'GGUF token list holding template-like strings is not a template',
    loader: 'llama.cpp llama_vocab::load (tokenizer.ggml.tokens)',
    files: {
      'model.gguf': gguf({ kv: [arch, ['tokenizer.ggml.tokens', { type: 'array-string', value: ['a', PAYLOAD] }]] }),
    },
    want: [],
  },
];

describeUnseenCases('model files whose loaders run, fetch or read what the scan missed', CASES);

describe('ONNX external data locations', () => {
  it.each([
    { input: '*/_ORT_MEM_ADDR_/*', escapes: true },
    { input: '_ORT_MEM_ADDR_/weights.bin', escapes: false },
  ])('$input escapes: $escapes', ({ input, escapes }) => {
    expect(escapeReason(input) !== undefined).toBe(escapes);
  });
});
