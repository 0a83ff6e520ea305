import { isScalar, isSeq, YAMLParseError, type Document } from 'yaml';
import { CHARACTER_FORMATTING, COMPUTED_CALL, TOO_COMPLEX, TOO_LARGE, UNDERSCORE_STRING } from './chat-template-ast.js';
import {
  isGlobalIndicator,
  isNameStringIndicator,
  readsMessages,
  TEMPLATE_LOADING,
  UNDERSCORES_KEPT,
  UNPARSED,
  type TemplateHit,
} from './chat-template.js';
import { configOf } from './config-json.js';
import { PyYamlView } from './pyyaml-nodes.js';
import { isObject, type JsonResult, type JsonValue } from './json.js';
import { FormatError } from './source.js';

/**
 * Chat templates in a file the walk found by its content under another name (catalogue `chat-template-file`,
 * discover/formats/chat-template-head.ts). The walk's search is a hint, not a verdict: a JSON or YAML file holds a
 * template only in a top-level `chat_template`, as a tokenizer config does; a standalone template is judged for
 * what only a payload does, unless it renders `messages` (a chat template by what it does, whatever its name).
 */

/** Aliases a YAML file may expand (an alias bomb is a limit finding, as for every YAML chainproof reads). */
const MAX_ALIAS_COUNT = 100;

/**
 * The top-level `chat_template` of a JSON or YAML candidate's text. A text its loader would refuse (json.load,
 * PyYAML's safe_load) holds none — nothing reads a template from it. JSON nested past the parser's depth is stepped
 * over (config-json.ts `configOf`); a YAML past its limits is a limit finding: the loader may well read it.
 */
export function topLevelOf(value: JsonValue | undefined): JsonValue | undefined {
  return isObject(value) ? value.chat_template : undefined;
}

/** A template a config holds as a string, named by where it is (`datasets[0].chat_template_jinja`). */
export interface KeyedTemplate {
  readonly key: string;
  readonly template: string;
}

/** What a JSON or YAML candidate holds: its top-level `chat_template`, and the trainer templates beside it. */
export interface ConfigTemplates {
  readonly chatTemplate: JsonValue | undefined;
  readonly trainer: readonly KeyedTemplate[];
  /** A JSON text as `configOf` parsed it (undefined: YAML, or JSON json.load refuses), for a Keras model's check. */
  readonly json?: JsonResult;
}

/**
 * axolotl keeps a custom template in its YAML config as `chat_template_jinja`: `extract_chat_template_args` takes a
 * dataset entry's own when that entry sets `chat_template`, else the top level's; `get_chat_template` returns it when
 * the choice is `jinja`, and `load_tokenizer` makes it the tokenizer's `chat_template`, saved with the trained model. Both places are read whatever `chat_template` says (the choice is one command-line flag
 * away, and a payload has no benign use); a value that is a path axolotl reads names a file judged on its own.
 */
const TRAINER_KEY = 'chat_template_jinja';
/** axolotl's lists of dataset entries, each of which may carry its own template. */
const DATASET_LISTS = ['datasets', 'test_datasets'];

/** `ConfigTemplates` of a JSON candidate's text, parsed once. */
export function jsonConfigTemplates(text: string): ConfigTemplates {
  const json = configOf(text);
  const value = json?.value;
  return { chatTemplate: topLevelOf(value), trainer: trainerTemplatesOf(value), ...(json ? { json } : {}) };
}

/** The `chat_template_jinja` strings of a config read as JSON (axolotl's places). */
function trainerTemplatesOf(value: JsonValue | undefined): KeyedTemplate[] {
  if (!isObject(value)) return [];
  const out: KeyedTemplate[] = [];
  const take = (v: JsonValue | undefined, key: string) => {
    if (typeof v === 'string') out.push({ key, template: v });
  };
  take(value[TRAINER_KEY], TRAINER_KEY);
  for (const list of DATASET_LISTS) {
    const entries = value[list];
    if (Array.isArray(entries))
      entries.forEach((e, i) => {
        if (isObject(e)) take(e[TRAINER_KEY], `${list}[${i}].${TRAINER_KEY}`);
      });
  }
  return out;
}

/**
 * The top-level `chat_template` as PyYAML's safe_load builds it: repeated keys keep the last value and `<<` merges a
 * mapping in (SafeConstructor.flatten_mapping), so `<<: *base` brings a `chat_template` to the top level. Only that
 * value and the trainer templates' strings are built (pyyaml-nodes.ts `PyYamlView`): aliases elsewhere in the file
 * are never expanded. `doc` is parsed with `uniqueKeys: false` (pyyaml-nodes.ts `parseTaggedYaml`).
 */
