import type { Language } from './languages.js';

/**
 * The refs stage's byte tests, run before any text is decoded or parsed: most source files fail them and are never
 * decoded. Light on purpose (no parser imports): the walk runs them on the bytes it has just read
 * (`isOwnReferenceSource`), so a file that names no model is neither kept in memory nor read a second time.
 */

/** Keys that training and serving configs use for a hub model (transformers, PEFT, TRL, axolotl, LitGPT…). */
export const MODEL_KEYS: ReadonlySet<string> = new Set([
  'model_name_or_path',
  'pretrained_model_name_or_path',
  'base_model',
  'base_model_name_or_path',
  'model_id',
  'model_name',
  'teacher_model_name_or_path',
  'reward_model_path',
  // redrefs: tokenizers and adapters are hub downloads too (transformers examples' ModelArguments, LLaMA-Factory).
  'tokenizer_name',
  'tokenizer_name_or_path',
  'adapter_name_or_path',
]);

/**
 * The escapes that can spell a model key's letters in a quoted YAML or JSON key, which the yaml parser decodes before
 * config.ts compares keys (`"model\u005fid"`; YAML's `\x5f` and `\U0000005f`; a double-quoted key continued over a
 * line break, which YAML joins). YAML's other escapes (`\_`, `\N`, `\t`…) and JSON's give no letter or underscore.
 */
const CONFIG_ESCAPES = ['\\u', '\\x', '\\U', '\\\n', '\\\r'];
const CONFIG_ESCAPE_BYTES = CONFIG_ESCAPES.map((e) => Buffer.from(e));

/** Whether a config's text may name a model key: the finder runs only when it does. */
export function mentionsModelKey(text: string): boolean {
  for (const k of MODEL_KEYS) if (text.includes(k)) return true;
  return CONFIG_ESCAPES.some((e) => text.includes(e));
}

const MODEL_KEY_BYTES = [...MODEL_KEYS].map((k) => Buffer.from(k));

/** Whether a config's bytes may name a model key (the keys are ASCII, which UTF-8 keeps byte for byte). */
export function mentionsModelKeyBytes(bytes: Buffer): boolean {
  return MODEL_KEY_BYTES.some((k) => bytes.includes(k)) || CONFIG_ESCAPE_BYTES.some((e) => bytes.includes(e));
}

/**
 * JavaScript loader words whose module the JS readers take from a string literal, decoding its escapes
 * (javascript-tokens.ts `unquote`: `require('@huggingface/\x74ransformers')` is transformers.js). The words
 * themselves are identifiers, read as written. In a file with a backslash these count without their module.
 */
export const ESCAPED_MODULE_WORDS = /\bpipeline\b|downloadFile|snapshotDownload/;
const ESCAPED_MODULE_WORD_BYTES = /pipeline|downloadFile|snapshotDownload/;
const BACKSLASH = 0x5c;

/**
 * The loader tests of find.ts (`mayCallLoader`) over raw bytes, looser (no word boundaries). UTF-8 keeps ASCII
 * bytes as they are and never makes them up, so a file `mayCallLoader` accepts always passes
 * (test/refs/prefilter.test.ts holds the two together).
 */
export const LOADER_NEEDLES: readonly (readonly [words: readonly string[], module: string | undefined])[] = [
  [['from_pretrained', 'InferenceSession', 'loadGraphModel', 'loadLayersModel', 'huggingface.co'], undefined],
  [['pipeline'], 'transformers'],
  [['hf_hub_download', 'snapshot_download'], 'huggingface_hub'],
  [['hub'], 'torch'],
  [['create_model'], 'timm'],
  [['SentenceTransformer', 'CrossEncoder'], 'sentence_transformers'],
  [['downloadFile', 'snapshotDownload'], '@huggingface/hub'],
  // redrefs: python-loaders.ts (diffusers single files, vLLM, langchain, open_clip, keras_hub, datasets scripts).
  [['from_single_file'], undefined],
  [['LLM', 'EngineArgs'], 'vllm'],
  [['HuggingFaceEmbeddings', 'HuggingFaceBgeEmbeddings'], 'langchain'],
  [['create_model'], 'open_clip'],
  [['from_preset'], 'keras_hub'],
  [['from_preset'], 'keras_nlp'],
  [['trust_remote_code'], 'datasets'],
];

/**
 * Every needle in one pass (one `Buffer.includes` per needle read each file 14 times). The search restarts one
 * character after each hit, so needles inside or overlapping others (`hub` in `huggingface_hub`) are seen too; no
 * needle starts another, so a hit at one position is the only needle there.
 */
const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const ANY_NEEDLE = new RegExp(
  [...new Set(LOADER_NEEDLES.flatMap(([words, module]) => (module ? [...words, module] : words)))]
    .map(escape)
    .join('|'),
  'g',
);

/**
 * What every accepted file must contain: a needle that needs no module, or a module (a loader word is never enough
 * without its module). A needle holding another (`sentence_transformers` holds `transformers`) is implied by it and
 * left out. Most source files hold none: one non-global `test` rejects them, about twice as fast as the collecting
 * pass (bench `refs`, 23 MB of source), which then runs only on the few that hold one.
 */
const REQUIRED = [...new Set(LOADER_NEEDLES.flatMap(([words, module]) => (module ? [module] : words)))];
const ANY_REQUIRED = new RegExp(
  REQUIRED.filter((w) => !REQUIRED.some((other) => other !== w && w.includes(other)))
    .map(escape)
    .join('|'),
);

/**
 * Whether source bytes may call a loader: false means `mayCallLoader` on the decoded text is false too. JavaScript
 * with a backslash is also let through on a loader word alone (`ESCAPED_MODULE_WORDS`).
 */
export function mayCallLoaderBytes(bytes: Buffer, language: Language = 'python'): boolean {
  // latin1 maps each byte to one character, so an ASCII needle is in the string exactly when it is in the bytes.
  // The copy is young garbage (about one scavenge per 16 MB of source); a Buffer.indexOf per needle, which copies
  // nothing, cost the same CPU over the bench's 23 MB (5 passes: 436-537 ms against 431-559 ms, loaded machine).
  const text = bytes.toString('latin1');
  if (language === 'javascript' && bytes.includes(BACKSLASH) && ESCAPED_MODULE_WORD_BYTES.test(text)) return true;
  if (!ANY_REQUIRED.test(text)) return false;
  const seen = new Set<string>();
  ANY_NEEDLE.lastIndex = 0;
  for (let m = ANY_NEEDLE.exec(text); m; m = ANY_NEEDLE.exec(text)) {
    seen.add(m[0]);
    ANY_NEEDLE.lastIndex = m.index + 1;
  }
  return (
    seen.size > 0 &&
    LOADER_NEEDLES.some(([words, module]) => words.some((w) => seen.has(w)) && (!module || seen.has(module)))
  );
}

/** The byte test for a config (a model key) or for source (a loader word). */
export function mayNameModelBytes(language: Language, bytes: Buffer): boolean {
  if (language === 'shell') return mentionsShellDownload(bytes.toString('latin1'));
  return language === 'config' ? mentionsModelKeyBytes(bytes) : mayCallLoaderBytes(bytes, language);
}

/** redrefs: a shell script or Dockerfile may download a model (shell-commands.ts): the CLI's name or a hub URL. */
export function mentionsShellDownload(text: string): boolean {
  return /huggingface-cli|\bhf\s+download|huggingface\.co|hf\.co/.test(text);
}
