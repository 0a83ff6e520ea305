import type { Language } from './languages.js';
import { LOADER_NEEDLE_BUCKETS, LOADER_NEEDLE_WINDOWS } from './needle-buckets.js';
import { needleScanner, type NeedleGroup, type NeedleRule, type NeedleScan, type NeedleWord } from './needle-scan.js';
import { wasmApi } from './wasm.js';

/**
 * The refs stage's byte tests, run before any text is decoded or parsed: most source files fail them and are never
 * decoded. Light on purpose (no parser imports): the walk runs them on the bytes it has just read
 * (`ownReferenceSources`), so a file that names no model is neither kept in memory nor read a second time.
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
 * Words a command line or a manifest that starts a model server holds (servers.ts): vLLM, text-generation-inference,
 * text-embeddings-inference, SGLang, Infinity (`infinity_emb`, `michaelf34/infinity`), by image or command.
 */
export const SERVER_WORDS: readonly string[] = [
  'vllm',
  'text-generation-',
  'text-embeddings-',
  'sglang',
  'infinity_emb',
  'michaelf34/infinity',
];
/**
 * KServe's model location (InferenceService `spec.predictor.model.storageUri` and the framework specs beside it,
 * TrainedModel `spec.model.storageUri`), which its storage initializer downloads before the server starts
 * (config-fast.ts `kserveStorageUri`). Here, not in ids.ts: the walk loads this module, and nothing heavier, at start.
 */
export const KSERVE_STORAGE_URI = 'storageUri';
/**
 * What lets a config through to the finder: a model key, mergekit's `merge_method` (a merge of models listed under
 * `models:` or `slices:`, config-fast.ts `isMergekitConfig`), KServe's `storageUri`, Ray Serve LLM's
 * `model_loading_config`, a node Hydra instantiates (`_target_`), each a key the finders compare whole
 * (`CONFIG_KEY_NAMES`); or a word a value holds (`CONFIG_VALUE_WORDS`). The text screen looks for either anywhere.
 */
const CONFIG_KEY_NAMES: ReadonlySet<string> = new Set([
  ...MODEL_KEYS,
  'merge_method',
  KSERVE_STORAGE_URI,
  // Ray Serve LLM's LLMConfig (config-fast.ts `rayModelLoading`).
  'model_loading_config',
  // A node Hydra instantiates, whose call may load a model by a key of the loader's own (config-fast.ts `hydraCall`).
  '_target_',
  // lm_eval's config file, whose model is `pretrained` in its `model_args` (toolkit-clis.ts `lmEvalConfigReferences`).
  'model_args',
]);
/**
 * A model server's name, a hub URI (KubeAI's `url: hf://…`, config-fast.ts `kubeaiModel`), or a Kubernetes container
 * that runs llama.cpp's server or its image (servers.ts `LLAMA_PROGRAM`, `SERVER_IMAGES`), whose `-hf` downloads:
 * shell lines have their own screen (`mentionsShellDownload`).
 */
const CONFIG_VALUE_WORDS: readonly string[] = [...SERVER_WORDS, 'hf://', 'llama-server', 'llama-cli', 'llama.cpp:'];
/**
 * Options only vLLM's engine and server take (EngineArgs `add_cli_args`, entrypoints/openai/cli_args.py), written
 * with dashes: a config file's top-level mapping that sets one of them beside `model` is vLLM's
 * (vllm-options.ts `vllmConfigReferences`). A `model:` with generic keys (`port`, `dtype`, `host`) is not enough:
 * many applications' own configs hold those. A YAML file that holds one of these (either spelling) passes the config
 * screen (`CONFIG_KEYS`); a JSON file need not, as vLLM reads a config file only when its name ends in .yaml or .yml.
 */
export const VLLM_CONFIG_KEYS: readonly string[] = [
  'tensor-parallel-size',
  'pipeline-parallel-size',
  'data-parallel-size',
  'gpu-memory-utilization',
  'max-model-len',
  'max-num-seqs',
  'max-num-batched-tokens',
  'served-model-name',
  'enforce-eager',
  'enable-prefix-caching',
  'enable-chunked-prefill',
  'trust-remote-code',
  'tokenizer-revision',
  'speculative-config',
  'lora-modules',
  'uvicorn-log-level',
];
/** `VLLM_CONFIG_KEYS` as a config may spell them (vLLM's parse_args turns a key's underscores into dashes). */
const VLLM_CONFIG_WORDS: readonly string[] = VLLM_CONFIG_KEYS.flatMap((k) => [k, k.replaceAll('-', '_')]);
const CONFIG_KEYS: readonly string[] = [...CONFIG_KEY_NAMES, ...CONFIG_VALUE_WORDS, ...VLLM_CONFIG_WORDS];

/**
 * Keys under which config.ts reads a mapping beyond its model keys: a pod spec's containers (servers.ts
 * `readPodContainers`), whose `sh -c` scripts are read as shell for downloads no config word names.
 */
