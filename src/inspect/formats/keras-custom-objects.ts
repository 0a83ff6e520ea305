import type { JsonValue } from './json.js';
import { isObject } from './json.js';
import type { Findings } from './report.js';
import { checkKerasConfig } from './keras-config.js';
import { listedWithMore } from '../../core/plural.js';
import {
  KERAS_ACTIVATIONS,
  KERAS_CONSTRAINTS,
  KERAS_INITIALIZERS,
  KERAS_LAYERS,
  KERAS_LOSSES_AND_METRICS,
  KERAS_REGULARIZERS,
  normalName,
} from './keras-builtins.js';

/**
 * Legacy Keras configs (a `.h5`'s `model_config` and `training_config`, written by `legacy_serialization`) name
 * their classes and functions without a module. `legacy_serialization.deserialize_keras_object` (tf_keras and
 * Keras 3) → `object_registration.get_registered_object` looks a name up in what the loading program registered or
 * passed (`custom_objects`, `custom_object_scope`), then in Keras's own table for its kind, and raises "Unknown
 * layer" otherwise. A name outside Keras's tables is code that is not in the file: the model loads only when the
 * program supplies it, and then that code runs — a custom layer's `__init__` while the model loads, a loss or metric
 * when `load_model` compiles it (`compile=True`, the default) and the model trains or evaluates.
 */

type Kind = 'layer' | 'loss' | 'metric' | Setting;
/** What a layer's constructor resolves by name from its config (`activations.get`, `initializers.get`, …). */
type Setting = 'activation' | 'initializer' | 'regularizer' | 'constraint';
interface Custom {
  readonly kind: Kind;
  readonly name: string;
  readonly path: string;
}

/** Keys of a layer's config that hold another layer: wrappers (TimeDistributed, Bidirectional) and RNN cells. */
const LAYER_KEYS = ['layer', 'forward_layer', 'backward_layer', 'cell'];
/** Keys of a model's or stacked cell's config that list layers. */
const LAYER_LISTS = ['layers', 'cells'];
/** `saving_utils.compile_args_from_training_config`: what it deserializes by name, and with which table. */
const COMPILE_KEYS: readonly (readonly [string, Kind])[] = [
  ['loss', 'loss'],
  ['metrics', 'metric'],
  ['weighted_metrics', 'metric'],
];

/** Each setting's own table: the `module_objects` its `deserialize` hands `deserialize_keras_object`. */
const SETTING_TABLES: Record<Setting, ReadonlySet<string>> = {
  activation: KERAS_ACTIVATIONS,
  initializer: KERAS_INITIALIZERS,
  regularizer: KERAS_REGULARIZERS,
  constraint: KERAS_CONSTRAINTS,
};

/** Names a finding's evidence lists before `and N more`. */
const MAX_LISTED = 20;

/** Report the names in a legacy config that only code outside the file can resolve: one finding for the config. */
export function checkLegacyCustomObjects(config: JsonValue, out: Findings, member?: string): void {
  const found: Custom[] = [];
  // Only a model: what `model_from_config` reads is a Sequential or Functional with its layers (a subclassed model
  // cannot be saved to `.h5`), not JSON another HDF5 writer keeps in an attribute.
  if (isObject(config) && isObject(config.config) && Array.isArray(config.config.layers))
    collectLayers(config, '$', found);
  // A training_config always has an optimizer_config: compile_args_from_training_config reads it first.
  if (isObject(config) && 'optimizer_config' in config)
    for (const [key, kind] of COMPILE_KEYS) collectCompiled(config[key], `$.${key}`, kind, found);
  if (found.length === 0) return;
  const distinct = [...new Map(found.map((c) => [`${c.kind} ${c.name}`, c])).values()];
  const names = listedWithMore(
    distinct.map((c) => `${c.kind} ${JSON.stringify(c.name.slice(0, 80))} at ${c.path}`),
    5,
  );
  out.add(
    'CPI062',
    `the config names ${distinct.length === 1 ? 'an object' : `${distinct.length} objects`} that Keras does not have: ${names}. Keras loads such a name only from code the loading program supplies (custom_objects or a registered class) and refuses the model without it; that code then runs (a layer, or its activation, initializer, regularizer or constraint, while the model loads or runs; a loss or metric when it is compiled and trained). Load the model only with code you trust for ${distinct.length === 1 ? 'it' : 'them'}.`,
    {
      path: distinct[0]!.path,
      // Bounded: a config may name thousands (evidence is carried into every report).
      reference: listedWithMore(
        distinct.map((c) => c.name.slice(0, 80)),
        MAX_LISTED,
      ),
      count: distinct.length,
    },
    member,
  );
}

/**
 * Keras itself (Keras 3, tf_keras, TensorFlow's copies). A KerasHub, KerasCV or KerasNLP module names a package that
 * registers its classes when imported, so a name there is that package's, not an unknown one.
 */
