import {
  hubFileUrl,
  kaggleModelUrl,
  looksLikeRepoId,
  looksLikeTypedRepoId,
  parseModelUrl,
  revisionKind,
  storageUrl,
} from './ids.js';
import { JAVASCRIPT_CONSTRUCTED } from './javascript-classes.js';
import { RUN_TIME } from './syntax.js';
import { isFlag, type FileReferences, type ModelHub, type TableDownload } from './types.js';
import type { EnvRead } from './python-env.js';
import type { HashPrefix } from '../core/records.js';
import {
  PYTHON_LIBRARY_WORDS,
  TORCH_HUB_IMPORTS,
  TORCH_HUB_LOAD,
  pythonLibraryShape,
  pythonTruth,
  pythonTruthy,
  urlFileHashCheck,
  UNPICKLERS,
  CHECKPOINT_UNPICKLERS,
  unpicklesFile,
  literal,
} from './python-loaders.js';
import { isTransformersJs, underTransformersJsEnv, type TransformersJsEnv } from './transformersjs-env.js';
import { reportOllamaName } from './runtimes.js';
import {
  SENTENCE_TRANSFORMERS_MODELS,
  sentenceTransformersParts,
  sentenceTransformersRepo,
} from './sentence-transformers.js';

/** An argument as far as the file alone can tell: its string value, or undefined when computed at run time. */
export interface Resolved {
  readonly value: string | undefined;
  readonly isString: boolean;
  /** A dict literal's (or `dict(…)`'s) string keys and their values, as far as the file alone can tell. */
  readonly entries?: ReadonlyMap<string, Resolved>;
  /**
   * An object a loader call in this file returned (`model = AutoModel.from_pretrained(…)`, or the call itself): that
   * call's own reference is reported where it is made.
   */
  readonly built?: boolean;
  /**
   * JavaScript: a value the file shows is no model name — `null`/`undefined` (`absent`: the loader's default, as if
   * not given) or a number, array or object literal (`value`: names no model at all).
   */
  readonly notString?: 'absent' | 'value';
  /**
   * Python: one of a known set of strings, no single value (`"org/a" if big else "org/b"`, `MODELS[size]` of a dict
   * constant): each is a model the call may load.
   */
  readonly candidates?: readonly string[];
  /** Read from the environment (`os.environ.get("X", "main")`): the variable and the file's default. */
  readonly env?: EnvRead;
  /**
   * A path built on the file system: Python's `os.path.join(…)`, `Path(…)` (python-loaders.ts `LOCAL_PATH_CALLS`);
   * JavaScript's `'file://' + …` and the like (javascript-arguments.ts `startsLocal`).
   */
  readonly localPath?: boolean;
  /**
   * Python, for a value that is no string the file decides (`value` undefined): its truth where the file decides it
   * (`1`, `0`, `not False`, `bool(1)`), or `run-time` where only the run decides it (a parameter, `args.flag`,
   * `cfg["flag"]`, a call's result, `not flag`, a comparison the file cannot decide). python-loaders.ts `pythonTruth`.
   */
  readonly truth?: boolean | 'run-time';
  /** Python: a plain name as written (`type=bool`), which python-argparse.ts reads as the function argparse calls. */
  readonly name?: string;
}

/** A call as the language front ends see it: the callee as written and with import aliases resolved. */
export interface CallFacts {
  readonly written: string;
  readonly resolved: string;
  readonly positional: readonly Resolved[];
  /** Python keyword arguments, or the properties of a JavaScript options object. */
  readonly keywords: ReadonlyMap<string, Resolved>;
  readonly splat: boolean;
  readonly line: number;
  readonly column: number;
  readonly lang: 'python' | 'javascript';
  /**
   * The call is the first argument of an unpickler (`joblib.load(hf_hub_download(…))`, or through `open(…)`): that
   * unpickler's name (`unpicklerOf`). Whatever the call downloads is unpickled.
   */
  readonly unpickledBy?: string;
}

/**
 * Calls that hand their first argument's file on as it is: an unpickler given `open(hf_hub_download(…), "rb")` or
 * `Path(hf_hub_download(…))` unpickles the download, and one given `io.BytesIO(requests.get(url).content)` the bytes
 * fetched (a file over them).
 */
const PASSES_FILE_ON: ReadonlySet<string> = new Set([
  'open',
  'io.open',
  'str',
  'pathlib.Path',
  'os.fspath',
  'io.BytesIO',
]);

/**
 * torch.load with no weights_only in a file that turns its default off (python-torch-load-default.ts): the unpickler's
 * name as a finding shows it, saying why.
 */
const TORCH_LOAD_TURNED_OFF = 'torch.load (which this file makes default to weights_only=False)';

/**
 * The parameter each call above and each unpickler takes its file by, when it is given by keyword
 * (`joblib.load(filename=…)`): their signatures — builtins `open(file, …)`, joblib/numpy_pickle.py
 * `load(filename, mmap_mode=None)`, pickle `load(file, *, …)` (dill and cloudpickle re-export it), pandas
 * `read_pickle(filepath_or_buffer, …)`, torch/serialization.py `load(f, …)`, numpy `load(file, …)`, fastai/learner.py
 * `load_learner(fname, …)`, ultralytics engine/model.py `Model(model=…)`, flair/nn/model.py `Model.load(model_path)`.
 * `str`, `pathlib.Path`, `os.fspath` and `pickle.loads` take theirs by position only.
 */
const FILE_PARAMETERS: ReadonlyMap<string, string> = new Map([
  ['open', 'file'],
  ['io.open', 'file'],
  ['io.BytesIO', 'initial_bytes'],
  ['joblib.load', 'filename'],
  ['pickle.load', 'file'],
  ['dill.load', 'file'],
  ['cloudpickle.load', 'file'],
  ['pandas.read_pickle', 'filepath_or_buffer'],
  ['torch.load', 'f'],
  [TORCH_LOAD_TURNED_OFF, 'f'],
  ['numpy.load', 'file'],
  ...[...CHECKPOINT_UNPICKLERS].map((u) => [u, checkpointParameter(u)] as const),
]);

/** The parameter a checkpoint unpickler (`CHECKPOINT_UNPICKLERS`) takes its file by (`FILE_PARAMETERS`). */
function checkpointParameter(unpickler: string): string {
  if (unpickler.startsWith('fastai.')) return 'fname';
  return unpickler.startsWith('flair.') ? 'model_path' : 'model';
}

/** How a Python reader shows `unpickledCalls` an argument of its own tree. */
export interface ArgumentView<N> {
  /** The resolved callee of a call, undefined for anything else. */
  callee(n: N): string | undefined;
  /** A call's first positional argument, else its argument `keyword=` when one is named. */
  argument(n: N, keyword: string | undefined): N | undefined;
  /**
   * `x.read()` or `x.read_bytes()` (a file's or a `pathlib.Path`'s bytes: what `pickle.loads` is given), or
   * `x.content` (requests' and httpx's `Response.content`, the body fetched): `x`; undefined for anything else.
   */
  bytesOf(n: N): N | undefined;
  /** Where a call starts (the key its facts are found by), undefined for anything else. */
  callStart(n: N): number | undefined;
  /** A plain name's text, undefined for anything else. */
  name(n: N): string | undefined;
  /**
   * What `name` holds where `call` runs when a `with … as name:` around it binds it (the expression before `as`:
   * `open(…)`, whose `__enter__` returns the file itself); undefined when none does or the reader cannot tell.
   */
  boundAround(call: N, name: string): N | undefined;
}

/**
 * The calls handed to an unpickler (`unpicklerOf`), by where they start, with the unpickler: the file it is given,
 * followed back through `PASSES_FILE_ON` wrappers, `.read()` / `.read_bytes()`, the `with … as f:` around it and
 * names the file binds once (`path = hf_hub_download(…)` … `with open(path, "rb") as f:` … `pickle.load(f)`), to a
 * call. Both Python readers call this over their own trees; `unresolved` hears of each unpickler whose file ends at a
 * name neither binds (python-fast.ts leaves such a file to lezer, which sees the `with` statements).
 */
