import type { JsonResult } from './json.js';
import { parseJson } from './json.js';
import { FormatError } from './source.js';

/**
 * A model folder's JSON config, or undefined when it is not JSON: the loaders (`PretrainedConfig._dict_from_json_file`,
 * diffusers' `ConfigMixin._dict_from_json_file`) json.loads it and raise, so nothing is imported, and a file of the
 * same name from some other tool is no model's concern. json.loads reads nesting deeper than this parser builds
 * (up to Python's recursion limit) and the loaders read the keys beside it, so deeper values are skipped, not a
 * failure (`deep`): the keys the loaders act on (`auto_map`, `weight_map`, …) sit a level or two down and are
 * read; a reader that walks the whole config reports the skipped part (`unreadKerasDeep`).
 */
export function configOf(text: string): JsonResult | undefined {
  try {
    // Attacker-controlled JSON: bounded depth, prototype-free objects (json.ts).
    return parseJson(text, { maxDepth: 512, allowNonFinite: true, skipDeeper: true });
  } catch (err) {
    if (err instanceof FormatError) return undefined;
    throw err;
  }
}

/** 1-based line of the first `"key":` in the text (JSON configs are pretty-printed by `save_pretrained`). */
export function lineOfKey(text: string, key: string): number | undefined {
  const m = new RegExp(`"${key}"\\s*:`).exec(text);
  return m === null ? undefined : text.slice(0, m.index).split('\n').length;
}