const CORE_KERAS = /^(keras|tf_keras|tensorflow\.keras|tensorflow\.python\.keras)(\.|$)/;

/** A `module` naming code outside Keras itself: `checkKerasConfig` judges that reference on its own. */
function outsideKeras(module: JsonValue | undefined): boolean {
  return typeof module === 'string' && module !== '' && !CORE_KERAS.test(module);
}

/** `layers.deserialize`: the object itself, and the layers its config nests (models, wrappers, cells). */
function collectLayers(v: JsonValue | undefined, path: string, found: Custom[]): void {
  if (!isObject(v)) return;
  // `class_and_config_for_serialized_keras_object` looks a layer up by `class_name` alone: a `module` beside it is
  // not read, so a Keras module (or none) does not make a name Keras's. A module outside Keras is judged as the
  // reference it is in a `.keras` config by `checkKerasConfig`.
  if (typeof v.class_name === 'string' && !outsideKeras(v.module) && !KERAS_LAYERS.has(normalName(v.class_name)))
    found.push({ kind: 'layer', name: v.class_name, path });
  const inner = v.config;
  if (!isObject(inner)) return;
  collectSettings(inner, `${path}.config`, found);
  for (const key of LAYER_KEYS) collectLayers(inner[key], `${path}.config.${key}`, found);
  for (const key of LAYER_LISTS) {
    const list = inner[key];
    if (Array.isArray(list)) list.forEach((x, i) => collectLayers(x, `${path}.config.${key}[${i}]`, found));
  }
}

/** The config key of a setting a layer's `__init__` resolves: `kernel_initializer`, `activity_regularizer`, … */
function settingOf(key: string): Setting | undefined {
  if (key === 'activation' || key === 'recurrent_activation') return 'activation';
  const suffix = /_(initializer|regularizer|constraint)$/.exec(key)?.[1];
  return suffix as Setting | undefined;
}

/**
 * A layer's activations, initializers, regularizers and constraints: its `from_config` passes them to `__init__`,
 * which resolves each with `activations.get` / `initializers.get` / … — a name (tf_keras: `"activation":
 * "my_fn"`) or a `class_name` object, looked up in what the program registered, then in that kind's own Keras table
 * (tf_keras `legacy_serialization.deserialize_keras_object`, Keras 3 `serialization_lib.deserialize_keras_object`
 * with `module_objects`), and refused otherwise. A custom one runs when the layer is built or called.
 */
function collectSettings(config: { [key: string]: JsonValue }, path: string, found: Custom[]): void {
  for (const [key, value] of Object.entries(config)) {
    const kind = settingOf(key);
    if (kind === undefined) continue;
    const name = settingName(value);
    if (name !== undefined && !SETTING_TABLES[kind].has(normalName(name)))
      found.push({ kind, name, path: `${path}.${key}` });
  }
}

/** The name a setting is looked up by, unless it is unset or names a module outside Keras (judged elsewhere). */
function settingName(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  return isObject(v) ? objectName(v) : undefined;
}

/** The name a `class_name` object is looked up by, unless it names a module outside Keras (judged elsewhere). */
function objectName(v: { [key: string]: JsonValue }): string | undefined {
  if (typeof v.class_name !== 'string' || outsideKeras(v.module)) return undefined;
  // `serialize_keras_object` of a function: `{"class_name": "function", "config": "<its name>"}`.
  return v.class_name === 'function' && typeof v.config === 'string' ? v.config : v.class_name;
}

/**
 * `saving_utils._deserialize_nested_config`: a string or a `class_name` object is one loss or metric; any other
 * object maps outputs to configs and a list holds configs.
 */
function collectCompiled(v: JsonValue | undefined, path: string, kind: Kind, found: Custom[]): void {
  if (typeof v === 'string') {
    if (!KERAS_LOSSES_AND_METRICS.has(normalName(v))) found.push({ kind, name: v, path });
  } else if (Array.isArray(v)) v.forEach((x, i) => collectCompiled(x, `${path}[${i}]`, kind, found));
  else if (isObject(v) && typeof v.class_name === 'string') {
    const name = objectName(v);
    if (name !== undefined && !KERAS_LOSSES_AND_METRICS.has(normalName(name))) found.push({ kind, name, path });
  } else if (isObject(v)) for (const [k, x] of Object.entries(v)) collectCompiled(x, `${path}.${k}`, kind, found);
}

/**
 * A config the legacy loader reads (`legacy_h5_format.load_model_from_hdf5`: `model_config`, then `training_config`
 * when it compiles; tf_keras `model_from_json` through `legacy_serialization`): what deserializing it runs, and the
 * names only code outside the file resolves.
 */
export function checkLegacyConfig(config: JsonValue, out: Findings, member?: string): void {
  checkKerasConfig(config, out, member);
  checkLegacyCustomObjects(config, out, member);
}