export function yamlConfigTemplates(doc: Document.Parsed): ConfigTemplates {
  const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) throw new FormatError(exhausted.message, exhausted.pos[0], 'limit');
  if (doc.errors.length > 0) return { chatTemplate: undefined, trainer: [] };
  const view = new PyYamlView(doc);
  const trainer: KeyedTemplate[] = [];
  const take = (node: unknown, key: string) => {
    if (isScalar(node) && typeof node.value === 'string') trainer.push({ key, template: node.value });
  };
  take(view.get(doc.contents, TRAINER_KEY), TRAINER_KEY);
  for (const list of DATASET_LISTS) {
    const entries = view.get(doc.contents, list);
    if (isSeq(entries)) entries.items.forEach((e, i) => take(view.get(e, TRAINER_KEY), `${list}[${i}].${TRAINER_KEY}`));
  }
  return { chatTemplate: yamlNodeValue(doc, view.get(doc.contents, 'chat_template')), trainer };
}

/** A node's value as PyYAML builds it, its aliases expanded up to the alias-bomb limit. */
function yamlNodeValue(doc: Document.Parsed, node: ReturnType<PyYamlView['get']>): JsonValue | undefined {
  if (node === undefined) return undefined;
  if (isScalar(node)) return typeof node.value === 'string' ? node.value : undefined;
  try {
    return node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) as JsonValue;
  } catch (err) {
    // `yaml` throws a ReferenceError past maxAliasCount: an alias bomb.
    if (err instanceof YAMLParseError || !(err instanceof Error)) return undefined;
    throw new FormatError(`YAML ${err.message}`, 0, 'limit');
  }
}

/**
 * Indicators a web or configuration template shows in its own right (Flask's `url_for` and `request`, Jinja's
 * `cycler`, `{% extends %}`). In a chat template they are no payload by themselves either: a global reaches Python
 * only through a dunder or private attribute, which is its own sign, and the environments chat runtimes render in
 * have no template loader.
 */
const isContextIndicator = (indicator: string) => isGlobalIndicator(indicator) || indicator === TEMPLATE_LOADING;
/** What the checks could not look at: reported for a chat template, not for a template that is none. */
const NOT_CHECKED = new Set([UNPARSED, TOO_LARGE, TOO_COMPLEX]);

/**
 * Indicators of material, not of a lookup: Ansible's `name | replace('-', '_')` and `[app, env] | join('_')`, a
 * date's `'%c' | strftime`, Flask-WTF's `form[field](…)`, Salt's `grains['os']` (a string naming a module). A payload
 * turns such material into a name jinja2 looks up (`Environment.getattr` / `getitem`), and the syntax tree judges
 * every such name where it is looked up (built at render time, `attr`, a format string); a module's name is reached
 * only through `__globals__` or the like, a sign of its own — so once the tree was read whole, material is no sign.
 */
const MATERIAL = new Set([UNDERSCORE_STRING, UNDERSCORES_KEPT, CHARACTER_FORMATTING, COMPUTED_CALL]);
const isMaterial = (indicator: string) => MATERIAL.has(indicator) || isNameStringIndicator(indicator);

/**
 * The hits of a standalone template found by content: what only a payload does (dunder and private attributes,
 * `attr`, escapes, os/subprocess references…). What could not be checked counts only for a template that renders
 * `messages` (a chat template by what it does), as does material for a payload; and a template that does not parse
 * is no finding by itself — jinja2 would not compile it (a Django page, a Go template), and the token checks still
 * read all of it (its material then counts: no lookup was judged).
 */
export function standaloneHits(template: string, hits: readonly TemplateHit[]): TemplateHit[] {
  if (hits.length === 0) return [];
  let chat: boolean | undefined;
  const isChat = () => (chat ??= readsMessages(template));
  const readWhole = !hits.some((h) => NOT_CHECKED.has(h.indicator));
  const kept = hits.filter(
    (h) =>
      !isContextIndicator(h.indicator) &&
      (!NOT_CHECKED.has(h.indicator) || isChat()) &&
      (!readWhole || !isMaterial(h.indicator) || isChat()),
  );
  return kept.every((h) => h.indicator === UNPARSED) ? [] : kept;
}