export function unpickledCalls<N>(
  unpicklers: Iterable<readonly [unpickler: string, call: N]>,
  assignments: Iterable<readonly [name: string, value: N]>,
  boundOnce: (name: string) => boolean,
  view: ArgumentView<N>,
  unresolved: (name: string) => void = () => {},
): Map<number, string> {
  const starts = new Map<number, string>();
  const assigned = new Map<string, N>();
  for (const [name, value] of assignments) if (boundOnce(name)) assigned.set(name, value);
  for (const [unpickler, call] of unpicklers) {
    let arg = view.argument(call, FILE_PARAMETERS.get(unpickler));
    // A bound on the steps: `a = b` … `b = a` goes round.
    for (let step = 0; arg !== undefined && step < MAX_FILE_STEPS; step++) {
      const callee = view.callee(arg);
      if (callee !== undefined && PASSES_FILE_ON.has(callee)) {
        arg = view.argument(arg, FILE_PARAMETERS.get(callee));
        continue;
      }
      const read = view.bytesOf(arg);
      if (read !== undefined) {
        arg = read;
        continue;
      }
      const start = view.callStart(arg);
      if (start !== undefined) {
        starts.set(start, unpickler);
        break;
      }
      const name = view.name(arg);
      if (name === undefined) break;
      arg = view.boundAround(call, name) ?? assigned.get(name);
      if (arg === undefined) unresolved(name);
    }
  }
  return starts;
}

/** pyannote's `model_id@revision`: `checkpoint.split("@")[0]` and `[1]`, for a string the file shows. */
function atRevision(n: Resolved | undefined): { name: Resolved; revision: Resolved } | undefined {
  const parts = n?.isString === true ? n.value?.split('@') : undefined;
  if (parts === undefined || parts.length < 2) return undefined;
  return { name: { value: parts[0], isString: true }, revision: { value: parts[1], isString: true } };
}

/** How many wrappers and names `unpickledCalls` follows from an unpickler to the file it is given. */
const MAX_FILE_STEPS = 16;

/**
 * The unpickler a call is (`UNPICKLERS`, or torch.load / numpy.load as their arguments make them), if any.
 * `torchUnpickles`: whether the file makes a torch.load that passes no weights_only unpickle
 * (python-torch-load-default.ts), asked only of such a call.
 */
export function unpicklerOf(f: CallFacts, torchUnpickles?: () => boolean): string | undefined {
  if (f.lang !== 'python') return undefined;
  if (UNPICKLERS.has(f.resolved) || CHECKPOINT_UNPICKLERS.has(f.resolved)) return f.resolved;
  const weightsOnly = f.keywords.get('weights_only');
  if (f.resolved === 'torch.load' && weightsOnly?.value === 'False') return 'torch.load';
  if (f.resolved === 'torch.load' && weightsOnly === undefined && !f.splat && torchUnpickles?.())
    return TORCH_LOAD_TURNED_OFF;
  if (f.resolved === 'numpy.load' && f.keywords.get('allow_pickle')?.value === 'True') return 'numpy.load';
  return undefined;
}

export interface LoaderShape {
  readonly via: string;
  readonly name: Resolved | undefined;
  readonly revision?: Resolved | undefined;
  readonly file?: Resolved | undefined;
  readonly runsRemoteCode: boolean;
  /** torch.hub: `owner/repo[:ref]` on GitHub. */
  readonly hub?: ModelHub;
  /** `datasets.load_dataset(…, trust_remote_code=True)`: runs the dataset repository's script; not a model. */
  readonly datasetCode?: boolean;
  /** A pipeline's task: with no model named, the library loads its own default model for it. */
  readonly task?: Resolved | undefined;
  /** timm / open_clip: the name the library looks up in its own pretrained table (not resolved here). */
  readonly table?: string;
  /** @tensorflow-models: `table` is the package whose own default model loads (types.ts `packageDefault`). */
  readonly packageDefault?: true;
  /** torchvision, Keras applications: where the table's weights come from (types.ts `DynamicReference.fetched`). */
  readonly fetched?: TableDownload;
  /** ultralytics: the GitHub release whose assets the table is (types.ts `DynamicReference.release`). */
  readonly release?: string;
  /** The file a table download writes and the loader reads first: a repository that holds it downloads nothing. */
  readonly tableFile?: string;
  /** ollama-python `pull`: an ollama model name (runtimes.ts `reportOllamaName`). */
  readonly ollama?: boolean;
  /**
   * Other hub repos the same call downloads at the same revision and remote-code setting (transformers `pipeline`'s
   * `tokenizer=` / `image_processor=`… given as names): each string is a reference of its own.
   */
  readonly also?: readonly (Resolved | undefined)[];
  /**
   * sentence-transformers: the organisation a bare name loads from (`all-MiniLM-L6-v2` is
   * `sentence-transformers/all-MiniLM-L6-v2`; sentence-transformers.ts `sentenceTransformersRepo`).
   */
  readonly bareNames?: 'sentence-transformers';
  /**
   * Other downloads the same call makes with a revision or remote-code setting of their own (diffusers
   * `custom_pipeline=`, transformers `code_revision=`): each is judged as a reference of its own.
   */
  readonly extra?: readonly LoaderShape[];
  /** calls.ts `CallFacts.unpickledBy`: the unpickler the download is handed to. */
  readonly unpickledBy?: string;
  /**
   * A plain download (`fetch`, `requests.get`: python-loaders.ts `HTTP_GETS`): a model reference only when the URL is
   * a Hugging Face hub file's; another host, or a value computed at run time, is nothing the file shows of a model,
   * and nothing is said (no run-time note for every HTTP call).
   */
  readonly hubUrlOnly?: true;
  /**
   * TensorFlow Hub, Lightning checkpoints: a path that is no URL is a local one (python-loaders.ts `TF_HUB_LOADERS`),
   * never a hub id: only an http(s) or object-storage URL is a download.
   */
  readonly urlOnly?: true;
  /**
   * kagglehub: the name is a Kaggle Models handle, downloaded from the page its `ModelHandle.to_url` names (a URL like
   * any other); a string that is no handle is a ValueError, and loads nothing.
   */
  readonly kaggle?: true;
  /**
   * A file the library reads instead of downloading when the repository holds it (evaluate's `<path>/<name>.py`,
   * python-evaluate.ts): then nothing is downloaded.
   */
  readonly localFile?: string;
  /** huggingface_hub `repo_type`: the id's prefix for a dataset or a Space (`repoTypeOf`). */
  readonly repoType?: 'datasets/' | 'spaces/';
  /**
   * huggingface_hub's downloads take a repo id only (utils/_validators.py `validate_repo_id`): a local folder of
   * that name is never read, unlike transformers' from_pretrained.
   */
  readonly hubOnly?: true;
  /** The digest the loader checks the download against (records.ts `ModelReference.sha256`). */
  readonly sha256?: string;
  /** Fewer digits of it the loader checks (records.ts `ModelReference.hashPrefix`). */
  readonly hashPrefix?: HashPrefix;
  /** The MD5 the loader checks the download against instead (records.ts `ModelReference.md5`). */
  readonly md5?: string;
  /**
   * torch.hub `load_state_dict_from_url(…, check_hash=True)` with no `file_name`: the digits the URL's own file name
   * carries are checked (python-loaders.ts `urlFileHashCheck`), each URL's for a call that chooses among several.
   */
  readonly hashFromFileName?: true;
  /** The loader trusts remote code unless told not to (records.ts `ModelReference.remoteCodeByDefault`). */
  readonly remoteCodeByDefault?: true;
  /** The loader passes no revision on (records.ts `ModelReference.takesNoRevision`). */
  readonly takesNoRevision?: true;
  /** `local_files_only=True`: read from the local hub cache only (records.ts `ModelReference.cacheOnly`). */
  readonly cacheOnly?: true;
}

/**
 * Every Python call `shapeOf` follows has one of these words in its callee as written, or is called through a name
 * an import binds to something that starts with one (`torch.hub.load`, `from transformers import pipeline as make`):
 * python-snippet.ts keeps only the statements that name one. A new Python loader adds its module or method here.
 */
export const PYTHON_LOADER_WORDS: readonly string[] = [
  'from_pretrained',
  'transformers',
  'huggingface_hub',
  'torch',
  'timm',
  'sentence_transformers',
  // refs4: `api.snapshot_download(…)` on an `HfApi()` names no module (syntax.ts `resolveMethod`).
  'hf_hub_download',
  'snapshot_download',
  ...PYTHON_LIBRARY_WORDS,
];

/** The local-folder test of a loader that reads none (`hubOnly`). */
const NOWHERE = (): boolean => false;

