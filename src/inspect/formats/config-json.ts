import type { JsonValue } from './json.js';
import { parseJson } from './json.js';
import { FormatError } from './source.js';

/**
 * A model folder's JSON config, or undefined when it is not JSON: the loaders (`PretrainedConfig._dict_from_json_file`,
 * diffusers' `ConfigMixin._dict_from_json_file`) json.loads it and raise, so nothing is imported, and a file of the
 * same name from some other tool is no model's concern.
 */
export function configOf(text: string): JsonValue | undefined {
  try {
    // Attacker-controlled JSON: bounded depth, prototype-free objects (json.ts).
    return parseJson(text, { maxDepth: 512, allowNonFinite: true }).value;
  } catch (err) {
    if (err instanceof FormatError && err.kind !== 'limit') return undefined;
    throw err;
  }
}

/** 1-based line of the first `"key":` in the text (JSON configs are pretty-printed by `save_pretrained`). */
export function lineOfKey(text: string, key: string): number | undefined {
  const m = new RegExp(`"${key}"\\s*:`).exec(text);
  return m === null ? undefined : text.slice(0, m.index).split('\n').length;
}
