import {
  escapedKeyLetterOf,
  hasJsonEscapedKeyLetter,
  jsonTextStart,
  keyCodes,
  MAX_TEMPLATE_FILE,
  mayBeTemplateFile,
  skipJsonSpace,
  TEMPLATE_KEY_CODES,
  type TemplateFileKind,
} from './chat-template-head.js';

/**
 * A Keras model's architecture saved as JSON under a name of its own (`model_architecture.json`, `my_model.json`):
 * `model.to_json()` written to a file that code reads back with `keras.models.model_from_json(open(path).read())`,
 * whatever the file is called. Keras 3 hands the JSON to `serialization_lib.deserialize_keras_object`, tf_keras to
 * `legacy_serialization` (`model_from_config`), so it is as dangerous as the config inside a `.keras` or `.h5`.
 * Discovery tells a candidate by its bytes: a `.json` file that is an object and holds the key `class_name` (literal
 * or with a letter spelled `\u00XX`, which json.loads decodes) anywhere — Keras writes it first, but json.loads
 * takes the keys in any order. `model_from_json` takes text, not a path, so the file may have any name
 * (`model.cfg`, `arch.txt`, none): a file of a name no other reader takes is a candidate too when its head opens a
 * JSON object with a key (`{"`), which `model.to_json()` always writes. The inspector parses the candidate and
 * judges only a Keras model's shape, so a candidate costs a parse, never a finding by itself.
 */

const KEY = 'class_name';
const KEY_CODES = keyCodes(KEY);

/**
 * What a part of a `.json` file shows, in one pass over its escapes: a chat template's key (chat-template-head.ts
 * `showsTemplateSign`, which wins: that reader's candidates get the Keras check too), else the key `class_name`.
 */
export function jsonChunkSign(bytes: Buffer): 'template-key' | 'class-name' | undefined {
  if (bytes.includes('chat_template')) return 'template-key';
  const escaped = escapedKeyLetterOf(bytes, TEMPLATE_KEY_CODES, KEY_CODES);
  if (escaped === 'first') return 'template-key';
  return escaped === 'second' || bytes.includes(KEY) ? 'class-name' : undefined;
}

/** Whether a part of a file of another name shows the key `class_name`, literal or with a letter escaped. */
export function showsKerasKey(bytes: Buffer): boolean {
  return bytes.includes(KEY) || hasJsonEscapedKeyLetter(bytes, KEY_CODES);
}

/**
 * Whether a head opens a JSON object with a key, as `json.dumps` writes a model's config: `{` then `"`, either after
 * JSON's whitespace, and after a UTF-8 BOM (json.loads decodes bytes as `utf-8-sig`: `detect_encoding`). One look at
 * a few bytes: the walk asks it of every file of a name no reader takes.
 */
export function opensJsonObject(head: Buffer): boolean {
  const i = jsonTextStart(head);
  return head[i] === 0x7b /* { */ && head[skipJsonSpace(head, i + 1)] === 0x22; /* " */
}

/**
 * Whether a file of `size` bytes whose name is of `kind` (chat-template-head.ts `templateFileKind`) opens the JSON
 * text `model_from_json` takes: a `.json` file that is an object, a file of any other name whose head opens a JSON
 * object with a key, within the bound the inspector reads such a file to. The walk (walk.ts `searchedClaim`) and
 * the archive reader (keras-json-member.ts) ask it alike, so a member is a candidate when the same file on disk is.
 */
export function opensKerasJsonText(kind: TemplateFileKind | undefined, head: Buffer, size: number): boolean {
  return kind === 'json' ? mayBeTemplateFile('json', head) : size <= MAX_TEMPLATE_FILE && opensJsonObject(head);
}
