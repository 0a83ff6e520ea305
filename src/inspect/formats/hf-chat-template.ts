import type { DiscoveredFile } from '../../core/files.js';
import { formatsReadBy } from '../../discover/catalogue/index.js';
import {
  MAX_TEMPLATE_FILE,
  showsPythonTagSign,
  templateFileKind,
  type TemplateFileKind,
} from '../../discover/formats/chat-template-head.js';
import type { ModelAnalyser } from '../analyser.js';
import type { AllowContext } from '../pickle/allowlist.js';
import {
  jsonConfigTemplates,
  standaloneHits,
  topLevelOf,
  yamlConfigTemplates,
  type ConfigTemplates,
} from './chat-template-file.js';
import { checkChatTemplate, exhaustionHit, exhaustionMessage, templateHitsMessage } from './chat-template.js';
import { GGUF_LIMITS } from './gguf.js';
import { configOf } from './config-json.js';
import { checkKerasModelJson } from './keras-json-file.js';
import { isObject, parseJson } from './json.js';
import type { JsonValue } from './json.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { readAt } from './source.js';
import { judgePythonTags, MAX_TAGGED_YAML } from './yaml-python-tags.js';
import { parseTaggedYaml } from './pyyaml-nodes.js';

/** Where a file's templates are: its name, or for a `chat-template-file` what the walk found in it. */
export type TemplateSource =
  'tokenizer-config' | 'processor-config' | 'jinja' | { readonly byContent: TemplateFileKind };

/**
 * The chat templates of a Hugging Face model folder, as transformers finds them (`PreTrainedTokenizerBase` /
 * `ProcessorMixin` loading, `_get_chat_template`): `tokenizer_config.json`'s `chat_template` (a string, or a list
 * of `{ name, template }` for named templates), `chat_template.json`'s `chat_template`, and the raw
 * `chat_template.jinja` / `additional_chat_templates/*.jinja` files, and `processor_config.json`'s legacy
 * `chat_template`, which `ProcessorMixin.get_processor_dict` still hands to the processor. transformers renders them in Jinja's immutable
 * sandbox (chat_template_utils.py `_compile_jinja_template`: ImmutableSandboxedEnvironment), but other runtimes that
 * read the same files have not (llama-cpp-python before 0.2.72, CVE-2024-34359); a payload has no benign use, so it
 * is reported as in a GGUF file (CPI055).
 *
 * The same templates under other names (`chat-template-file`) are judged alike, at the same level: only how the file
 * is loaded differs (by path: vLLM's `--chat-template`, llama.cpp's `--chat-template-file`…), and a name must not
 * lower a verdict the same bytes get as tokenizer_config.json.
 */
export function* chatTemplateSteps(
  src: RandomAccess,
  out: Findings,
  from: TemplateSource,
  allow: AllowContext,
): ParseSteps<void> {
  const kind = typeof from === 'string' ? undefined : from.byContent;
  const limit = kind === 'yaml' ? MAX_TAGGED_YAML : MAX_TEMPLATE_FILE;
  if (src.size > limit) return tooLargeToCheck(src.size, limit, out);
  const bytes = yield* readAt(src, 0, src.size);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const standalone = from === 'jinja' || kind === 'jinja' || kind === 'template';
  // A processor config that is not JSON is the repo-code analyser's parse finding (it reads the same file).
  const lenient = from === 'processor-config' ? 'json' : kind;
  // `model_from_json` reads text whatever the name: a YAML or template candidate that json.loads reads may be
  // `model.to_json()`'s text too (the walk claims it for this reader when it also shows a template's sign).
  if (kind !== undefined && kind !== 'json') checkKerasModelJson(configOf(text), out);
  const yaml = kind === 'yaml' ? parseTaggedYaml(text) : undefined;
  // The walk claims a YAML file for its template first: its python tags are judged here (yaml-python-tags.ts).
  if (yaml && showsPythonTagSign(bytes)) judgePythonTags(yaml, out, allow);
  const templates: Template[] = standalone
    ? [{ key: 'template', template: text }]
    : yaml
      ? configTemplateList(yamlConfigTemplates(yaml.doc), undefined)
      : lenient === 'json'
        ? configTemplateList(jsonConfigTemplates(text), kind === 'json' ? out : undefined)
        : // json.loads reads deeper nesting (to Python's recursion limit) and transformers then renders
          // `chat_template`, a level or two down: deeper values elsewhere are skipped, not a failure.
          templatesOf(topLevelOf(parseJson(text, { maxDepth: 512, allowNonFinite: true, skipDeeper: true }).value));
  let total = 0;
  for (const { key, template, trainer } of templates) {
    total += template.length;
    if (template.length > GGUF_LIMITS.maxTemplateBytes || total > GGUF_LIMITS.maxTemplateTotal) {
      // Unchecked template text is where an injection hides: as in GGUF, this fails the default gate.
      out.add(
        'CPI051',
        `chat template ${key} is ${template.length} characters, past the limit for templates; it was not checked for template injection. Do not render it until you know why it is this large.`,
        { key, length: template.length },
        undefined,
        'error',
      );
      out.incomplete = true;
      continue;
    }
    const all = checkChatTemplate(template);
    const hits = standalone && kind !== undefined ? standaloneHits(template, all) : all;
    const first = hits[0];
    if (first)
      // A standalone file is the template itself: "chat template file …", not the key's "chat template template …".
      out.add('CPI055', templateHitsMessage(standalone ? 'file' : key, hits, suffixOf(trainer, kind)), {
        key,
        indicators: hits.map((h) => h.indicator).join('; '),
        snippet: first.snippet,
        ...(kind !== undefined ? { recognisedBy: 'content' } : {}),
      });
    const heavy = exhaustionHit(template);
    if (heavy)
      out.add(
        'CPI055',
        exhaustionMessage(standalone ? 'file' : key, heavy, 'Take a known-good template from the base model.'),
        { key, check: 'exhaustion', snippet: heavy.snippet },
        undefined,
        'warning',
      );
  }
}