/**
 * The @tensorflow-models packages' loaders and the argument that holds their config: coco-ssd, mobilenet, posenet,
 * body-pix, deeplab, handpose, blazeface, toxicity, universal-sentence-encoder… `load(config)`; pose-detection,
 * face-landmarks-detection, hand-pose-detection `createDetector(model, config)`, body-segmentation
 * `createSegmenter`, depth-estimation `createEstimator`.
 */
const TFJS_MODEL_CONFIG: ReadonlyMap<string, number> = new Map([
  ['load', 0],
  ['createDetector', 1],
  ['createSegmenter', 1],
  ['createEstimator', 1],
]);

/**
 * A @tensorflow-models loader (coco-ssd index.ts `load`: `modelUrl || \`${BASE_PATH}…/model.json\``, the others
 * alike): a `modelUrl` option (`detectorModelUrl`, `landmarkModelUrl`… for the two-model packages) is the URL
 * loaded; with none the package's own default, a URL on storage.googleapis.com, tfhub.dev or Kaggle that the
 * package's version fixes (CPR015); a config the file does not show is the run time's.
 */
function tfjsModelShape(f: CallFacts, at: number): LoaderShape {
  const via = f.written;
  const config = f.positional[at];
  const urls = [...f.keywords].filter(([k]) => /(^m|M)odelUrl$/.test(k)).map(([, v]) => v);
  if (f.splat || (config !== undefined && config.notString !== 'value') || urls.some((u) => u.value === undefined))
    return { via, name: RUN_TIME, runsRemoteCode: false };
  if (urls.length > 0) return { via, name: urls[0], also: urls.slice(1), runsRemoteCode: false };
  const pkg = f.resolved.slice(0, f.resolved.lastIndexOf('.'));
  return { via, name: undefined, runsRemoteCode: false, table: pkg, packageDefault: true };
}

/**
 * MediaPipe Tasks for the web (@mediapipe/tasks-vision, -text, -audio, -genai): `X.createFromModelPath(fileset, path)`
 * and `X.createFromOptions(fileset, { baseOptions: { modelAssetPath } })` fetch the model at that path or URL
 * (task_runner.ts `applyOptions`: `fetch(baseOptions.modelAssetPath)`). A `modelAssetBuffer` is bytes the app already
 * holds: nothing here; options the file does not show are the run time's.
 */
function mediaPipeShape(f: CallFacts, name: string): LoaderShape {
  const via = f.written;
  if (name === 'createFromModelPath') return { via, name: f.positional[1], runsRemoteCode: false };
  const options = f.positional[1];
  if (f.splat || (options !== undefined && options.notString !== 'value'))
    return { via, name: RUN_TIME, runsRemoteCode: false };
  // (No path, as with no options or a buffer, is a shape with no name: nothing is said, and the readers still know
  // the call for a loader's.)
  return { via, name: f.keywords.get('baseOptions.modelAssetPath'), runsRemoteCode: false };
}

/**
 * Python `local_files_only=True` (transformers' from_pretrained, huggingface_hub's hf_hub_download and
 * snapshot_download, sentence-transformers): huggingface_hub never asks the hub and reads the revision from the local
 * cache (file_download.py `try_to_load_from_cache`: a branch through `refs/<branch>`, a commit as its snapshot).
 * transformers.js `{ local_files_only: true }` (pipeline and from_pretrained hand their options to utils/hub.js
 * `getModelFile`): the cache (keyed by the revision when it is not `main`) or `env.localModelPath`, and when neither
 * has the file it throws (`local_files_only=true … file was not found locally`) before any `getFile(remoteURL)`.
 */
function cacheOnly(f: CallFacts): Pick<LoaderShape, 'cacheOnly'> {
  const flag = f.keywords.get('local_files_only');
  return (f.lang === 'python' ? pythonTruthy(flag) : flag?.value === 'true') ? { cacheOnly: true } : {};
}

/** node-llama-cpp's downloads by model URI (`nodeLlamaCppShape`), each with where it takes the URI. */
const NODE_LLAMA_CPP_DOWNLOADS: ReadonlyMap<string, 'first' | 'options'> = new Map([
  ['node-llama-cpp.resolveModelFile', 'first'],
  ['node-llama-cpp.createModelDownloader', 'options'],
]);

/** node-llama-cpp's Hugging Face URI prefixes (parseModelUri.js `parseModelUri`), in the order it tries them. */
const NODE_LLAMA_CPP_HF = /^(?:hf:\/\/|huggingface:\/\/|hf:|huggingface:|hf\.co\/|huggingface\.co\/)/;

/**
 * node-llama-cpp's `resolveModelFile(uriOrPath, directory)` and `createModelDownloader({ modelUri })` (dist/utils/
 * parseModelUri.js `parseModelUri`, `parseHuggingFaceUriContent`): `hf:<user>/<model>[:<quant>]` — also `hf://`,
 * `huggingface:`, `hf.co/`, or `https://huggingface.co/<user>/<model>` — is resolved through the hub's manifest to a
 * file of the repo's `main` branch; `hf:<user>/<model>/<path>[#<branch>]` names the file at that branch or commit
 * (`main` when none). Another URL is fetched as written; anything else is a path on disk (resolveModelFile throws
 * when it is missing), which says nothing here.
 */
