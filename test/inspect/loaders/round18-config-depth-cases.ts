import { kerasArchive, pb } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

/** `depth` lists, one inside the other: what json.loads reads up to Python's recursion limit. */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
/** A Keras 3 Sequential holding `layer`, with `junk` beside its config, a key deserialize_keras_object never reads. */
const sequential = (layer: unknown, junk: unknown) => ({
  module: 'keras',
  class_name: 'Sequential',
  config: { name: 's', layers: [layer] },
  junk,
});
/** Keras 3 `Lambda._serialize_function_to_config` of a lambda: marshalled bytecode. */
const LAMBDA = {
  module: 'keras.layers',
  class_name: 'Lambda',
  config: { name: 'l', function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null } } },
};
/** A function reference Keras before 3.9 imports and a functional model calls (not refused in safe mode). */
const OS_SYSTEM = { module: 'os', class_name: 'function', config: 'system', registered_name: 'function' };
const DENSE = { module: 'keras.layers', class_name: 'Dense', config: { name: 'd', units: 1 } };
const LOADER =
  'keras saving_lib._load_model_from_fileobj (json.loads, then serialization_lib.deserialize_keras_object)';

/**
 * json.loads reads nesting up to Python's recursion limit (600 levels load on 3.11) and Keras (or NeMo's fiddle
 * deserializer) ignores keys it does not use, so deep junk beside a Lambda or a module reference leaves them loading. chainproof stopped at its parser's
 * 512 levels and reported a warning, which the default gate passes: the deep part is now reported unread at error,
 * and (since round 19) the Lambda or reference beside it is still found.
 */
export const ROUND18_CONFIG_DEPTH_CASES: readonly UnseenCase[] = [
  {
    name: '.keras: Lambda bytecode beside 600-deep junk',
    loader: LOADER,
    files: { 'm.keras': kerasArchive(sequential(LAMBDA, nested(600))) },
    want: ['CPI051:error', 'CPI060:error'],
  },
  {
    name: '.keras: os.system reference beside 600-deep junk',
    loader: LOADER,
    files: { 'm.keras': kerasArchive(sequential(OS_SYSTEM, nested(600))) },
    want: ['CPI051:error', 'CPI061:error'],
  },
  {
    name: '.keras: Dense beside 100-deep data',
    loader: LOADER,
    files: { 'm.keras': kerasArchive(sequential(DENSE, nested(100))) },
    want: [],
  },
  {
    name: 'Keras 2 SavedModel: keras_metadata.pb node nesting 600 deep',
    loader: 'tf_keras saving/legacy/saved_model/load.py load → json_utils.decode (json.loads) of each node',
    files: {
      'm/keras_metadata.pb': pb([
        [
          1,
          [
            [2, 0],
            [3, 'root'],
            [4, '_tf_keras_sequential'],
            [5, JSON.stringify(sequential(LAMBDA, nested(600)))],
          ],
        ],
      ]),
    },
    want: ['CPI051:error', 'CPI060:error'],
  },
  {
    name: 'NeMo 2 context/io.json: os.system pyref beside 600-deep junk',
    loader: 'nemo.lightning.io.load_context → io.mixin.load (json.loads) → fiddle Deserialization (import_symbol)',
    files: {
      'ckpt/context/io.json': JSON.stringify({
        root: { type: 'ref', key: 'c' },
        objects: {
          c: {
            type: { type: 'pyref', module: 'fiddle._src.config', name: 'Config' },
            items: [],
            metadata: { type: 'pyref', module: 'os', name: 'system' },
          },
        },
        junk: nested(600),
      }),
    },
    want: ['CPI051:error', 'CPI122:error'],
  },
];
