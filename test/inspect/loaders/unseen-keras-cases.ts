import { kerasArchive, sequential } from '../formats/build.js';
import type { UnseenCase } from './unseen-attacks.test.js';

const layer = (className: string, config: Record<string, unknown>, module = 'keras.layers') => ({
  module,
  class_name: className,
  config: { name: className.toLowerCase(), ...config },
  registered_name: null,
});
const keras = (...layers: unknown[]) => kerasArchive(sequential(layers));

/** Keras 3 `.keras` configs, judged by `keras.src.saving.serialization_lib.deserialize_keras_object`. */
export const KERAS_CASES: readonly UnseenCase[] = [
  {
    name: 'TFSMLayer loading an external SavedModel',
    loader: 'keras.src.export.tfsm_layer.TFSMLayer.from_config',
    files: { 'model.keras': keras(layer('TFSMLayer', { filepath: '/tmp/exported', call_endpoint: 'serve' })) },
    want: ['CPI061:error'],
  },
  {
    name: 'TFSMLayer by its source module',
    loader: 'keras.src.export.tfsm_layer.TFSMLayer.from_config',
    files: { 'model.keras': keras(layer('TFSMLayer', { filepath: 'gs://bucket/m' }, 'keras.src.export.tfsm_layer')) },
    want: ['CPI061:error'],
  },
  {
    // Keras 3.9–3.11 hand back `vars(keras_hub.src.models.backbone)["get_preset_loader"]` (imported there from
    // preset_utils); a functional model calls it with the node's arguments, which fetches hf:// or kaggle:// files.
    name: 'KerasHub get_preset_loader reached through a model module that imports it',
    loader:
      'keras.src.saving.serialization_lib._retrieve_class_or_fn (Keras 3.9–3.11: any object of a keras_hub module)',
    files: {
      'model.keras': keras({
        module: 'keras_hub.src.models.backbone',
        class_name: 'function',
        config: 'get_preset_loader',
        registered_name: null,
      }),
    },
    want: ['CPI061:error'],
  },
  {
    // `obj = vars(mod).get(name)`, then "special case for keras.metrics.metrics": `vars(mod).get(registered_name)`.
    name: 'class name absent from the module, registered_name naming the gadget it imports',
    loader: 'keras.src.saving.serialization_lib._retrieve_class_or_fn (Keras 3 before 3.9, tf_keras)',
    files: {
      'model.keras': keras({
        module: 'keras_hub.src.models.backbone',
        class_name: 'PresetBackbone',
        config: {},
        registered_name: 'get_preset_loader',
      }),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'outside module whose registered_name is the callable (pandas.read_pickle)',
    loader: 'keras.src.saving.serialization_lib._retrieve_class_or_fn (Keras 3 before 3.9)',
    files: {
      'model.keras': keras({ module: 'pandas', class_name: 'Frame2', config: {}, registered_name: 'read_pickle' }),
    },
    want: ['CPI061:error'],
  },
  {
    // tf_keras: `if name.count(".") == 1: getattr(vars(mod)[outer], inner)` ("Support for `__qualname__`").
    name: 'dotted function name reaching os through a Keras module that imports it',
    loader: 'tf_keras.src.saving.serialization_lib._retrieve_class_or_fn',
    files: {
      'model.keras': keras({
        module: 'keras.src.engine.training',
        class_name: 'function',
        config: 'os.system',
        registered_name: null,
      }),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'StringLookup vocabulary read from /etc/passwd',
    loader: 'keras.src.layers.preprocessing.index_lookup.IndexLookup.set_vocabulary',
    files: { 'model.keras': keras(layer('StringLookup', { vocabulary: '/etc/passwd' })) },
    want: ['CPI113:error'],
  },
  {
    name: 'TextVectorization vocabulary read through ..',
    loader: 'IndexLookup.set_vocabulary',
    files: { 'model.keras': keras(layer('TextVectorization', { vocabulary: '../../.aws/credentials' })) },
    want: ['CPI113:error'],
  },
  {
    name: 'KerasHub tokenizer merges fetched over http',
    loader: 'keras_hub BytePairTokenizer.set_vocabulary_and_merges',
    files: {
      'model.keras': keras(
        layer('BytePairTokenizer', { merges: 'https://attacker.example/m' }, 'keras_hub.src.tokenizers'),
      ),
    },
    want: ['CPI113:error'],
  },
  {
    name: 'IntegerLookup vocabulary file beside the model (older Keras saved the path)',
    loader: 'IndexLookup.set_vocabulary',
    files: { 'model.keras': keras(layer('IntegerLookup', { vocabulary: 'vocab.txt' })) },
    want: ['CPI113:warning'],
  },
  {
    name: 'StringLookup vocabulary given as a list',
    loader: 'IndexLookup.set_vocabulary',
    files: { 'model.keras': keras(layer('StringLookup', { vocabulary: ['a', 'b'], max_tokens: null })) },
    want: [],
  },
];

const functional = (layers: unknown[]) => ({
  module: 'keras.src.models.functional',
  class_name: 'Functional',
  config: { name: 'inner', layers, input_layers: [], output_layers: [] },
  registered_name: 'Functional',
});

/** Lambda code and outside references in the shapes Keras nests them (probes of round 2: these already agreed). */
export const KERAS_NESTED_CASES: readonly UnseenCase[] = [
  {
    name: 'Lambda with bytecode inside a Functional inside the Sequential',
    loader: 'keras.src.layers.core.lambda_layer.Lambda.from_config (safe_mode=False runs the bytecode)',
    files: {
      'model.keras': keras(
        functional([
          {
            module: 'keras.layers',
            class_name: 'Lambda',
            config: {
              name: 'l',
              function: { class_name: '__lambda__', config: { code: '4wEAAAAA', defaults: null, closure: null } },
            },
            registered_name: null,
          },
        ]),
      ),
    },
    want: ['CPI060:error'],
  },
  {
    name: 'activation function from os (module/class_name "function")',
    loader: 'serialization_lib._retrieve_class_or_fn (Keras < 3.9 imports any module)',
    files: {
      'model.keras': keras(
        layer('Dense', {
          units: 1,
          activation: { module: 'os', class_name: 'function', config: 'system', registered_name: 'system' },
        }),
      ),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'layer class from a non-Keras package, shared by two layers',
    loader: 'serialization_lib._retrieve_class_or_fn imports the module (Keras < 3.9)',
    files: {
      'model.keras': keras(
        layer('Custom', { shared_object_id: 1 }, 'mypkg.layers'),
        layer('Custom', { shared_object_id: 1 }, 'mypkg.layers'),
      ),
    },
    want: ['CPI062:warning'],
  },
];
