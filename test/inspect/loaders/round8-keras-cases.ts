import { kerasArchive, sequential, zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

/** A Keras 3 Lambda layer whose `function` (and optional extra config) is as given. */
const lambda = (fn: unknown, extra: Record<string, unknown> = {}) =>
  kerasArchive(
    sequential([
      {
        module: 'keras.layers',
        class_name: 'Lambda',
        config: { name: 'l', function: fn, arguments: {}, ...extra },
        registered_name: null,
      },
    ]),
  );
/** A named function as Keras 3 `serialize_keras_object(fn)` writes it. */
const fn = (module: string, name: string) => ({ module, class_name: 'function', config: name, registered_name: name });
const LOADER =
  'keras Lambda.from_config: a function that is no __lambda__ dict goes to serialization_lib.deserialize_keras_object (_retrieve_class_or_fn)';

/**
 * Keras 3 writes `Lambda(keras.ops.relu)` with its function as a reference, not bytecode (Lambda.
 * _serialize_function_to_config); chainproof called every such Lambda marshalled code (CPI060 error). What runs is
 * the referenced function, judged like any reference — and the `keras.datasets` downloaders are Keras helpers.
 */
export const ROUND8_KERAS_CASES: readonly UnseenCase[] = [
  {
    name: 'Lambda of keras.ops.relu as Keras 3 writes it',
    loader: LOADER,
    files: { 'm.keras': lambda(fn('keras.ops', 'relu')) },
    want: [],
  },
  {
    name: 'Lambda of os.system as a Keras 3 function reference',
    loader: `${LOADER}: module os, outside Keras`,
    files: { 'm.keras': lambda(fn('os', 'system')) },
    want: ['CPI061:error'],
  },
  {
    name: 'Lambda of a function reference with a __lambda__ output_shape',
    loader: 'keras Lambda.from_config: output_shape of class __lambda__ → python_utils.func_load',
    files: {
      'm.keras': lambda(fn('keras.ops', 'relu'), {
        output_shape: { class_name: '__lambda__', config: { code: '4wAAAA==', defaults: null, closure: null } },
      }),
    },
    want: ['CPI060:error'],
  },
  {
    name: 'Dense activation keras.datasets.mnist.load_data (downloads to the path it is given)',
    loader:
      'keras serialization_lib._retrieve_class_or_fn: api_export.get_symbol_from_name("keras.datasets.mnist.load_data")',
    files: {
      'm.keras': kerasArchive(
        sequential([
          {
            module: 'keras.layers',
            class_name: 'Dense',
            config: { name: 'd', units: 1, activation: fn('keras.datasets.mnist', 'load_data') },
            registered_name: null,
          },
        ]),
      ),
    },
    want: ['CPI061:error'],
  },
  {
    name: 'Functional layer keras.preprocessing.image.save_img called with a path in its inbound node',
    loader:
      'keras functional_from_config: process_layer → deserialize_keras_object returns the function, process_node calls layer(*args, **kwargs)',
    files: {
      'm.keras': kerasArchive({
        module: 'keras',
        class_name: 'Functional',
        config: {
          name: 'f',
          layers: [
            {
              module: 'keras.preprocessing.image',
              class_name: 'save_img',
              config: {},
              registered_name: null,
              name: 'w',
              inbound_nodes: [{ args: ['/home/user/.bashrc', [[[0, 0, 0]]]], kwargs: { file_format: 'png' } }],
            },
          ],
          input_layers: [],
          output_layers: [],
        },
        registered_name: null,
      }),
    },
    want: ['CPI061:error'],
  },
  {
    name: '.keras whose second config.json is stored as "config.json\\0x" and holds a __lambda__',
    loader:
      'keras saving_lib._load_model_from_fileobj: zipfile.ZipFile.open("config.json") — ZipInfo cuts the name at NUL, the last entry wins',
    files: {
      'm.keras': zip([
        { name: 'metadata.json', data: '{"keras_version": "3.5.0"}' },
        { name: 'config.json', data: JSON.stringify(sequential([])) },
        {
          name: 'config.json\0x',
          data: JSON.stringify(
            sequential([
              {
                module: 'keras.layers',
                class_name: 'Lambda',
                config: { name: 'l', function: { class_name: '__lambda__', config: { code: '4wAAAA==' } } },
                registered_name: null,
              },
            ]),
          ),
        },
        { name: 'model.weights.h5', data: Buffer.alloc(16) },
      ]),
    },
    want: ['CPI050:warning', 'CPI060:error'],
  },
];
