import type { CallFacts, LoaderShape, Resolved } from './calls.js';
import type { TableDownload } from './types.js';
import { CHOSEN_MEMBER, RUN_TIME } from './syntax.js';
import {
  DYNAMIC_CLASS_VIA,
  FLAIR_TORCH_LOAD,
  GENSIM_DATA,
  RAY_LLM_VIA,
  SPACY_MODELS,
  TRL_TRAINERS,
  spacyReleaseTag,
  urlFileName,
} from './ids.js';
import { PYTHON_LIBRARIES_ALONE } from './prefilter.js';
import { vllmShape } from './python-vllm.js';
import { EVALUATE_LOADS, evaluateShape } from './python-evaluate.js';
import { haystackShape } from './python-haystack.js';
import { FLAIR_EMBEDDINGS, flairEmbeddingsShape } from './python-flair-embeddings.js';
import { PANDAS_READERS, hfPathShape } from './python-hf-paths.js';
import { MODEL_FORMATS, formatFromName } from '../discover/catalogue/index.js';

/**
 * Python loaders beyond transformers' own, each read the way its library reads its arguments (the function named
 * beside each shape). calls.ts `shapeOf` asks here first.
 */

/**
 * Python calls that unpickle the file their first argument names (or an open file of it), each as its library reads
 * it: joblib.load (joblib/numpy_pickle.py), pickle.load, dill.load, cloudpickle.load, pandas.read_pickle; torch.load
 * only with weights_only=False (torch >= 2.6 loads weights only by default); numpy.load only with allow_pickle=True.
 */
export const UNPICKLERS: ReadonlySet<string> = new Set([
  'joblib.load',
  'pickle.load',
  'dill.load',
  'cloudpickle.load',
  'pandas.read_pickle',
  // Of a file's bytes (`pickle.loads(f.read())`, `pickle.loads(Path(p).read_bytes())`: calls.ts `unpickledCalls`).
  'pickle.loads',
  'dill.loads',
  'cloudpickle.loads',
]);
/** ultralytics' model classes (ultralytics/models), each an engine/model.py `Model(model=…)`. */
const ULTRALYTICS_MODELS: ReadonlySet<string> = new Set([
  'YOLO',
  'YOLOWorld',
  'YOLOE',
  'RTDETR',
  'SAM',
  'FastSAM',
  'NAS',
]);
/**
 * flair's loads that fall back to the hub (flair/nn/model.py `Model.load` → `_fetch_model`): SequenceTagger's,
 * PrefixedSequenceTagger's (HunFlair2's), and the abstract Classifier's, which asks each subclass's `_fetch_model` in
 * turn, those two among them.
 */
const FLAIR_LOADERS: ReadonlySet<string> = new Set([
  'flair.models.SequenceTagger.load',
  'flair.models.sequence_tagger_model.SequenceTagger.load',
  'flair.models.PrefixedSequenceTagger.load',
  'flair.models.prefixed_tagger.PrefixedSequenceTagger.load',
  'flair.nn.Classifier.load',
  'flair.nn.model.Classifier.load',
]);
/**
 * flair's loads whose class's `_fetch_model` knows only short names of its `model_map`, each a URL of flair's own
 * server (`FLAIR_URL_MODELS`), and reads any other name as a file (flair/nn/model.py `Model.load`:
 * `load_torch_state(cls._fetch_model(str(model_path)))`), never the hub: TextClassifier's
 * (models/text_classification_model.py) and TARSClassifier's and TARSTagger's (models/tars_model.py).
 */
const FLAIR_TEXT_URL_NAMES: ReadonlySet<string> = new Set([
  'de-offensive-language',
  'sentiment',
  'en-sentiment',
  'sentiment-fast',
  'communicative-functions',
]);
const FLAIR_TABLE_LOADERS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  (
    [
      ['TextClassifier', 'text_classification_model', FLAIR_TEXT_URL_NAMES],
      ['TARSClassifier', 'tars_model', new Set(['tars-base'])],
      ['TARSTagger', 'tars_model', new Set(['tars-ner'])],
    ] as const
  ).flatMap(([cls, module, names]) => [
    [`flair.models.${cls}.load`, names],
    [`flair.models.${module}.${cls}.load`, names],
  ]),
);
/**
 * Loaders that unpickle a checkpoint file they are given: ultralytics' model classes (nn/tasks.py `torch_safe_load`
 * through utils/patches.py `torch_load`, which passes weights_only=False) for a `.pt` file, fastai's `load_learner`
 * (fastai/learner.py: `torch.load` with weights_only=False), as its modules export it, and flair's loads of a file
 * that exists (flair/file_utils.py `load_torch_state`: `FLAIR_TORCH_LOAD`).
 */
export const CHECKPOINT_UNPICKLERS: ReadonlySet<string> = new Set([
  ...[...ULTRALYTICS_MODELS].map((m) => `ultralytics.${m}`),
  ...['learner', 'basics', 'vision.all', 'text.all', 'tabular.all', 'collab'].map((m) => `fastai.${m}.load_learner`),
  ...FLAIR_LOADERS,
  ...FLAIR_TABLE_LOADERS.keys(),
]);
/**
 * Whether an unpickler unpickles a download of this file name: ultralytics reads an exported model (`.onnx`,
 * `.engine`, `.tflite`…) with that format's runtime, and unpickles only a `.pt` checkpoint.
 */
export function unpicklesFile(unpickler: string, file: string | undefined): boolean {
  return !unpickler.startsWith('ultralytics.') || file === undefined || /\.pt$/i.test(file);
}
/** Every call `unpicklerOf` may take for an unpickler, whatever its arguments. */
export const MAY_UNPICKLE: readonly string[] = [...UNPICKLERS, ...CHECKPOINT_UNPICKLERS, 'torch.load', 'numpy.load'];
/**
 * Their modules but torch's, ultralytics' and flair's (loader words already, with loaders of their own):
 * python-snippet.ts keeps the statements that call one.
 */
const OWN_LOADER_MODULES: ReadonlySet<string> = new Set(['torch', 'ultralytics', 'flair']);
export const UNPICKLER_MODULES: readonly string[] = [
  ...new Set(MAY_UNPICKLE.map((u) => u.slice(0, u.indexOf('.'))).filter((m) => !OWN_LOADER_MODULES.has(m))),
];

/**
 * langchain's sentence-transformers embeddings and the model each loads with no `model_name`
 * (langchain_huggingface/embeddings/huggingface.py `DEFAULT_MODEL_NAME`; langchain_community/embeddings/huggingface.py
 * `DEFAULT_BGE_MODEL`, `DEFAULT_INSTRUCT_MODEL`): `SentenceTransformer(model_name, cache_folder=…, **model_kwargs)`,
 * or InstructorEmbedding's `INSTRUCTOR`, a SentenceTransformer, the same way.
 */
const LANGCHAIN_ST_EMBEDDINGS: ReadonlyMap<string, string> = new Map([
  ['HuggingFaceEmbeddings', 'sentence-transformers/all-mpnet-base-v2'],
  ['HuggingFaceBgeEmbeddings', 'BAAI/bge-large-en'],
  ['HuggingFaceInstructEmbeddings', 'hkunlp/instructor-large'],
]);
/** Module names and words python-snippet.ts must keep statements for (calls.ts PYTHON_LOADER_WORDS). */
export const PYTHON_LIBRARY_WORDS: readonly string[] = [
  'vllm',
  'llama_cpp',
  'open_clip',
  'keras_hub',
  'keras_nlp',
  'datasets',
  'from_single_file',
  // langchain's sentence-transformers embeddings (`LANGCHAIN_ST_EMBEDDINGS`).
  ...LANGCHAIN_ST_EMBEDDINGS.keys(),
  // refs5: langchain's HuggingFacePipeline.from_model_id, LlamaIndex's HuggingFaceEmbedding / HuggingFaceLLM, ollama.
  'HuggingFacePipeline',
  'HuggingFaceEmbedding',
  'HuggingFaceLLM',
  // LlamaIndex's `embed_model="local:org/name"` (`llamaIndexLocalEmbedShape`), given to any of its calls.
  'embed_model',
  'resolve_embed_model',
  // langchain's FastEmbedEmbeddings and LlamaIndex's FastEmbedEmbedding (FastEmbed's table).
  'FastEmbedEmbeddings',
  'FastEmbedEmbedding',
  // SageMaker's HuggingFaceModel (`env={"HF_MODEL_ID": …}`).
  'HuggingFaceModel',
  // Haystack 2.x's local components (python-haystack.ts): every name an import of it binds.
  'haystack',
  // The unpicklers a download may be handed to through a name (`NARROW_LOADER_MODULES`: only their load calls).
  ...UNPICKLER_MODULES,
  'ollama',
  // NeMo's AutoTokenizer and NeMo 2's `import_ckpt(source="hf://…")` (`nemoShape`).
  'nemo',
  // mlx-lm / mlx-vlm `load(repo)`; Keras 3 `load_model("hf://…")` (`keras`, and `tf.keras` from TensorFlow 2.16).
  'mlx_lm',
  'mlx_vlm',
  'keras',
  'tensorflow',
  // refs8: adapters loaded onto a model or pipeline the file holds (`ADAPTER_LOADERS`).
  'load_lora_weights',
  'load_textual_inversion',
  'load_ip_adapter',
  'load_adapter',
  'load_lora_adapter',
  'load_attn_procs',
  // ultralytics, faster-whisper, from_quantized, SpeechBrain, TensorFlow Hub, kagglehub, flair, Lightning's
  // load_from_checkpoint, gensim: the words that let a file through the byte pre-filter alone.
  ...PYTHON_LIBRARIES_ALONE,
  // basicsr's load_file_from_url and its copies (`pythonLibraryShape`).
  'load_file_from_url',
  // TRL's trainers given a hub id (`trlTrainerShape`); Ray Serve LLM's LLMConfig.
  'trl',
  'LLMConfig',
  // Quantized models: AutoAWQ, AutoGPTQ, GPTQModel (`quantizedShape`).
  'awq',
  'auto_gptq',
  'gptqmodel',
  // openai-whisper `load_model` and OpenAI CLIP `load`: downloads pinned by digest (`WHISPER_MODELS`, `CLIP_MODELS`).
  'whisper',
  'clip',
  // torchvision's model builders with pretrained weights (`torchvisionShape`).
  'torchvision',
  // spaCy's `cli.download` (`SPACY_MODELS`).
  'spacy',
  // ModelScope's SDK (calls.ts `modelScopeShape`): every name an import of it binds.
  'modelscope',
  // 🤗 evaluate's `load` (python-evaluate.ts), a metric's code from a Space.
  'evaluate',
  // Hub files read by `hf://` path through fsspec's openers (python-hf-paths.ts; HfFileSystem is a word of its own).
  'fsspec',
  // HTTP downloads of a hub file's URL (`HTTP_GETS`).
  'requests',
  'urllib',
  'httpx',
  'wget',
];

/**
 * Calls that build a file-system path (CPython posixpath.join / abspath…, pathlib.Path): a loader given one reads a
 * local folder the code computes, the way transformers' from_pretrained reads any existing directory first.
 */
export const LOCAL_PATH_CALLS: ReadonlySet<string> = new Set([
  'os.path.join',
  'os.path.abspath',
  'os.path.realpath',
  'os.path.expanduser',
  'os.path.dirname',
  'pathlib.Path',
  'pathlib.PurePath',
]);

/**
 * Whether a Python flag such as `trust_remote_code` is on. transformers' `resolve_trust_remote_code`
 * (dynamic_module_utils.py), sentence-transformers and vLLM test the value's truth (`if … and not trust_remote_code`),
 * so any non-empty string — `"False"` included — turns it on, the same as `True`.
 */
export function pythonTruthy(r: Resolved | undefined): boolean {
  return pythonTruth(r) === true;
}

/**
 * A flag's truth as Python tests it (`bool(x)`): `True`, a non-zero integer, a non-empty string are true; `False`,
 * `0`, `""` and `None` false. transformers' `resolve_trust_remote_code` (dynamic_module_utils.py) returns any value
 * given as it is and only asks (or raises) for `None`, and auto_factory.py `_BaseAutoModelClass.from_pretrained` runs
 * the repository's code on `if has_remote_code and trust_remote_code:`, so `trust_remote_code=1` runs it as `True`
 * does. A value read from the environment is judged by the default the file gives it (`os.getenv("X", "1")`: a
 * non-empty string, true); with no default (`None` when unset), by the run. `run-time`: a value only the run decides
 * (a parameter, `args.flag`, `cfg["flag"]`, a call's result), whatever its shape. Undefined: not given.
 */
export function pythonTruth(r: Resolved | undefined): boolean | 'run-time' | undefined {
  if (r === undefined) return undefined;
  if (r.notString === 'absent') return false;
  if (r.value !== undefined) return r.value === 'True' || (r.isString && r.value !== '');
  if (r.env) return r.env.truth ?? (r.env.fallback === undefined ? 'run-time' : r.env.fallback !== '');
  return r.truth;
}

/**
 * The truth of `x and y` / `x or y` from its operands': Python's `and` is false when either side is, `or` true when
 * either side is; otherwise the side only the run decides decides.
 */
export function pythonAndOr(
  op: 'and' | 'or',
  left: boolean | 'run-time' | undefined,
  right: boolean | 'run-time' | undefined,
): boolean | 'run-time' | undefined {
  const decides = op === 'or';
  if (left === decides || right === decides) return decides;
  if (left === !decides && right === !decides) return !decides;
  return left === 'run-time' || right === 'run-time' ? 'run-time' : undefined;
}

/** The truth of `not x` from the truth of `x`: python.ts and python-fast.ts read `not` and `bool(…)` alike. */
export function pythonNot(t: boolean | 'run-time' | undefined): boolean | 'run-time' | undefined {
  return typeof t === 'boolean' ? !t : t;
}
const isTrue = pythonTruthy;
const lastName = (s: string) => s.slice(s.lastIndexOf('.') + 1);
/** Python's `None` (or nothing) given for an argument. */
const none = (r: Resolved | undefined) => r?.notString === 'absent' || (r?.value === 'None' && r.isString !== true);
const inModule = (resolved: string, modules: readonly string[]) => modules.some((m) => resolved.startsWith(`${m}.`));
/** A string the code writes as it is. */
export const literal = (value: string): Resolved => ({ value, isString: true });
const literalOf = (value: string | undefined): Resolved | undefined =>
  value === undefined ? undefined : literal(value);