const CONFIG_READ_KEYS: ReadonlySet<string> = new Set(['containers', 'initContainers']);
/**
 * What both of `CONFIG_READ_KEYS` hold: a YAML manifest that holds it passes the config screen when it also holds a
 * word of a command line that downloads (`mentionsShellCommandDownload`): a pod's `sh -c "hf download …"`, `ollama
 * pull`, `mlx_lm.server`, which no config word names. Other manifests are not parsed.
 */
const POD_CONTAINERS = 'ontainers';

/** Nodes of a parsed JSON document `jsonMayNameModel` walks before it leaves the answer to the finder. */
const JSON_SCREEN_NODES = 1_000_000;

/**
 * Whether a JSON document, as JSON.parse decoded it, may name a model for config.ts's walk: a key it compares whole
 * (`CONFIG_KEY_NAMES`, or one that makes it read more, `CONFIG_READ_KEYS`), or a key or string value that holds a
 * word of `CONFIG_VALUE_WORDS`. The text screen (`mentionsModelKey`) passes a JSON file whenever it holds an escape
 * (a key may be spelled `"model\u005fid"`) or a key name inside another word (TypeScript's
 * `…_to_target_1` messages): vocab.json files written by Python's json.dump (`"\u0120the"`) and data tables, each
 * read by the yaml library at seconds of CPU a megabyte, for nothing.
 */
