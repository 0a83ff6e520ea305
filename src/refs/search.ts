import type { Language } from './languages.js';
import {
  ANY_FILE_LOADER_WORDS,
  ESCAPED_ASCII,
  mentionsModelKey,
  usesEscapedModuleWord,
  mentionsShellDownload,
} from './prefilter.js';
import { isConfigSource as isConfig, isTestData, languageOf, sourceExtension } from './sources.js';
import { nativeShape } from './python-lines-native.js';
import { codeCellSources } from './notebook-cells.js';
import { GENERATED_LENGTH, MAX_NESTING, generatedByLines, looksGenerated, nestingDepth } from './text.js';
import type { FileReferences } from './types.js';

/** A language front end: the references in one file's text. */
export type Finder = (path: string, text: string, existsLocally: (p: string) => boolean) => FileReferences;

/**
 * Cheap text tests before parsing: a file that names no loader is not parsed (most of a repository). The words any
 * file may call (prefilter.ts ANY_FILE_LOADER_WORDS) are looked up first and alone; these are the rest.
 */
const LOADER_WORDS =
  /pipeline|hf_hub_download|snapshot_download|hf_hub_url|hub|model_zoo|create_model|Transformer|CrossEncoder|SparseEncoder|downloadFile|snapshotDownload|from_single_file|LLM|EngineArgs|LoRARequest|HuggingFace|embed_model|FastEmbed|from_preset|trust_remote_code|remoteHost|allowRemoteModels|ollama|load_lora_weights|load_textual_inversion|load_ip_adapter|load_adapter|load_lora_adapter|load_attn_procs|mlx_lm|mlx_vlm|hf:\/\/|nemo\.collections|load_model|clip\.load|torchvision|applications|get_file|download|resolveModelFile|createModelDownloader|Trainer|serve|load|export/;

/**
 * Parsing is what costs (lezer, a few MB/s), and words such as `pipeline` or `hub` are everywhere in ML code. The
 * loaders `shapeOf` (calls.ts) finds through an import — `transformers.pipeline`, `huggingface_hub.*`,
 * `torch.hub.load`, `timm.create_model`, `sentence_transformers.*`, `@huggingface/hub` — can only be called in a
 * file that names their module, so those words count only beside it. The rest need no import to be found.
 *
 * `imported`: in Python the finder reaches the loader only through an import of the module (syntax.ts
 * `importBindings` is the only way a name comes to stand for it: CPython's IMPORT_NAME, no `__import__` or importlib
 * followed), so the module counts only on a line that holds the word `import` (`importedOnALine`). Library code names
 * these modules in prose everywhere — scikit-learn's "transformers" beside its `Pipeline`, pandas' `evaluate` beside
 * `load` — and each such file was parsed whole for nothing. The others stay words anywhere: `vllm serve` and
 * `spacy download` are also commands in strings (python-commands.ts), Keras is `tf.keras` after `import tensorflow`.
 */