/** transformers' loader of a class from a repository's Python file, as its module exports it. */
const DYNAMIC_CLASS_LOADERS: ReadonlySet<string> = new Set([
  'transformers.dynamic_module_utils.get_class_from_dynamic_module',
]);

/**
 * transformers dynamic_module_utils.py `get_class_from_dynamic_module(class_reference, pretrained_model_name_or_path,
 * cache_dir, force_download, resume_download, proxies, token, revision, local_files_only, repo_type, code_revision)`:
 * `<repo>--<module>.<Class>` names the repository in the reference, else it is the second argument; `code_revision`,
 * else (for that same repository) `revision`, is the revision `get_cached_module_file` downloads `<module>.py` at, and
 * `get_class_in_module` imports it: the repository's code runs, with no trust_remote_code asked.
 */
function dynamicClassShape(
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape {
  const reference = (kw('class_reference') ?? pos(0))?.value;
  const given = kw('pretrained_model_name_or_path') ?? pos(1);
  const split = reference?.indexOf('--') ?? -1;
  const named = split >= 0 ? reference!.slice(0, split) : undefined;
  const inRepo = split >= 0 ? reference!.slice(split + 2) : reference;
  const sameRepo = named === undefined || named === given?.value;
  const dot = inRepo?.indexOf('.') ?? -1;
  return {
    via: DYNAMIC_CLASS_VIA,
    name: named !== undefined ? literal(named) : given,
    revision: kw('code_revision') ?? (sameRepo ? (kw('revision') ?? pos(7)) : undefined),
    ...(dot > 0 ? { file: literal(`${inRepo!.slice(0, dot)}.py`) } : {}),
    runsRemoteCode: true,
  };
}

/** SetFit's model classes (setfit/modeling.py, setfit/span/modeling.py) and the head file each unpickles. */
const SETFIT_MODELS: ReadonlySet<string> = new Set(['SetFitModel', 'AspectModel', 'PolarityModel']);
const SETFIT_HEAD = 'model_head.pkl';

/** faster_whisper/utils.py `_MODELS`: the sizes `download_model` maps to hub repos. */
const FASTER_WHISPER_MODELS: ReadonlyMap<string, string> = new Map([
  ...['tiny', 'base', 'small', 'medium'].flatMap((s): [string, string][] => [
    [s, `Systran/faster-whisper-${s}`],
    [`${s}.en`, `Systran/faster-whisper-${s}.en`],
  ]),
  ['large-v1', 'Systran/faster-whisper-large-v1'],
  ['large-v2', 'Systran/faster-whisper-large-v2'],
  ['large-v3', 'Systran/faster-whisper-large-v3'],
  ['large', 'Systran/faster-whisper-large-v3'],
  ['distil-large-v2', 'Systran/faster-distil-whisper-large-v2'],
  ['distil-medium.en', 'Systran/faster-distil-whisper-medium.en'],
  ['distil-small.en', 'Systran/faster-distil-whisper-small.en'],
  ['distil-large-v3', 'Systran/faster-distil-whisper-large-v3'],
  ['distil-large-v3.5', 'distil-whisper/distil-large-v3.5-ct2'],
  ['large-v3-turbo', 'mobiuslabsgmbh/faster-whisper-large-v3-turbo'],
  ['turbo', 'mobiuslabsgmbh/faster-whisper-large-v3-turbo'],
]);

/** A library's table of downloads pinned by digest: where they are, and per name the SHA-256 and the file. */
interface DigestTable {
  readonly base: string;
  readonly models: ReadonlyMap<string, readonly [sha256: string, file: string]>;
}

/** openai-whisper whisper/__init__.py `_MODELS` (`large` is large-v3, `turbo` large-v3-turbo: the same files). */
const WHISPER_MODELS: DigestTable = {
  base: 'https://openaipublic.azureedge.net/main/whisper/models',
  models: withAliases(
    new Map(
      (
        [
          ['tiny.en', 'd3dd57d32accea0b295c96e26691aa14d8822fac7d9d27d5dc00b4ca2826dd03'],
          ['tiny', '65147644a518d12f04e32d6f3b26facc3f8dd46e5390956a9424a650c0ce22b9'],
          ['base.en', '25a8566e1d0c1e2231d1c762132cd20e0f96a85d16145c3a00adf5d1ac670ead'],
          ['base', 'ed3a0b6b1c0edf879ad9b11b1af5a0e6ab5db9205f891f668f8b0e6c6326e34e'],
          ['small.en', 'f953ad0fd29cacd07d5a9eda5624af0f6bcf2258be67c92b79389873d91e0872'],
          ['small', '9ecf779972d90ba49c06d968637d720dd632c55bbf19d441fb42bf17a411e794'],
          ['medium.en', 'd7440d1dc186f76616474e0ff0b3b6b879abc9d1a4926b7adfa41db2d497ab4f'],
          ['medium', '345ae4da62f9b3d59415adc60127b97c714f32e89e936602e85993674d08dcb1'],
          ['large-v1', 'e4b87e7e0bf463eb8e6956e646f1e277e901512310def2c24bf0e11bd3c28e9a'],
          ['large-v2', '81f7c96c852ee8fc832187b0132e569d6c3065a3252ed18e56effd0b6a73e524'],
          ['large-v3', 'e5b1a55b89c1367dacf97e3e19bfd829a01529dbfdeefa8caeb59b3f1b81dadb'],
          ['large-v3-turbo', 'aff26ae408abcba5fbf8813c21e62b0941638c5f6eebfb145be0c9839262a19a'],
        ] as const
      ).map(([n, sha]): [string, readonly [string, string]] => [n, [sha, `${n}.pt`]]),
    ),
    { large: 'large-v3', turbo: 'large-v3-turbo' },
  ),
};

/** `table` with each alias standing for the entry it names. */
function withAliases<V>(table: Map<string, V>, aliases: Readonly<Record<string, string>>): Map<string, V> {
  for (const [alias, name] of Object.entries(aliases)) table.set(alias, table.get(name)!);
  return table;
}

/** OpenAI CLIP clip/clip.py `_MODELS` (the file is the name with `/` and `@` as `-`). */
const CLIP_MODELS: DigestTable = {
  base: 'https://openaipublic.azureedge.net/clip/models',
  models: new Map(
    (
      [
        ['RN50', 'afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762'],
        ['RN101', '8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599'],
        ['RN50x4', '7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd'],
        ['RN50x16', '52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa'],
        ['RN50x64', 'be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c'],
        ['ViT-B/32', '40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af'],
        ['ViT-B/16', '5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f'],
        ['ViT-L/14', 'b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836'],
        ['ViT-L/14@336px', '3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02'],
      ] as const
    ).map(([n, sha]): [string, readonly [string, string]] => [n, [sha, `${n.replace(/[/@]/g, '-')}.pt`]]),
  ),
};

/**
 * A call of a digest table's loader with `given` as its name: the table's URL and digest for a name of the table
 * (an environment variable's or command-line argument's default too, named with it); a name chosen at run time is a
 * note; any other name is a local file, which downloads nothing.
 */
function digestTableShape(via: string, given: Resolved | undefined, table: DigestTable): LoaderShape | undefined {
  const env = given?.value === undefined ? given?.env : undefined;
  const v = given?.value ?? env?.fallback;
  const entry = v === undefined ? undefined : table.models.get(v);
  if (entry === undefined)
    // `whisper.load_model(args.size)` with no default the file decides: one of the table's or a file, at run time.
    return v === undefined
      ? { via, name: given && (env ? { ...RUN_TIME, env } : RUN_TIME), runsRemoteCode: false }
      : undefined;
  const [sha256, file] = entry;
  const url = `${table.base}/${sha256}/${file}`;
  return {
    via,
    name: env ? { value: undefined, isString: true, env: { ...env, fallback: url } } : literal(url),
    runsRemoteCode: false,
    sha256,
  };
}

/** torchvision/models/_api.py `WeightsEnum.get_state_dict`: torch.hub's `load_state_dict_from_url(url, check_hash=True)`. */
const TORCHVISION_DOWNLOAD: TableDownload = { library: 'torchvision', host: 'download.pytorch.org', check: 'prefix' };

/** Functions of torchvision.models that build no model (models/_api.py). */
const TORCHVISION_NOT_BUILDERS: ReadonlySet<string> = new Set([
  'get_model_weights',
  'get_weight',
  'list_models',
  'get_model_builder',
]);

/**
 * The detection and segmentation builders whose `weights_backbone` defaults to ImageNet weights (their signatures in
 * torchvision/models/detection and segmentation): called with neither `weights` nor `weights_backbone`, they
 * download the backbone's. Each builder sets `weights_backbone = None` when `weights` is given. (The `_v2` builders
 * default to None; `pretrained_backbone=True` still maps to ImageNet weights for them, `handle_legacy_interface`.)
 */
const TORCHVISION_BACKBONE_DEFAULTS: ReadonlyMap<string, string> = new Map<string, string>([
  ['fasterrcnn_resnet50_fpn', 'ResNet50_Weights.IMAGENET1K_V1'],
  ['fasterrcnn_mobilenet_v3_large_fpn', 'MobileNet_V3_Large_Weights.IMAGENET1K_V1'],
  ['fasterrcnn_mobilenet_v3_large_320_fpn', 'MobileNet_V3_Large_Weights.IMAGENET1K_V1'],
  ['fcos_resnet50_fpn', 'ResNet50_Weights.IMAGENET1K_V1'],
  ['keypointrcnn_resnet50_fpn', 'ResNet50_Weights.IMAGENET1K_V1'],
  ['maskrcnn_resnet50_fpn', 'ResNet50_Weights.IMAGENET1K_V1'],
  ['retinanet_resnet50_fpn', 'ResNet50_Weights.IMAGENET1K_V1'],
  ['ssd300_vgg16', 'VGG16_Weights.IMAGENET1K_FEATURES'],
  ['ssdlite320_mobilenet_v3_large', 'MobileNet_V3_Large_Weights.IMAGENET1K_V1'],
  ['deeplabv3_resnet50', 'ResNet50_Weights.IMAGENET1K_V1'],
  ['deeplabv3_resnet101', 'ResNet101_Weights.IMAGENET1K_V1'],
  ['deeplabv3_mobilenet_v3_large', 'MobileNet_V3_Large_Weights.IMAGENET1K_V1'],
  ['fcn_resnet50', 'ResNet50_Weights.IMAGENET1K_V1'],
  ['fcn_resnet101', 'ResNet101_Weights.IMAGENET1K_V1'],
  ['lraspp_mobilenet_v3_large', 'MobileNet_V3_Large_Weights.IMAGENET1K_V1'],
]);

/**
 * torchvision's model builders (torchvision/models/*.py, through `_api.py` `get_model` too): `weights` not None — an
 * enum member, its name as a string (`"DEFAULT"`, `"IMAGENET1K_V2"`), or the legacy `pretrained=True`
 * (`_utils.py` `handle_legacy_interface`; a first positional `True`, `_kwonly_to_pos_or_kw`) —
 * is `weights.get_state_dict(…, check_hash=True)`: torch.hub's `load_state_dict_from_url` of the URL the table
 * names, checked only against the SHA-256 prefix in its file name. `weights_backbone` (legacy `pretrained_backbone`)
 * downloads the backbone's the same way, by default for the builders of `TORCHVISION_BACKBONE_DEFAULTS`.
 */
function torchvisionShape(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
  name: string,
): LoaderShape | undefined {
  // `models.__dict__[args.arch](pretrained=True)`: a builder chosen at run time (syntax.ts CHOSEN_MEMBER).
  const chosen = name === CHOSEN_MEMBER;
  if (!chosen && (!/^[a-z][a-z0-9_]*$/.test(name) || TORCHVISION_NOT_BUILDERS.has(name))) return undefined;
  const getModel = name === 'get_model';
  const model = getModel ? ((kw('name') ?? pos(0))?.value ?? '<chosen at run time>') : name;
  const table = (label: string): LoaderShape => ({
    via: chosen ? f.written.replace(CHOSEN_MEMBER, '<builder chosen at run time>') : f.resolved,
    name: undefined,
    runsRemoteCode: false,
    table: chosen ? label : `${model} ${label}`,
    fetched: TORCHVISION_DOWNLOAD,
  });
  // A first positional `True` is the deprecated `resnet50(True)`; any other positional belongs to a function of the
  // package that takes a model (`create_feature_extractor(model, …)`, `quantize_model(model, …)`), not weights.
  const first = getModel ? undefined : pos(0);
  const weights = weightsLabel('weights', kw('weights') ?? (first?.value === 'True' ? first : undefined));
  if (weights !== undefined) return table(weights);
  // A flag only the run decides (`pretrained=pretrained`, `cfg.pretrained`; `pythonTruth`) may ask for the weights.
  const pretrained = pythonTruth(kw('pretrained'));
  if (kw('weights') === undefined && (pretrained === true || pretrained === 'run-time'))
    return table(pretrained === true ? 'pretrained=True' : 'pretrained chosen at run time');
  const backbone = kw('weights_backbone');
  if (backbone !== undefined) {
    const label = weightsLabel('weights_backbone', backbone);
    return label === undefined ? undefined : table(label);
  }
  const legacy = kw('pretrained_backbone');
  if (legacy !== undefined) {
    const on = pythonTruth(legacy);
    if (on === 'run-time') return table('pretrained_backbone chosen at run time');
    return on === true ? table('pretrained_backbone=True') : undefined;
  }
  const byDefault = TORCHVISION_BACKBONE_DEFAULTS.get(model);
  // `**kwargs` may pass weights or weights_backbone: the file does not say which.
  return byDefault !== undefined && !f.splat ? table(`weights_backbone=${byDefault} (its default)`) : undefined;
}

/** How a `weights` argument reads in a finding, or undefined for None / False (no download). */
function weightsLabel(key: string, r: Resolved | undefined): string | undefined {
  if (r === undefined || r.notString === 'absent' || r.value === 'None' || r.value === 'False') return undefined;
  if (r.value === 'True') return `${key}=True`;
  return r.isString && r.value !== undefined ? `${key}="${r.value}"` : `${key}=…`;
}

/** The loaders of the digest tables: `whisper.load_model`, CLIP's `load` (`clip.clip.load`, re-exported as `clip.load`). */
const DIGEST_LOADERS: ReadonlyMap<string, DigestTable> = new Map([
  ['whisper.load_model', WHISPER_MODELS],
  ['clip.load', CLIP_MODELS],
  ['clip.clip.load', CLIP_MODELS],
]);

/** LlamaIndex's defaults (llama_index/embeddings/huggingface/utils.py, llama_index/llms/huggingface/base.py). */
const LLAMA_INDEX_DEFAULT_EMBEDDING = 'BAAI/bge-small-en';
const LLAMA_INDEX_DEFAULT_LLM = 'StabilityAI/stablelm-tuned-alpha-3b';

/**
 * diffusers `from_single_file`: single_file_utils `_extract_repo_id_and_weights_name` strips the huggingface.co
 * prefix and only a `blob/main/` segment, and downloads `weights_name` at the `revision` keyword (default: the main
 * branch). A commit written in the URL is therefore not what loads: the revision comes from the keyword alone.
 * Anything that is not such a URL is a local file.
 */
function singleFileShape(f: CallFacts, kw: (k: string) => Resolved | undefined): LoaderShape | undefined {
  const n = kw('pretrained_model_link_or_path') ?? kw('pretrained_model_name_or_path') ?? f.positional[0];
  const v = n?.value;
  if (v === undefined) return { via: f.written, name: n, runsRemoteCode: false };
  if (!/^(?:https?:\/\/)?(?:huggingface\.co|hf\.co)\//.test(v)) return undefined;
  let rest = v;
  for (const prefix of ['https://huggingface.co/', 'huggingface.co/', 'hf.co/', 'https://hf.co/'])
    rest = rest.split(prefix).join('');
  const m = /^([^/]+)\/([^/]+)\/(?:blob\/main\/)?(.+)/.exec(rest);
  if (!m) return undefined;
  return {
    via: f.written,
    name: literal(`${m[1]}/${m[2]}`),
    revision: kw('revision'),
    file: literal(m[3]!),
    runsRemoteCode: false,
  };
}

/**
 * Adapter weights a model or pipeline object downloads onto itself, matched by method name (the object's class is
 * not known here, as for `from_pretrained`): `[repo argument keywords, position of weight_name]`.
 * - diffusers lora_pipeline.py `load_lora_weights(pretrained_model_name_or_path_or_dict, adapter_name=None,
 *   **kwargs)` → `lora_state_dict` → `_fetch_state_dict(…, weight_name, …, revision, subfolder)` → `_get_model_file`
 *   (hf_hub_download at `revision`);
 * - diffusers textual_inversion.py `load_textual_inversion(pretrained_model_name_or_path, token=None, …, **kwargs)`
 *   (its `token` is the prompt word the embedding binds, not a credential), `revision` and `weight_name` in kwargs;
 * - diffusers ip_adapter.py `load_ip_adapter(pretrained_model_name_or_path_or_dict, subfolder, weight_name,
 *   image_encoder_folder="image_encoder", **kwargs)`: the adapter and its image encoder from the same repo at
 *   `revision`;
 * - transformers integrations/peft.py `load_adapter(peft_model_id=None, adapter_name=None, revision=None, …)` and
 *   peft `PeftModel.load_adapter(model_id, adapter_name, …, **kwargs)` (hf_hub_download at kwargs' `revision`);
 * - diffusers loaders/peft.py `load_lora_adapter(pretrained_model_name_or_path_or_dict, prefix="transformer",
 *   **kwargs)` (a model's own, as `pipe.transformer.load_lora_adapter(…)`) and loaders/unet.py
 *   `load_attn_procs(pretrained_model_name_or_path_or_dict, **kwargs)`: `_fetch_state_dict(…, weight_name, …,
 *   revision, subfolder)` as load_lora_weights.
 */
const ADAPTER_LOADERS: ReadonlyMap<string, readonly [keys: readonly string[], weightAt: number | undefined]> = new Map([
  ['load_lora_weights', [['pretrained_model_name_or_path_or_dict'], undefined]],
  ['load_textual_inversion', [['pretrained_model_name_or_path'], undefined]],
  ['load_ip_adapter', [['pretrained_model_name_or_path_or_dict'], 2]],
  ['load_adapter', [['peft_model_id', 'model_id'], undefined]],
  ['load_lora_adapter', [['pretrained_model_name_or_path_or_dict'], undefined]],
  ['load_attn_procs', [['pretrained_model_name_or_path_or_dict'], undefined]],
]);

/** Keras 3 `load_model` (`pythonLibraryShape`), as Keras and TensorFlow 2.16+ export it. */
const KERAS_LOAD_MODEL: ReadonlySet<string> = new Set([
  'keras.saving.load_model',
  'keras.models.load_model',
  'keras.src.saving.saving_api.load_model',
  'tensorflow.keras.saving.load_model',
  'tensorflow.keras.models.load_model',
]);

/** The modules Keras's pretrained applications are built from (`tf.keras` is Keras from TensorFlow). */
const KERAS_APPLICATIONS = ['keras.applications', 'tensorflow.keras.applications', 'keras.src.applications'];
/** keras/src/utils/file_utils.py `get_file` with the `file_hash` each application lists (md5 or SHA-256, whole). */
const KERAS_DOWNLOAD: TableDownload = { library: 'Keras', host: 'storage.googleapis.com', check: 'full' };

/**
 * Keras `utils.get_file` as Keras 3 (keras/src/utils/file_utils.py) and tf.keras 2 (keras/utils/data_utils.py,
 * tensorflow/python/keras/utils/data_utils.py) export it: `get_file(fname=None, origin=None, untar=False,
 * md5_hash=None, file_hash=None, cache_subdir="datasets", hash_algorithm="auto", …)`.
 */
const KERAS_GET_FILE: ReadonlySet<string> = new Set([
  'keras.utils.get_file',
  'keras.src.utils.file_utils.get_file',
  'keras.utils.data_utils.get_file',
  'keras.utils.file_utils.get_file',
  'tensorflow.keras.utils.get_file',
  'tensorflow.python.keras.utils.data_utils.get_file',
  'tensorflow.compat.v1.keras.utils.get_file',
  'tensorflow.compat.v2.keras.utils.get_file',
]);

/**
 * FastEmbed's model classes (fastembed/__init__.py and their modules): each looks `model_name` up in its own table of
 * supported models (an unknown name is a ValueError), whose entry names a hub repo — often not the name given
 * (`BAAI/bge-small-en-v1.5` is `qdrant/bge-small-en-v1.5-onnx-q`) — and a tarball URL.
 */
const FASTEMBED_CLASSES: ReadonlySet<string> = new Set([
  'TextEmbedding',
  'SparseTextEmbedding',
  'LateInteractionTextEmbedding',
  'LateInteractionMultimodalEmbedding',
  'ImageEmbedding',
  'TextCrossEncoder',
]);
/** fastembed/text/text_embedding.py `TextEmbedding.__init__(model_name="BAAI/bge-small-en-v1.5", …)`. */
const FASTEMBED_DEFAULT = 'BAAI/bge-small-en-v1.5';
/**
 * fastembed/common/model_management.py `download_model`: `snapshot_download(repo_id=<the table's hf source>, …)` with
 * no revision — the default branch — and, when the hub fails, `retrieve_model_gcs` of the table's tarball URL with
 * no digest check. `specific_model_path=` loads a folder instead, downloading nothing.
 */
const FASTEMBED_DOWNLOAD: TableDownload = {
  library: 'FastEmbed',
  host: 'huggingface.co',
  check: 'branch',
  local: 'specific_model_path',
};

/**
 * nltk/downloader.py `Downloader.download(info_or_id)` (the module's `download` is a default Downloader's): the
 * package's URL and MD5 come from `index.xml`, fetched at run time from the nltk_data repository's gh-pages branch.
 * NLTK before 3.9 loads some packages (punkt, averaged_perceptron_tagger, maxent_ne_chunker…) with pickle.
 */
const NLTK_DOWNLOAD: TableDownload = {
  library: 'NLTK',
  host: 'raw.githubusercontent.com',
  index: 'raw.githubusercontent.com/nltk/nltk_data (gh-pages)',
  check: 'index',
  what: 'the data package',
  loads:
    'NLTK before 3.9 loads several such packages (punkt, averaged_perceptron_tagger, maxent_ne_chunker) with pickle, which runs whatever code the package names (CVE-2024-39705).',
  local: 'nltk.data.path',
};
/**
 * gpt4all/gpt4all.py `GPT4All.retrieve_model`: with allow_download, the entry of `models3.json` (fetched at run time
 * from gpt4all.io) whose filename is the name gives the URL (default `https://gpt4all.io/models/gguf/<name>`) and the
 * `md5sum` `download_model` checks.
 */
const GPT4ALL_DOWNLOAD: TableDownload = {
  library: 'GPT4All',
  host: 'gpt4all.io',
  index: 'gpt4all.io (models3.json)',
  check: 'index',
  local: 'model_path=…, allow_download=False',
};
/**
 * stanza/resources/common.py `download_resources_json` then `download_models`: `resources_<version>.json` from the
 * stanza-resources repository's main branch gives each model file's MD5; the files come from the hub repo
 * `stanfordnlp/stanza-<lang>` at the tag `v<resources version>`. `Pipeline(…, download_method=None)` downloads nothing.
 */
const STANZA_DOWNLOAD: TableDownload = {
  library: 'Stanza',
  host: 'huggingface.co (stanfordnlp/stanza-<lang>, a version tag)',
  index: 'raw.githubusercontent.com/stanfordnlp/stanza-resources (main)',
  check: 'index',
  local: 'dir=…, download_method=None',
};

/** huggingface_hub's loaders for fastai and Keras models, as the package and its modules export them. */
const FASTAI_OR_KERAS: ReadonlySet<string> = new Set([
  'huggingface_hub.from_pretrained_fastai',
  'huggingface_hub.fastai_utils.from_pretrained_fastai',
  'huggingface_hub.from_pretrained_keras',
  'huggingface_hub.keras_mixin.from_pretrained_keras',
]);

/** flair/models/sequence_tagger_model.py `_fetch_model` `huggingface_model_map`: short names for hub repos. */
const FLAIR_HUB_NAMES: ReadonlyMap<string, string> = new Map([
  ['ner', 'flair/ner-english'],
  ['ner-fast', 'flair/ner-english-fast'],
  ['ner-ontonotes', 'flair/ner-english-ontonotes'],
  ['ner-ontonotes-fast', 'flair/ner-english-ontonotes-fast'],
  ['ner-large', 'flair/ner-english-large'],
  ['ner-ontonotes-large', 'flair/ner-english-ontonotes-large'],
  ['de-ner-large', 'flair/ner-german-large'],
  ['nl-ner-large', 'flair/ner-dutch-large'],
  ['es-ner-large', 'flair/ner-spanish-large'],
  ['ner-multi', 'flair/ner-multi'],
  ['multi-ner', 'flair/ner-multi'],
  ['ner-multi-fast', 'flair/ner-multi-fast'],
  ['upos', 'flair/upos-english'],
  ['upos-fast', 'flair/upos-english-fast'],
  ['pos', 'flair/pos-english'],
  ['pos-fast', 'flair/pos-english-fast'],
  ['pos-multi', 'flair/upos-multi'],
  ['multi-pos', 'flair/upos-multi'],
  ['pos-multi-fast', 'flair/upos-multi-fast'],
  ['multi-pos-fast', 'flair/upos-multi-fast'],
  ['frame', 'flair/frame-english'],
  ['frame-fast', 'flair/frame-english-fast'],
  ['chunk', 'flair/chunk-english'],
  ['chunk-fast', 'flair/chunk-english-fast'],
  ['da-ner', 'flair/ner-danish'],
  ['de-ner', 'flair/ner-german'],
  ['de-ler', 'flair/ner-german-legal'],
  ['de-ner-legal', 'flair/ner-german-legal'],
  ['fr-ner', 'flair/ner-french'],
  ['nl-ner', 'flair/ner-dutch'],
  ['ner-ukrainian', 'dchaplinsky/flair-uk-ner'],
  ['pos-ukrainian', 'dchaplinsky/flair-uk-pos'],
  ['de-historic-direct', 'aehrm/redewiedergabe-direct'],
  ['de-historic-indirect', 'aehrm/redewiedergabe-indirect'],
  ['de-historic-reported', 'aehrm/redewiedergabe-reported'],
  ['de-historic-free-indirect', 'aehrm/redewiedergabe-freeindirect'],
]);
/**
 * flair/models/prefixed_tagger.py `PrefixedSequenceTagger._fetch_model` `huggingface_model_map`: HunFlair2's short
 * names, which SequenceTagger's own map lacks (its hub download of the bare name finds no repository, so
 * Classifier.load goes on to PrefixedSequenceTagger).
 */
const FLAIR_PREFIXED_HUB_NAMES: ReadonlyMap<string, string> = new Map([
  ['hunflair2', 'hunflair/hunflair2-ner'],
  ['bioner', 'hunflair/hunflair2-ner'],
]);
/** The same method's `hu_model_map`: short names fetched by URL (`cached_path`) with no digest. */
const FLAIR_URL_NAMES: ReadonlySet<string> = new Set([
  'ner-pooled',
  'frame-large',
  'da-pos',
  'de-pos',
  'de-pos-tweets',
  'de-ner-germeval',
  'ar-ner',
  'ar-pos',
  'nl-ner-rnn',
  'ml-pos',
  'ml-upos',
  'pt-pos-clinical',
  'negation-speculation',
  'hunflair-cellline',
  'hunflair-chemical',
  'hunflair-disease',
  'hunflair-gene',
  'hunflair-species',
]);
/**
 * What the abstract Classifier's load fetches by URL: it asks each subclass's `_fetch_model` in turn and loads the
 * first name one changes (flair/nn/model.py `Model.load`), SequenceTagger's and those of `FLAIR_TABLE_LOADERS`.
 */
const FLAIR_CLASSIFIER_URL_NAMES: ReadonlySet<string> = new Set([
  ...FLAIR_URL_NAMES,
  ...[...FLAIR_TABLE_LOADERS.values()].flatMap((names) => [...names]),
]);
const FLAIR_URL_MODELS: TableDownload = {
  library: 'flair',
  host: 'nlp.informatik.hu-berlin.de',
  check: 'none',
  loads: `Then ${FLAIR_TORCH_LOAD} unpickles them, so whoever can change what that server answers runs code here.`,
};

/**
 * flair `SequenceTagger.load(model_path)` (flair/models/sequence_tagger_model.py `_fetch_model`): a file that exists
 * is read; a short name of `huggingface_model_map` is that hub repo, one of `hu_model_map` a URL of flair's own table;
 * anything else is the hub's `pytorch_model.bin` of that name, at the revision after an `@` (`model_name.split("@")`:
 * the repo is the first part, the revision the last) or `main`. What loads is unpickled (`FLAIR_TORCH_LOAD`).
 * The classes of `FLAIR_TABLE_LOADERS` fetch only their own short names; the abstract Classifier any subclass's.
 */
function flairShape(f: CallFacts, arg: Resolved | undefined): LoaderShape | undefined {
  const v = arg?.value;
  const urlNames = FLAIR_TABLE_LOADERS.get(f.resolved);
  const table = urlNames ?? (f.resolved.includes('.Classifier.') ? FLAIR_CLASSIFIER_URL_NAMES : FLAIR_URL_NAMES);
  if (v !== undefined && table.has(v))
    return { via: f.written, name: arg, runsRemoteCode: false, table: v, tableFile: v, fetched: FLAIR_URL_MODELS };
  // Any other name of these is a file of the app's own (a download handed over is that download's finding).
  if (urlNames !== undefined) return undefined;
  // The name as written, or the default of the environment variable it is read from (`os.environ.get("NER", …)`).
  const written = v ?? arg?.env?.fallback;
  // A name the file does not show: most often a checkpoint of the app's own (a file handed over from a download is
  // that download's finding: `CHECKPOINT_UNPICKLERS`).
  if (arg === undefined || written === undefined) return { via: f.written, name: arg, runsRemoteCode: false };
  const hub =
    v === undefined
      ? undefined
      : (FLAIR_HUB_NAMES.get(v) ??
        (f.resolved.includes('.SequenceTagger.') ? undefined : FLAIR_PREFIXED_HUB_NAMES.get(v)));
  const parts = hub === undefined ? written.split('@') : [];
  // An empty revision (`org/x@`) names no commit: judged as none.
  const revision = parts.length > 1 && parts[parts.length - 1] !== '' ? parts[parts.length - 1] : undefined;
  const pinned =
    parts.length > 1
      ? {
          name: withText(arg, parts[0]!),
          ...(revision !== undefined ? { revision: withText(arg, revision) } : {}),
          localFile: written,
        }
      : { name: hub !== undefined ? literal(hub) : arg };
  return {
    via: f.written,
    ...pinned,
    file: literal('pytorch_model.bin'),
    runsRemoteCode: true,
    unpickledBy: FLAIR_TORCH_LOAD,
  };
}

/**
 * flair's transformer embeddings, as flair.embeddings and the modules that define them export them
 * (embeddings/token.py, document.py, transformer.py), each a hub model by name.
 */
const FLAIR_TRANSFORMER_EMBEDDINGS: ReadonlySet<string> = new Set(
  [
    ['TransformerWordEmbeddings', 'token'],
    ['TransformerDocumentEmbeddings', 'document'],
    ['TransformerEmbeddings', 'transformer'],
  ].flatMap(([cls, module]) => [`flair.embeddings.${cls!}`, `flair.embeddings.${module!}.${cls!}`]),
);

/**
 * flair `TransformerWordEmbeddings(model="bert-base-uncased", …, **kwargs)` and its siblings
 * (flair/embeddings/transformer.py `TransformerEmbeddings.__init__`): AutoTokenizer's, AutoConfig's and AutoModel's
 * `from_pretrained(model, …, **kwargs)`, so the call's `revision=` and `trust_remote_code=` reach each of them.
 */
function flairTransformerShape(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined {
  const model = kw('model') ?? pos(0);
  // A splat may name the model: the run time's, as far as the file shows.
  if (model === undefined && f.splat) return undefined;
  return {
    via: f.written,
    name: model ?? literal('bert-base-uncased'),
    revision: kw('revision'),
    runsRemoteCode: isTrue(kw('trust_remote_code')),
  };
}

/** A part of a name: in place of its text, or of the default of the environment variable it is read from. */
const withText = (r: Resolved, text: string): Resolved =>
  r.value === undefined && r.env !== undefined ? { ...r, env: { ...r.env, fallback: text } } : { ...r, value: text };

/** keras_hub's built-in presets: a versioned Kaggle Models handle each, fetched by kagglehub with no pinned digest. */
const KERAS_HUB_PRESETS: TableDownload = { library: 'KerasHub', host: 'www.kaggle.com', check: 'none' };

/** nemo/utils/cloud.py `maybe_download_from_cloud`: the .nemo file the model's NGC entry names, no digest. */
const NGC_DOWNLOAD: TableDownload = { library: 'NeMo', host: 'api.ngc.nvidia.com', check: 'none' };

/** torch.hub.load (calls.ts `shapeOf`): a GitHub repository's hubconf.py, run. */
export const TORCH_HUB_LOAD = 'torch.hub.load';
/**
 * torch/hub.py's functions that fetch `github` ("owner/repo[:ref]") with `_get_cache_or_reload` and import its
 * hubconf.py: `load` (unless `source="local"`), and `list` and `help`, which import it to read its entrypoints.
 */
export const TORCH_HUB_IMPORTS: ReadonlySet<string> = new Set([TORCH_HUB_LOAD, 'torch.hub.list', 'torch.hub.help']);
/**
 * torch.hub's downloads by URL (`pythonLibraryShape`), beside `torch.hub.load` (calls.ts `shapeOf`), each with the name
 * a finding gives it: torch.utils.model_zoo `load_url` is torch.hub's function under its old name, and torchvision's
 * models/utils.py (before 0.13) re-exported it for the model code of that time.
 */
const TORCH_URL_LOADERS: ReadonlyMap<string, string> = new Map([
  ['torch.hub.load_state_dict_from_url', 'torch.hub.load_state_dict_from_url'],
  ['torch.hub.download_url_to_file', 'torch.hub.download_url_to_file'],
  ['torch.utils.model_zoo.load_url', 'torch.utils.model_zoo.load_url'],
  ['torchvision.models.utils.load_state_dict_from_url', 'torch.hub.load_state_dict_from_url'],
]);

/**
 * torch/hub.py, read as it runs. `download_url_to_file(url, dst, hash_prefix=None, progress=True)` hashes what it
 * downloads and raises unless `sha256.hexdigest()[:len(hash_prefix)] == hash_prefix`: all 64 lowercase hex digits
 * pin the bytes (a digest like openai-whisper's); fewer narrow them without fixing them; `""` checks nothing.
 * `load_state_dict_from_url(url, model_dir, map_location, progress, check_hash=False, file_name=None,
 * weights_only=False)` (torch.utils.model_zoo `load_url` is the same function) takes that prefix, when check_hash is
 * set, from the file name — `file_name`, else the URL path's last segment — by `HASH_REGEX.search` (`-([a-f0-9]*)\.`:
 * usually 8 digits), and returns `torch.load(…, weights_only=weights_only)`: a full unpickling unless the call passes
 * weights_only=True, and a pickle runs whatever it names — pinned or not, as trust_remote_code runs a pinned repo's code.
 */
function torchHubUrlShape(
  resolved: string,
  url: Resolved,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape {
  const download = resolved === 'torch.hub.download_url_to_file';
  return {
    via: resolved,
    name: url,
    runsRemoteCode: !download && !isTrue(kw('weights_only') ?? pos(6)),
    ...(download ? hashPrefixArgument(kw('hash_prefix') ?? pos(2)) : checkHashPrefix(kw, pos)),
  };
}

/**
 * Keras `get_file` (keras/src/utils/file_utils.py), read as it runs: it downloads `origin` into the Keras cache as
 * `fname` (the URL's last path segment when None), and with a hash raises unless `validate_file` matches the whole
 * hex digest — `md5_hash` alone sets `file_hash = md5_hash; hash_algorithm = "md5"`, and `resolve_hasher` takes
 * SHA-256 for `hash_algorithm="sha256"`, or "auto" with 64 characters, MD5 otherwise. A download counts as a model's
 * when its name is a model file's (the format catalogue; not NumPy arrays, which `keras.datasets` fetch this way) or
 * it goes to `cache_subdir="models"`, as the applications' weights do; an archive, a data file or a URL the code
 * computes says nothing of a model (like torch.hub's download_url_to_file).
 */
function kerasGetFileShape(
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined {
  const origin = kw('origin') ?? pos(1);
  const url = origin?.value;
  if (origin === undefined || url === undefined || !/^https?:\/\//.test(url)) return undefined;
  const fname = kw('fname') ?? pos(0);
  const name = fname?.isString === true && fname.value !== undefined ? fname.value : urlFileName(url);
  const format = formatFromName(name);
  const model = format !== undefined && MODEL_FORMATS.has(format) && format !== 'numpy' && format !== 'numpy-npz';
  if (
    !model &&
    (kw('cache_subdir') ?? pos(5))?.value !== 'models' &&
    !/^https?:\/\/(hf\.co|huggingface\.co)\//.test(url)
  )
    return undefined;
  return {
    via: 'keras.utils.get_file',
    name: origin,
    runsRemoteCode: false,
    urlOnly: true,
    ...kerasHashCheck(kw, pos),
  };
}

/** What `get_file`'s `file_hash` / `md5_hash` / `hash_algorithm` check (keras file_utils.py `validate_file`). */
function kerasHashCheck(kw: (k: string) => Resolved | undefined, pos: (i: number) => Resolved | undefined): HashCheck {
  const given = (r: Resolved | undefined) => r !== undefined && r.notString !== 'absent' && r.value !== 'None';
  const fileHash = kw('file_hash') ?? pos(4);
  const md5Hash = kw('md5_hash') ?? pos(3);
  const hash = given(fileHash) ? fileHash : given(md5Hash) ? md5Hash : undefined;
  if (hash === undefined) return {};
  const algorithmArg = kw('hash_algorithm') ?? pos(6);
  const algorithm = hash === md5Hash ? 'md5' : given(algorithmArg) ? algorithmArg!.value : 'auto';
  if (!hash.isString || hash.value === undefined || algorithm === undefined)
    return { hashPrefix: { chosenAtRunTime: true } };
  const digest = hash.value;
  const sha256 = algorithm === 'sha256' || (algorithm === 'auto' && digest.length === 64);
  // `str(hash_file(…)) == str(file_hash)`: hexdigest() is lowercase, so anything else never matches and every
  // download raises — nothing loads, and nothing is pinned either.
  if (sha256) return /^[0-9a-f]{64}$/.test(digest) ? { sha256: digest } : {};
  return /^[0-9a-f]{32}$/.test(digest) ? { md5: digest } : {};
}

/**
 * Downloads whose URL and MD5 an index fetched at run time names (`TableDownload.check` 'index'): NLTK's
 * `download(info_or_id=None, download_dir=None, …)` (no id opens the interactive downloader: nothing the file
 * names), GPT4All's `GPT4All(model_name, model_path=None, model_type=None, allow_download=True, …)`, Stanza's
 * `download(lang="en", model_dir=…, package="default", …)` and `Pipeline(lang="en", dir=…, package="default", …,
 * download_method=DownloadMethod.DOWNLOAD_RESOURCES)`. A name chosen at run time is a run-time note. null: not one.
 */
function indexDownloadShape(
  f: CallFacts,
  name: string,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined | null {
  const shape = (arg: Resolved | undefined, fallback: string | undefined, fetched: TableDownload) => {
    const table = arg?.isString === true ? arg.value : arg === undefined && !f.splat ? fallback : undefined;
    if (table === undefined) return { via: f.written, name: arg ?? RUN_TIME, runsRemoteCode: false };
    return { via: f.written, name: undefined, runsRemoteCode: false, table, fetched };
  };
  if (f.resolved === 'nltk.download' || f.resolved === 'nltk.downloader.download') {
    const id = kw('info_or_id') ?? pos(0);
    if (id === undefined || none(id)) return undefined;
    return shape(id, undefined, NLTK_DOWNLOAD);
  }
  if (name === 'GPT4All' && inModule(f.resolved, ['gpt4all'])) {
    const allow = kw('allow_download') ?? pos(3);
    if (allow !== undefined && !isTrue(allow) && allow.value !== undefined) return undefined;
    const model = kw('model_name') ?? pos(0);
    // A name with a folder in it is a file the caller placed: retrieve_model reads it where it is.
    if (model?.value !== undefined && /[\\/]/.test(model.value)) return undefined;
    return shape(model, undefined, GPT4ALL_DOWNLOAD);
  }
  const stanzaDownload = f.resolved === 'stanza.download' || f.resolved === 'stanza.resources.common.download';
  if (stanzaDownload || f.resolved === 'stanza.Pipeline' || f.resolved === 'stanza.pipeline.core.Pipeline') {
    if (!stanzaDownload && none(kw('download_method'))) return undefined;
    const r = shape(kw('lang') ?? pos(0), 'en', STANZA_DOWNLOAD);
    return 'table' in r ? { ...r, table: stanzaTable(r.table, kw('package') ?? pos(2)) } : r;
  }
  return null;
}

/** A Stanza language and, when the call names one, its package (`en`, `en package=mimic`). */
const stanzaTable = (lang: string, pkg: Resolved | undefined) =>
  pkg?.isString === true && pkg.value !== undefined && pkg.value !== 'default' ? `${lang} package=${pkg.value}` : lang;

/** What a `hash_prefix` argument checks: `HashCheck` of a literal, none for None or absent, run time otherwise. */
function hashPrefixArgument(r: Resolved | undefined): HashCheck {
  if (r === undefined || r.notString === 'absent' || r.value === 'None') return {};
  if (!r.isString || r.value === undefined) return { hashPrefix: { chosenAtRunTime: true } };
  return hashCheckOf(r.value);
}

/**
 * `load_state_dict_from_url`'s prefix when check_hash is true: from `file_name` when the call gives one, else from
 * each URL's own file name (`hashFromFileName`, read by `urlFileHashCheck`).
 */
function checkHashPrefix(kw: (k: string) => Resolved | undefined, pos: (i: number) => Resolved | undefined): HashCheck {
  const on = kw('check_hash') ?? pos(4);
  if (on === undefined || on.value === 'False' || on.value === 'None' || on.notString === 'absent') return {};
  if (on.value !== 'True' && !on.isString) return { hashPrefix: { chosenAtRunTime: true } };
  if (!isTrue(on)) return {};
  const named = kw('file_name') ?? pos(5);
  if (named === undefined || named.notString === 'absent' || named.value === 'None') return { hashFromFileName: true };
  if (!named.isString || named.value === undefined) return { hashPrefix: { chosenAtRunTime: true } };
  return fileNameHashCheck(named.value);
}

/** torch/hub.py `load_state_dict_from_url`: `os.path.basename(urlparse(url).path)`, then `HASH_REGEX.search`. */
export function urlFileHashCheck(url: string): HashCheck {
  return fileNameHashCheck(urlFileName(url));
}

/** `HASH_REGEX = re.compile(r'-([a-f0-9]*)\.')`, searched: its first match's digits, which may be none. */
function fileNameHashCheck(name: string): HashCheck {
  const m = /-([a-f0-9]*)\./.exec(name);
  return m ? hashCheckOf(m[1]!) : {};
}

/** What a literal prefix pins: the whole digest, some of its digits, or nothing (empty, or no digest ever matches). */
function hashCheckOf(prefix: string): HashCheck {
  if (/^[0-9a-f]{64}$/.test(prefix)) return { sha256: prefix };
  // hexdigest() is 64 lowercase hex digits: anything else never matches, and the download always fails.
  if (/^[0-9a-f]{1,63}$/.test(prefix)) return { hashPrefix: { prefix } };
  return {};
}

/** How a torch.hub download is checked (records.ts `ModelReference.sha256` and `hashPrefix`). */
type HashCheck = Pick<LoaderShape, 'sha256' | 'hashPrefix' | 'hashFromFileName' | 'md5'>;

/**
 * TensorFlow Hub's calls that resolve a handle (tensorflow_hub/module_v2.py `resolve`, keras_layer.py `KerasLayer`,
 * module.py `Module` / `load_module_spec`, feature_column.py and feature_column_v2.py), each with the keyword and the
 * position of its handle.
 */
const TF_HUB_LOADERS: ReadonlyMap<string, readonly [keyword: string, position: number]> = new Map([
  ['tensorflow_hub.load', ['handle', 0]],
  ['tensorflow_hub.resolve', ['handle', 0]],
  ['tensorflow_hub.KerasLayer', ['handle', 0]],
  ['tensorflow_hub.Module', ['spec', 0]],
  ['tensorflow_hub.load_module_spec', ['path', 0]],
  ['tensorflow_hub.text_embedding_column', ['module_spec', 1]],
  ['tensorflow_hub.image_embedding_column', ['module_spec', 1]],
  ['tensorflow_hub.text_embedding_column_v2', ['module_path', 1]],
]);

/**
 * Plain HTTP downloads: `requests.get(url)`, `httpx.get(url)`, `urllib.request.urlretrieve(url, filename)` and
 * `urlopen(url)`, `wget.download(url)`. A model reference only when the URL is a hub file's
 * (`https://huggingface.co/<org>/<name>/resolve/<revision>/<file>`): the download is that file at that revision,
 * whoever fetches it. Any other URL, or one computed at run time, says nothing about a model (calls.ts `hubUrlOnly`).
 */
const HTTP_GETS: ReadonlySet<string> = new Set([
  'requests.get',
  'httpx.get',
  'urllib.request.urlretrieve',
  'urllib.request.urlopen',
  'wget.download',
]);
/**
 * huggingface_hub's `cached_download(url, …)` (file_download.py, removed in 0.26; old code hands it `hf_hub_url(…)`):
 * an HTTP GET of the URL into the cache, the ETag its only check: read as HTTP_GETS are. Apart from them, as its module
 * is no narrow one (NARROW_LOADER_MODULES).
 */
const HUB_URL_GETS: ReadonlySet<string> = new Set([
  'huggingface_hub.cached_download',
  'huggingface_hub.file_download.cached_download',
]);
/** HTTP_GETS by their module, for NARROW_LOADER_MODULES. */
const httpGetsByModule = (): [string, string[]][] => {
  const by = new Map<string, string[]>();
  for (const g of HTTP_GETS) {
    const m = g.slice(0, g.indexOf('.'));
    by.set(m, [...(by.get(m) ?? []), g]);
  }
  return [...by];
};

/**
 * Modules of PYTHON_LOADER_WORDS whose loaders sit at a few paths: every call through the module that a finder
 * follows resolves to one of these (or names a loader word of its own, `from_pretrained`). python-snippet.ts keeps a
 * statement that names such a module only where it reaches one of them: `torch.nn.Linear(…)`, `nn.Conv2d(…)` after
 * `import torch.nn as nn` and `F.relu(…)` are most of an ML file's lines, and none of them loads a model.
 */
export const NARROW_LOADER_MODULES: ReadonlyMap<string, readonly string[]> = new Map([
  [
    'torch',
    [...TORCH_HUB_IMPORTS, 'torch.load', ...[...TORCH_URL_LOADERS.keys()].filter((l) => l.startsWith('torch.'))],
  ],
  // The unpicklers a download may be handed to, through a name (calls.ts `MAY_UNPICKLE`).
  ...UNPICKLER_MODULES.map((m): [string, string[]] => [m, MAY_UNPICKLE.filter((u) => u.startsWith(`${m}.`))]),
  // pandas' readers fetch a hub file by its `hf://` path or URL (python-hf-paths.ts), read_pickle among them.
  ['pandas', PANDAS_READERS],
  ['keras', [...KERAS_LOAD_MODEL, ...KERAS_APPLICATIONS, ...KERAS_GET_FILE].filter((l) => l.startsWith('keras.'))],
  [
    'tensorflow',
    [...KERAS_LOAD_MODEL, ...KERAS_APPLICATIONS, ...KERAS_GET_FILE].filter((l) => l.startsWith('tensorflow.')),
  ],
  ...httpGetsByModule(),
  ['evaluate', [...EVALUATE_LOADS]],
]);

/** LitGPT's `LLM.load` (litgpt/api.py), as the package and its module export it. */
const LITGPT_LOADS: ReadonlySet<string> = new Set(['litgpt.LLM.load', 'litgpt.api.LLM.load']);
/** LMDeploy's `pipeline` and `serve` (lmdeploy/api.py), as the package and its module export them. */
const LMDEPLOY_LOADS: ReadonlySet<string> = new Set([
  'lmdeploy.pipeline',
  'lmdeploy.api.pipeline',
  'lmdeploy.serve',
  'lmdeploy.api.serve',
]);

/**
 * The Python APIs of toolkits whose command lines toolkit-clis.ts reads: null for a call that is none of theirs,
 * undefined for one that loads nothing from the hub.
 * - LitGPT `LLM.load(model, init="pretrained", …)` (litgpt/api.py): a pretrained model is litgpt/utils.py
 *   `auto_download_checkpoint(model)` — a name that is no checkpoint folder and not under `checkpoints/` (nor absolute)
 *   is `download_from_hub(repo_id=model)`, snapshot_download with no revision; `init="random"` builds the config
 *   untrained.
 * - LMDeploy `pipeline(model_path, backend_config, …)` / `serve(model_path, …)` (lmdeploy/api.py): a path that does not
 *   exist is `get_model(model_path, download_dir, backend_config.revision)`; every load reads the config through
 *   archs.py `get_model_arch`, `AutoConfig.from_pretrained(model_path, trust_remote_code=True)`. The revision is a
 *   field of the config object, which is not read here: a call that passes one has its revision decided at run time.
 * - MLC LLM `MLCEngine(model, …)` / `AsyncMLCEngine` (mlc_llm/serve/engine.py): a model written `HF://org/name` is a
 *   git clone of the repository's default branch (mlc_llm/support/download_cache.py); anything else is local.
 */
function toolkitShape(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined | null {
  if (LITGPT_LOADS.has(f.resolved)) {
    const init = kw('init') ?? pos(1);
    if (init?.value !== undefined && init.value !== 'pretrained') return undefined;
    const model = kw('model') ?? pos(0);
    if (model?.value !== undefined && /^(?:checkpoints\/|\/)/.test(model.value)) return undefined;
    return { via: f.written, name: model, runsRemoteCode: false, takesNoRevision: true };
  }
  if (LMDEPLOY_LOADS.has(f.resolved)) {
    const config = kw('backend_config') ?? (f.resolved.endsWith('pipeline') ? pos(1) : undefined);
    return {
      via: f.written,
      name: kw('model_path') ?? pos(0),
      ...(config !== undefined && !none(config) ? { revision: { value: undefined, isString: false } } : {}),
      runsRemoteCode: true,
      remoteCodeByDefault: true,
    };
  }
  const name = lastName(f.resolved);
  if ((name === 'MLCEngine' || name === 'AsyncMLCEngine') && inModule(f.resolved, ['mlc_llm'])) {
    const model = kw('model') ?? pos(0);
    const v = model?.value;
    if (v === undefined) return { via: f.written, name: model, runsRemoteCode: false, takesNoRevision: true };
    if (!/^HF:\/\//i.test(v)) return undefined;
    return { via: f.written, name: literal(v.slice('HF://'.length)), runsRemoteCode: false, takesNoRevision: true };
  }
  return null;
}

/**
 * LlamaIndex's `embed_model="local:org/name"` (llama_index/core/embeddings/utils.py `resolve_embed_model`, which
 * `Settings.embed_model`, the indexes and `ServiceContext.from_defaults` call on a string): `splits =
 * embed_model.split(":", 1)` and, for `local`, `HuggingFaceEmbedding(model_name=splits[1], cache_folder=…)` — a
 * SentenceTransformer download at the default branch, no revision and no remote code. Any call of LlamaIndex's given
 * such a string as `embed_model=` (or `resolve_embed_model`'s first argument) loads it. Bare `"local"` and other
 * strings are left alone.
 */
function llamaIndexLocalEmbedShape(
  f: CallFacts,
  name: string,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined {
  if (!inModule(f.resolved, ['llama_index'])) return undefined;
  const given = kw('embed_model') ?? (name === 'resolve_embed_model' ? pos(0) : undefined);
  const v = given?.isString === true ? given.value : undefined;
  if (v === undefined || !v.startsWith('local:') || v.length === 'local:'.length) return undefined;
  return {
    via: `${f.written} (embed_model)`,
    name: literal(v.slice('local:'.length)),
    runsRemoteCode: false,
    takesNoRevision: true,
    bareNames: 'sentence-transformers',
  };
}

/**
 * HuggingFaceLLM's tokenizer (llama_index/llms/huggingface/base.py `HuggingFaceLLM.__init__`): `tokenizer or
 * AutoTokenizer.from_pretrained(tokenizer_name, **tokenizer_kwargs)`, where `tokenizer_name` defaults to
 * DEFAULT_HUGGINGFACE_MODEL whatever `model_name` is — a download of its own at `tokenizer_kwargs`' revision, unless
 * a tokenizer object is given or it is the model's repo at the model's revision (one load).
 */
function llamaIndexTokenizer(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  model: Resolved | undefined,
  modelRevision: Resolved | undefined,
): LoaderShape[] {
  if (kw('tokenizer') !== undefined) return [];
  const name = kw('tokenizer_name') ?? (f.splat ? undefined : literal(LLAMA_INDEX_DEFAULT_LLM));
  if (name === undefined) return [];
  const options = kw('tokenizer_kwargs')?.entries;
  const revision = options?.get('revision');
  const sameRevision =
    (revision?.value === undefined && modelRevision?.value === undefined && revision === modelRevision) ||
    (revision?.value !== undefined && revision.value === modelRevision?.value);
  if (name.value !== undefined && name.value === model?.value && sameRevision) return [];
  return [
    {
      via: 'HuggingFaceLLM (tokenizer_name)',
      name,
      revision,
      runsRemoteCode: isTrue(options?.get('trust_remote_code')),
    },
  ];
}

/**
 * Whether mlx-lm's or mlx-vlm's `load` runs code of the repository it downloads (the snapshot keeps its `*.py`):
 * - mlx_lm/utils.py `load(…, trust_remote_code=False)` → `load_model`, which with a `model_file` in config.json and
 *   trust on `exec_module`s that file (the `MLX_LM_TRUST_REMOTE_CODE` variable turns it on too: the file's own
 *   setting of it is read after the calls, python-env.ts `readMlxTrustSetting`); and `tokenizer_config` is
 *   tokenizer_utils.py `load`'s `AutoTokenizer.from_pretrained(model_path, **tokenizer_config_extra)`, so
 *   `{"trust_remote_code": True}` runs the repository's tokenizer code (read as a keyword: a positional argument
 *   carries no dict entries here);
 * - mlx_vlm/utils.py `load(path_or_hf_repo, adapter_path, lazy, revision, **kwargs)` hands its kwargs to
 *   `load_processor`'s `AutoProcessor.from_pretrained(model_path, **kwargs)`.
 */
function mlxRunsRemoteCode(resolved: string, kw: (k: string) => Resolved | undefined): boolean {
  if (isTrue(kw('trust_remote_code'))) return true;
  return resolved.startsWith('mlx_lm.') && isTrue(kw('tokenizer_config')?.entries?.get('trust_remote_code'));
}

/**
 * mlx-lm's distributed loaders (mlx_lm/utils.py): `sharded_load(repo, pipeline_group, tensor_group, return_config, *,
 * tokenizer_config, trust_remote_code)` downloads `repo` with `_download(repo, allow_patterns=[…, "*.py", …])` and no
 * revision, then loads the tokenizer with `load_tokenizer(model_path, tokenizer_config or {"trust_remote_code": True})`:
 * AutoTokenizer runs the repository's tokenizer code unless the call passes a non-empty tokenizer_config without it.
 * `pipeline_load(repo, return_config)` is `sharded_load(repo, mx.distributed.init(), None, return_config)`: always.
 */
const MLX_SHARDED_LOADS: ReadonlySet<string> = new Set(['mlx_lm.utils.sharded_load', 'mlx_lm.utils.pipeline_load']);

function mlxShardedShape(f: CallFacts, kw: (k: string) => Resolved | undefined): LoaderShape {
  const config = f.resolved.endsWith('.sharded_load') ? kw('tokenizer_config') : undefined;
  // `tokenizer_config or {…}`: absent, None or an empty dict literal keeps the default; a dict whose entries the
  // file does not show is left to it (not claimed either way).
  const byDefault = config === undefined || none(config) || config.entries?.size === 0;
  const tokenizerTrusts = byDefault || isTrue(config.entries?.get('trust_remote_code'));
  return {
    via: f.resolved,
    name: kw('repo') ?? f.positional[0],
    runsRemoteCode: tokenizerTrusts || isTrue(kw('trust_remote_code')),
    ...(byDefault ? { remoteCodeByDefault: true as const } : {}),
    takesNoRevision: true,
  };
}

/**
 * NeMo's wrapper of transformers' AutoTokenizer (nemo/collections/common/tokenizers/huggingface/auto_tokenizer.py
 * `AutoTokenizer(pretrained_model_name, vocab_file, merges_file, …, use_fast, trust_remote_code)`): every branch is
 * `AUTOTOKENIZER.from_pretrained(pretrained_model_name_or_path=pretrained_model_name, …, trust_remote_code=…)`, with
 * no revision. As the package and its modules export it; a Hydra `_target_` names it too (config-fast.ts `hydraCall`).
 */
const NEMO_AUTO_TOKENIZERS: ReadonlySet<string> = new Set([
  'nemo.collections.common.tokenizers.AutoTokenizer',
  'nemo.collections.common.tokenizers.huggingface.AutoTokenizer',
  'nemo.collections.common.tokenizers.huggingface.auto_tokenizer.AutoTokenizer',
]);
/**
 * NeMo 2's `import_ckpt(model, source, output_path, overwrite)` (nemo/collections/llm/api.py → nemo/lightning/io/api.py
 * `import_ckpt`: `model.importer(source)`): a source `hf://<id>` is the model's "hf" importer, whose `apply` loads
 * `…ForCausalLM.from_pretrained(str(self))` — the id, with no revision (HFLlamaImporter and the rest). Another source
 * (`nemo://`, a path) downloads nothing from the hub.
 */
const NEMO_IMPORT_CKPT: ReadonlySet<string> = new Set([
  'nemo.collections.llm.import_ckpt',
  'nemo.collections.llm.api.import_ckpt',
  'nemo.lightning.io.import_ckpt',
  'nemo.lightning.io.api.import_ckpt',
]);

/**
 * NeMo's tokenizer factory, nemo/collections/nlp/modules/common/tokenizer_utils.py `get_nmt_tokenizer(library,
 * model_name, tokenizer_model, vocab_file, merges_file, special_tokens, use_fast, bpe_dropout, r2l, legacy, delimiter,
 * trust_remote_code, …)`: with `library="huggingface"` it returns NeMo's `AutoTokenizer(pretrained_model_name=
 * model_name, …, trust_remote_code=trust_remote_code)` (above); any other library (its default is sentencepiece, yttm
 * before) reads local files. A library the file does not decide says nothing.
 */
const NEMO_TOKENIZER_FACTORIES: ReadonlySet<string> = new Set([
  'nemo.collections.nlp.modules.common.tokenizer_utils.get_nmt_tokenizer',
]);

function nemoShape(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined | null {
  if (NEMO_TOKENIZER_FACTORIES.has(f.resolved)) {
    if ((kw('library') ?? pos(0))?.value !== 'huggingface') return undefined;
    return {
      via: f.written,
      name: kw('model_name') ?? pos(1),
      runsRemoteCode: isTrue(kw('trust_remote_code') ?? pos(11)),
      takesNoRevision: true,
    };
  }
  if (NEMO_AUTO_TOKENIZERS.has(f.resolved))
    return {
      via: f.written,
      name: kw('pretrained_model_name') ?? pos(0),
      runsRemoteCode: isTrue(kw('trust_remote_code') ?? pos(11)),
      takesNoRevision: true,
    };
  if (!NEMO_IMPORT_CKPT.has(f.resolved)) return null;
  const source = kw('source') ?? pos(1);
  if (!source?.value?.startsWith('hf://')) return undefined;
  return {
    via: f.written,
    name: literal(source.value.slice('hf://'.length)),
    runsRemoteCode: false,
    takesNoRevision: true,
  };
}

/** mlx-lm's `convert`, as the package and its module export it. */
const MLX_CONVERTS: ReadonlySet<string> = new Set(['mlx_lm.convert', 'mlx_lm.convert.convert']);

const MLX_LOADS: ReadonlySet<string> = new Set([
  'mlx_lm.load',
  'mlx_lm.utils.load',
  'mlx_vlm.load',
  'mlx_vlm.utils.load',
]);

export function pythonLibraryShape(f: CallFacts): LoaderShape | undefined {
  const kw = (k: string) => f.keywords.get(k);
  const pos = (i: number) => f.positional[i];
  const name = lastName(f.resolved);
  if (name === 'from_single_file') return singleFileShape(f, kw);
  if (DYNAMIC_CLASS_LOADERS.has(f.resolved)) return dynamicClassShape(kw, pos);
  const hfPath = hfPathShape(f);
  if (hfPath !== null) return hfPath;
  const adapter = ADAPTER_LOADERS.get(name);
  if (adapter) {
    const [keys, weightAt] = adapter;
    const repo = keys.map(kw).find((r) => r !== undefined) ?? pos(0);
    return {
      via: f.written,
      name: repo,
      // Only as a keyword: peft's load_adapter takes `is_trainable` where transformers' takes `revision` (third).
      revision: kw('revision'),
      file: kw('weight_name') ?? (weightAt !== undefined ? pos(weightAt) : undefined),
      runsRemoteCode: false,
    };
  }
  // torch.hub.load_state_dict_from_url / download_url_to_file (and torch.utils.model_zoo.load_url): weights by URL.
  const torchUrlLoader = TORCH_URL_LOADERS.get(f.resolved);
  if (torchUrlLoader !== undefined) {
    const url = kw('url') ?? pos(0);
    const download = torchUrlLoader === 'torch.hub.download_url_to_file';
    // A URL chosen at run time: load_state_dict_from_url loads a checkpoint whatever it is (a run-time note, or one
    // of the URLs the file names); download_url_to_file fetches any file (data, archives), and says nothing then.
    if (url !== undefined && (url.value !== undefined ? /^https?:\/\//.test(url.value) : !download))
      return torchHubUrlShape(torchUrlLoader, url, kw, pos);
  }
  // `load_file_from_url(url, model_dir=None, progress=True, file_name=None)`: basicsr's (basicsr/utils/
  // download_util.py), facexlib's, and the copies image-restoration and diffusion repositories keep of it, all
  // `download_url_to_file(url, cached_file, hash_prefix=None, progress)` unless the file is cached: torch.hub's
  // download with no hash, read as that is. A URL the code computes says nothing, as there.
  if (name === 'load_file_from_url') {
    const url = kw('url') ?? pos(0);
    if (url?.value !== undefined && /^https?:\/\//.test(url.value))
      return { via: f.written, name: url, runsRemoteCode: false };
  }
  // TensorFlow Hub (config.py `_install_default_resolvers`, registry.py `MultiImplRegister`: the resolvers are asked
  // last-registered first): an http(s) handle — tfhub.dev, Kaggle Models, any server — is downloaded
  // (compressed_module_resolver.py `HttpCompressedFileResolver`, or uncompressed_module_resolver.py's gs:// location),
  // a gs:// archive is fetched from Cloud Storage (`GcsCompressedFileResolver`), and anything else must be a path that
  // exists (resolver.py `PathResolver`: a local folder, or a gs:// folder). Nothing checks the bytes of any download.
  // A handle of the file's own (a local folder) says nothing; one chosen at run time is a note.
  const tfHub = TF_HUB_LOADERS.get(f.resolved);
  if (tfHub) {
    const handle = kw(tfHub[0]) ?? pos(tfHub[1]);
    // `hub.KerasLayer(model)` wraps a model object the file built: nothing is resolved.
    if (handle?.built === true) return undefined;
    return { via: f.written, name: handle, runsRemoteCode: false, urlOnly: true };
  }
  // kagglehub `model_download(handle, path=None, *, force_download=False)` (kagglehub/models.py): handle.py
  // `parse_model_handle` reads `<owner>/<model>/<framework>/<variation>[/<version>]` (no version: the latest), and the
  // resolvers download that version's files, checked only against the MD5 the server sends with them (integrity.py).
  if (f.resolved === 'kagglehub.model_download')
    return {
      via: f.written,
      name: kw('handle') ?? pos(0),
      file: kw('path') ?? pos(1),
      runsRemoteCode: false,
      kaggle: true,
    };
  // Lightning `X.load_from_checkpoint(checkpoint_path, map_location, hparams_file, strict, weights_only)`
  // (lightning/fabric/utilities/cloud_io.py `_load`): a path that starts with "http" is torch.hub's
  // load_state_dict_from_url with weights_only=False unless the call passes weights_only=True — a pickle, which runs
  // whatever it names; s3:// and gs:// are read through fsspec and torch.load's own default. A local checkpoint (or
  // one chosen at run time, nearly always a local path) says nothing.
  if (name === 'load_from_checkpoint') {
    const checkpoint = kw('checkpoint_path') ?? pos(0);
    const v = checkpoint?.value;
    if (v === undefined || !/^(https?|s3|gs):\/\//.test(v)) return undefined;
    return {
      via: f.written,
      name: checkpoint,
      runsRemoteCode: v.startsWith('http') && !isTrue(kw('weights_only')),
      urlOnly: true,
    };
  }
  // gensim `downloader.load(name, return_path=False)` (gensim/downloader.py): `_download` fetches the release `<name>` of
  // RaRe-Technologies/gensim-data — its `__init__.py` with no checksum at all, the data against MD5s read at run time
  // from the repository's master branch — and `load` then `__import__`s that `__init__.py` and calls its `load_data()`:
  // Python from a release anyone with push rights can replace. With `return_path=True` it only downloads.
  if (f.resolved === 'gensim.downloader.load') {
    const name = kw('name') ?? pos(0);
    const v = name?.value;
    return {
      via: f.resolved,
      name: v === undefined ? name : literal(`${GENSIM_DATA}:${v}`),
      runsRemoteCode: !isTrue(kw('return_path') ?? pos(1)),
      hub: 'github',
    };
  }
  // spaCy `spacy.cli.download(model, direct=False, sdist=False, custom_url=None, *pip_args)` (spacy/cli/download.py):
  // pip installs `<name>-<version>` from the explosion/spacy-models release of that tag — the version from a
  // compatibility table read at run time unless `direct` names it — with no hash; spacy.load then imports the
  // package's Python. A `custom_url` base is the caller's server: where it points is the run time's, as far as the
  // file shows.
  if (f.resolved === 'spacy.cli.download' || f.resolved === 'spacy.cli.download.download') {
    const model = kw('model') ?? pos(0);
    const v = model?.value;
    const via = 'spacy.cli.download';
    if (v === undefined || (kw('custom_url') ?? pos(3)) !== undefined)
      return { via, name: v === undefined ? model : RUN_TIME, runsRemoteCode: true, hub: 'github' };
    const tag = spacyReleaseTag(v, isTrue(kw('direct') ?? pos(1)));
    if (tag === undefined) return undefined;
    return { via, name: literal(`${SPACY_MODELS}:${tag}`), runsRemoteCode: true, hub: 'github' };
  }
  if (FLAIR_LOADERS.has(f.resolved) || FLAIR_TABLE_LOADERS.has(f.resolved))
    return flairShape(f, kw('model_path') ?? pos(0));
  if (FLAIR_TRANSFORMER_EMBEDDINGS.has(f.resolved)) return flairTransformerShape(f, kw, pos);
  if (FLAIR_EMBEDDINGS.has(f.resolved)) return flairEmbeddingsShape(f, kw, pos);
  // llama-cpp-python `Llama.from_pretrained(repo_id, filename, …)`: calls hf_hub_download without a revision (any
  // `revision=` goes on to `Llama(**kwargs)`), so it always loads the default branch.
  if (name === 'from_pretrained' && inModule(f.resolved, ['llama_cpp']))
    return {
      via: f.written,
      name: kw('repo_id') ?? pos(0),
      file: kw('filename') ?? pos(1),
      runsRemoteCode: false,
      takesNoRevision: true,
    };
  const trl = trlTrainerShape(f, name, kw, pos);
  if (trl !== null) return trl;
  // Ray Serve LLM `LLMConfig(model_loading_config=dict(model_id=…, model_source=…), engine_kwargs=dict(…))`: as
  // config-fast.ts `rayModelLoading` reads it in YAML. A config given as an object (ModelLoadingConfig(…), a name)
  // is the run time's as far as the file shows; so is engine_kwargs that is not a dict display.
  if (name === 'LLMConfig' && inModule(f.resolved, ['ray.serve.llm', 'ray.llm'])) {
    const loading = kw('model_loading_config');
    if (loading === undefined) return f.splat ? { via: RAY_LLM_VIA, name: RUN_TIME, runsRemoteCode: false } : undefined;
    const entries = loading.entries;
    if (entries === undefined) return { via: RAY_LLM_VIA, name: RUN_TIME, runsRemoteCode: false };
    const source = entries.get('model_source') ?? entries.get('model_id');
    // A cloud mirror (a CloudMirrorConfig dict, an s3:// / gs:// / abfss:// / azure:// URI): no hub download.
    if (source?.entries !== undefined || /^(?:s3|gs|abfss|azure):\/\//.test(source?.value ?? '')) return undefined;
    const engine = kw('engine_kwargs');
    const options = engine?.entries;
    return {
      via: RAY_LLM_VIA,
      name: source,
      revision: engine === undefined ? undefined : options ? options.get('revision') : RUN_TIME,
      runsRemoteCode: isTrue(options?.get('trust_remote_code')),
    };
  }
  // 🤗 evaluate `load(path)`: a metric's Python from a Space (python-evaluate.ts `evaluateShape`).
  if (EVALUATE_LOADS.has(f.resolved)) return evaluateShape(kw, pos);
  // vLLM `LLM(model, *, tokenizer, …)`, `EngineArgs(model=…)`: the model, its tokenizer and a draft model
  // (python-vllm.ts `vllmShape`).
  if ((name === 'LLM' || name === 'AsyncEngineArgs' || name === 'EngineArgs') && inModule(f.resolved, ['vllm']))
    return vllmShape(name, kw, pos, isTrue);
  // vLLM `LoRARequest(lora_name, lora_int_id, lora_path, …)` (vllm/lora/request.py; `lora_local_path` before
  // `lora_path`): the worker resolves the path with vllm/lora/utils.py `get_adapter_absolute_path`, which keeps an
  // absolute path, a `~` path or one that exists, and otherwise `huggingface_hub.snapshot_download(repo_id=path)`s
  // it — the default branch, with no revision to give.
  // A path a loader of the file returned (vLLM's own example: `LoRARequest(…, snapshot_download(repo_id=…))`) is that
  // download's folder, reported where it is made.
  if (name === 'LoRARequest' && inModule(f.resolved, ['vllm'])) {
    const path = kw('lora_path') ?? kw('lora_local_path') ?? pos(2);
    if (path?.built === true) return undefined;
    return { via: name, name: path, runsRemoteCode: false, takesNoRevision: true };
  }
  // langchain HuggingFaceEmbeddings(model_name=…, model_kwargs={…}): `SentenceTransformer(model_name, **model_kwargs)`,
  // so a bare name is the sentence-transformers organisation's too.
  const fallback = LANGCHAIN_ST_EMBEDDINGS.get(name);
  if (fallback !== undefined && inModule(f.resolved, ['langchain_huggingface', 'langchain_community', 'langchain'])) {
    const options = kw('model_kwargs')?.entries;
    const n = kw('model_name') ?? (f.splat ? undefined : literal(fallback));
    return {
      via: name,
      name: n,
      revision: options?.get('revision'),
      runsRemoteCode: isTrue(options?.get('trust_remote_code')),
      bareNames: 'sentence-transformers',
    };
  }
  // Haystack's embedders, rankers and local generators (python-haystack.ts `haystackShape`).
  const haystack = haystackShape(f, isTrue);
  if (haystack !== null) return haystack;
  const indexed = indexDownloadShape(f, name, kw, pos);
  if (indexed !== null) return indexed;
  // SageMaker `HuggingFaceModel(…, env={"HF_MODEL_ID": …})` (sagemaker/huggingface/model.py): the endpoint's container
  // downloads HF_MODEL_ID from the hub at HF_MODEL_REVISION when it starts — the Inference Toolkit's
  // `_load_model_from_hub`, or TGI's sagemaker-entrypoint.sh, which maps both (and HF_MODEL_TRUST_REMOTE_CODE) to its
  // own variables. With no HF_MODEL_ID the model is the `model_data` archive, nothing the hub serves.
  if (name === 'HuggingFaceModel' && inModule(f.resolved, ['sagemaker'])) {
    const env = kw('env');
    if (env === undefined) return undefined;
    const entries = env.entries;
    if (entries === undefined) return { via: f.written, name: RUN_TIME, runsRemoteCode: false };
    const id = entries.get('HF_MODEL_ID');
    if (id === undefined) return undefined;
    return {
      via: f.written,
      name: id,
      revision: entries.get('HF_MODEL_REVISION'),
      runsRemoteCode: /^true$/i.test(entries.get('HF_MODEL_TRUST_REMOTE_CODE')?.value ?? ''),
      hubOnly: true,
    };
  }
  // FastEmbed `TextEmbedding(model_name, …, specific_model_path=None)` and its siblings; langchain's
  // FastEmbedEmbeddings (langchain_community/embeddings/fastembed.py) and LlamaIndex's FastEmbedEmbedding
  // (llama_index/embeddings/fastembed/base.py) build `TextEmbedding(model_name=…)` with the same default.
  const fastembed = FASTEMBED_CLASSES.has(name) && inModule(f.resolved, ['fastembed']);
  if (
    fastembed ||
    (name === 'FastEmbedEmbeddings' && inModule(f.resolved, ['langchain_community', 'langchain'])) ||
    (name === 'FastEmbedEmbedding' && inModule(f.resolved, ['llama_index']))
  ) {
    if (fastembed && kw('specific_model_path') !== undefined) return undefined;
    const model = kw('model_name') ?? (fastembed ? pos(0) : undefined);
    if (none(model)) return undefined;
    const v = model?.isString === true ? model.value : model?.env?.fallback;
    // Only TextEmbedding and the wrappers have a default; the others raise without a name.
    const defaulted = model === undefined && !f.splat && (!fastembed || name === 'TextEmbedding');
    const table = v ?? (defaulted ? FASTEMBED_DEFAULT : undefined);
    // A name chosen at run time (or by a splat) is a run-time note, as for any loader.
    if (table === undefined) return { via: f.written, name: model, runsRemoteCode: false };
    return { via: f.written, name: undefined, runsRemoteCode: false, table, fetched: FASTEMBED_DOWNLOAD };
  }
  // langchain HuggingFacePipeline.from_model_id(model_id, task, …, model_kwargs) (langchain_huggingface/llms/
  // huggingface_pipeline.py): `AutoTokenizer/AutoModel….from_pretrained(model_id, **model_kwargs)`.
  if (
    name === 'from_model_id' &&
    inModule(f.resolved, ['langchain_huggingface', 'langchain_community', 'langchain']) &&
    /(^|\.)HuggingFacePipeline\.from_model_id$/.test(f.resolved)
  ) {
    const options = kw('model_kwargs')?.entries;
    return {
      via: 'HuggingFacePipeline.from_model_id',
      name: kw('model_id') ?? pos(0),
      revision: options?.get('revision'),
      runsRemoteCode: isTrue(options?.get('trust_remote_code')),
    };
  }
  // LlamaIndex HuggingFaceEmbedding(model_name=DEFAULT, …, trust_remote_code, revision) → SentenceTransformer
  // (llama_index/embeddings/huggingface/base.py); HuggingFaceLLM(model_name=…, model_kwargs=…) →
  // AutoModelForCausalLM.from_pretrained(model_name, **model_kwargs) (llama_index/llms/huggingface/base.py).
  if ((name === 'HuggingFaceEmbedding' || name === 'HuggingFaceLLM') && inModule(f.resolved, ['llama_index'])) {
    const llm = name === 'HuggingFaceLLM';
    const options = llm ? kw('model_kwargs')?.entries : undefined;
    const n =
      kw('model_name') ??
      (f.splat ? undefined : literal(llm ? LLAMA_INDEX_DEFAULT_LLM : LLAMA_INDEX_DEFAULT_EMBEDDING));
    const revision = llm ? options?.get('revision') : kw('revision');
    return {
      via: name,
      name: n,
      revision,
      runsRemoteCode: isTrue(llm ? options?.get('trust_remote_code') : kw('trust_remote_code')),
      ...(llm ? { extra: llamaIndexTokenizer(f, kw, n, revision) } : { bareNames: 'sentence-transformers' as const }),
    };
  }
  const localEmbed = llamaIndexLocalEmbedShape(f, name, kw, pos);
  if (localEmbed !== undefined) return localEmbed;
  // ollama-python `pull(model)` (ollama/_client.py; the module's functions are a default Client's): asks the server
  // to fetch the tag. chat/generate/embed fetch nothing: the server answers 404 for a model it has not pulled.
  if (f.resolved === 'ollama.pull' || f.resolved === 'ollama.Client.pull' || f.resolved === 'ollama.AsyncClient.pull')
    return { via: 'ollama.pull', name: kw('model') ?? pos(0), runsRemoteCode: false, ollama: true };
  // open_clip `create_model*(model_name, pretrained=…)`: a name with the `hf-hub:` prefix is a hub repo
  // (open_clip/factory.py HF_HUB_PREFIX); other names come from open_clip's own pretrained table (a note).
  if (
    inModule(f.resolved, ['open_clip']) &&
    ['create_model', 'create_model_and_transforms', 'create_model_from_pretrained'].includes(name)
  ) {
    const v = (kw('model_name') ?? pos(0))?.value;
    const via = `open_clip.${name}`;
    // factory.py: `download_pretrained_from_hf(model_id, …)` with no revision: the default branch.
    if (v?.startsWith('hf-hub:'))
      return { via, name: literal(v.slice('hf-hub:'.length)), runsRemoteCode: false, takesNoRevision: true };
    // factory.py: `pretrained=<tag>` is looked up in pretrained.py's table (a hub repo at its default branch, or a
    // URL) — not embedded here — or is a local file; without it the weights start random and nothing loads.
    const tag = kw('pretrained') ?? (name === 'create_model_from_pretrained' ? undefined : pos(1));
    if (v === undefined || tag === undefined) return undefined;
    // factory.py `create_model`: `get_pretrained_cfg(model_name, pretrained)` first, `elif os.path.exists(pretrained):
    // checkpoint_path = pretrained`. The table's tags are words (`laion2b_s34b_b79k`, `openai`): a value with a `/`
    // or a `.` is a checkpoint on disk (or a RuntimeError), never a download.
    if (tag.value !== undefined && !/^[\w-]+$/.test(tag.value)) return undefined;
    return { via, name: literal(v), runsRemoteCode: false, table: `${v} ${tag.value ?? '<chosen at run time>'}` };
  }
  // keras_hub / keras_nlp `X.from_preset(preset)` (keras_hub/src/utils/preset_utils.py `get_file`), asked in its order:
  // a built-in preset name is its table's versioned Kaggle handle (before any local folder of that name); `kaggle://`
  // is kagglehub's model_download of the handle; a scheme TensorFlow's file system reads (gs://) is copied from there;
  // `hf://org/name` is hf_hub_download at the default branch; else a local folder, else ValueError.
  if (name === 'from_preset' && inModule(f.resolved, ['keras_hub', 'keras_nlp'])) {
    const preset = kw('preset') ?? pos(0);
    const v = preset?.value;
    if (v === undefined) return { via: f.written, name: preset, runsRemoteCode: false };
    if (v.startsWith('hf://'))
      return { via: f.written, name: literal(v.slice('hf://'.length)), runsRemoteCode: false, takesNoRevision: true };
    if (v.startsWith('kaggle://'))
      return { via: f.written, name: literal(v.slice('kaggle://'.length)), runsRemoteCode: false, kaggle: true };
    if (v.startsWith('gs://')) return { via: f.written, name: literal(v), runsRemoteCode: false, urlOnly: true };
    // Built-in names are snake_case words (`gemma_2b_en`, `bert_base_en_uncased`); one that names no preset and no
    // folder is a ValueError, so a word that is no folder here is taken for the table's.
    if (/^[a-z][a-z0-9_]*$/.test(v))
      return {
        via: f.written,
        name: literal(v),
        runsRemoteCode: false,
        table: v,
        tableFile: v,
        fetched: KERAS_HUB_PRESETS,
      };
    return undefined;
  }
  // mlx-lm `load(path_or_hf_repo, tokenizer_config, model_config, adapter_path, lazy, …, revision)` (mlx_lm/utils.py):
  // `get_model_path` takes a path that exists as a local folder, anything else is `snapshot_download(repo_id,
  // revision=revision)`; mlx-vlm's `load` (mlx_vlm/utils.py) the same way.
  if (MLX_LOADS.has(f.resolved))
    return {
      via: f.resolved,
      name: kw('path_or_hf_repo') ?? pos(0),
      revision: kw('revision'),
      runsRemoteCode: mlxRunsRemoteCode(f.resolved, kw),
    };
  if (MLX_SHARDED_LOADS.has(f.resolved)) return mlxShardedShape(f, kw);
  // mlx-lm `convert(hf_path, mlx_path, quantize, q_group_size, q_bits, q_mode, dtype, upload_repo, revision, …,
  // trust_remote_code)` (mlx_lm/convert.py): `load(hf_path, revision=revision, tokenizer_config={"trust_remote_code":
  // trust_remote_code})`, as `load` above.
  if (MLX_CONVERTS.has(f.resolved))
    return {
      via: f.resolved,
      name: kw('hf_path') ?? pos(0),
      revision: kw('revision') ?? pos(8),
      runsRemoteCode: isTrue(kw('trust_remote_code')),
    };
  const nemo = nemoShape(f, kw, pos);
  if (nemo !== null) return nemo;
  const toolkit = toolkitShape(f, kw, pos);
  if (toolkit !== null) return toolkit;
  // Keras 3 `saving.load_model(filepath)` (keras/src/saving/saving_api.py): an `hf://org/name` filepath is
  // huggingface_hub's snapshot_download of the repo's default branch (load_model takes no revision); anything else
  // is a local file. `tf.keras` is Keras 3 from TensorFlow 2.16.
  if (KERAS_LOAD_MODEL.has(f.resolved)) {
    const v = (kw('filepath') ?? pos(0))?.value;
    if (v === undefined || !v.startsWith('hf://')) return undefined;
    return { via: f.written, name: literal(v.slice('hf://'.length)), runsRemoteCode: false, takesNoRevision: true };
  }
  if (KERAS_GET_FILE.has(f.resolved)) return kerasGetFileShape(kw, pos);
  // Keras applications `ResNet50(include_top=True, weights="imagenet", …)` (keras/src/applications/*.py): "imagenet"
  // — the default — is `file_utils.get_file(name, BASE_WEIGHTS_PATH + name, file_hash=…)` of the URL and digest
  // the Keras version lists; None builds untrained; any other string is a local weights file.
  if (/^[A-Z]/.test(name) && KERAS_APPLICATIONS.some((m) => inModule(f.resolved, [m]))) {
    const w = kw('weights') ?? pos(1);
    const label =
      w === undefined
        ? f.splat
          ? undefined
          : 'weights="imagenet" (its default)'
        : w.value === 'imagenet'
          ? 'weights="imagenet"'
          : w.value === undefined && w.notString === undefined
            ? 'weights=…'
            : undefined;
    if (label === undefined) return undefined;
    return {
      via: f.resolved,
      name: undefined,
      runsRemoteCode: false,
      table: `${name} ${label}`,
      fetched: KERAS_DOWNLOAD,
    };
  }
  if (ULTRALYTICS_MODELS.has(name) && inModule(f.resolved, ['ultralytics'])) return ultralyticsShape(f, kw, pos);
  if (
    (name === 'from_quantized' && inModule(f.resolved, ['awq', 'auto_gptq', 'gptqmodel'])) ||
    (name === 'from_pretrained' && inModule(f.resolved, ['awq']))
  )
    return quantizedShape(f, kw, pos);
  if (HTTP_GETS.has(f.resolved) || HUB_URL_GETS.has(f.resolved))
    return { via: f.resolved, name: kw('url') ?? pos(0), runsRemoteCode: false, hubUrlOnly: true };
  // SetFit `SetFitModel.from_pretrained(model_id, …, revision=…)` (setfit/modeling.py `SetFitModel._from_pretrained`,
  // which the span models AspectModel and PolarityModel inherit): besides the Sentence Transformer body, it downloads
  // the repository's `model_head.pkl` at that revision and `joblib.load`s it whenever the repository holds one, with no
  // flag asked: a pickle from the hub that runs whatever code it names.
  const setfitModel = name === 'from_pretrained' && lastName(f.resolved.slice(0, -'.from_pretrained'.length));
  if (setfitModel && SETFIT_MODELS.has(setfitModel) && inModule(f.resolved, ['setfit']))
    return {
      via: f.written,
      name: kw('pretrained_model_name_or_path') ?? pos(0),
      revision: kw('revision'),
      file: literal(SETFIT_HEAD),
      runsRemoteCode: true,
      unpickledBy: 'joblib.load',
    };
  // unsloth `FastLanguageModel.from_pretrained(model_name, …, trust_remote_code, …, revision)` (and FastModel,
  // FastVisionModel; unsloth/models/loader.py): the model is `model_name`, not transformers' keyword, and is read with
  // AutoConfig/AutoModel….from_pretrained at `revision`.
  if (name === 'from_pretrained' && inModule(f.resolved, ['unsloth']))
    return {
      via: f.written,
      name: kw('model_name') ?? pos(0),
      revision: kw('revision'),
      runsRemoteCode: isTrue(kw('trust_remote_code')),
    };
  // faster-whisper `WhisperModel(model_size_or_path, …, files=None)` (faster_whisper/transcribe.py): an existing
  // folder is read in place; anything else is utils.py `download_model(size_or_id)` — a name with a `/` is a hub repo,
  // a size is looked up in `_MODELS` (an unknown size raises) — then `snapshot_download(repo_id)` with no revision.
  // With `files=` the model comes from memory.
  if (name === 'WhisperModel' && inModule(f.resolved, ['faster_whisper']) && kw('files') === undefined) {
    const given = kw('model_size_or_path') ?? pos(0);
    const v = given?.value;
    const repo = v === undefined || v.includes('/') ? given : literalOf(FASTER_WHISPER_MODELS.get(v));
    if (repo === undefined) return undefined;
    return { via: f.written, name: repo, runsRemoteCode: false, takesNoRevision: true };
  }
  // SpeechBrain `X.from_hparams(source, hparams_file="hyperparams.yaml", **kwargs)` and `foreign_class(source, …)`
  // (speechbrain/inference/interfaces.py `pretrained_from_hparams`): `fetch(hparams_file, source)` — a local folder, or
  // the hub repo through huggingface_hub at the revision of `fetch_config=FetchConfig(revision=…)` (before 1.0, a
  // `revision=` keyword) — then `load_hyperpyyaml`, whose tags call Python the YAML names: code from the repository.
  if ((name === 'from_hparams' || name === 'foreign_class') && inModule(f.resolved, ['speechbrain'])) {
    const config = kw('fetch_config');
    return {
      via: name === 'foreign_class' ? 'foreign_class' : f.written,
      name: kw('source') ?? pos(0),
      // A fetch_config the file does not show, or one that names no revision: unpinned as far as the file shows.
      revision: kw('revision') ?? (config !== undefined ? (config.entries?.get('revision') ?? RUN_TIME) : undefined),
      runsRemoteCode: true,
    };
  }
  // huggingface_hub `from_pretrained_fastai(repo_id, revision=None)` (fastai_utils.py): `snapshot_download(repo_id,
  // revision=revision)` then fastai's `load_learner(model.pkl)` — an unpickling of the repository's file, which runs
  // whatever code the pickle names. `from_pretrained_keras(repo_id, …, revision=…)` (keras_mixin.py): the same
  // download, loaded with Keras.
  if (FASTAI_OR_KERAS.has(f.resolved)) {
    const fastai = f.resolved.endsWith('fastai');
    return {
      via: fastai ? 'from_pretrained_fastai' : 'from_pretrained_keras',
      name: kw(fastai ? 'repo_id' : 'pretrained_model_name_or_path') ?? pos(0),
      revision: kw('revision'),
      runsRemoteCode: fastai,
    };
  }
  // NeMo `X.from_pretrained(model_name, …)` (nemo/core/classes/common.py `Model.from_pretrained`): a name with a `/` is
  // a hub repo, `hf_hub_download` / `snapshot_download` with no revision (the default branch); any other is looked up
  // in the class's `list_available_models()` and fetched from NGC by `maybe_download_from_cloud`, unchecked.
  if (name === 'from_pretrained' && inModule(f.resolved, ['nemo'])) {
    const given = kw('model_name') ?? pos(0);
    const v = given?.value;
    if (v !== undefined && !v.includes('/'))
      return { via: f.written, name: undefined, runsRemoteCode: false, table: v, fetched: NGC_DOWNLOAD };
    return { via: f.written, name: given, runsRemoteCode: false, takesNoRevision: true, hubOnly: true };
  }
  // torchvision model builders (`torchvision.models.resnet50(weights=…)`, `get_model(name, weights=…)`).
  if (inModule(f.resolved, ['torchvision.models'])) return torchvisionShape(f, kw, pos, name);
  // openai-whisper `whisper.load_model(name, …)` (whisper/__init__.py) and OpenAI CLIP `clip.load(name, …)`
  // (clip/clip.py): a name of the module's `_MODELS` is `_download(url)`, which takes the SHA-256 from the URL's path
  // and raises when the bytes differ — a download pinned by digest. Any other name is a local file
  // (`os.path.isfile(name)`, else RuntimeError): nothing is downloaded.
  const digests = DIGEST_LOADERS.get(f.resolved);
  if (digests) return digestTableShape(f.resolved, kw('name') ?? pos(0), digests);
  // datasets `load_dataset(path, …, trust_remote_code=True)` (datasets/load.py, before 4.0): runs the dataset
  // repository's loading script. A dataset is not a model reference; the code it runs is reported.
  if (name === 'load_dataset' && inModule(f.resolved, ['datasets']) && isTrue(kw('trust_remote_code')))
    return {
      via: 'load_dataset',
      name: kw('path') ?? pos(0),
      revision: kw('revision'),
      runsRemoteCode: true,
      datasetCode: true,
    };
  return undefined;
}

/** Where utils/downloads.py `attempt_download_asset` fetches a weights file it does not find (GITHUB_ASSETS_REPO). */
const ULTRALYTICS_ASSETS = 'ultralytics/assets';
/**
 * The weights files of utils/downloads.py GITHUB_ASSETS_NAMES, by family (yolov8n.pt, yolo11s-seg.pt, yolov5su.pt,
 * yolo_nas_s.pt, sam_b.pt, sam2.1_t.pt, mobile_sam.pt, FastSAM-s.pt, rtdetr-l.pt, yoloe-11s-seg.pt…): a file of
 * another name (a trained `best.pt`) is not an asset, and nothing downloads it. One digit after `yolo`/`yolov`: the
 * characters after take the rest (`\d+[\w.-]*` split a run of digits every way, quadratic on `yolo000…0x`; redos).
 */
const ULTRALYTICS_ASSET =
  /^(?:yolo(?:v?\d|_nas_|e-)[\w.-]*|sam[\w.-]*|mobile_sam|fastsam-[\w.-]+|rtdetr-[\w.-]+)\.pt$/i;

/**
 * ultralytics `YOLO(model="yolo26n.pt")` and the other model classes (engine/model.py `Model.__init__`): a `.yaml`
 * builds a new model and loads nothing; an https URL is downloaded as it is (`_load` → checks.check_file), an
 * `http://host/path` is a Triton server (`is_triton_model`), not a download; any other `.pt` goes to nn/tasks.py
 * `load_checkpoint` → utils/downloads.py `attempt_download_asset`, which reads the file where it is and otherwise
 * fetches an asset of that name from the latest ultralytics/assets GitHub release, with no digest, for torch.load.
 * A name without a suffix gets `.pt` (checks.py `check_model_file_from_stem`). With no model the class's default
 * asset loads, which changes with the library's version.
 */
function ultralyticsShape(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined {
  const via = f.written;
  const given = kw('model') ?? pos(0);
  if (given === undefined) {
    if (f.splat || f.positional.length > 0 || f.keywords.size > 0) return undefined;
    return { via, name: undefined, runsRemoteCode: false, table: '<default>', release: ULTRALYTICS_ASSETS };
  }
  const v = given.value;
  if (v === undefined || given.isString !== true) return undefined;
  const trimmed = v.trim();
  if (/^https:\/\//i.test(trimmed)) {
    // engine/model.py `_load`: `checks.check_file` downloads the URL to a file named by its path (downloads.py
    // `url2file` drops the query), and a `.pt` one goes to nn/tasks.py `load_checkpoint`, unpickled with
    // weights_only=False (`CHECKPOINT_UNPICKLERS`), as a download handed to the class is.
    const file = trimmed.split(/[?#]/)[0]!;
    return unpicklesFile(f.resolved, file) && /\.pt$/i.test(file)
      ? { via, name: literal(trimmed), runsRemoteCode: true, unpickledBy: f.resolved }
      : { via, name: literal(trimmed), runsRemoteCode: false };
  }
  const file = /\.[A-Za-z0-9]+$/.test(trimmed) ? trimmed : `${trimmed}.pt`;
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (!ULTRALYTICS_ASSET.test(base)) return undefined;
  return { via, name: undefined, runsRemoteCode: false, table: base, release: ULTRALYTICS_ASSETS, tableFile: file };
}

/**
 * TRL's trainers, given a hub id for a model they load themselves: trl/trainer/sft_trainer.py `SFTTrainer.__init__`
 * (`if isinstance(model, str): … create_model_from_path(model, **args.model_init_kwargs)`, utils.py: the
 * architecture's `from_pretrained(model_id, **kwargs)`), and the DPO, GRPO, RLOO, Reward, KTO, online DPO, GKD, ORPO
 * and CPO trainers alike; a `ref_model` / `teacher_model` given as a string is loaded the same way, and so is each
 * GRPO/RLOO reward function given as a string (`AutoModelForSequenceClassification.from_pretrained(reward_func,
 * num_labels=1, **model_init_kwargs)`). The revision and trust_remote_code are in the config's `model_init_kwargs`
 * (`args`), which this reader does not follow: with `args` given, the revision is the run time's as far as the call
 * shows; without, none. A model the file does not name (what a loader returned, a parameter: the trainer takes
 * model objects as often) is not read as a download: null for a call that is no TRL trainer, undefined for one that
 * names no hub id.
 */
function trlTrainerShape(
  f: CallFacts,
  name: string,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined | null {
  if (!TRL_TRAINERS.has(name) || !inModule(f.resolved, ['trl'])) return null;
  // A value the file decides, one of a known set, or one read from the environment or the command line: a name.
  // Anything else (a parameter, a loader's result, an attribute) is as often the model object the trainer also takes.
  const named = (r: Resolved | undefined) =>
    r !== undefined && (r.value !== undefined || r.env !== undefined || r.candidates !== undefined) ? r : undefined;
  const model = named(kw('model') ?? pos(0));
  const others = ['ref_model', 'teacher_model', 'reward_funcs'].map((k) => named(kw(k))).filter((r) => r !== undefined);
  const [first, ...also] = model ? [model, ...others] : others;
  if (first === undefined) return undefined;
  return {
    via: f.written,
    name: first,
    ...(kw('args') !== undefined || f.splat ? { revision: RUN_TIME } : {}),
    runsRemoteCode: false,
    ...(also.length > 0 ? { also } : {}),
  };
}

/**
 * Loaders of quantized models. AutoAWQ `AutoAWQForCausalLM.from_quantized(quant_path, quant_filename, …,
 * trust_remote_code=True, …, download_kwargs=None)` and `from_pretrained(model_path, trust_remote_code=True, …)`
 * (awq/models/auto.py): the config is read with `AutoConfig.from_pretrained(…, trust_remote_code=trust_remote_code)`
 * before anything else, and AutoAWQ turns trust_remote_code **on** unless the call turns it off; the revision goes
 * to `snapshot_download` in `download_kwargs`. AutoGPTQ `AutoGPTQForCausalLM.from_quantized(model_name_or_path, …,
 * trust_remote_code=False, **kwargs)` (auto_gptq/modeling/auto.py; `revision` among the hub kwargs) and GPTQModel's
 * `from_quantized(model_id_or_path, …)` as transformers' from_pretrained.
 */
function quantizedShape(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape {
  const awq = inModule(f.resolved, ['awq']);
  const name = awq
    ? (kw(lastName(f.resolved) === 'from_quantized' ? 'quant_path' : 'model_path') ?? pos(0))
    : (kw('model_name_or_path') ?? kw('model_id_or_path') ?? pos(0));
  const remote = kw('trust_remote_code');
  return {
    via: f.written,
    name,
    revision: awq ? kw('download_kwargs')?.entries?.get('revision') : kw('revision'),
    // AutoAWQ's default is True: only an explicit falsy value turns it off (a `**kwargs` may hold one: unknown, so on).
    runsRemoteCode: awq && remote === undefined ? true : isTrue(remote),
    ...(awq && remote === undefined ? { remoteCodeByDefault: true as const } : {}),
  };
}