export function jsonMayNameModel(value: unknown): boolean {
  const stack: unknown[] = [value];
  for (let budget = JSON_SCREEN_NODES; stack.length > 0; budget--) {
    if (budget === 0) return true;
    const node = stack.pop();
    if (typeof node === 'string') {
      if (holdsValueWord(node)) return true;
    } else if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        if (CONFIG_KEY_NAMES.has(key) || CONFIG_READ_KEYS.has(key) || holdsValueWord(key)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

const holdsValueWord = (s: string) => CONFIG_VALUE_WORDS.some((w) => s.includes(w));

/**
 * The escapes that can spell a character of a model key or word in a quoted YAML or JSON string, which the yaml
 * parser and JSON.parse decode before config.ts compares keys: those of printable ASCII (`"model\u005fid"`; YAML's
 * `\x5f` and `\U0000005f`), JSON's and YAML 1.2's `\/`, and a double-quoted string continued over a line break, which
 * YAML joins. Every other escape gives one character no key or word holds: a letter outside ASCII (`\u0120`, which
 * Python's json.dump writes for every such letter of a vocab.json), a control character, a quote, a backslash, a
 * space (YAML's `\_`, `\N`, `\t`…), so the text has a key or word where its decoded strings do.
 */
const CONFIG_ESCAPES = [
  ...['2', '3', '4', '5', '6', '7'].flatMap((d) => [`\\u00${d}`, `\\x${d}`, `\\U000000${d}`]),
  '\\/',
  '\\\n',
  '\\\r',
];

/** Whether a config's text may name a model key: the finder runs only when it does. */
export function mentionsModelKey(text: string): boolean {
  for (const k of CONFIG_KEYS) if (text.includes(k)) return true;
  if (CONFIG_ESCAPES.some((e) => text.includes(e))) return true;
  return text.includes(POD_CONTAINERS) && mentionsShellCommandDownload(text);
}

/** The keys scanned for in one pass (needle-scan.ts), then the backslash and the escapes looked up where none is. */
const CONFIG_LOOKUPS = ['\\', ...CONFIG_ESCAPES];
/**
 * The config scanner's needles, vLLM's option words as one group: it answers for at most 31 needles or groups
 * (needle-scan.ts). `POD_CONTAINERS` is last, so its bit is the top one.
 */
const CONFIG_NEEDLES = [...CONFIG_KEY_NAMES, ...CONFIG_VALUE_WORDS, VLLM_CONFIG_WORDS, POD_CONTAINERS];
/** The bit of `POD_CONTAINERS`, which lets a manifest through only with a download's word. */
const POD_BIT = 1 << (CONFIG_NEEDLES.length - 1);
let configScanner: NeedleScan | undefined;

/** Whether a config's bytes may name a model key (the keys are ASCII, which UTF-8 keeps byte for byte). */
export function mentionsModelKeyBytes(bytes: Buffer): boolean {
  const scan = (configScanner ??= needleScanner(CONFIG_NEEDLES, CONFIG_LOOKUPS));
  const found = scan(bytes);
  if ((found & ~POD_BIT) !== 0) return true;
  if (scan.has(0) && CONFIG_ESCAPES.some((_, k) => scan.has(k + 1))) return true;
  return found !== 0 && mentionsShellCommandDownload(bytes.toString('latin1'));
}

/**
 * JavaScript loader words whose module the JS readers take from a string literal, decoding its escapes
 * (javascript-tokens.ts `unquote`: `require('@huggingface/\x74ransformers')` is transformers.js). The words
 * themselves are identifiers, read as written. In a file with a backslash these count without their module.
 */
const ESCAPED_WORDS = ['pipeline', 'downloadFile', 'snapshotDownload'];

/**
 * Characters after which (past white space) a loader word is neither called nor bound by an import: `.` (a member:
 * `pipeline.map(…)`), `;`, `)`, `]`, `=` (an assignment or comparison). Anywhere else — `(`, `<`, `` ` ``, `!`, `?`,
 * `,`, `}`, `:`, `as`, a comment, a non-ASCII character — it may be, and a file that calls a loader under an
 * imported name names it in its import (`{ pipeline as p }`, `{ pipeline: p }`) or calls it as a member of a
 * namespace (`t.pipeline(…)`).
 */
const NOT_CALLED = new Set([0x2e, 0x3b, 0x29, 0x5d, 0x3d]);
const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

/**
 * Whether JavaScript text or bytes use a loader word of `ESCAPED_WORDS` where a call or an import binding may: the
 * test a file with a backslash passes on a loader word alone (its module may be spelled with escapes). The word is
 * found as a substring (no boundaries) and the characters after it are ASCII tests: bytes pass whenever their
 * decoded text does.
 */
export function usesEscapedModuleWord(
  indexOf: (word: string, from: number) => number,
  at: (i: number) => number,
  length: number,
): boolean {
  for (const word of ESCAPED_WORDS) {
    for (let i = indexOf(word, 0); i >= 0; i = indexOf(word, i + 1)) {
      let j = i + word.length;
      while (j < length && isBlank(at(j))) j++;
      if (j < length && !NOT_CALLED.has(at(j))) return true;
    }
  }
  return false;
}

/**
 * Python libraries a file reaches only through their names, whose loaders python-loaders.ts follows: each lets a file
 * through alone, and python-snippet.ts keeps the statements that name one (python-loaders.ts PYTHON_LIBRARY_WORDS).
 */
export const PYTHON_LIBRARIES_ALONE: readonly string[] = [
  // ultralytics `YOLO("yolo11n.pt")` (python-loaders.ts `ultralyticsShape`) and faster-whisper `WhisperModel(size)`.
  'ultralytics',
  'faster_whisper',
  // AutoAWQ / AutoGPTQ / GPTQModel `from_quantized` (python-loaders.ts `quantizedShape`).
  'from_quantized',
  // SpeechBrain `from_hparams` / `foreign_class` (python-loaders.ts `pythonLibraryShape`), followed only through an
  // import of speechbrain: the module's name, one needle where the two method names were two.
  'speechbrain',
  // TensorFlow Hub's `hub.load` / `hub.KerasLayer` / `hub.Module` (python-loaders.ts `TF_HUB_LOADERS`), kagglehub's
  // `model_download`.
  'tensorflow_hub',
  'kagglehub',
  // flair's `SequenceTagger.load` / `Classifier.load` / `TextClassifier.load`… (python-loaders.ts `FLAIR_LOADERS`).
  'flair',
  // Lightning's `load_from_checkpoint(url)` (python-loaders.ts `pythonLibraryShape`); gensim's downloader.
  'load_from_checkpoint',
  'gensim',
  // FastEmbed's `TextEmbedding(model_name)` and the rest (python-loaders.ts `FASTEMBED_CLASSES`), and the langchain and
  // LlamaIndex wrappers imported from their `….fastembed` modules.
  'fastembed',
  // NLTK's `download(id)`, GPT4All's `GPT4All(name)`, Stanza's `download(lang)` / `Pipeline(lang)`: each reads its
  // download from an index fetched at run time (python-loaders.ts `indexDownloadShape`).
  'nltk',
  'gpt4all',
  'stanza',
  // SageMaker's `HuggingFaceModel(env={"HF_MODEL_ID": …})` (python-loaders.ts): the variable, rarer than the class.
  'HF_MODEL_ID',
  // basicsr's `load_file_from_url` and the copies repositories keep of it (python-loaders.ts).
  'load_file_from_url',
  // huggingface_hub's HfFileSystem, which reads a repository's files by a path with no `hf://` (python-hf-paths.ts).
  'HfFileSystem',
  // transformers' `get_class_from_dynamic_module` (python-loaders.ts `dynamicClassShape`): the end of its name, which a
  // file that calls it holds (in the import or the call), and whose rarest window is rarer than its module's
  // (`dynamic_module` sent a twentieth more blocks to the compare).
  'from_dynamic_module',
  // Ray Serve LLM (`from ray.serve.llm import LLMConfig`, python-loaders.ts): the module's path.
  'serve.llm',
  // LitGPT `LLM.load`, LMDeploy `pipeline` / `serve`, MLC LLM `MLCEngine` (python-loaders.ts `toolkitShape`).
  'litgpt',
  'lmdeploy',
  'mlc_llm',
  // The hub's CLIs run from Python (python-commands.ts): `subprocess.run(["huggingface-cli", "download", …])`, and
  // the newer `hf`, whose name stands quoted alone in a sequence (`["hf", "download", …]`) or before its command.
  'huggingface-cli',
  'hf download',
  '"hf"',
  "'hf'",
];

/**
 * The word a Python program that runs a command line names (`import subprocess`), looked up in a file the loader scan
 * turned away (`mayRunPythonScriptBytes`): without its first letter, so that the lookup's quiet loop tests a pair of
 * bytes Python seldom holds (`ub`). The lookup costs about 8 M instructions over bench `refs`'s 11.8 MB of Python;
 * `os.system` and `os.popen` (a second lookup, as much again) are not looked for.
 */
const RUNNER_MODULE_WORD = 'ubprocess';

/**
 * Words that each let a file through alone, bytes and text alike (search.ts looks them up first): loader calls any
 * file may make with no import, the hub's hosts, and the names of libraries whose loaders the finders follow (a file
 * that names one nearly always loads with it).
 */
export const ANY_FILE_LOADER_WORDS: readonly string[] = [
  'from_pretrained',
  'InferenceSession',
  'loadGraphModel',
  'loadLayersModel',
  'huggingface.co',
  // The hub's short host (ids.ts `parseModelUrl`), with its slash: a URL, not `hf.config`.
  'hf.co/',
  // @tensorflow-models packages' `load()` / `createDetector()` (calls.ts `tfjsModelShape`).
  'tensorflow-models',
  // MediaPipe Tasks' `createFromOptions` / `createFromModelPath` (calls.ts `mediaPipeShape`).
  '@mediapipe/',
  // web-llm's CreateMLCEngine / CreateWebWorkerMLCEngine / CreateServiceWorkerMLCEngine (calls.ts `webLlmShape`).
  'MLCEngine',
  ...PYTHON_LIBRARIES_ALONE,
];

/** Words of torchvision's builders (search.ts LOADER_TESTS), looked up natively in a file that names torchvision. */
const TORCHVISION_WORDS = [
  'weights',
  'pretrained',
  '_fpn',
  'vgg16',
  'mobilenet_v3_large',
  'deeplabv3',
  'fcn_resnet',
  'lraspp',
  'load_state_dict_from_url',
];

/**
 * The loader tests of find.ts (`mayCallLoader`) over raw bytes, looser (no word boundaries but those of `ALONE`).
 * UTF-8 keeps ASCII bytes as they are and never makes them up, so a file `mayCallLoader` accepts always passes
 * (test/refs/prefilter.test.ts holds the two together).
 */
export const LOADER_NEEDLES: readonly (readonly [words: readonly string[], module: string | undefined])[] = [
  [ANY_FILE_LOADER_WORDS, undefined],
  [['pipeline'], 'transformers'],
  // refs8: `_download` for hf_hub_download and snapshot_download, and the module's name for SentenceTransformer and
  // CrossEncoder (a file that holds it nearly always calls one): three needles freed for the adapter loaders below.
  // refs9: `hf_hub_url`, a hub file's URL that an HTTP GET or a URL loader fetches (syntax.ts `pythonHubUrl`).
  [['_download', 'hf_hub_url'], 'huggingface_hub'],
  // ModelScope's snapshot_download / model_file_download and pipeline (calls.ts `modelScopeShape`; its
  // from_pretrained passes on the word alone): the module looked up only in a file that holds one.
  [['_download'], 'modelscope'],
  [['pipeline'], 'modelscope'],
  // torch.utils.model_zoo's `load_url`, torch.hub's loader by its old name: looked up in a file that holds `torch`.
  [['hub', 'model_zoo'], 'torch'],
  [['create_model'], 'timm'],
  [['sentence_transformers'], 'sentence_transformers'],
  [['downloadFile', 'snapshotDownload'], '@huggingface/hub'],
  // redrefs: python-loaders.ts (diffusers single files, vLLM, langchain, open_clip, keras_hub, datasets scripts).
  [['from_single_file'], undefined],
  [['LLM', 'EngineArgs', 'LoRARequest'], 'vllm'],
  // `vllm serve org/x` run from Python or JavaScript (python-commands.ts, javascript-commands.ts): `serve` looked up
  // only in a file that holds `vllm`.
  [['serve'], 'vllm'],
  // refs5: `HuggingFace` covers langchain's HuggingFaceEmbeddings / HuggingFaceBgeEmbeddings / HuggingFacePipeline
  // and LlamaIndex's HuggingFaceEmbedding / HuggingFaceLLM, one needle for four.
  [['HuggingFace'], 'langchain'],
  [['HuggingFace'], 'llama_index'],
  // LlamaIndex's `embed_model="local:org/name"` (python-loaders.ts `llamaIndexLocalEmbedShape`), with no class named.
  [['embed_model'], 'llama_index'],
  // langchain's FastEmbedEmbeddings and LlamaIndex's FastEmbedEmbedding imported from a package's top
  // (`from langchain_community.embeddings import FastEmbedEmbeddings`), with no `fastembed` module in the file.
  [['FastEmbed'], 'langchain'],
  [['FastEmbed'], 'llama_index'],
  // Haystack's SentenceTransformers… / Transformers… rankers and embedders and HuggingFaceLocal… generators
  // (python-haystack.ts): the module scanned for (no word its classes share is), `Transformers` looked up only in a
  // file that holds it.
  [['HuggingFace', 'Transformers'], 'haystack'],
  // LlamaIndex.TS's `new HuggingFaceEmbedding({ modelType })` (javascript-classes.ts).
  [['HuggingFace'], 'llamaindex'],
  [['create_model'], 'open_clip'],
  // `keras_` for keras_hub and keras_nlp: one needle where there were two (room for llama_index and ollama).
  [['from_preset'], 'keras_'],
  [['trust_remote_code'], 'datasets'],
  // refs4: transformers.js `env` settings in a module of their own (transformersjs-env.ts `settings`). The scanner
  // holds 31 needles at most and has none to spare: `mot` is in both `remoteHost` and `allowRemoteModels`, short, so
  // looked up natively only in a file that holds `transformers` (MIN_SCANNED).
  [['mot'], 'transformers'],
  // A JavaScript barrel that re-exports transformers.js whole (`export * from '@huggingface/transformers'`, `export * as
  // hf from …`), naming none of its loaders (loader-wrappers.ts): `export` looked up only in a file that holds
  // `transformers`.
  [['export'], 'transformers'],
  // refs5: ollama-python's `pull` (python-loaders.ts): the module's name alone, a word few files hold.
  [['ollama'], undefined],
  // refs8: adapters a model or pipeline loads onto itself (python-loaders.ts `ADAPTER_LOADERS`): load_lora_weights,
  // load_textual_inversion, load_ip_adapter, load_adapter, load_lora_adapter and load_attn_procs.
  [['lora_weights', 'textual_inversion', '_adapter', 'attn_procs'], undefined],
  // mlx-lm / mlx-vlm `load(repo)` and Keras 3 `load_model("hf://org/name")` (python-loaders.ts): the module, the prefix.
  // `mlx_` for mlx_lm and mlx_vlm: one needle where there were two (each needle costs scan time).
  [['mlx_'], undefined],
  [['hf://'], undefined],
  // NeMo's AutoTokenizer (python-loaders.ts `nemoShape`), imported from its tokenizers module: the package path, which
  // few files outside NeMo projects hold. NeMo 2's `import_ckpt(source="hf://…")` passes on `hf://`.
  [['nemo.collections'], undefined],
  // openai-whisper `whisper.load_model(name)` and OpenAI CLIP `clip.load(name)` (python-loaders.ts `WHISPER_MODELS`):
  // `whisper` looked up only in a file that holds `load_model`.
  [['load_model'], 'whisper'],
  [['clip.load'], undefined],
  // spaCy `spacy.cli.download(name)` (python-loaders.ts `pythonLibraryShape`): the module scanned for, `download` (a
  // common word: scanned for, it sent a fifth more blocks to the compare) looked up only in a file that holds it.
  [['download'], 'spacy'],
  // torchvision's model builders with pretrained weights, and the detection and segmentation builders that download
  // backbone weights by default (python-loaders.ts `torchvisionShape`): the module scanned for, the words looked up
  // only in a file that holds it (four at most an entry).
  [TORCHVISION_WORDS.slice(0, 4), 'torchvision'],
  [TORCHVISION_WORDS.slice(4, 8), 'torchvision'],
  [TORCHVISION_WORDS.slice(8), 'torchvision'],
  // TRL's trainers given a hub id (python-loaders.ts `trlTrainerShape`): `Trainer` scanned for, the module looked up
  // whole in a file that holds it (`trl` is too short to scan for, and inside `ctrl`). Its imports scanned for
  // instead (`from trl`, `import trl`) made every import line of every file a candidate: +38 M instructions on bench
  // `refs`.
  [['Trainer'], 'trl'],
  // Keras applications (python-loaders.ts `KERAS_APPLICATIONS`): `keras` looked up in a file that holds the word.
  [['applications'], 'keras'],
  // Keras `utils.get_file(fname, origin, file_hash=…)` (python-loaders.ts `kerasGetFileShape`): as the applications.
  [['get_file'], 'keras'],
  // node-llama-cpp's resolveModelFile / createModelDownloader (calls.ts `nodeLlamaCppShape`): `llama-cpp` scanned for
  // (`node` starts too many words of JavaScript: scanned for, the module sent a third more blocks to the compare),
  // the module looked up in a file that holds it; search.ts's text test names the two functions.
  [['llama-cpp'], 'node-llama-cpp'],
  // Hugging Face evaluate's `evaluate.load(name)` (python-evaluate.ts): a metric's script from a Space, imported. The
  // module scanned for, `load` (in every other file) looked up only in a file that holds it.
  [['load'], 'evaluate'],
];

/**
 * Modules looked up natively (in a file that holds one of their entry's words) rather than scanned for: their words
 * are rare, and the scanner has room for 31 needles (needle-scan.ts MAX_NEEDLES).
 */
const LOOKED_UP = new Set([
  'huggingface_hub',
  'serve',
  'modelscope',
  '@huggingface/hub',
  'langchain',
  'llama_index',
  'llamaindex',
  'Transformers',
  'datasets',
  'whisper',
  'keras',
  'download',
  'model_zoo',
  'node-llama-cpp',
  'load',
  'export',
  ...TORCHVISION_WORDS,
]);

/**
 * Needles shorter than this are not scanned for: each pairs with a longer one an entry also needs (`hub` with
 * `torch`, `LLM` with `EngineArgs` or `vllm`), and is looked up natively only in a file that holds that one. Scanning
 * for them would shorten every skip of the scan (needle-scan.ts) to two bytes. Four, not five: vLLM's entry has no
 * longer needle every such file must hold than its module's name.
 */
const MIN_SCANNED = 4;

const NEEDLES = [
  ...new Set([...LOADER_NEEDLES.flatMap(([words, module]) => (module ? [...words, module] : words)), ...ESCAPED_WORDS]),
];
/** The needles the scan looks for (scripts/gen-needle-buckets.mjs reads them from the build). */
export const SCANNED_NEEDLES: readonly string[] = NEEDLES.filter((w) => w.length >= MIN_SCANNED && !LOOKED_UP.has(w));
const SCANNED = SCANNED_NEEDLES;
/**
 * Words that count only standing alone, as search.ts's text test has them (`\bhub\b`, `\bpipeline\b`): looked up
 * whole (needle-scan.ts `NeedleWord`) wherever a rule needs them, scanned or not. Otherwise the bytes of every file
 * that imports torch and names github (a URL in a licence header, a docstring), or imports transformers and names a
 * `data_pipeline`, would pass, to be copied, decoded and turned away by the text test. (`pipeline` is scanned for
 * too: JavaScript beside a backslash counts it anywhere, `usesEscapedModuleWord`.)
 */
export const ALONE: ReadonlySet<string> = new Set(['hub', 'pipeline', 'trl']);
/**
 * Words looked up (needle-scan.ts `has`): in a file the scan let through, the rest of NEEDLES and the backslash; in
 * Python it turned away, RUNNER_MODULE_WORD.
 */
const LOOKUPS = [...NEEDLES.filter((w) => !SCANNED.includes(w) || ALONE.has(w)), '\\', RUNNER_MODULE_WORD];
const BACKSLASH = LOOKUPS.indexOf('\\');
const RUNNER_MODULE = LOOKUPS.indexOf(RUNNER_MODULE_WORD);
/**
 * Needles that let a file through alone wherever they stand: named by entries with no module, by no other entry, and
 * needed neither whole (ALONE) nor by the escaped-module test. Which of them a file holds decides nothing, so they
 * share one bit of the scan's answer (needle-scan.ts `NeedleGroup`): the scanner answers in 31 bits, and each other
 * needle keeps its own.
 */
const PASS_ALONE = SCANNED.filter(
  (w) =>
    !ESCAPED_WORDS.includes(w) &&
    !ALONE.has(w) &&
    LOADER_NEEDLES.every(([words, module]) => module === undefined || (module !== w && !words.includes(w))),
);
const GROUPS: readonly NeedleGroup[] = [
  ...(PASS_ALONE.length > 0 ? [PASS_ALONE] : []),
  ...SCANNED.filter((w) => !PASS_ALONE.includes(w)),
];
const bitOf = (w: string) => {
  const k = GROUPS.findIndex((g) => (typeof g === 'string' ? g === w : g.includes(w)));
  return k < 0 ? 0 : 1 << k;
};
const ESCAPED_BITS = ESCAPED_WORDS.reduce((bits, w) => bits | bitOf(w), 0);
// A file that holds no scanned needle is turned away at once: every entry must need one (its module, or all its words).
if (!LOADER_NEEDLES.every(([words, module]) => (module && bitOf(module)) || words.every((w) => bitOf(w) !== 0)))
  throw new Error('prefilter: a LOADER_NEEDLES entry can pass without a scanned needle');

/**
 * Each entry's test as a rule the scan module runs over its answer (needle-scan.ts `NeedleRule`): the entry's module
 * (its bit), then one of its scanned words, else one of its short words, looked up — only in a file that holds the
 * module, so `hub` is looked for only where `torch` is; a module too rare to scan for (LOOKED_UP) is looked up last.
 * A closure per entry that looked each needle up by name on every file cost more CPU than the scan itself on an ML
 * repository (4 in 10 Python files name torch), and the same test as a JavaScript loop over masks was compiled by V8
 * for every scan.
 */
const RULES: readonly NeedleRule[] = LOADER_NEEDLES.map(([words, module]) => ({
  all: module === undefined ? 0 : bitOf(module),
  any: words.reduce((bits, w) => (ALONE.has(w) ? bits : bits | bitOf(w)), 0),
  anyWords: words.filter((w) => bitOf(w) === 0 || ALONE.has(w)).map((w) => LOOKUPS.indexOf(w)),
  word: module !== undefined && bitOf(module) === 0 ? LOOKUPS.indexOf(module) : -1,
}));
// Built at the first file (a WebAssembly instance and its tables): a scan with no source file never pays for them.
let scanner: NeedleScan | undefined;
const SOURCE_WORDS: readonly NeedleWord[] = LOOKUPS.map((w) => (ALONE.has(w) ? { whole: w } : w));
// Each needle's bucket as chosen offline (needle-buckets.ts); a needle missing there makes the scanner use its own.
const sourceScanner = () =>
  (scanner ??= needleScanner(
    GROUPS,
    SOURCE_WORDS,
    RULES,
    wasmApi,
    GROUPS.flat().map((n) => LOADER_NEEDLE_BUCKETS[n] ?? -1),
    GROUPS.flat().map((n) => LOADER_NEEDLE_WINDOWS[n] ?? 0),
  ));
const scanNeedles = (bytes: Buffer) => sourceScanner()(bytes);

/**
 * Where the walk reads a source file whose bytes it will show `mayNameModelRead`: the loader scan's own memory, so
 * the bytes are scanned where they are (23 MB of source on bench `refs` were copied there one file at a time). At
 * least `size` bytes, the same buffer while it is large enough, valid until the next call.
 */
export function sourceReadBuffer(size: number): Buffer {
  return sourceScanner().input(size);
}

/**
 * `mayNameModelBytes` of the first `n` bytes of `read`, the buffer `sourceReadBuffer` gave: for Python and JavaScript
 * (nearly every file the walk asks about) one call into the scan module, which scans them where they are and runs
 * the rules; JavaScript with a backslash and a loader word comes back for `usesEscapedModuleWord`.
 */
export function mayNameModelRead(language: Language, read: Buffer, n: number): boolean {
  // A shell file that may run a Python script is kept too: the refs stage reads its command lines for the values
  // they give scripts' flags (script-arguments.ts) from these bytes, not a second read.
  if (language === 'shell') {
    const text = read.toString('latin1', 0, n);
    return mentionsShellDownload(text) || mayRunPythonScript(text);
  }
  const scan = sourceScanner();
  // (Any other buffer: its bytes are not where the module reads.)
  if ((language !== 'python' && language !== 'javascript') || read !== scan.input(n))
    return mayNameModelBytes(language, read.subarray(0, n));
  const verdict = scan.verdict(n, language === 'javascript' ? ESCAPED_BITS : 0, BACKSLASH);
  if (verdict === 2) return mayCallLoaderBytes(read.subarray(0, n), language);
  if (verdict === 1) return true;
  // Looked up in the bytes just scanned, before any other test reads them again.
  if (language !== 'python' || !scan.has(RUNNER_MODULE)) return false;
  return mayRunPythonScriptBytes(read.subarray(0, n));
}

/**
 * Whether a Python program may run a Python script with its arguments through subprocess (script-arguments.ts reads
 * its command lines: `subprocess.run([sys.executable, "train.py", "--model", …])`): it names the module, an
 * interpreter (`python`, `sys.executable`) and a script's `.py`.
 */
export function mayRunPythonScriptBytes(bytes: Buffer): boolean {
  return (
    bytes.includes(RUNNER_MODULE_WORD) &&
    (bytes.includes('python') || bytes.includes('executable')) &&
    bytes.includes('.py')
  );
}

/**
 * Whether a shell file may run a Python script with its arguments (script-arguments.ts `RUNNER`: an interpreter or a
 * launcher, and a script's `.py`).
 */
function mayRunPythonScript(text: string): boolean {
  return text.includes('.py') && /python|torchrun|deepspeed|accelerate|\buv\s+run\b/.test(text);
}

/**
 * Whether source bytes may call a loader: false means `mayCallLoader` on the decoded text is false too. JavaScript
 * with a backslash is also let through on a loader word alone (`usesEscapedModuleWord`). One pass finds every needle
 * (needle-scan.ts); no string is made.
 */
export function mayCallLoaderBytes(bytes: Buffer, language: Language = 'python'): boolean {
  const found = scanNeedles(bytes);
  if (found === 0) return false;
  if (
    language === 'javascript' &&
    (found & ESCAPED_BITS) !== 0 &&
    scanner!.has(BACKSLASH) &&
    usesEscapedModuleWord(
      (w, from) => bytes.indexOf(w, from, 'latin1'),
      (i) => bytes[i]!,
      bytes.length,
    )
  )
    return true;
  return scanner!.passes(found);
}

/**
 * A JSON escape of a printable ASCII character (`\u0041`): no notebook writer makes one (nbformat's `json.dumps`
 * escapes only what is not ASCII, and control characters), but `json.load` decodes it, so a word spelt with one is
 * the word to the kernel. search.ts `screenText` reads such a notebook's decoded cells.
 */
export const ESCAPED_ASCII = /\\u00[2-7][0-9A-Fa-f]/;

/** The byte test for a config (a model key) or for source (a loader word). */
export function mayNameModelBytes(language: Language, bytes: Buffer): boolean {
  if (language === 'shell') return mentionsShellDownload(bytes.toString('latin1'));
  if (language === 'config') return mentionsModelKeyBytes(bytes);
  // refs6: a notebook's `!cmd` shell escapes are read as a shell script (python-notebook.ts). A notebook that spells
  // an ASCII character as a JSON escape may spell any word so (search.ts ESCAPED_ASCII): its decoded cells decide.
  if (mayCallLoaderBytes(bytes, language)) return true;
  if (language === 'python') return mayRunPythonScriptBytes(bytes);
  if (language !== 'notebook') return false;
  const latin1 = bytes.toString('latin1');
  return mentionsShellDownload(latin1) || ESCAPED_ASCII.test(latin1) || mayRunNotebookScript(latin1);
}

/**
 * Whether a notebook's JSON text may run a Python script with its arguments from a shell escape (`"!python train.py
 * …"`, a line of its own or after a `\n` in one string) or a shell cell (`%%bash`): script-arguments.ts reads those
 * (python-notebook.ts `notebookShell`). Each escape's line is read to its string's end or next `\n`, once.
 */
function mayRunNotebookScript(text: string): boolean {
  if (/"%%(?:bash|sh|script)\b/.test(text)) return mayRunPythonScript(text);
  for (const m of text.matchAll(/(?:"|\\n)[ \t]*!((?:[^"\\]|\\[^n])*)/g)) if (mayRunPythonScript(m[1]!)) return true;
  return false;
}

/**
 * redrefs: a shell script or Dockerfile may download a model (shell-commands.ts): the CLI's name or a hub URL.
 * refs4 (runtimes.ts): ollama, llama.cpp's `-hf` flags, a Modelfile's `FROM`, the hub's endpoint and offline settings.
 * refs5 (servers.ts): vLLM and text-generation-inference command lines, llama.cpp's `LLAMA_ARG_HF_REPO`.
 */
export function mentionsShellDownload(text: string): boolean {
  return mentionsShellCommandDownload(text) || /^[^\S\n\r\u2028\u2029]*from\s/im.test(text) || holdsInlinePython(text);
}

/**
 * The words of a command line that downloads a model (shell-commands.ts, runtimes.ts, servers.ts, toolkit-clis.ts):
 * the CLIs' names, the hub's hosts, llama.cpp's flags, the hub's settings, a model server's name. python-commands.ts asks it of Python
 * that runs command lines (`subprocess.run(["hf", "download", …])`: the CLI's name quoted alone).
 */
export function mentionsShellCommandDownload(text: string): boolean {
  return (
    /huggingface-cli|\bhf\s+download|["']hf["']|huggingface\.co|hf\.co|ollama|mlx_v?lm|LLAMA_ARG_HF_REPO|[\s"']--?hf|HF_ENDPOINT|HF_HUB_OFFLINE|TRANSFORMERS_OFFLINE|spacy\s+download|\btune["',\s]+download|litgpt|lmdeploy|mlc_llm|docker["',\s]+model|ramalama|modelscope["',\s]+download|_USE_MODELSCOPE|lm[-_]eval|llamafactory-cli|\blmf\s|train_bash\.py|\bswift["',\s]+(?:sft|pt|rlhf|infer|deploy|export|eval|sample|app|merge-lora)\b/.test(
      text,
    ) || SERVER_WORDS.some((w) => text.includes(w))
  );
}

/** A call that may run a command line from Python (python-commands.ts `RUNNERS`), by a word of its name. */
export const PYTHON_RUNNER_WORD = /\b(?:subprocess|system|popen|create_subprocess_(?:exec|shell))\b/;

/**
 * Whether Python text may run a command line that downloads a model: python-commands.ts reads it only then (and
 * is loaded only then: it brings the shell finder).
 */
export function runsCommands(text: string): boolean {
  return PYTHON_RUNNER_WORD.test(text) && mentionsShellCommandDownload(text);
}

/** A call of Node's child_process that runs a command (javascript-commands.ts `RUNNERS`), by its name. */
const JAVASCRIPT_RUNNER_WORD = /\b(?:exec|execSync|execFile|execFileSync|spawn|spawnSync)\b/;

/**
 * Whether JavaScript text may run a command line that downloads a model through child_process:
 * javascript-commands.ts reads it only then (and is loaded only then: it brings the shell finder).
 */
export function runsJavaScriptCommands(text: string): boolean {
  return text.includes('child_process') && JAVASCRIPT_RUNNER_WORD.test(text) && mentionsShellCommandDownload(text);
}

/**
 * A Python interpreter on a command line (`python`, `python3`, `python3.11`, `/usr/bin/python3`) and its options:
 * shell-python.ts reads the code it runs inline (`-c "…"`, a heredoc).
 */
export const PYTHON_INTERPRETER = String.raw`(?:^|[\s;&|(\x60])(?:[\w./-]*/)?python(?:\d+(?:\.\d+)?)?(?:\s+-[A-Za-z]+)*`;
const INLINE_PYTHON = new RegExp(`${PYTHON_INTERPRETER}(?:\\s+-c\\s*["']|(?:\\s+-)?\\s*<<)`);

/** Whether a shell script runs inline Python (`python -c "…"`, `python - <<EOF`): shell-python.ts reads it. */
export function holdsInlinePython(text: string): boolean {
  return INLINE_PYTHON.test(text);
}