const LOADER_TESTS: readonly (readonly [word: RegExp, module: RegExp | undefined, reached?: 'imported'])[] = [
  [/\bpipeline\b/, /transformers/, 'imported'],
  // refs9: `cached_download` and `hf_hub_url` (a URL an HTTP GET fetches: syntax.ts `pythonHubUrl`).
  [/hf_hub_download|snapshot_download|cached_download|hf_hub_url/, /huggingface_hub/, 'imported'],
  [/snapshot_download|model_file_download|\bpipeline\b/, /modelscope/, 'imported'],
  // torch.hub's loaders, and torch.utils.model_zoo's `load_url` (the same function by its old name).
  [/\bhub\b|model_zoo/, /\btorch\b/, 'imported'],
  [/create_model/, /\btimm\b/, 'imported'],
  // SentenceTransformer, SparseEncoder, CrossEncoder, models.Transformer (sentence-transformers.ts).
  [/Transformer|CrossEncoder|SparseEncoder/, /sentence_transformers/, 'imported'],
  [/downloadFile|snapshotDownload/, /@huggingface\/hub/],
  // redrefs: python-loaders.ts.
  [/from_single_file/, undefined],
  [/LLM|EngineArgs|LoRARequest/, /vllm/, 'imported'],
  [/\bserve\b/, /vllm/],
  // Any `HuggingFace…` name (the finder knows the classes): `HuggingFace\w*Embeddings` here tried every start in a long
  // identifier that held the word many times (quadratic in a hostile file).
  [/HuggingFace/, /langchain/, 'imported'],
  // refs5: LlamaIndex's HuggingFaceEmbedding / HuggingFaceLLM; ollama-python's pull.
  [/HuggingFace(?:Embedding|LLM)/, /llama_?index/, 'imported'],
  // LlamaIndex's `embed_model="local:org/name"` (python-loaders.ts `llamaIndexLocalEmbedShape`).
  [/embed_model/, /llama_index/, 'imported'],
  [/ollama/, undefined],
  // Haystack's SentenceTransformers… / Transformers… / HuggingFaceLocal… components (python-haystack.ts).
  [/Transformers|HuggingFace/, /haystack/, 'imported'],
  // langchain's FastEmbedEmbeddings, LlamaIndex's FastEmbedEmbedding (FastEmbed's table, at the default branch).
  [/FastEmbed/, /langchain|llama_index/, 'imported'],
  [/create_model/, /open_clip/, 'imported'],
  [/from_preset/, /keras_hub|keras_nlp/, 'imported'],
  [/trust_remote_code/, /datasets/, 'imported'],
  // refs4: transformers.js `env` settings in a module of their own (transformersjs-env.ts `settings`).
  [/remoteHost|allowRemoteModels/, /transformers/],
  // A barrel that re-exports transformers.js whole (loader-wrappers.ts): its importers' calls are its package's.
  [/\bexport\s*\*/, /@(?:huggingface|xenova)\/transformers/],
  // refs8: adapters a model or pipeline loads onto itself (python-loaders.ts `ADAPTER_LOADERS`), any module.
  [
    /load_lora_weights|load_textual_inversion|load_ip_adapter|load_adapter|load_lora_adapter|load_attn_procs/,
    undefined,
  ],
  // mlx-lm / mlx-vlm `load(repo)`; Keras 3 `load_model("hf://org/name")`.
  [/mlx_lm|mlx_vlm/, undefined],
  [/hf:\/\//, undefined],
  // NeMo's AutoTokenizer (python-loaders.ts `nemoShape`).
  [/nemo\.collections/, undefined],
  // openai-whisper `whisper.load_model(name)` and OpenAI CLIP `clip.load(name)` (python-loaders.ts `WHISPER_MODELS`).
  [/load_model/, /\bwhisper\b/, 'imported'],
  [/clip\.load/, undefined],
  // torchvision's model builders with pretrained weights (python-loaders.ts `torchvisionShape`); detection and
  // segmentation builders download backbone weights by default; models/utils.py re-exported torch.hub's loader.
  [
    /weights|pretrained|_fpn|vgg16|mobilenet_v3_large|deeplabv3|fcn_resnet|lraspp|load_state_dict_from_url/,
    /torchvision/,
    'imported',
  ],
  // Keras applications (`tf.keras.applications.ResNet50()`): ImageNet weights by default.
  [/applications/, /keras/],
  // Keras `utils.get_file(fname, origin, file_hash=…)`: a model file downloaded by URL.
  [/get_file/, /keras/],
  // spaCy `spacy.cli.download(name)`: a model package pip installs from a GitHub release.
  [/download/, /spacy/],
  // node-llama-cpp's downloads by model URI (`hf:user/model:quant`).
  [/resolveModelFile|createModelDownloader/, /node-llama-cpp/],
  // TRL's trainers given a hub id (python-loaders.ts `trlTrainerShape`).
  [/Trainer/, /\btrl\b/, 'imported'],
  // Hugging Face evaluate's `evaluate.load(name)` (python-evaluate.ts).
  [/\bload\b/, /\bevaluate\b/, 'imported'],
];

/**
 * Whether source text may call a loader `shapeOf` follows: the parser runs only when it may. JavaScript names its
 * modules in string literals, whose escapes can spell them: with a backslash, a loader word alone is enough.
 */
export function mayCallLoader(text: string, language: Language = 'python'): boolean {
  if (
    language === 'javascript' &&
    text.includes('\\') &&
    usesEscapedModuleWord(
      (w, from) => text.indexOf(w, from),
      (i) => text.charCodeAt(i),
      text.length,
    )
  )
    return true;
  // A word any file may call decides alone (a native search each, no pattern run over the text): in practice
  // `from_pretrained`, which most files that reach here hold.
  if (ANY_FILE_LOADER_WORDS.some((w) => text.includes(w))) return true;
  if (!LOADER_WORDS.test(text)) return false;
  const python = language === 'python';
  return LOADER_TESTS.some(
    ([word, module, reached]) =>
      word.test(text) &&
      (!module || (python && reached === 'imported' ? importedOnALine(text, module) : module.test(text))),
  );
}

/**
 * Whether `module` stands on a line that also holds the word `import` (lines joined where one ends in a backslash,
 * as the tokenizer joins them): looser than an import statement (a docstring's `>>> from transformers import x`
 * passes, as does `x = 1; import transformers` or an import after `try:`), never stricter. Each line is looked at
 * once (the search goes on after the line of a miss): linear in the text however many times the word repeats.
 */
function importedOnALine(text: string, module: RegExp): boolean {
  let search = GLOBAL_MODULES.get(module);
  if (!search) GLOBAL_MODULES.set(module, (search = new RegExp(module.source, 'g')));
  search.lastIndex = 0;
  for (let m = search.exec(text); m; m = search.exec(text)) {
    // The line's ends by native searches for line feeds (a step a character, interpreted, cost torch's own source
    // ~0.5 µs a character: library code names its module on most lines), past those a backslash continues.
    let before = text.lastIndexOf('\n', m.index - 1);
    while (before >= 0 && continued(text, before)) before = text.lastIndexOf('\n', before - 1);
    let end = text.indexOf('\n', m.index);
    while (end >= 0 && continued(text, end)) end = text.indexOf('\n', end + 1);
    if (end < 0) end = text.length;
    if (IMPORT_WORD.test(text.slice(before + 1, end))) return true;
    search.lastIndex = end;
  }
  return false;
}

const IMPORT_WORD = /\bimport\b/;
/** Each module pattern of LOADER_TESTS as a global search, made once. */
const GLOBAL_MODULES = new Map<RegExp, RegExp>();

/** Whether the newline at `i` ends a line the next one continues (`\\` then `\n`, or `\r\n`). */
function continued(text: string, i: number): boolean {
  const before = text[i - 1] === '\r' ? i - 2 : i - 1;
  return text[before] === '\\';
}
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/**
 * A notebook's file may be this large: its outputs (base64 images, tables) are data the kernel never runs, and
 * notebooks with plots pass MAX_SOURCE_BYTES by nature. Its code cells are held to MAX_SOURCE_BYTES (`screenText`).
 */
export const MAX_NOTEBOOK_BYTES = 16 * 1024 * 1024;

/** The most bytes of the file at `path` a finder is given. */
export const maxSourceBytes = (path: string): number =>
  sourceExtension(path) === 'ipynb' ? MAX_NOTEBOOK_BYTES : MAX_SOURCE_BYTES;

/** Why a file was left unsearched (CPR011, after its count): what `screenText` and the size bound skip, and why. */
export const NOT_SEARCHED = `source file(s) were not searched for model references: minified, generated, nested deeper than ${MAX_NESTING} brackets, over ${MAX_SOURCE_BYTES} bytes of code (a notebook file: ${MAX_NOTEBOOK_BYTES}), unreadable, or a config that names a model key but does not parse as YAML or JSON (comments in JSON, a template).`;

/** The outcome of searching one file: references found, nothing to find, or skipped (counted by the caller). */
export type Searched =
  { readonly kind: 'found'; readonly refs: FileReferences } | { readonly kind: 'none' } | { readonly kind: 'skipped' };

const isPython = (path: string) => sourceExtension(path) === 'py' || sourceExtension(path) === 'ipynb';

/** A file over the size limit: configs that large are data, not configuration; source that large is skipped. */
export function searchOversized(path: string): Searched {
  return isConfig(path) ? { kind: 'none' } : { kind: 'skipped' };
}

/**
 * Search one file's text with its language's finder (the same rules for `scan` and `review`): cheap filter, shape
 * checks, then the parser. Light: the finder, and so the parser, is the caller's to load.
 */
export function searchTextWith(
  finder: Finder,
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): Searched {
  return screenText(path, text) ?? runFinder(finder, path, text, existsLocally);
}

/**
 * The cheap tests before any finder: nothing to find, or skipped (minified, generated, too deeply nested); undefined
 * when a finder must read the text.
 */
export function screenText(path: string, text: string): Searched | undefined {
  if (languageOf(path) === 'shell') return mentionsShellDownload(text) ? undefined : { kind: 'none' };
  const config = isConfig(path);
  if (config && isTestData(path)) return { kind: 'none' };
  // A notebook's outputs (base64 images) are long lines by nature: python-notebook.ts reads only its code cells,
  // and its `!cmd` shell escapes as a shell script.
  const notebook = sourceExtension(path) === 'ipynb';
  // A notebook's code is what its JSON strings decode to: `\u0066rom_pretrained` is `from_pretrained` to the kernel.
  // A notebook past MAX_SOURCE_BYTES is screened on its cells, which are held to that bound.
  const code = notebook && (text.length > MAX_SOURCE_BYTES || ESCAPED_ASCII.test(text)) ? notebookCellText(text) : text;
  if (notebook && code.length > MAX_SOURCE_BYTES) return { kind: 'skipped' };
  if (
    config
      ? !mentionsModelKey(text)
      : !mayCallLoader(code, isPython(path) ? 'python' : 'javascript') && !(notebook && mentionsShellDownload(code))
  )
    return { kind: 'none' };
  // Minified or generated code, and nesting deeper than hand-written code (the parsers' tree building recurses).
  // Python in one pass of the lines module when it reads the text (the text stays there for the quick finder).
  // Python of hand-written shape is searched up to MAX_SOURCE_BYTES, not cut at GENERATED_LENGTH: a script padded
  // past a megabyte of short lines is still what `python x.py` runs, and its loader call must not hide behind a note.
  const shape = sourceExtension(path) === 'py' ? nativeShape(text) : undefined;
  const maxLength = isPython(path) ? MAX_SOURCE_BYTES : GENERATED_LENGTH;
  const generated = shape
    ? generatedByLines(text.length, shape.long, shape.lines, maxLength)
    : !config && !notebook && looksGenerated(text, languageOf(path) === 'javascript', maxLength);
  if (generated || (shape ? shape.depth : depthOf(text, notebook ? code : undefined)) > MAX_NESTING)
    return { kind: 'skipped' };
  return undefined;
}

/**
 * How deep the brackets of what the finder parses nest. A notebook's finder parses only its code cells: nbformat
 * reads metadata and outputs nested far past MAX_NESTING (`json.loads` recurses to Python's ~1,000-frame limit) and
 * the kernel runs the cells, so deep metadata must not turn a loader call into an unsearched file.
 */
function depthOf(text: string, notebookCode: string | undefined): number {
  const depth = nestingDepth(notebookCode ?? text);
  if (notebookCode === undefined || depth <= MAX_NESTING || notebookCode !== text) return depth;
  // Measured on the raw JSON; the cells alone only when that is too deep (one JSON.parse, which V8 does iteratively).
  return nestingDepth(notebookCellText(text));
}

/**
 * The source strings of a notebook's code cells, decoded, one per line (what `findNotebookReferences` reads, magics
 * and shell escapes kept); the text itself when it is not a notebook's JSON, which the finder then finds nothing in.
 */
function notebookCellText(text: string): string {
  const cells = codeCellSources(text);
  return cells ? cells.flatMap((source) => source.filter((p) => typeof p === 'string')).join('\n') : text;
}

/** A finder over text that passed `screenText`. */
export function runFinder(finder: Finder, path: string, text: string, existsLocally: (p: string) => boolean): Searched {
  try {
    return { kind: 'found', refs: finder(path, text, existsLocally) };
  } catch {
    // A parser that gives up (it should not: lezer recovers from syntax errors) skips the file, counted.
    return { kind: 'skipped' };
  }
}

/**
 * A finder that reads the common shapes without loading a parser (python-fast.ts), undefined when the file needs
 * the language's parser after all.
 */
export type QuickFinder = (
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
) => FileReferences | undefined;

/** A quick finder over text that passed `screenText`; undefined when the full finder must read it. */
export function runQuickFinder(
  finder: QuickFinder,
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): Searched | undefined {
  let refs: FileReferences | undefined;
  try {
    refs = finder(path, text, existsLocally);
  } catch {
    // Whatever made it throw, the full finder decides.
    refs = undefined;
  }
  return refs && { kind: 'found', refs };
}
