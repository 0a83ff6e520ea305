import type { JsonValue } from './json.js';
import { isObject } from './json.js';

/**
 * Whether a folder's `config.json` is a Keras model config. Keras 3 `saving_api.load_model` takes any folder with
 * a `config.json` as a model (`is_keras_dir`; `hf://` repositories are downloaded to one) and
 * `saving_lib._load_model_from_dir` hands the JSON to `deserialize_keras_object` before it looks at the weights.
 * What Keras wrote is `serialize_keras_object`'s shape: a `class_name` string beside a `config` object. Hugging
 * Face configs (`model_type`, `architectures`) and diffusers ones (`_class_name`) never have that pair.
 */
export function isKerasDirConfig(config: JsonValue | undefined): config is { [key: string]: JsonValue } {
  return isObject(config) && typeof config.class_name === 'string' && isObject(config.config);
}
