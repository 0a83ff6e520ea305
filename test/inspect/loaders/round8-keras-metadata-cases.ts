import { pb, type Pb } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

/** A tf_keras Lambda layer config carrying marshalled bytecode, as Keras 2 `Lambda.get_config` writes it. */
const LAMBDA = {
  class_name: 'Lambda',
  config: {
    name: 'l',
    function: ['4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARcAUwApAk7pAQAAAKkAKQHaAXhyAgAAAHICAAAA', null, null],
    function_type: 'lambda',
    module: '__main__',
    output_shape: null,
    output_shape_type: 'raw',
    arguments: {},
  },
};
const DENSE = { class_name: 'Dense', config: { name: 'd', units: 1, activation: 'relu' } };
const model = (layers: unknown[]) => ({ class_name: 'Sequential', config: { name: 's', layers } });
/** SavedMetadata: one SavedObject (node_id 2, node_path 3, identifier 4, metadata 5) per Keras object. */
const metadata = (nodes: [string, string, unknown][]) =>
  pb(
    nodes.map(([path, identifier, json], i) => [
      1,
      [
        [2, i],
        [3, path],
        [4, identifier],
        [5, JSON.stringify(json)],
      ],
    ]),
  );
const LOADER =
  'tf_keras saving/legacy/saved_model/load.py load → KerasObjectLoader._revive_layer_or_model_from_config (deserialize_keras_object, no safe mode)';

/**
 * A SavedModel from before TF 2.5: no keras_metadata.pb, each Keras object's JSON in saved_model.pb's object graph
 * (MetaGraphDef.object_graph_def (7) → nodes (1) → user_object (4) → identifier (1), metadata (3)), beside a
 * graph_def holding one node.
 */
const legacySavedModel = (nodes: [string, unknown][]) =>
  pb([
    [1, 1],
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
          7,
          nodes.map(([identifier, json]): [number, Pb] => [
            1,
            [
              [
                4,
                [
                  [1, identifier],
                  [3, JSON.stringify(json)],
                ],
              ],
            ],
          ]),
        ],
      ],
    ],
  ]);
const LEGACY_LOADER = 'tf_keras saving/legacy/saved_model/load.py load → _read_legacy_metadata (no keras_metadata.pb)';

/**
 * A Keras 2 SavedModel folder keeps each layer's config in keras_metadata.pb, which chainproof never read: a Lambda
 * with bytecode there runs when `tf.keras.models.load_model(dir)` rebuilds the model.
 */
export const ROUND8_KERAS_METADATA_CASES: readonly UnseenCase[] = [
  {
    name: 'Keras 2 SavedModel: Lambda with bytecode in keras_metadata.pb (model node and layer node)',
    loader: LOADER,
    files: {
      'm/keras_metadata.pb': metadata([
        ['root', '_tf_keras_sequential', model([DENSE, LAMBDA])],
        ['root.layer-0', '_tf_keras_layer', DENSE],
        ['root.layer-1', '_tf_keras_layer', LAMBDA],
      ]),
    },
    want: ['CPI060:error'],
  },
  {
    name: 'Keras 2 SavedModel: Dense layers only in keras_metadata.pb',
    loader: LOADER,
    files: {
      'm/keras_metadata.pb': metadata([
        ['root', '_tf_keras_sequential', model([DENSE])],
        ['root.layer-0', '_tf_keras_layer', DENSE],
      ]),
    },
    want: [],
  },
  {
    name: 'TF 2.0–2.4 SavedModel: Lambda with bytecode in saved_model.pb object-graph metadata',
    loader: LEGACY_LOADER,
    files: {
      'm/saved_model.pb': legacySavedModel([
        ['_tf_keras_sequential', model([DENSE, LAMBDA])],
        ['_tf_keras_layer', DENSE],
        ['_tf_keras_layer', LAMBDA],
      ]),
    },
    want: ['CPI060:error'],
  },
  {
    name: 'TF 2.0–2.4 SavedModel: Dense layers only in saved_model.pb object-graph metadata',
    loader: LEGACY_LOADER,
    files: {
      'm/saved_model.pb': legacySavedModel([
        ['_tf_keras_sequential', model([DENSE])],
        ['_tf_keras_layer', DENSE],
        ['trackable_list_wrapper', LAMBDA], // not a Keras object: tf_keras never reads its metadata
      ]),
    },
    want: [],
  },
];