const BY_NAME =
  "rendering it outside a sandbox can run code (CVE-2024-34359). Do not use this model's chat template; take a known-good one from the base model.";
const BY_PATH =
  'this file is a chat template by its content, which runtimes load by path whatever its name (vLLM and SGLang `--chat-template`, llama.cpp `--chat-template-file`, TGI `--tokenizer-config-path`, or its text passed to `apply_chat_template(chat_template=…)`), and rendering it outside a sandbox can run code (CVE-2024-34359). Do not use this template; take a known-good one from the base model.';

const BY_TRAINER =
  "axolotl renders a config's `chat_template_jinja` when its `chat_template` is `jinja` and saves it into the trained model's tokenizer, whose users render it in turn; rendering it outside a sandbox can run code (CVE-2024-34359). Do not train with this config; take a known-good template from the base model.";

/** What the message says about who renders the template. */
function suffixOf(trainer: boolean | undefined, kind: TemplateFileKind | undefined): string {
  return trainer ? BY_TRAINER : kind === undefined ? BY_NAME : BY_PATH;
}

/** A template to check, named by its key; `trainer` when a training config holds it rather than a tokenizer's. */
interface Template {
  readonly key: string;
  readonly template: string;
  readonly trainer?: boolean;
}

/**
 * A JSON or YAML config's templates: transformers' `chat_template`, then a trainer's (axolotl) beside it. A JSON
 * candidate found by content may be a Keras model too (`keras`: where its findings go), judged from the same parse
 * as keras-json-file.ts judges one.
 */
function configTemplateList(found: ConfigTemplates, keras: Findings | undefined): Template[] {
  if (keras) checkKerasModelJson(found.json, keras);
  return [...templatesOf(found.chatTemplate), ...found.trainer.map((t) => ({ ...t, trainer: true }))];
}

/**
 * `chat_template` as transformers accepts it: a string, a list of `{ name, template }`, or an object of name →
 * template. `PreTrainedTokenizerBase.__init__` turns only a list into a dict and keeps any other value as
 * `self.chat_template`; `get_chat_template` (and `ProcessorMixin.apply_chat_template`) then render an object's
 * "default" or "tool_use" entry, or the one named by the caller.
 */
function templatesOf(value: JsonValue | undefined): Template[] {
  if (typeof value === 'string') return [{ key: 'chat_template', template: value }];
  if (isObject(value))
    return Object.entries(value).flatMap(([name, t]) =>
      typeof t === 'string' ? [{ key: `chat_template[${JSON.stringify(name)}]`, template: t }] : [],
    );
  if (!Array.isArray(value)) return [];
  return value.flatMap((t, i) =>
    isObject(t) && typeof t.template === 'string'
      ? [{ key: `chat_template[${typeof t.name === 'string' ? JSON.stringify(t.name) : i}]`, template: t.template }]
      : [],
  );
}

export const chatTemplateAnalyser: ModelAnalyser = {
  name: 'chat-template',
  formats: formatsReadBy('chat-template'),
  analyze: (file, ctx) => {
    // Of the model configs (`hf-config`) only the processor's holds a template transformers renders.
    if (file.format === 'hf-config' && !PROCESSOR_CONFIG.test(file.path))
      return Promise.resolve({ status: 'ok', findings: [] });
    return analyseWith(
      file,
      'the chat template',
      (src, out) => chatTemplateSteps(src, out, templateSource(file), { extra: ctx.policy.models.allowedGlobals }),
      ctx.files,
    );
  },
};

/**
 * A file past its limit (MAX_TEMPLATE_FILE, MAX_TAGGED_YAML) may hold a template json.load or PyYAML reads
 * whole and a runtime renders (transformers reads a tokenizer_config.json of any size): unread, it fails the default
 * gate as a template past its own limit does in chatTemplateSteps, not as a warning about a header.
 */
function tooLargeToCheck(size: number, limit: number, out: Findings): void {
  out.add(
    'CPI051',
    `the file is ${size} bytes, past the ${limit}-byte limit for a file holding a chat template; its template was not checked for template injection. Do not render it until you know why it is this large.`,
    { size, limit },
    undefined,
    'error',
  );
  out.incomplete = true;
}

const PROCESSOR_CONFIG = /(^|\/)processor_config\.json$/;

/** How a file's templates are read: by its name, or by what the walk found in it under another name. */
function templateSource(file: DiscoveredFile): TemplateSource {
  if (file.claimed === 'chat-template-file') {
    const kind = templateFileKind(file.path);
    if (kind !== undefined) return { byContent: kind };
  }
  if (file.format === 'hf-config') return 'processor-config';
  return /\.jinja$/i.test(file.path) ? 'jinja' : 'tokenizer-config';
}
