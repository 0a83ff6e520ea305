import type { ModelAnalyser } from '../analyser.js';
import { checkChatTemplate, templateHitsMessage } from './chat-template.js';
import { GGUF_LIMITS } from './gguf.js';
import { isObject, parseJson } from './json.js';
import type { JsonValue } from './json.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/** A tokenizer config is a few KiB to a few MiB (added-token tables); past this it is a limit finding. */
const MAX_FILE = 32 * 1024 * 1024;

/**
 * The chat templates of a Hugging Face model folder, as transformers finds them (`PreTrainedTokenizerBase` /
 * `ProcessorMixin` loading, `_get_chat_template`): `tokenizer_config.json`'s `chat_template` (a string, or a list
 * of `{ name, template }` for named templates), `chat_template.json`'s `chat_template`, and the raw
 * `chat_template.jinja` / `additional_chat_templates/*.jinja` files. transformers renders them in Jinja's immutable
 * sandbox, but other runtimes that read the same files have not (llama-cpp-python before 0.2.72, CVE-2024-34359);
 * a payload has no benign use, so it is reported as in a GGUF file (CPI055).
 */
export function* chatTemplateSteps(src: RandomAccess, out: Findings, isJinja: boolean): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8').replace(/^\uFEFF/, '');
  const templates: { key: string; template: string }[] = [];
  if (isJinja) templates.push({ key: 'template', template: text });
  else {
    // json.loads reads deeper nesting (to Python's recursion limit) and transformers then renders `chat_template`,
    // a level or two down: deeper values elsewhere are skipped, not a failure that leaves the template unchecked.
    const { value } = parseJson(text, { maxDepth: 512, allowNonFinite: true, skipDeeper: true });
    for (const t of templatesOf(isObject(value) ? value.chat_template : undefined)) templates.push(t);
  }
  let total = 0;
  for (const { key, template } of templates) {
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
    const hits = checkChatTemplate(template);
    const first = hits[0];
    if (first)
      out.add(
        'CPI055',
        templateHitsMessage(
          key,
          hits,
          "rendering it outside a sandbox can run code (CVE-2024-34359). Do not use this model's chat template; take a known-good one from the base model.",
        ),
        { key, indicators: hits.map((h) => h.indicator).join('; '), snippet: first.snippet },
      );
  }
}

/**
 * `chat_template` as transformers accepts it: a string, a list of `{ name, template }`, or an object of name →
 * template. `PreTrainedTokenizerBase.__init__` turns only a list into a dict and keeps any other value as
 * `self.chat_template`; `get_chat_template` (and `ProcessorMixin.apply_chat_template`) then render an object's
 * "default" or "tool_use" entry, or the one named by the caller.
 */
function templatesOf(value: JsonValue | undefined): { key: string; template: string }[] {
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
  formats: ['chat-template'],
  analyze: (file, ctx) =>
    analyseWith(
      file,
      'the chat template',
      (src, out) => chatTemplateSteps(src, out, /\.jinja$/i.test(file.path)),
      ctx.files,
    ),
};
