import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src/inspect/formats/json.js';
import { checkLegacyCustomObjects } from '../../../src/inspect/formats/keras-custom-objects.js';
import { Findings } from '../../../src/inspect/formats/report.js';

const layer = (cls: string, config: Record<string, JsonValue> = {}): JsonValue => ({
  class_name: cls,
  config: { name: cls.toLowerCase(), ...config },
});
const model = (...layers: JsonValue[]): JsonValue => ({ class_name: 'Sequential', config: { name: 's', layers } });
const training = (fields: Record<string, JsonValue>): JsonValue => ({
  loss: 'mse',
  metrics: null,
  optimizer_config: { class_name: 'Custom>Adam', config: { name: 'Adam' } },
  ...fields,
});

/**
 * legacy_serialization.deserialize_keras_object → get_registered_object: a bare name is found in what the loading
 * program supplies or in Keras's own table for its kind, else loading fails; `reference` lists the names that only
 * code outside the file resolves.
 */
const CASES: { name: string; config: JsonValue; want: string | undefined }[] = [
  { name: 'built-in layers', config: model(layer('Dense'), layer('Conv2D'), layer('TFOpLambda')), want: undefined },
  { name: 'a custom layer', config: model(layer('Dense'), layer('MaliciousLayer')), want: 'MaliciousLayer' },
  {
    name: 'a custom top-level model class',
    config: { class_name: 'MyModel', config: { layers: [] } },
    want: 'MyModel',
  },
  {
    name: 'a custom layer inside a wrapper',
    config: model(layer('TimeDistributed', { layer: layer('Sneaky') })),
    want: 'Sneaky',
  },
  {
    name: 'a custom cell inside stacked cells',
    config: model(layer('RNN', { cell: layer('StackedRNNCells', { cells: [layer('LSTMCell'), layer('MyCell')] }) })),
    want: 'MyCell',
  },
  {
    name: 'a nested model with a custom layer',
    config: model(model(layer('Inner'))),
    want: 'Inner',
  },
  {
    name: 'a layer with a module is judged as a reference, not here',
    config: model({ module: 'acme.layers', class_name: 'Scale', config: {} }),
    want: undefined,
  },
  {
    // class_and_config_for_serialized_keras_object reads class_name alone: a Keras module does not make it Keras's.
    name: 'a custom layer claiming a Keras module',
    config: model({ module: 'keras.layers', class_name: 'Sneaky', config: {} }),
    want: 'Sneaky',
  },
  {
    name: 'a KerasHub layer: its package registers it on import',
    config: model({ module: 'keras_hub.src.layers.modeling.transformer_encoder', class_name: 'TransformerEncoder' }),
    want: undefined,
  },
  {
    name: 'a custom layer with a null module',
    config: model({ module: null, class_name: 'N', config: {} }),
    want: 'N',
  },
  {
    name: 'JSON another HDF5 writer keeps, not a model with layers',
    config: { class_name: 'Experiment', config: { runs: 3 } },
    want: undefined,
  },
  {
    name: 'many custom layers: the evidence lists twenty',
    config: model(...Array.from({ length: 30 }, (_, i) => layer(`L${i}`))),
    want: `${Array.from({ length: 20 }, (_, i) => `L${i}`).join(', ')} and 10 more`,
  },
  { name: 'the same custom layer twice is one name', config: model(layer('X'), layer('X')), want: 'X' },
  { name: 'built-in loss and metrics', config: training({ metrics: [['accuracy', 'AUC', 'mae']] }), want: undefined },
  { name: 'a custom loss function', config: training({ loss: 'malicious_loss' }), want: 'malicious_loss' },
  {
    name: 'a custom loss for one output',
    config: training({ loss: { out_a: 'mse', out_b: { class_name: 'MyLoss', config: {} } } }),
    want: 'MyLoss',
  },
  {
    name: 'a custom metric object and a custom weighted metric name',
    config: training({
      metrics: [[{ class_name: 'MaliciousMetric', config: {} }]],
      weighted_metrics: { out: ['Precision', 'Backdoor'] },
    }),
    want: 'MaliciousMetric, Backdoor',
  },
  { name: 'loss keys outside a training config', config: { loss: 'malicious_loss' }, want: undefined },
  {
    name: 'a function serialized with its module (Keras 3 shape), Keras and not',
    config: training({
      loss: { module: 'keras.losses', class_name: 'function', config: 'mean_squared_error' },
      metrics: [{ module: 'keras.metrics', class_name: 'function', config: 'exfil_metric' }],
    }),
    want: 'exfil_metric',
  },
  {
    name: 'built-in activations, initializers, regularizers and constraints, tf_keras and Keras 3 shapes',
    config: model(
      layer('Dense', {
        activation: 'relu',
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
        bias_initializer: 'zeros',
        kernel_regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } },
        activity_regularizer: null,
        kernel_constraint: { module: 'keras.constraints', class_name: 'MaxNorm', config: {}, registered_name: null },
      }),
      layer('LSTM', { recurrent_activation: 'hard_sigmoid', recurrent_initializer: { class_name: 'Orthogonal' } }),
      layer('Dense', { activation: { class_name: 'LeakyReLU', config: { alpha: 0.3 } } }),
    ),
    want: undefined,
  },
  {
    name: 'a custom activation function by name',
    config: model(layer('Dense', { activation: 'backdoor_activation' })),
    want: 'backdoor_activation',
  },
  {
    name: 'a custom initializer, regularizer and constraint',
    config: model(
      layer('Conv2D', {
        kernel_initializer: { class_name: 'EvilInit', config: {} },
        kernel_regularizer: { class_name: 'EvilReg', config: {} },
        bias_constraint: { module: 'keras.constraints', class_name: 'EvilConstraint', config: {} },
      }),
    ),
    want: 'EvilInit, EvilReg, EvilConstraint',
  },
  {
    name: 'a custom recurrent activation in a wrapped cell',
    config: model(layer('RNN', { cell: layer('LSTMCell', { recurrent_activation: 'my_gate' }) })),
    want: 'my_gate',
  },
  {
    name: 'a setting with a module outside Keras is judged as a reference, not here',
    config: model(
      layer('Dense', {
        activation: { module: 'builtins', class_name: 'function', config: 'my_act', registered_name: 'function' },
      }),
    ),
    want: undefined,
  },
];

describe('legacy Keras names that only code outside the file resolves', () => {
  it.each(CASES)('$name', ({ config, want }) => {
    const out = new Findings('m.h5', 'keras-h5');
    checkLegacyCustomObjects(config, out, 'JSON at byte 0');
    expect(out.list.map((f) => `${f.ruleId}:${String(f.evidence?.reference)}`)).toEqual(
      want === undefined ? [] : [`CPI062:${want}`],
    );
  });
});
