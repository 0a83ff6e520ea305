import { MAX_TEMPLATE_FILE } from '../../discover/formats/chat-template-head.js';
import type { JsonResult, JsonValue } from './json.js';
import { isObject } from './json.js';
import { configOf } from './config-json.js';
import { unreadKerasDeep } from './keras-config.js';
import { checkLegacyConfig } from './keras-custom-objects.js';
import { isKerasDirConfig } from './keras-dir.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/**
 * An architecture JSON is KiB to a few MiB; past this it is a limit finding, never a pass. The chat template
 * reader's bound: a JSON chat template candidate past it is reported by that reader.
 */
const MAX_FILE = MAX_TEMPLATE_FILE;

/**
 * A `.json` file the walk found `class_name` in (discover/formats/keras-json-head.ts). `model_from_json` json.loads
 * the text and deserializes it: Keras 3 with `serialization_lib.deserialize_keras_object`, tf_keras with
 * `legacy_serialization`'s `model_from_config`, so it is judged as both the `.keras` config and a legacy `.h5`
 * `model_config` are. Only a Keras model's shape is judged; any other JSON that names a `class_name` is left alone.
 */
export function* kerasJsonFileSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8').replace(/^\uFEFF/, '');
  checkKerasModelJson(configOf(text), out);
}

/**
 * A JSON text as `configOf` parsed it, judged when it is a Keras model. The chat template reader calls it on a JSON
 * candidate (hf-chat-template.ts `chatTemplateSteps`): a letter escaped `\u00XX` makes a file a candidate of both,
 * and the walk claims it for that reader only.
 */
export function checkKerasModelJson(parsed: JsonResult | undefined, out: Findings): void {
  const config = parsed?.value;
  if (!isKerasModelJson(config)) return;
  unreadKerasDeep(parsed?.deep, out);
  checkLegacyConfig(config, out);
}

/**
 * What `model.to_json()` writes: `serialize_keras_object`'s `class_name` beside a `config`, with the model's
 * `layers` (Sequential, Functional), or the `keras_version` tf_keras adds, or the `module` / `registered_name`
 * Keras 3 adds — the last enough for Keras 3 to import that module and call its class's `from_config`.
 */
function isKerasModelJson(config: JsonValue | undefined): config is { [key: string]: JsonValue } {
  if (!isKerasDirConfig(config)) return false;
  const inner = config.config;
  return (
    (isObject(inner) && Array.isArray(inner.layers)) ||
    typeof config.keras_version === 'string' ||
    typeof config.module === 'string' ||
    'registered_name' in config
  );
}