function nodeLlamaCppShape(f: CallFacts, takes: 'first' | 'options'): LoaderShape {
  const via = f.resolved.slice(f.resolved.lastIndexOf('.') + 1);
  const uri = takes === 'first' ? f.positional[0] : (f.keywords.get('modelUri') ?? f.keywords.get('modelUrl'));
  if (takes === 'options' && uri === undefined && (f.splat || f.positional[0]?.notString !== 'value'))
    return { via, name: RUN_TIME, runsRemoteCode: false };
  // No URI, or a path on disk: a shape with no name says nothing, and the readers still know the call for a loader's.
  const none: LoaderShape = { via, name: undefined, runsRemoteCode: false };
  const v = uri?.value;
  if (v === undefined) return uri === undefined ? none : { via, name: uri, runsRemoteCode: false };
  const base = { via, runsRemoteCode: false, hubOnly: true as const };
  const page = /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/([^/?#]+)\/([^/?#]+)\/?$/.exec(v);
  if (page) return { ...base, name: literal(`${page[1]!}/${page[2]!}`) };
  const prefix = NODE_LLAMA_CPP_HF.exec(v);
  if (!prefix) return /^https?:\/\//.test(v) ? { via, name: uri, runsRemoteCode: false } : none;
  const [user, model, ...parts] = v.slice(prefix[0].length).split('/');
  // parseHuggingFaceUriContent throws "Invalid Hugging Face URI": nothing downloads.
  if (!user || !model) return none;
  let rest = parts.join('/');
  // `user/model:quant` (or no path): the manifest of that quant tag, at `main`.
  if (rest === '' || model.includes(':')) return { ...base, name: literal(`${user}/${model.split(':')[0]!}`) };
  const hash = rest.indexOf('#');
  const branch = hash >= 0 ? rest.slice(hash + 1) : '';
  if (hash >= 0) rest = rest.slice(0, hash);
  return {
    ...base,
    name: literal(`${user}/${model}`),
    ...(branch !== '' ? { revision: literal(branch) } : {}),
    file: literal(rest),
  };
}

/** @mlc-ai/web-llm's engine factories (src/engine.ts, web_worker.ts, service_worker.ts) and where each takes the model. */
const WEB_LLM_ENGINES: ReadonlyMap<string, number> = new Map([
  ['CreateMLCEngine', 0],
  ['CreateWebWorkerMLCEngine', 1],
  ['CreateServiceWorkerMLCEngine', 0],
]);

/** web-llm's prebuilt models: `model` URLs on huggingface.co that `cleanModelUrl` reads at `resolve/main`. */
const WEB_LLM_DOWNLOAD: TableDownload = { library: 'web-llm', host: 'huggingface.co (resolve/main)', check: 'none' };

/**
 * web-llm `CreateMLCEngine(modelId, engineConfig)` (src/engine.ts `reload` → `findModelRecord(modelId, appConfig)`):
 * with no `appConfig` the id is looked up in the package's `prebuiltAppConfig`, whose record names a hub repo the
 * weights are fetched from at `resolve/main` (a moving branch) and a compiled model library (WebAssembly) on GitHub,
 * both fixed by the package's version; an `appConfig` of the app's own, or an id the file does not show, is the run
 * time's.
 */
function webLlmShape(f: CallFacts, at: number): LoaderShape {
  const via = f.written;
  const id = f.positional[at];
  const ownConfig = [...f.keywords.keys()].some((k) => k === 'appConfig' || k.startsWith('appConfig.'));
  const config = f.positional[at + 1];
  const unread = config !== undefined && config.notString !== 'value';
  if (f.splat || ownConfig || unread || id?.value === undefined) return { via, name: RUN_TIME, runsRemoteCode: false };
  return { via, name: undefined, runsRemoteCode: false, table: id.value, fetched: WEB_LLM_DOWNLOAD };
}

/**
 * The global fetch, as written or through the global object, and the packages that export one (node-fetch's and
 * cross-fetch's default export, `require('node-fetch').default`, undici's `fetch`).
 */
const FETCHES: ReadonlySet<string> = new Set([
  'fetch',
  'window.fetch',
  'globalThis.fetch',
  'self.fetch',
  'node-fetch',
  'node-fetch.default',
  'cross-fetch',
  'cross-fetch.default',
  'undici.fetch',
]);

/**
 * @huggingface/hub's `repo`: `"org/name"`, `"datasets/org/name"` / `"spaces/org/name"` (lib/utils `toRepoId`), or
 * `{ type, name }`: the id keeps a dataset's or a Space's prefix, as Python's `repo_type` does.
 */
function jsHubRepo(repo: Resolved | undefined, type: Resolved | undefined): Pick<LoaderShape, 'name' | 'repoType'> {
  const v = repo?.isString === true ? repo.value : undefined;
  const prefix = v === undefined ? undefined : /^(datasets|spaces)\//.exec(v)?.[0];
  if (prefix !== undefined)
    return { name: { value: v!.slice(prefix.length), isString: true }, repoType: prefix as 'datasets/' | 'spaces/' };
  return { name: repo, ...repoTypeOf(type) };
}

/**
 * ModelScope's SDK (`from modelscope import AutoModelForCausalLM, snapshot_download`), which downloads from
 * modelscope.cn, not the Hugging Face hub: its transformers classes' `from_pretrained(model_id, revision=…,
 * trust_remote_code=…)` (modelscope/utils/hf_util, which fetches the repository with its own snapshot_download first),
 * `Model.from_pretrained`, `snapshot_download(model_id, revision)` and `model_file_download(model_id, file_path,
 * revision)` (modelscope/hub/snapshot_download.py, file_download.py), and `pipeline(task, model, …, model_revision)`
 * (modelscope/pipelines/builder.py). Anything else of the SDK loads no model by name here.
 */
function modelScopeShape(
  f: CallFacts,
  name: string,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined {
  const hub = 'modelscope' as const;
  if (name === 'from_pretrained')
    return {
      via: f.written,
      name: kw('pretrained_model_name_or_path') ?? kw('model_name_or_path') ?? pos(0),
      revision: kw('revision'),
      runsRemoteCode: TRUE(kw('trust_remote_code'), f.lang),
      hub,
    };
  if (name === 'snapshot_download' || name === 'model_file_download')
    return {
      via: name,
      name: kw('model_id') ?? kw('repo_id') ?? pos(0),
      revision: kw('revision'),
      file: name === 'model_file_download' ? (kw('file_path') ?? pos(1)) : undefined,
      runsRemoteCode: false,
      hubOnly: true,
      hub,
    };
  if (name === 'pipeline')
    return {
      via: f.written,
      name: kw('model') ?? pos(1),
      revision: kw('model_revision'),
      runsRemoteCode: TRUE(kw('trust_remote_code'), f.lang),
      hub,
    };
  return undefined;
}

/**
 * huggingface_hub `repo_type="dataset"` / `"space"` (keyword-only in hf_hub_download and snapshot_download): the
 * repo is `datasets/<org>/<name>` or `spaces/<org>/<name>`, the id a URL of it gives (ids.ts `parseModelUrl`), so a
 * dataset is never judged as the model of the same name (constants.REPO_TYPES_URL_PREFIXES).
 */
function repoTypeOf(type: Resolved | undefined): Pick<LoaderShape, 'repoType'> {
  if (type?.value === 'dataset') return { repoType: 'datasets/' };
  if (type?.value === 'space') return { repoType: 'spaces/' };
  return {};
}

/** A flag such as `trust_remote_code` turned on (Python: python-loaders.ts `pythonTruthy`). */
const TRUE = (r: Resolved | undefined, lang: CallFacts['lang']) =>
  lang === 'python' ? pythonTruthy(r) : r?.value === 'true';
const last = (s: string) => s.slice(s.lastIndexOf('.') + 1);
const fromModule = (resolved: string, modules: readonly string[]) => modules.some((m) => resolved.startsWith(`${m}.`));

/**
 * The loader calls chainproof follows. Python: `from_pretrained` on any class (transformers, diffusers, peft…),
 * `transformers.pipeline`, `huggingface_hub.hf_hub_download`/`snapshot_download`, `torch.hub.load`,
 * `timm.create_model(…, pretrained=True)`, sentence-transformers models. JavaScript: transformers.js `pipeline` and
 * `from_pretrained`, `@huggingface/hub` downloads, onnxruntime `InferenceSession.create(url)`, tfjs
 * `loadGraphModel`/`loadLayersModel(url)`.
 */
function shapeOf(f: CallFacts): LoaderShape | undefined {
  const kw = (k: string) => f.keywords.get(k);
  const pos = (i: number) => f.positional[i];
  const name = last(f.resolved);
  if (f.lang === 'python') {
    if (fromModule(f.resolved, ['modelscope'])) return modelScopeShape(f, name, kw, pos);
    const more = pythonLibraryShape(f);
    if (more) return more;
  } else if (!JAVASCRIPT_LOADER_NAMES.has(name)) return undefined; // the list javascript-fast.ts screens calls with
  if (name === 'from_pretrained') {
    // PEFT adapters: `PeftModel.from_pretrained(base_model, model_id)` (peft_model.py) — the hub id is the second
    // argument. peft auto.py `_BaseAutoPeftModel.from_pretrained(pretrained_model_name_or_path, …)` takes the adapter
    // first, as transformers' classes do, and loads the base model its adapter_config.json names.
    const peft = f.lang === 'python' && /(^|\.)(PeftModel|PeftModelFor\w+)\.from_pretrained$/.test(f.resolved);
    // Unsloth's FastLanguageModel / FastModel / FastVisionModel (unsloth/models/loader.py `from_pretrained(model_name
    // = …, …, trust_remote_code = False, …, revision = None, …)`): the name by its own keyword.
    const unsloth = f.lang === 'python' && fromModule(f.resolved, ['unsloth']);
    const n = peft
      ? (kw('model_id') ?? pos(1))
      : f.lang === 'python'
        ? (kw('pretrained_model_name_or_path') ?? (unsloth ? kw('model_name') : undefined) ?? pos(0))
        : pos(0);
    // pyannote.audio's Pipeline / Model `from_pretrained(checkpoint, …)` (core/pipeline.py, core/model.py): a
    // checkpoint that is no file and holds `@` is `model_id@revision`, split there, and downloaded at that revision.
    const pinnedInName =
      f.lang === 'python' && fromModule(f.resolved, ['pyannote']) && kw('revision') === undefined
        ? atRevision(n)
        : undefined;
    const shape = {
      via: f.written,
      // Another library's from_pretrained that names its model by a keyword of its own or by a default
      // (transformers' raises TypeError with no name): the run time's as far as this file shows — a note, not silence.
      name: pinnedInName?.name ?? n ?? (f.lang === 'python' && !f.splat ? RUN_TIME : undefined),
      // 🤗 tokenizers `Tokenizer.from_pretrained(identifier, revision="main", token=None)` (bindings/python/src/
      // tokenizer.rs, its pyo3 signature): the revision is also the second positional argument.
      revision:
        pinnedInName?.revision ??
        kw('revision') ??
        (f.lang === 'python' && TOKENIZERS_FROM_PRETRAINED.has(f.resolved) ? pos(1) : undefined),
      // transformers.js runs ONNX graphs, never a repository's code: its PretrainedOptions (utils/hub.js) has no
      // trust_remote_code, and the key changes nothing it loads. Nor does PEFT run an adapter's code: peft_model.py
      // `from_pretrained` hands its kwargs to `PeftConfig.from_pretrained` and `load_adapter`, whose `_split_kwargs`
      // keep only hf_hub_download's parameters and the config's fields, so trust_remote_code is dropped.
      runsRemoteCode: f.lang === 'python' && !peft && TRUE(kw('trust_remote_code'), f.lang),
      ...cacheOnly(f),
    };
    return f.lang === 'python' ? withCodeDownloads(shape, kw) : shape;
  }
  if (f.lang === 'python') {
    if (f.resolved === 'transformers.pipeline' || f.resolved.startsWith('transformers.pipelines.'))
      return {
        via: 'pipeline',
        name: kw('model') ?? pos(1),
        revision: kw('revision'),
        runsRemoteCode: TRUE(kw('trust_remote_code'), f.lang),
        task: kw('task') ?? pos(0),
        // pipelines/__init__.py `pipeline`: a `config`, `tokenizer`, `feature_extractor`, `image_processor` or
        // `processor` given as a str is loaded with `Auto….from_pretrained(identifier, **hub_kwargs)`, hub_kwargs
        // holding the call's revision and trust_remote_code: another repo, downloaded like the model.
        also: PIPELINE_PARTS.map(kw),
      };
    if (fromModule(f.resolved, ['huggingface_hub']) && (name === 'hf_hub_download' || name === 'snapshot_download'))
      return {
        via: name,
        name: kw('repo_id') ?? pos(0),
        ...repoTypeOf(kw('repo_type')),
        hubOnly: true,
        revision: kw('revision'),
        file: name === 'hf_hub_download' ? (kw('filename') ?? pos(1)) : undefined,
        runsRemoteCode: false,
        ...cacheOnly(f),
      };
    if (TORCH_HUB_IMPORTS.has(f.resolved) && (f.resolved !== TORCH_HUB_LOAD || kw('source')?.value !== 'local'))
      return {
        via: f.resolved,
        // `load(repo_or_dir, …)`; `list(github, …)` and `help(github, model, …)` (and `load` before torch 1.10).
        name: kw('repo_or_dir') ?? kw('github') ?? pos(0),
        runsRemoteCode: true,
        hub: 'github',
      };
    if (f.resolved === 'timm.create_model' && TRUE(kw('pretrained'), f.lang)) {
      // timm _builder.py: an `hf-hub:` name is a hub repo (load_model_config_from_hf); any other name goes through
      // the model's pretrained_cfg (`hf_hub_id`, often but not always `timm/<arch>.<tag>`, with a default tag for a
      // bare architecture), a table chainproof does not embed.
      const n = kw('model_name') ?? pos(0);
      const v = n?.value;
      const hubbed = v?.replace(/^hf[-_]hub:/, '');
      if (v !== undefined && hubbed === v)
        return timmLoadsLocal(kw) ? undefined : { via: 'timm.create_model', name: n, runsRemoteCode: false, table: v };
      if (hubbed === undefined) return { via: 'timm.create_model', name: n, runsRemoteCode: false };
      // timm _hub.py `hf_split`: `hf-hub:<org>/<name>@<revision>` loads that revision (split at the `@`).
      const [repo, revision, ...more] = hubbed.split('@');
      if (more.length > 0) return undefined; // timm asserts a single `@`: nothing loads
      return {
        via: 'timm.create_model',
        name: { value: repo, isString: true },
        ...(revision !== undefined ? { revision: { value: revision, isString: true } } : {}),
        runsRemoteCode: false,
      };
    }
    const stKind = fromModule(f.resolved, ['sentence_transformers'])
      ? SENTENCE_TRANSFORMERS_MODELS.get(name)
      : undefined;
    if (stKind !== undefined) return sentenceTransformersShape(f, name, stKind, kw, pos);
    return undefined;
  }
  // langchain's HuggingFaceTransformersEmbeddings, LlamaIndex.TS's HuggingFaceEmbedding: transformers.js's pipeline of
  // the model field (or the class's default), its options field's revision (javascript-classes.ts).
  const constructed = JAVASCRIPT_CONSTRUCTED.get(name);
  if (constructed !== undefined && fromModule(f.resolved, constructed.modules)) {
    const fields = pos(0);
    const unread = fields !== undefined && fields.notString !== 'value' && fields.notString !== 'absent';
    const model = constructed.model.map(kw).find((r) => r !== undefined);
    return {
      via: name,
      name: model ?? (f.splat || unread ? RUN_TIME : { value: constructed.default, isString: true }),
      revision: kw(`${constructed.options}.revision`),
      runsRemoteCode: false,
    };
  }
  if (name === 'pipeline' && fromModule(f.resolved, ['@huggingface/transformers', '@xenova/transformers']))
    return {
      via: 'pipeline',
      name: pos(1),
      revision: kw('revision'),
      runsRemoteCode: false,
      task: pos(0),
      ...cacheOnly(f),
    };
  if (
    fromModule(f.resolved, ['@huggingface/hub']) &&
    ['downloadFile', 'downloadFileToCacheDir', 'snapshotDownload'].includes(name)
  )
    return {
      via: name,
      ...jsHubRepo(kw('repo') ?? kw('repo.name'), kw('repo.type')),
      revision: kw('revision'),
      file: kw('path'),
      runsRemoteCode: false,
      hubOnly: true,
    };
  if (f.resolved.startsWith('@tensorflow-models/') && TFJS_MODEL_CONFIG.has(name))
    return tfjsModelShape(f, TFJS_MODEL_CONFIG.get(name)!);
  if (f.resolved.startsWith('@mediapipe/tasks-') && (name === 'createFromModelPath' || name === 'createFromOptions'))
    return mediaPipeShape(f, name);
  // ollama-js `pull({ model })` (src/browser.ts `Ollama.pull`; the default export is an instance, src/index.ts): asks
  // the server to download the model, as ollama-python's `pull` does (runtimes.ts `reportOllamaName`).
  if (name === 'pull' && OLLAMA_JS_PULLS.has(f.resolved))
    return { via: 'ollama.pull', name: kw('model'), runsRemoteCode: false, ollama: true };
  const nodeLlamaCpp = NODE_LLAMA_CPP_DOWNLOADS.get(f.resolved);
  if (nodeLlamaCpp !== undefined) return nodeLlamaCppShape(f, nodeLlamaCpp);
  if (f.resolved.startsWith('@mlc-ai/web-llm.') && WEB_LLM_ENGINES.has(name))
    return webLlmShape(f, WEB_LLM_ENGINES.get(name)!);
  // WHATWG fetch(url): a hub file's URL is that file at that revision, whoever fetches it (`hubUrlOnly`).
  if (FETCHES.has(f.resolved)) return { via: 'fetch', name: pos(0), runsRemoteCode: false, hubUrlOnly: true };
  // onnxruntime-node (js/node/lib/backend.ts `OnnxruntimeSessionHandler`) hands a string to the native binding's
  // `loadModel(path)`, which opens a file on disk: never a download, whatever the string holds (`path.join(__dirname,
  // …)`, a parameter) — no reference and no run-time choice. onnxruntime-web fetches a URL.
  if (name === 'create' && f.resolved.endsWith('InferenceSession.create'))
    return fromModule(f.resolved, ['onnxruntime-node'])
      ? undefined
      : { via: 'InferenceSession.create', name: pos(0), runsRemoteCode: false };
  if (isTfjsLoader(f.written, f.resolved)) return { via: name, name: pos(0), runsRemoteCode: false };
  return undefined;
}

/** The packages that export tfjs's loaders: tfjs-node-gpu is tfjs-node's build for CUDA (`export * from '@tensorflow/tfjs'`). */
const TFJS_MODULES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-layers',
];

/** tfjs `loadGraphModel` / `loadLayersModel`: imported from a tfjs package, or called on the customary `tf.`. */
export function isTfjsLoader(written: string, resolved: string): boolean {
  const name = last(resolved);
  return (
    (name === 'loadGraphModel' || name === 'loadLayersModel') &&
    (fromModule(resolved, TFJS_MODULES) || written.startsWith('tf.'))
  );
}

/** The `io` namespaces that export tfjs-core's `http`: each loader package's, and tfjs-core's own. */
const TFJS_IO: ReadonlySet<string> = new Set([...TFJS_MODULES, '@tensorflow/tfjs-core'].map((m) => `${m}.io`));

/**
 * tfjs-core io/http.ts `http(path, loadOptions)` (and its deprecated alias `browserHTTPRequest`): `new
 * HTTPRequest(path, loadOptions)`, the handler tfjs-converter `getLoaderForModelUrl` and tfjs-layers
 * `loadLayersModelFromIOHandler` build from a plain `http(s)://` URL through `io.getLoadHandlers`'s http router. A
 * loader given `tf.io.http(url)` loads that URL as it loads the string: the call's first argument is the model's.
 */
export function isTfjsHttpHandler(written: string, resolved: string): boolean {
  const name = last(resolved);
  if (name !== 'http' && name !== 'browserHTTPRequest') return false;
  return TFJS_IO.has(resolved.slice(0, -name.length - 1)) || written === `tf.io.${name}`;
}

/** The `io` namespaces that export tfjs-node's `fileSystem` handler. */
const TFJS_NODE_IO: ReadonlySet<string> = new Set(['@tensorflow/tfjs-node.io', '@tensorflow/tfjs-node-gpu.io']);

/**
 * tfjs-node io/file_system.ts `fileSystem(path: string|string[])`: `new NodeFileSystem(path)`, a handler that reads
 * the model from this machine's files whatever the paths hold at run time — a loader given it downloads nothing, as
 * one given a `file://` URL (the same handler, through `nodeFileSystemRouter`).
 */
export function isTfjsFileSystemHandler(written: string, resolved: string): boolean {
  if (last(resolved) !== 'fileSystem') return false;
  return TFJS_NODE_IO.has(resolved.slice(0, -'.fileSystem'.length)) || written === 'tf.io.fileSystem';
}

/**
 * The code a Python `from_pretrained` runs from a revision (or a repository) other than the weights'.
 * - transformers dynamic_module_utils.py `get_class_from_dynamic_module`: `if code_revision is None and
 *   pretrained_model_name_or_path == repo_id: code_revision = revision`, then `get_cached_module_file(repo_id, …,
 *   revision=code_revision)`: with trust_remote_code, `code_revision=` decides the code that runs, whatever
 *   `revision=` pins. The weights stay at `revision` (a reference without remote code); the code is one of its own.
 * - diffusers pipeline_utils.py `DiffusionPipeline.from_pretrained(…, custom_pipeline=, custom_revision=)` →
 *   `_get_custom_pipeline_class` → dynamic_modules_utils.py `get_cached_module_file`: a name ending in `.py` is a
 *   local file (this repository's code); a name with a `/` is a hub repo whose `pipeline.py` runs, downloaded at
 *   `custom_revision` (default: the default branch), with no trust_remote_code asked; a bare name is a community
 *   pipeline, `hf_hub_download("diffusers/community-pipelines-mirror", "<version>/<name>.py", repo_type="dataset")`
 *   — the mirror's default branch, the folder named by the diffusers version (or `custom_revision`: `main`,
 *   `v<version>`). A bare name can also be a `<name>.py` in the model repository itself, which diffusers runs only
 *   with trust_remote_code=True (the model reference then says so).
 */
function withCodeDownloads(shape: LoaderShape, kw: (k: string) => Resolved | undefined): LoaderShape {
  const extra: LoaderShape[] = [];
  const codeRevision = kw('code_revision');
  if (shape.runsRemoteCode && codeRevision !== undefined && codeRevision.value !== shape.revision?.value) {
    extra.push({ ...shape, via: `${shape.via} (code_revision)`, revision: codeRevision });
    shape = { ...shape, runsRemoteCode: false };
  }
  const custom = kw('custom_pipeline');
  const customRevision = kw('custom_revision');
  const via = `${shape.via} (custom_pipeline)`;
  const name = custom?.value;
  if (custom !== undefined && custom.notString === undefined && !name?.endsWith('.py')) {
    if (name === undefined) extra.push({ via, name: custom, runsRemoteCode: true });
    else if (name.includes('/'))
      extra.push({ via, name: custom, revision: customRevision, file: literal('pipeline.py'), runsRemoteCode: true });
    else {
      const folder =
        customRevision === undefined
          ? '<diffusers version>'
          : customRevision.value === 'main'
            ? 'main'
            : `v${customRevision.value ?? '<version>'}`;
      extra.push({
        via,
        name: literal(COMMUNITY_PIPELINES_MIRROR),
        file: literal(`${folder}/${name}.py`),
        runsRemoteCode: true,
      });
    }
  }
  return extra.length > 0 ? { ...shape, extra } : shape;
}

/**
 * sentence-transformers' models and modules (sentence-transformers.ts `SENTENCE_TRANSFORMERS_MODELS`): the model at
 * the call's revision, and each part whose options name another revision (`model_kwargs={"revision": …}`) as a
 * download of its own; a part's `trust_remote_code` runs the repository's code as the call's own does
 * (`sentenceTransformersParts`).
 */
function sentenceTransformersShape(
  f: CallFacts,
  name: string,
  kind: 'bare-names' | 'as-written' | 'module',
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape {
  const parts = sentenceTransformersParts(kind === 'module' ? 'module' : 'model', kw, pythonTruthy);
  const base = {
    via: kind === 'module' ? f.written : name,
    name: kw('model_name_or_path') ?? kw('model_name') ?? pos(0),
    runsRemoteCode: parts.runsRemoteCode,
    ...(kind === 'bare-names' ? { bareNames: 'sentence-transformers' as const } : {}),
    ...cacheOnly(f),
  };
  const extra = parts.others.map((o) => ({
    ...base,
    via: `${base.via} (${o.via})`,
    revision: o.revision,
    runsRemoteCode: o.runsRemoteCode,
  }));
  return { ...base, revision: parts.revision, ...(extra.length > 0 ? { extra } : {}) };
}

/**
 * timm _builder.py `_resolve_pretrained_source`: for a name of timm's own table (no `hf-hub:` source), a `state_dict`
 * or a `file` in the pretrained cfg — `pretrained_cfg_overlay=dict(file=…)` merged into the table's, or a
 * `pretrained_cfg` of the call's — comes before the table's hub id and URL: `load_pretrained` reads that file (or the
 * dict), and nothing is downloaded. Only a dict the file shows is read.
 */
function timmLoadsLocal(kw: (k: string) => Resolved | undefined): boolean {
  return ['pretrained_cfg_overlay', 'pretrained_cfg'].some((key) => {
    const cfg = kw(key)?.entries;
    return ['file', 'state_dict'].some((k) => {
      const r = cfg?.get(k);
      return r !== undefined && !(r.value === 'None' && !r.isString) && r.value !== '';
    });
  });
}

/** 🤗 tokenizers' `Tokenizer.from_pretrained`, as the package and its module export it. */
const TOKENIZERS_FROM_PRETRAINED: ReadonlySet<string> = new Set([
  'tokenizers.Tokenizer.from_pretrained',
  'tokenizers.tokenizers.Tokenizer.from_pretrained',
]);

/** diffusers dynamic_modules_utils.py `COMMUNITY_PIPELINES_MIRROR_ID`, a dataset repository. */
const COMMUNITY_PIPELINES_MIRROR = 'datasets/diffusers/community-pipelines-mirror';

/** transformers `pipeline()` arguments that name a repo of their own when given as a str. */
const PIPELINE_PARTS = ['config', 'tokenizer', 'feature_extractor', 'image_processor', 'processor'];

/**
 * Whether a call is one `shapeOf` follows, by its callee alone (what javascript-fast.ts needs to know before it reads
 * the arguments). Exact for JavaScript, whose shapes depend on the callee only.
 */
export function isLoaderCall(written: string, resolved: string, lang: CallFacts['lang']): boolean {
  const facts = { written, resolved, positional: [], keywords: new Map(), splat: false, line: 0, column: 0, lang };
  return shapeOf(facts) !== undefined;
}

/**
 * torch.nn.Module methods that return the module itself (torch/nn/modules/module.py `to`, `cuda`, `eval`…):
 * `AutoModel.from_pretrained(…).to("cuda")` is still the loaded model.
 */
export const MODULE_RETURNS_SELF: ReadonlySet<string> = new Set([
  'to',
  'cuda',
  'cpu',
  'eval',
  'train',
  'half',
  'float',
  'bfloat16',
  'requires_grad_',
]);

/** Whether a call's result is what a loader returned (a model, a pipeline, a downloaded path): `Resolved.built`. */
export function buildsModel(written: string, resolved: string, lang: CallFacts['lang']): boolean {
  return last(resolved) === 'from_pretrained' || isLoaderCall(written, resolved, lang);
}

/** The last name of every JavaScript callee `shapeOf` follows (`a?.b.create(…)` is left to the parser). */
export const JAVASCRIPT_LOADER_NAMES: ReadonlySet<string> = new Set([
  'from_pretrained',
  'pipeline',
  'downloadFile',
  'downloadFileToCacheDir',
  'snapshotDownload',
  'create',
  'loadGraphModel',
  'loadLayersModel',
  // `FETCHES`: the global's name, and the packages' default exports.
  'fetch',
  'node-fetch',
  'cross-fetch',
  'default',
  // @tensorflow-models packages (`TFJS_MODEL_CONFIG`).
  'load',
  'createDetector',
  'createSegmenter',
  'createEstimator',
  // MediaPipe Tasks (`mediaPipeShape`).
  'createFromModelPath',
  'createFromOptions',
  // web-llm engines (`webLlmShape`).
  ...WEB_LLM_ENGINES.keys(),
  // ollama-js (`OLLAMA_JS_PULLS`).
  'pull',
  // node-llama-cpp (`NODE_LLAMA_CPP_DOWNLOADS`).
  'resolveModelFile',
  'createModelDownloader',
  // Classes whose constructor loads a model (`JAVASCRIPT_CONSTRUCTED_LOADERS`).
  ...JAVASCRIPT_CONSTRUCTED.keys(),
]);

/**
 * JavaScript classes whose `new X(…)` loads a model, read as a call of X (the readers follow no other `new`):
 * javascript-classes.ts. A class of the file's own by such a name resolves to no module, and loads nothing.
 */
export const JAVASCRIPT_CONSTRUCTED_LOADERS: ReadonlySet<string> = new Set(JAVASCRIPT_CONSTRUCTED.keys());

/**
 * ollama-js's pulls through the default export, of the package or its browser build (`import ollama from 'ollama'`,
 * `require('ollama').default`). An `Ollama` instance's is not followed: the JavaScript readers track no instances.
 */
const OLLAMA_JS_PULLS: ReadonlySet<string> = new Set(
  ['ollama', 'ollama/browser'].flatMap((m) => [`${m}.pull`, `${m}.default.pull`]),
);

/**
 * A loader handed to another function as a value (`load(AutoModel.from_pretrained, "org/x")`,
 * `pool.submit(hf_hub_download, …)`): whatever calls it picks its arguments at run time, as far as this file shows.
 * A run-time note at the argument, never silence (`functools.partial` is read through: syntax.ts `throughPartial`).
 */
export function notePassedLoader(
  path: string,
  written: string,
  resolved: string,
  where: { line: number; column: number },
  out: FileReferences,
): void {
  if (buildsModel(written, resolved, 'python'))
    out.dynamic.push({ path, ...where, via: asWritten(written, 'python'), runsRemoteCode: false });
}

/**
 * Folders a Python file writes a model to before it loads one by the same name — `X.save_pretrained(dir)`
 * (transformers, diffusers, peft: `save_directory`), a Trainer's `save_model(dir)` (`output_dir`), and huggingface_hub's
 * `snapshot_download` / `hf_hub_download` with `local_dir=` — so that a later `from_pretrained(dir)` reads that folder,
 * as transformers does (`os.path.isdir` first), not a hub repo of that name. Only string literals count, and only for
 * the calls after them in the file (the readers' order); `exists` adds them to the repository's own paths.
 */
export class SavedFolders {
  private readonly saved = new Set<string>();
  constructor(private readonly existsLocally: (p: string) => boolean) {}

  readonly exists = (p: string): boolean => this.saved.has(normalFolder(p)) || this.existsLocally(p);

  /** Record the folder `f` writes a model to, if it is one of the calls above with a literal folder. */
  note(f: CallFacts): void {
    if (f.lang !== 'python') return;
    const method = f.written.slice(f.written.lastIndexOf('.') + 1);
    const dir =
      method === 'save_pretrained' && f.written.includes('.')
        ? (f.keywords.get('save_directory') ?? f.positional[0])
        : method === 'save_model' && f.written.includes('.')
          ? (f.keywords.get('output_dir') ?? f.positional[0])
          : f.resolved === 'huggingface_hub.snapshot_download' || f.resolved === 'huggingface_hub.hf_hub_download'
            ? f.keywords.get('local_dir')
            : undefined;
    if (dir?.isString === true && dir.value !== undefined && dir.value !== '') this.saved.add(normalFolder(dir.value));
  }
}

const normalFolder = (p: string) => p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

/** The most references a file's choices (`oneOf`) add, all its calls together: past it a choice is a note. */
const MAX_CHOSEN = 10_000;

/** Turn one call into a reference, a run-time note, or nothing (not a loader, or a local path). */
export function collectReference(
  path: string,
  f: CallFacts,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
  env?: TransformersJsEnv,
): void {
  const shaped = shapeOf(f);
  if (!shaped) return;
  // A download handed to an unpickler: the file runs whatever code its pickle names.
  const found =
    f.unpickledBy !== undefined && unpicklesFile(f.unpickledBy, shaped.file?.value)
      ? { ...shaped, runsRemoteCode: true, unpickledBy: f.unpickledBy }
      : shaped;
  collectShape(path, f, found, existsLocally, out, env);
  // The other repos the call names (pipeline's tokenizer=…): only a string the file shows is followed; anything else
  // is an object the code built or passes along (its own load, if any, is reported where it is made).
  for (const more of found.extra ?? []) collectShape(path, f, more, existsLocally, out, env);
  const seen = new Set([found.name?.value]);
  for (const part of found.also ?? []) {
    if (part?.isString !== true || part.value === undefined || seen.has(part.value)) continue;
    seen.add(part.value);
    collectShape(path, f, { ...found, name: part, task: undefined, also: [] }, existsLocally, out, env);
  }
}

/**
 * A Python callee as the file writes it: both readers key a name that two scopes bind differently as
 * `name#<scope>` (python-scopes.ts `SCOPE_MARK`), so a call on a function's parameter `pipe` beside a module-level
 * `pipe` reads `pipe#5.load_lora_weights`; the mark is no part of what a finding shows (no Python name holds `#`).
 */
const asWritten = (via: string, lang: CallFacts['lang']) => (lang === 'python' ? via.replace(/#\d+/g, '') : via);

function collectShape(
  path: string,
  f: CallFacts,
  found: LoaderShape,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
  env?: TransformersJsEnv,
): void {
  // transformers.js pipelines.js `pipeline(task, model = null)`: a null or undefined model is the task's default; a
  // number, array or object is no model name (from_pretrained reads a string), so nothing is claimed for it.
  if (found.name?.notString === 'value') return;
  const shape = found.name?.notString === 'absent' ? { ...found, name: undefined } : found;
  // transformers `pipeline()` (pipelines/__init__.py): a `model` that is not a str is used as is, and its config and
  // tokenizer come from that object; transformers.js hands its `model` to `from_pretrained` the same way. A model
  // object the file built downloads nothing more here: the call that built it is reported where it is.
  if (shape.via === 'pipeline' && shape.name?.built === true) return;
  const where = { path, line: f.line, column: f.column, via: asWritten(shape.via, f.lang) };
  if (shape.localFile !== undefined && existsLocally(shape.localFile)) return;
  if (shape.table !== undefined) {
    if (shape.tableFile !== undefined && existsLocally(shape.tableFile)) return;
    out.dynamic.push({
      ...where,
      runsRemoteCode: false,
      table: shape.table,
      ...(shape.release !== undefined ? { release: shape.release } : {}),
      ...(shape.packageDefault ? { packageDefault: true as const } : {}),
      ...(shape.fetched ? { fetched: shape.fetched } : {}),
    });
    return;
  }
  // `os.environ.get("MODEL_ID", "org/x")`: the default is what loads when the variable is unset, named with it.
  const nameEnv = shape.name?.value === undefined ? shape.name?.env : undefined;
  const named = shape.name?.value ?? nameEnv?.fallback;
  const value = shape.kaggle && named !== undefined ? kaggleModelUrl(named) : named;
  if (named !== undefined && value === undefined) return;
  // A plain download (`hubUrlOnly`) with no URL the file shows says nothing.
  if (shape.hubUrlOnly && value === undefined) return;
  if (env && f.lang === 'javascript' && isTransformersJs(f.resolved) && !(shape.name === undefined && f.splat))
    if (underTransformersJsEnv(env, where, value, shape.revision?.value, out)) return;
  // A folder the code builds on disk (`os.path.join(output_dir, "checkpoint")`): no hub name, no run-time choice.
  if (value === undefined && shape.name?.localPath === true) return;
  // One of a known set (`"org/a" if big else "org/b"`, `MODELS[size]`): each is a model the call may load. Past
  // MAX_CHOSEN references in a file (thousands of calls, each a choice) the rest are run-time notes: memory stays
  // bounded on a hostile file.
  const candidates = value === undefined ? shape.name?.candidates : undefined;
  if (candidates && out.references.length + candidates.length <= MAX_CHOSEN) {
    const at = out.references.length;
    for (const c of candidates)
      collectShape(path, f, { ...shape, name: { value: c, isString: true } }, existsLocally, out, env);
    // A dict of one entry looked up by a run-time key loads that entry (or raises KeyError): no choice to name.
    if (candidates.length > 1)
      for (let i = at; i < out.references.length; i++)
        out.references[i] = { ...out.references[i]!, oneOf: candidates.length };
    return;
  }
  if (value === undefined) {
    // No argument at all (a splat supplies it), one computed at run time, or a choice past MAX_CHOSEN: say so, never
    // guess.
    // transformers `pipeline(task)` (pipelines/__init__.py get_default_model_and_revision) and transformers.js
    // `pipeline(task)` (pipelines.js: `model ?? pipelineInfo.default.model`) load the library's default for the task.
    const task = shape.task?.value;
    if (shape.name === undefined && !f.splat && task !== undefined)
      out.dynamic.push({ ...where, runsRemoteCode: false, task });
    else if (shape.name !== undefined || f.splat)
      out.dynamic.push({
        ...where,
        runsRemoteCode: shape.runsRemoteCode,
        ...(shape.unpickledBy !== undefined ? { unpickledBy: shape.unpickledBy } : {}),
        ...(shape.datasetCode ? { dataset: '' } : {}),
        ...(nameEnv ? { nameFrom: nameEnv.variable } : {}),
        ...(!shape.runsRemoteCode && !shape.datasetCode && remoteCodeAtRunTime(f)
          ? { remoteCodeAtRunTime: true as const }
          : {}),
        ...remoteCodeFrom(f, shape),
      });
    return;
  }
  if (shape.ollama) {
    reportOllamaName(where, value, existsLocally, out);
    return;
  }
  if (shape.datasetCode) {
    // A dataset's loading script runs from the hub; a local script is this repository's own code.
    if (looksLikeRepoId(value, existsLocally)) out.dynamic.push({ ...where, runsRemoteCode: true, dataset: value });
    return;
  }
  // A revision passed but not decided by the file — a run-time value, or `**kwargs` the file cannot read (a dict
  // changed in place, a parameter) for a loader that takes one — is 'ref' with no revision: unpinned, never a
  // guessed pin and never "no revision".
  // An env read (`revision=os.environ.get("X", "main")`): the default is what loads when X is unset — a branch or
  // no default is unpinned, a commit is the pin — and the variable is named in the finding.
  const fromEnv = shape.revision?.env;
  const revision = shape.revision?.value ?? fromEnv?.fallback;
  const revisionFrom = {
    ...(fromEnv ? { revisionFrom: fromEnv.variable } : {}),
    ...(nameEnv ? { nameFrom: nameEnv.variable } : {}),
  };
  const file = shape.file?.value;
  if (shape.hub === 'github') {
    const [repo, ref] = value.split(':', 2);
    if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) return;
    out.references.push({
      ...where,
      hub: 'github',
      repoId: repo,
      ...(ref ? { revision: ref } : {}),
      revisionKind: revisionKind(ref),
      runsRemoteCode: shape.runsRemoteCode,
    });
    return;
  }
  // A plain download counts only for a hub file's URL (a repository's page is HTML).
  const url = shape.hubUrlOnly
    ? hubFileUrl(value)
    : (parseModelUrl(value) ?? (shape.urlOnly ? storageUrl(value) : undefined));
  if (shape.hubUrlOnly && url === undefined) return;
  if (shape.urlOnly && url === undefined) return;
  if (url) {
    const rev = revision ?? url.revision;
    const { sha256, hashPrefix, md5 } = shape.hashFromFileName ? urlFileHashCheck(url.url) : shape;
    out.references.push({
      ...where,
      hub: url.hub,
      url: url.url,
      ...(url.repoId !== undefined ? { repoId: url.repoId } : {}),
      ...(rev !== undefined ? { revision: rev } : {}),
      // A plain URL names whatever its server returns today: never pinned.
      revisionKind: url.hub === 'url' ? 'none' : revisionKind(rev),
      ...revisionFrom,
      ...(url.file !== undefined ? { file: url.file } : file !== undefined ? { file } : {}),
      runsRemoteCode: shape.runsRemoteCode,
      ...(shape.unpickledBy !== undefined ? { unpickledBy: shape.unpickledBy } : {}),
      ...(sha256 !== undefined ? { sha256 } : {}),
      ...(hashPrefix !== undefined ? { hashPrefix } : {}),
      ...(md5 !== undefined ? { md5 } : {}),
    });
    return;
  }
  const repoId =
    shape.repoType !== undefined
      ? looksLikeTypedRepoId(value)
      : looksLikeRepoId(value, shape.hubOnly ? NOWHERE : existsLocally);
  if (!repoId && value !== COMMUNITY_PIPELINES_MIRROR) return;
  out.references.push({
    ...where,
    hub: shape.hub === 'modelscope' ? 'modelscope' : 'huggingface',
    repoId:
      (shape.repoType ?? '') + (shape.bareNames === 'sentence-transformers' ? sentenceTransformersRepo(value) : value),
    ...(revision !== undefined ? { revision } : {}),
    revisionKind:
      revision === undefined &&
      !fromEnv &&
      ((shape.revision !== undefined && shape.revision.notString !== 'absent') || (f.splat && 'revision' in shape))
        ? 'ref'
        : revisionKind(revision),
    ...revisionFrom,
    ...(file !== undefined ? { file } : {}),
    runsRemoteCode: shape.runsRemoteCode,
    ...(shape.unpickledBy !== undefined ? { unpickledBy: shape.unpickledBy } : {}),
    ...(shape.takesNoRevision ? { takesNoRevision: true as const } : {}),
    ...(shape.cacheOnly ? { cacheOnly: true as const } : {}),
    ...(shape.runsRemoteCode && shape.remoteCodeByDefault ? { remoteCodeByDefault: true as const } : {}),
    ...(!shape.runsRemoteCode && remoteCodeAtRunTime(f) ? { remoteCodeAtRunTime: true as const } : {}),
    ...remoteCodeFrom(f, shape),
  });
}

/**
 * Where a call's `trust_remote_code` comes from when it is a default (an env read, a flag, a parameter's default). A
 * command-line flag is kept whatever its default: a command line that gives `--trust_remote_code` turns it on
 * (script-arguments.ts).
 */
function remoteCodeFrom(f: CallFacts, shape: LoaderShape): { remoteCodeFrom?: EnvRead } {
  const env = f.lang === 'python' && !shape.remoteCodeByDefault ? f.keywords.get('trust_remote_code')?.env : undefined;
  return env !== undefined && (shape.runsRemoteCode || remoteCodeAtRunTime(f) || isFlag(env.variable))
    ? { remoteCodeFrom: env }
    : {};
}

/**
 * A Python call whose `trust_remote_code` only the run decides (python-loaders.ts `pythonTruth`: a parameter,
 * `args.flag`, `cfg["flag"]`, a call's result, with no default the file gives): transformers runs the repository's
 * code when the value is true (auto_factory.py `_BaseAutoModelClass.from_pretrained`), so the call runs it whenever
 * whoever sets that value turns it on (judge.ts `RemoteCodeAtRunTime`).
 */
function remoteCodeAtRunTime(f: CallFacts): boolean {
  return f.lang === 'python' && pythonTruth(f.keywords.get('trust_remote_code')) === 'run-time';
}
