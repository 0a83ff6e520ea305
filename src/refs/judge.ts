import type { Finding } from '../core/finding.js';
import { isPinnedReference, modelScopeRepoOf } from '../core/records.js';
import type { Policy } from '../core/policy.js';
import type { RevokedArtifact, TrustedRegistry } from '../core/trusted-registry.js';
import {
  DYNAMIC_CLASS_VIA,
  FLAIR_TORCH_LOAD,
  KSERVE_VIA,
  LM_EVAL_CONFIG_VIA,
  KUBEAI_VIA,
  RAY_LLM_VIA,
  TRL_TRAINERS,
  isPullRequestRef,
  looksLikeAbbreviatedCommit,
  ADAPTER_KEY,
  ownRevisionKey,
  urlFileName,
} from './ids.js';
import { isCommandArgument, type DynamicReference, type ModelReference, type RemoteCodeAtRunTime } from './types.js';
import { languageOf } from './sources.js';
import { JAVASCRIPT_CONSTRUCTED } from './javascript-classes.js';
import { vllmPinAdvice } from './python-vllm.js';
import { EVALUATE_VIA } from './python-evaluate.js';
import { HF_PATH_VIA } from './python-hf-paths.js';
import { sentenceTransformersPinAdvice } from './sentence-transformers.js';
import { revokedBySha256 } from '../trust/registry/lookup.js';

/** SpeechBrain's loaders (python-loaders.ts `pythonLibraryShape`), whose hyperparams YAML builds the model. */
const isSpeechBrain = (via: string) => via.endsWith('.from_hparams') || via.endsWith('foreign_class');
/** SageMaker's HuggingFaceModel: its container reads the model, revision and remote code from its environment. */
const isSageMaker = (via: string) => via.endsWith('HuggingFaceModel');
/** spaCy's downloads: the API (python-loaders.ts) and the command line (shell-commands.ts `readSpacyDownload`). */
const isSpacyDownload = (via: string) => via === 'spacy.cli.download' || via === 'spacy download';

/**
 * CPR002: what of the model repository runs, by the loader that runs it (python-loaders.ts, calls.ts); for a name
 * chosen at run time too (`dynamicFinding`).
 */
export function whatRuns(
  ref: Pick<ModelReference, 'via'> &
    Partial<Pick<ModelReference, 'remoteCodeByDefault' | 'unpickledBy'>> &
    Pick<RemoteCodeAtRunTime, 'remoteCodeFrom'>,
): string {
  // A download handed to joblib.load, pickle.load…: the file's pickle, whatever the downloader itself does.
  if (ref.unpickledBy !== undefined)
    return `${ref.unpickledBy} unpickles the downloaded file, and a pickle runs whatever code it names`;
  // calls.ts: torch.hub's load, list and help import the repository's hubconf.py (python-loaders.ts TORCH_HUB_IMPORTS).
  if (/^torch\.hub\.(load|list|help)$/.test(ref.via)) return 'its hubconf.py';
  if (ref.via.endsWith(CUSTOM_PIPELINE)) return 'diffusers custom_pipeline';
  if (isSpeechBrain(ref.via))
    return 'SpeechBrain reads its hyperparams.yaml with HyperPyYAML, whose !new:, !name: and !apply: tags call any Python the file names; foreign_class also imports its custom.py';
  // huggingface_hub fastai_utils.py `from_pretrained_fastai`: fastai's load_learner of the downloaded model.pkl.
  if (ref.via === 'from_pretrained_fastai')
    return "fastai's load_learner unpickles its model.pkl, and a pickle runs whatever code it names";
  // gensim/downloader.py `load`: `__import__` of the release's `__init__.py`, then its `load_data()`.
  if (ref.via === 'gensim.downloader.load')
    return "gensim's downloader imports the release's __init__.py, fetched with no checksum, and calls its load_data()";
  // spacy/cli/download.py: `pip install` of the release's wheel, then spacy.load imports the package.
  if (isSpacyDownload(ref.via))
    return "pip installs the release's package with no hash check, and spacy.load imports its Python";
  // torch/hub.py `load_state_dict_from_url` (torch.utils.model_zoo `load_url`): `torch.load(…, weights_only=False)`.
  if (UNPICKLED_URLS.has(ref.via))
    return "torch.hub's load_state_dict_from_url unpickles the download with weights_only=False unless the call passes weights_only=True, and a pickle runs whatever code it names";
  // lightning/fabric/utilities/cloud_io.py `_load`: weights_only=False for a checkpoint URL unless the call says True.
  if (ref.via.endsWith('load_from_checkpoint'))
    return 'Lightning unpickles a checkpoint URL with weights_only=False unless the call passes weights_only=True, and a pickle runs whatever code it names';
  // transformers dynamic_module_utils.py: `get_class_in_module` imports the file `get_cached_module_file` downloaded.
  if (ref.via === DYNAMIC_CLASS_VIA)
    return "get_class_from_dynamic_module imports the repository's Python module, with no trust_remote_code asked";
  // evaluate/loading.py `load`: the Space's `<name>.py`, imported with no trust_remote_code asked.
  if (ref.via === EVALUATE_VIA)
    return "evaluate's load imports the Space's metric script, with no trust_remote_code asked";
  // SageMaker's HuggingFaceModel: the container's environment turns it on.
  if (isSageMaker(ref.via)) return 'HF_MODEL_TRUST_REMOTE_CODE=true in its env';
  // Infinity (servers.ts `readInfinity`): env.py's INFINITY_TRUST_REMOTE_CODE defaults to "true".
  if (ref.remoteCodeByDefault && ref.via.startsWith('infinity'))
    return 'trust_remote_code, which Infinity turns on unless its environment sets INFINITY_TRUST_REMOTE_CODE=false';
  // lmdeploy/archs.py `get_model_arch`: `AutoConfig.from_pretrained(model_path, trust_remote_code=True)` on every
  // load (toolkit-clis.ts), with no option to turn it off.
  if (ref.via.startsWith('lmdeploy'))
    return 'trust_remote_code, which LMDeploy turns on for every model it loads (archs.py get_model_arch), with no option to turn it off';
  // python-loaders.ts `mlxShardedShape`: `tokenizer_config or {"trust_remote_code": True}`.
  if (ref.remoteCodeByDefault && ref.via.endsWith('.pipeline_load'))
    return 'its tokenizer code: pipeline_load always loads the tokenizer with trust_remote_code=True';
  if (ref.remoteCodeByDefault && ref.via.endsWith('.sharded_load'))
    return 'its tokenizer code: sharded_load loads the tokenizer with trust_remote_code=True unless the call passes a tokenizer_config without it';
  if (ref.remoteCodeByDefault)
    return 'trust_remote_code, which this loader turns on unless the call passes trust_remote_code=False';
  const from = ref.remoteCodeFrom;
  if (from?.fallback === undefined) return 'trust_remote_code=True';
  // A default decides it (python-loaders.ts `pythonTruth`): a bool as written, a string true when not empty.
  const shown =
    from.truth !== undefined
      ? from.fallback
      : `"${from.fallback}", a non-empty string, which transformers takes as true`;
  return `trust_remote_code=${shown}: ${defaultWhen(from.variable)}`;
}

/** torch.hub's loaders of a checkpoint by URL: `torch.load(…, weights_only=False)` unless the call says True. */
const UNPICKLED_URLS: ReadonlySet<string> = new Set([
  'torch.hub.load_state_dict_from_url',
  'torch.utils.model_zoo.load_url',
]);

/** calls.ts `withCodeDownloads`: the `via` of the pipeline code diffusers' `custom_pipeline=` runs. */
const CUSTOM_PIPELINE = '(custom_pipeline)';

/** The commits the trusted registry reviewed for each hub repo id (entry name, or a huggingface.co source URL). */
export function reviewedCommits(registry: TrustedRegistry): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of registry.models) {
    // A ModelScope repository is another repository than the Hugging Face one of the same id: keyed apart
    // (`reviewedKey`), by its source.
    const ms = modelScopeRepoOf(m.source);
    const ids = new Set(ms !== undefined ? [reviewedKey({ hub: 'modelscope', repoId: ms })] : [m.name]);
    // A dataset's or Space's source keeps its `datasets/` / `spaces/` prefix, as ids.ts `parseModelUrl` does.
    const hf = /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/((?:(?:datasets|spaces)\/)?[^/]+\/[^/?#]+)/.exec(
      m.source,
    );
    if (hf) ids.add(hf[1]!);
    for (const id of ids) {
      const set = out.get(id) ?? new Set<string>();
      set.add(m.revision);
      out.set(id, set);
    }
  }
  return out;
}

/** The key `reviewedCommits` files a repository's reviewed commits under: its id, after `modelscope:` for ModelScope's. */
export function reviewedKey(ref: { readonly hub: ModelReference['hub']; readonly repoId: string }): string {
  return ref.hub === 'modelscope' ? `modelscope:${ref.repoId}` : ref.repoId;
}

/** The SHA-256 of every file the trusted registry lists, and its revocations: what a download pinned by digest meets. */
export interface RegistryDigests {
  readonly listed: ReadonlySet<string>;
  readonly revoked: ReadonlyMap<string, RevokedArtifact>;
}

export function registryDigests(registry: TrustedRegistry): RegistryDigests {
  const listed = new Set<string>();
  for (const m of registry.models) for (const f of m.files) if (f.sha256 !== undefined) listed.add(f.sha256);
  return { listed, revoked: revokedBySha256(registry) };
}

const NO_DIGESTS: RegistryDigests = { listed: new Set(), revoked: new Map() };

/** The findings of one reference: remote code, pinning, and what the trusted registry says of it. */
export function judgeReference(
  ref: ModelReference,
  reviewed: ReadonlyMap<string, ReadonlySet<string>>,
  policy: Policy,
  digests: RegistryDigests = NO_DIGESTS,
): Finding[] {
  const found: Finding[] = [];
  const where = { path: ref.path, line: ref.line, column: ref.column };
  const related = relatedModules(ref);
  // A name read from the environment: what the file shows is its default.
  const unset =
    (ref.nameFrom !== undefined ? ` (${defaultWhen(ref.nameFrom)})` : '') +
    (ref.definedIn !== undefined ? ` (as imported from ${ref.definedIn})` : '') +
    (ref.argumentOf !== undefined ? ` (by this command's ${argumentOfText(ref.argumentOf)})` : '') +
    (ref.oneOf !== undefined ? ` (one of ${ref.oneOf} models the call chooses among at run time)` : '');
  const id = ref.hub === 'modelscope' ? `ModelScope's ${ref.repoId ?? '?'}` : (ref.repoId ?? ref.url ?? '?');
  const name = `${id}${unset}`;
  const shown = `${id}${ref.revision !== undefined ? `@${ref.revision}` : ''}${unset}`;
  const evidence = {
    via: ref.via,
    hub: ref.hub,
    ...(ref.repoId !== undefined ? { repoId: ref.repoId } : {}),
    ...(ref.url !== undefined ? { url: ref.url } : {}),
    ...(ref.revision !== undefined ? { revision: ref.revision } : {}),
    ...(ref.revisionFrom !== undefined ? { revisionFrom: ref.revisionFrom } : {}),
    ...(ref.nameFrom !== undefined ? { nameFrom: ref.nameFrom } : {}),
    ...(ref.definedIn !== undefined ? { definedIn: ref.definedIn } : {}),
    ...(ref.argumentOf !== undefined ? { argumentOf: ref.argumentOf } : {}),
    ...(ref.oneOf !== undefined ? { oneOf: ref.oneOf } : {}),
    ...(ref.sha256 !== undefined ? { sha256: ref.sha256 } : {}),
    ...(ref.hashPrefix !== undefined
      ? { hashPrefix: 'prefix' in ref.hashPrefix ? ref.hashPrefix.prefix : 'chosen at run time' }
      : {}),
    ...(ref.md5 !== undefined ? { md5: ref.md5 } : {}),
  };
  if (ref.runsRemoteCode) {
    found.push({
      ruleId: 'CPR002',
      message:
        ref.unpickledBy !== undefined
          ? `${ref.via} downloads ${ref.file !== undefined ? `${ref.file} of ` : ''}${shown} and ${ref.unpickledBy} unpickles it: a pickle runs whatever code it names, so whoever can change that file runs code here. Load a format that holds no code (safetensors), or ship the reviewed file with the app and record its digest in the trusted registry.`
          : ref.hub !== 'url'
            ? `${ref.via} loads ${shown} and runs the Python code in that repository (${whatRuns(ref)}). Vendor the reviewed code or use a model the library implements.`
            : isPinnedReference(ref)
              ? `${ref.via} loads ${shown} and runs the code its pickle names (${whatRuns(ref)}); the pin fixes the bytes, not what they run. Load weights only (weights_only=True).`
              : `${ref.via} loads ${shown} and runs whatever code the server of that URL puts in it (${whatRuns(ref)}). Load weights only (weights_only=True), or ship the reviewed checkpoint with the app and record its digest in the trusted registry.`,
      location: where,
      evidence,
    });
  } else if ((ref as RemoteCodeAtRunTime).remoteCodeAtRunTime === true) {
    // transformers dynamic_module_utils.py `resolve_trust_remote_code` keeps whatever value it is given (only `None`
    // makes it ask, or raise), and auto_factory.py `_BaseAutoModelClass.from_pretrained` runs the repository's code
    // on `if has_remote_code and trust_remote_code:`. A value only the run decides is no literal True: a warning.
    found.push({
      ruleId: 'CPR002',
      message: `${ref.via} loads ${shown} with a trust_remote_code chosen at run time (${runTimeTrust(ref as RemoteCodeAtRunTime)}): whenever that value is true it runs the Python code in that repository. Pass trust_remote_code=False, or vendor the reviewed code and pin the revision.`,
      location: where,
      level: 'warning' as const,
      evidence: { ...evidence, trustRemoteCode: 'chosen at run time' },
    });
  }
  // A download the loader checks against a SHA-256 (openai-whisper, OpenAI CLIP): pinned by that digest, so judged
  // as a model file of those bytes would be — revoked, listed, or unknown to the trusted registry.
  if (ref.sha256 !== undefined)
    return [...found, ...judgeDigest(ref, ref.sha256, unset, digests, policy, evidence)].map((f) => ({
      ...f,
      ...related,
    }));
  if (ref.hub === 'huggingface' && isPullRequestRef(ref.revision)) {
    // One finding per cause: a pull request's ref is worse than an unpinned branch (anyone can push to it), and
    // says so in place of CPR001.
    found.push({
      ruleId: 'CPR012',
      message: `${ref.via} loads ${name} at "${ref.revision}", a pull request's ref on the hub: whoever opened that pull request decides what it holds, not the repository's owners. ${pinAdvice(ref).replace('the reviewed commit', 'the reviewed, merged commit')}`,
      location: where,
      evidence,
    });
  } else if (ref.revisionKind !== 'commit') {
    found.push({
      ruleId: 'CPR001',
      message: unpinnedMessage(ref, name),
      location: where,
      ...(policy.models.requirePinnedRevision === true ? { level: 'error' as const } : {}),
      evidence,
    });
  }
  if (ref.repoId === undefined || ref.hub === 'url') return found.map((f) => ({ ...f, ...related }));
  const commits = reviewed.get(reviewedKey({ hub: ref.hub, repoId: ref.repoId }));
  if (!commits) {
    const level = policy.models.unknownModel;
    if (level === 'off') return found.map((f) => ({ ...f, ...related }));
    found.push({
      ruleId: 'CPR003',
      message: `${ref.via} loads ${shown}, which the trusted registry does not list: nobody recorded which revision was reviewed. Review it and record it (chainproof registry add).`,
      location: where,
      level,
      evidence,
    });
  } else if (ref.revisionKind === 'commit' && ref.revision !== undefined && !commits.has(ref.revision)) {
    found.push({
      ruleId: 'CPR004',
      message: `${ref.via} loads ${ref.repoId} at commit ${ref.revision}; the trusted registry reviewed ${[...commits].sort().join(', ')}. Load the reviewed commit or record the new one.`,
      location: where,
      evidence: { ...evidence, reviewed: [...commits].sort().join(' ') },
    });
  }
  return found.map((f) => ({ ...f, ...related }));
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** A download pinned by digest, against the trusted registry's files and revocations (models/stage.ts's order). */
function judgeDigest(
  ref: ModelReference,
  sha256: string,
  unset: string,
  digests: RegistryDigests,
  policy: Policy,
  evidence: Readonly<Record<string, string | number>>,
): Finding[] {
  const where = { path: ref.path, line: ref.line, column: ref.column };
  const url = ref.url ?? '?';
  const what = `${ref.via} downloads ${urlFileName(url)}${unset} from ${hostOf(url)}, pinned by the SHA-256 the loader checks (${sha256})`;
  const revoked = digests.revoked.get(sha256);
  if (revoked)
    return [
      {
        ruleId: 'CPM003',
        message: `${what}: bytes the trusted registry revokes${revoked.name !== undefined ? ` (${revoked.name})` : ''}, ${revoked.file}${revoked.line !== undefined ? `:${revoked.line}` : ''}: ${revoked.reason}. Load the replacement the security team names.`,
        location: where,
        evidence: { ...evidence, reason: revoked.reason, registry: revoked.file },
      },
    ];
  if (digests.listed.has(sha256)) return [];
  const level = policy.models.unknownModel;
  if (level === 'off') return [];
  return [
    {
      ruleId: 'CPR003',
      message: `${what}; no file of the trusted registry has it, so nobody recorded a review of those bytes. Review them and record them (chainproof registry add --from-refs).`,
      location: where,
      level,
      evidence,
    },
  ];
}

/**
 * A reference whose name or revision comes from modules of the repository (`definedIn`): each finding points there
 * too, where the value to pin is written (SARIF `relatedLocations`).
 */
function relatedModules(ref: ModelReference): Pick<Finding, 'related'> {
  return ref.definedIn === undefined ? {} : { related: ref.definedIn.split(', ').map((path) => ({ path })) };
}

const KERAS_GET_FILE = 'keras.utils.get_file';
/** Where a URL download's digest goes, in the loader's own argument. */
const digestArgument = (via: string) =>
  via === KERAS_GET_FILE ? 'file_hash="<sha256>"' : 'torch.hub.download_url_to_file(url, dst, hash_prefix="<sha256>")';

/** CPR001's message: why what loads can change, by how the revision is (not) given. */
function unpinnedMessage(ref: ModelReference, name: string): string {
  const pin = pinAdvice(ref);
  // A plain URL has no revision to pin: what loads is whatever that server answers at run time.
  if (ref.hub === 'url') {
    // torch/hub.py `download_url_to_file`: `digest[:len(hash_prefix)] != hash_prefix` raises; fewer than 64 digits
    // leave every other file with those digits acceptable. Keras `get_file` checks a whole digest, MD5 or SHA-256.
    const digest = digestArgument(ref.via);
    if (ref.hashPrefix !== undefined && 'prefix' in ref.hashPrefix)
      return `${ref.via} loads ${name}, checked only against the first ${ref.hashPrefix.prefix.length} hex digits of its SHA-256 (${ref.hashPrefix.prefix}): other bytes with those digits pass, so whatever that server returns with them loads. Check all 64 digits (torch.hub.download_url_to_file(url, dst, hash_prefix="<sha256>")), or ship the reviewed file with the app.`;
    if (ref.hashPrefix !== undefined)
      return ref.via === KERAS_GET_FILE
        ? `${ref.via} loads ${name}, checked against a digest the code chooses at run time: the file does not show what, if anything, is checked. Write the whole 64-digit SHA-256 beside the URL (${digest}), or ship the reviewed file with the app.`
        : `${ref.via} loads ${name}, checked against a SHA-256 prefix the code chooses at run time: the file does not show how many digits, if any, are checked. Write the whole 64-digit digest beside the URL (hash_prefix="<sha256>"), or ship the reviewed file with the app.`;
    if (ref.md5 !== undefined)
      return `${ref.via} loads ${name}, checked only against an MD5 (${ref.md5}): whoever made the file can make a second one with the same MD5, and the trusted registry cannot match it. Check its SHA-256 instead (${digest}), or ship the reviewed file with the app.`;
    return `${ref.via} loads ${name}, a URL whose bytes nothing pins: whatever that server returns at run time. ${ref.via === KERAS_GET_FILE ? `Pass its SHA-256 (${digest}), ship` : 'Ship'} the reviewed file with the app (and record its digest in the trusted registry), or load it from a hub at a reviewed commit.`;
  }
  // huggingface_hub `try_to_load_from_cache`: with local_files_only the branch is the cache's ref, not the hub's.
  // transformers.js hub.js `getModelFile`: its cache (keyed by the revision unless `main`), else env.localModelPath.
  if (ref.cacheOnly && ref.revisionFrom === undefined) {
    const at = ref.revision === undefined ? 'the default branch' : `"${ref.revision}"`;
    return codeLanguage(ref) === 'javascript'
      ? `${ref.via} loads ${name} from transformers.js's cache or env.localModelPath only (local_files_only: true), at ${at} as an earlier download or the app's own files left it: whatever files those were, not a revision this code names. ${pin} The cache then serves those files or nothing.`
      : `${ref.via} loads ${name} from the local hub cache only (local_files_only=True), at ${at} as an earlier download left it there: whatever snapshot that was, not one this code names. ${pin} The cache then serves that snapshot or nothing.`;
  }
  // A loader that passes no revision on loads the default branch whatever the call says.
  if (ref.takesNoRevision)
    return `${ref.via} loads ${name} from its default branch: this loader takes no revision, so whatever that branch holds at run time loads. ${pin}`;
  // os.environ.get(X, default): the default is what loads when X is unset (None: the default branch).
  if (ref.revisionFrom !== undefined && isParameter(ref.revisionFrom)) {
    const { fn, param } = parameterOf(ref.revisionFrom);
    const fallback = ref.revision === undefined ? 'with none' : `at "${ref.revision}", a name that can move`;
    return `${ref.via} loads ${name} at the revision passed to ${fn}() as ${param}, and when none is passed ${fallback}. Make that default the reviewed commit (${param}="<40-hex>" in the def of ${fn}), and pass only reviewed commits.`;
  }
  if (ref.revisionFrom !== undefined) {
    const from = ref.revisionFrom;
    // Annotated, so that the guard does not narrow `from` (a string) to never where it is no flag.
    const flag: boolean = isCommandArgument(from);
    const fallback =
      ref.revision === undefined
        ? 'with none: whatever the default branch holds'
        : `at "${ref.revision}", a name that can move`;
    const hint = flag
      ? ' (default="<40-hex>" where the argument is declared)'
      : codeLanguage(ref) === 'python'
        ? ` (os.environ.get("${from}", "<40-hex>"))`
        : codeLanguage(ref) === 'javascript'
          ? ` (process.env.${from} ?? "<40-hex>")`
          : '';
    // The call already reads the revision from there: the pin is the default, and what the run passes.
    return `${ref.via} loads ${name} at the revision ${flag ? 'given as' : 'in environment variable'} ${from}, and when it ${absent(from)} ${fallback}. Make that default the reviewed commit${hint}, and ${flag ? 'pass' : 'set'} only reviewed commits ${flag ? 'as' : 'in'} ${from}.`;
  }
  if (ref.revision === undefined)
    return ref.revisionKind === 'ref'
      ? `${ref.via} loads ${name} at a revision this file does not decide (${codeLanguage(ref) === 'python' ? 'a value chosen at run time, or **kwargs it cannot read' : 'a value chosen at run time'}): nothing shows it is a commit. ${pin}`
      : `${ref.via} loads ${name} with no revision: whatever its default branch holds at run time. ${pin}`;
  // huggingface_hub's REGEX_COMMIT_HASH: anything but 40 lowercase hex goes to the hub as a ref name.
  if (looksLikeAbbreviatedCommit(ref.revision))
    return `${ref.via} loads ${name} at "${ref.revision}", which is not a full commit: huggingface_hub sends anything but 40 lowercase hex digits to the hub as a ref name to resolve, and a short prefix can be matched by a new commit or a branch. ${pin.replace('the reviewed commit', 'the full reviewed commit')}`;
  return `${ref.via} loads ${name} at "${ref.revision}", a name that can move. ${pin}`;
}

/** records.ts `argumentOf` (`<script> <flag>`) as a message shows it: `--flag to <script>`. */
function argumentOfText(argumentOf: string): string {
  const space = argumentOf.lastIndexOf(' ');
  return `${argumentOf.slice(space + 1)} to ${argumentOf.slice(0, space)}`;
}

/**
 * The language of the code that loads: a script's inline code's, the Python script's a command line gives its name
 * to (script-arguments.ts), else the file's.
 */
const codeLanguage = (ref: ModelReference) =>
  ref.inline ?? (ref.argumentOf !== undefined ? 'python' : languageOf(ref.path));
const absent = (from: string) => (isCommandArgument(from) ? 'is not given' : 'is unset');
/** A shell `for` loop's variable (`for m`): its values the loop's list. */
const isLoop = (from: string) => from.startsWith('for ');
/** A function's parameter (python-env.ts `parameterDefault`: `load(model_id)`). */
const isParameter = (from: string) => from.endsWith(')');
const parameterOf = (from: string) => {
  const open = from.indexOf('(');
  return { fn: from.slice(0, open), param: from.slice(open + 1, -1) };
};
/** Where a name with no default comes from (CPR010). */
function chosenBy(from: string): string {
  // shell-scope.ts `openLoop`: a `for` loop's variable over a list the file does not decide.
  if (isLoop(from)) return `each value of the \`${from}\` loop's list, which the file does not decide`;
  if (!isParameter(from))
    return `${isCommandArgument(from) ? 'given as' : 'environment variable'} ${from}, with no default in the file`;
  const { fn, param } = parameterOf(from);
  return `passed to ${fn}() as ${param}, None by default`;
}

/** Where a trust_remote_code only the run decides comes from (calls.ts `remoteCodeFrom`). */
function runTimeTrust(ref: Pick<RemoteCodeAtRunTime, 'remoteCodeFrom'>): string {
  const from = ref.remoteCodeFrom?.variable;
  return from === undefined
    ? "an argument, a setting or a call's result whose value this file does not decide"
    : chosenBy(from);
}

/** Where a name's default applies: an unset variable, a flag not given, a parameter not passed. */
function defaultWhen(from: string): string {
  if (isLoop(from)) return `the default when the \`${from}\` loop's value is empty`;
  if (!isParameter(from)) return `the default when ${from} ${absent(from)}`;
  const { fn, param } = parameterOf(from);
  return fn === '__init__'
    ? `the default when its class is constructed without ${param}`
    : `the default when ${fn}() is called without ${param}`;
}

/**
 * How to pin what `ref` loads, in the form its loader takes: each library reads the commit from its own place (a
 * keyword, the name, the URL, a flag), and a loader that takes none is pinned only by downloading the commit first.
 */
/**
 * LLaMA-Factory model/adapter.py `_setup_lora_tuning` loads each adapter at `model_revision`, the base model's own, so
 * one commit cannot pin both: the reviewed adapter is downloaded first and named by its folder.
 */
function llamaFactoryAdapterAdvice(repo: string): string {
  return `Download the reviewed commit first (hf download ${repo} --revision <40-hex>) and name that folder (model_revision pins the base model, and LLaMA-Factory loads every adapter at it too).`;
}

export function pinAdvice(ref: ModelReference): string {
  const repo = ref.repoId ?? '<org>/<name>';
  const language = codeLanguage(ref);
  // A plain URL has no revision: only the bytes, shipped and recorded, are fixed.
  if (ref.hub === 'url')
    return 'Ship the reviewed file with the app and record its digest in the trusted registry, or load it from a hub at a reviewed commit.';
  // spacy/cli/download.py: a package name and version, never a commit.
  if (isSpacyDownload(ref.via))
    return "spaCy's download takes no commit: install the reviewed package from a requirements file with its hash (pip install --require-hashes), or vendor it.";
  // gensim/downloader.py: the release tag is the name; nothing takes a commit.
  if (ref.via === 'gensim.downloader.load')
    return "gensim's downloader takes no revision: download the release once, review its __init__.py and data, and load those files from this repository (KeyedVectors.load), their digest recorded in the trusted registry.";
  // torch/hub.py `_parse_repo_info`: `owner/repo[:ref]`, the ref checked out from GitHub.
  if (ref.hub === 'github') return `Pin the reviewed commit in the repository string ("${repo}:<40-hex>").`;
  // hf_file_system.py `HfFileSystem.resolve_path`: `hf://<repo>@<revision>/<file>`.
  if (ref.via.endsWith(HF_PATH_VIA))
    return `Pin the reviewed commit in the path ("hf://${repo}@<40-hex>/${ref.file ?? '<file>'}").`;
  // modelscope/pipelines/builder.py `pipeline(…, model_revision=…)`; its downloads and from_pretrained: `revision=`.
  if (ref.hub === 'modelscope')
    return ref.via === 'pipeline' || ref.via.endsWith('.pipeline')
      ? 'Pin the reviewed commit (model_revision="<40-hex>").'
      : language === 'shell'
        ? 'Pin the reviewed commit (--revision <40-hex>).'
        : 'Pin the reviewed commit (revision="<40-hex>").';
  if (ref.takesNoRevision)
    return `Download the reviewed commit first (huggingface_hub.snapshot_download("${repo}", revision="<40-hex>"), or hf download ${repo} --revision <40-hex>) and load that local copy.`;
  // git clone --branch takes a branch or a tag, never a commit.
  if (ref.via === 'git clone') return 'Check out the reviewed commit after cloning (git checkout <40-hex>).';
  // speechbrain/utils/fetching.py: the revision travels in a FetchConfig (a `revision=` keyword before 1.0).
  if (isSpeechBrain(ref.via))
    return 'Pin the reviewed commit: fetch_config=FetchConfig(revision="<40-hex>") (before SpeechBrain 1.0, revision="<40-hex>").';
  // flair/models/sequence_tagger_model.py `_fetch_model`: `<org>/<name>@<revision>`, split at the `@`.
  if (ref.unpickledBy === FLAIR_TORCH_LOAD) return `Pin the reviewed commit in the name ("${repo}@<40-hex>").`;
  // timm _hub.py `hf_split`: `hf-hub:<org>/<name>@<revision>`.
  if (ref.via === 'timm.create_model') return `Pin the reviewed commit in the name ("hf-hub:${repo}@<40-hex>").`;
  // A hub URL fetched as written (onnxruntime, tfjs, torch.hub's load_state_dict_from_url): the commit is a segment.
  if (ref.url !== undefined && ref.hub === 'huggingface')
    return `Pin the reviewed commit in the URL (https://huggingface.co/${repo}/resolve/<40-hex>/${ref.file ?? '<file>'}).`;
  // node-llama-cpp parseModelUri.js: `hf:<user>/<model>/<file>#<branch>` reads that ref; the `:<quant>` form, `main`.
  if (ref.via === 'resolveModelFile' || ref.via === 'createModelDownloader')
    return `Name the file and pin the reviewed commit in the URI ("hf:${repo}/${ref.file ?? '<file>.gguf'}#<40-hex>").`;
  // langchain's HuggingFaceTransformersEmbeddings, LlamaIndex.TS's HuggingFaceEmbedding: the options field they hand
  // to transformers.js's pipeline.
  const constructed = language === 'javascript' ? JAVASCRIPT_CONSTRUCTED.get(ref.via) : undefined;
  if (constructed !== undefined)
    return `Pin the reviewed commit (${constructed.options}: { revision: "<40-hex>" } in the fields).`;
  if (language === 'javascript') return 'Pin the reviewed commit ({ revision: "<40-hex>" } in the options).';
  // vLLM's tokenizer and draft model, sentence-transformers' parts: each read at a revision of its own.
  const vllmPart = vllmPinAdvice(ref.via) ?? sentenceTransformersPinAdvice(ref.via);
  if (vllmPart !== undefined) return vllmPart;
  // lm_eval's `--model_args` (toolkit-clis.ts `readLmEval`): `revision=` for all it loads but vLLM's tokenizer.
  // lm_eval's config file (`lmEvalConfigReferences`): the same keys, under its `model_args`.
  if (ref.via.startsWith(LM_EVAL_CONFIG_VIA))
    return /^lm_eval --config \(model: vllm\S*\) \(tokenizer\)$/.test(ref.via)
      ? 'Pin the reviewed commit beside it (tokenizer_revision: <40-hex> in model_args).'
      : 'Pin the reviewed commit beside it (revision: <40-hex> in model_args).';
  if (ref.via.startsWith('lm_eval '))
    return /^lm_eval --model vllm\S* \(tokenizer\)$/.test(ref.via)
      ? 'Pin the reviewed commit (tokenizer_revision=<40-hex> in --model_args).'
      : 'Pin the reviewed commit (revision=<40-hex> in --model_args).';
  // LLaMA-Factory (toolkit-clis.ts `readLlamaFactory`): `--model_revision`, which every adapter is loaded at too.
  if (ref.via === 'llamafactory-cli (adapter)' || ref.via === 'llamafactory train_bash.py (adapter)')
    return llamaFactoryAdapterAdvice(repo);
  if (ref.via === 'llamafactory-cli' || ref.via === 'llamafactory train_bash.py')
    return 'Pin the reviewed commit (--model_revision <40-hex>).';
  if (language === 'shell') return 'Pin the reviewed commit (--revision <40-hex>).';
  // TRL's trainers (python-loaders.ts `trlTrainerShape`): the revision goes in the config's init kwargs.
  // Ray Serve LLM: vLLM's engine arguments (config-fast.ts `rayModelLoading`).
  if (ref.via === RAY_LLM_VIA)
    return language === 'python'
      ? 'Pin the reviewed commit (engine_kwargs=dict(revision="<40-hex>") in the LLMConfig).'
      : 'Pin the reviewed commit (engine_kwargs: revision: <40-hex> beside model_loading_config).';
  const trainer = ref.via.slice(ref.via.lastIndexOf('.') + 1);
  if (language === 'python' && TRL_TRAINERS.has(trainer))
    return `Pin the reviewed commit in the trainer's config (args=${trainer.replace(/Trainer$/, 'Config')}(model_init_kwargs={"revision": "<40-hex>"}); ref_model_init_kwargs or teacher_model_init_kwargs for a reference or teacher model).`;
  // SageMaker's HuggingFaceModel: the container reads the revision from its environment.
  if (isSageMaker(ref.via) && language === 'python')
    return 'Pin the reviewed commit ("HF_MODEL_REVISION": "<40-hex>" in env).';
  // A model server a Kubernetes manifest starts (servers.ts `readPodContainers`): its command line's flag.
  if (ref.via.includes(' (Kubernetes container ')) return 'Pin the reviewed commit (--revision <40-hex>).';
  if (language === 'config') {
    // PEFT's adapter_config.json: PeftConfig `revision`; other configs: the keys config-fast.ts `revisionFor` reads.
    if (ref.path === 'adapter_config.json' || ref.path.endsWith('/adapter_config.json'))
      return 'Pin the reviewed commit ("revision": "<40-hex>" in adapter_config.json).';
    // mergekit/common.py `ModelPath`: `<path>@<revision>`.
    if (ref.via.startsWith('mergekit ')) return `Pin the reviewed commit in the name (${repo}@<40-hex>).`;
    // kserve_storage.py `_download_hf`: `hf://<repo>/<model>:<revision>`.
    if (ref.via === KSERVE_VIA) return `Pin the reviewed commit in the URI (hf://${repo}:<40-hex>).`;
    // KubeAI: the spec's args go to the server after its --model (config-fast.ts `kubeaiModel`).
    if (ref.via === KUBEAI_VIA) return 'Pin the reviewed commit in the Model spec (args: ["--revision=<40-hex>"]).';
    // axolotl (config-fast.ts `revisionFor`): `revision_of_model` pins the base model and its config.
    if (ref.via === 'base_model' || ref.via === 'base_model_config')
      return 'Pin the reviewed commit beside it (revision_of_model: <40-hex>).';
    // LLaMA-Factory's adapters (`llamaFactoryAdapterAdvice`).
    if (ref.via === ADAPTER_KEY) return llamaFactoryAdapterAdvice(repo);
    return `Pin the reviewed commit beside it (${ownRevisionKey(ref.via)}: <40-hex>).`;
  }
  return 'Pin the reviewed commit (revision="<40-hex>").';
}

export function dynamicFinding(d: DynamicReference, policy?: Policy): Finding {
  const location = { path: d.path, line: d.line, column: d.column };
  if (d.ollama !== undefined)
    return {
      ruleId: 'CPR016',
      message: `${d.via} fetches ${d.ollama} from the ollama registry by tag: whatever its publisher pushed under that tag last, never a reviewed commit. Build the model from a reviewed GGUF file instead (FROM ./model.gguf).`,
      location,
      evidence: { via: d.via, model: d.ollama },
    };
  if (d.hubSetting !== undefined) {
    const { variable, value } = d.hubSetting;
    const js = variable.startsWith('env.');
    if (variable.endsWith('_USE_MODELSCOPE'))
      return {
        ruleId: 'CPR017',
        message: `${variable}=${value} sends every model download ${variable.startsWith('VLLM') ? 'vLLM' : 'LMDeploy'} makes in this run to ModelScope (modelscope.cn) instead of huggingface.co: the repo ids and commits in its command lines then name ModelScope's repositories, which a review of the Hugging Face ones does not cover.`,
        location,
        evidence: { variable, value },
      };
    return variable === 'HF_ENDPOINT' || variable === 'env.remoteHost'
      ? {
          ruleId: 'CPR017',
          message: `${variable}${js ? ' = ' : '='}${value} sends every ${js ? 'transformers.js model download in the process (once this module has run)' : 'Hugging Face download of this run'} to that server instead of huggingface.co: it answers for every repo id and commit, so the pins in the code are only as good as it is.`,
          location,
          evidence: { variable, value },
        }
      : {
          ruleId: 'CPR018',
          message: js
            ? `${variable} = ${value}: transformers.js in this process (once this module has run) loads models from env.localModelPath only, never the hub; what is there is whatever the build or deployment put there.`
            : `${variable}=${value}: models load from the local hub cache, never the hub; what is there is whatever an earlier step, image layer or volume put there.`,
          location,
          evidence: { variable, value },
        };
  }
  if (d.table !== undefined && d.packageDefault)
    return {
      ruleId: 'CPR015',
      message: `${d.via}() loads the model ${d.table} names by default: a URL on storage.googleapis.com, tfhub.dev or Kaggle that the package's version fixes and whose bytes nothing here checks. Host the reviewed model yourself and pass its URL (modelUrl), with its digest recorded in the trusted registry.`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, model: d.table },
    };
  if (d.table !== undefined && d.fetched?.check === 'branch') {
    const { library, host, local } = d.fetched;
    return {
      ruleId: 'CPR001',
      message: `${d.via} downloads the hub repo ${library}'s own table names for "${d.table}" from ${host} when it is not in its cache, at the repo's default branch (the library passes no revision; where the table also gives a tarball URL, that is the fallback, checked against nothing): whatever the branch holds at run time loads. Download the reviewed commit of that repo, record it in the trusted registry, and load that copy${local !== undefined ? ` (${local}="<folder>")` : ''}.`,
      location: { path: d.path, line: d.line, column: d.column },
      ...(policy?.models.requirePinnedRevision === true ? { level: 'error' as const } : {}),
      evidence: { via: d.via, model: d.table, host },
    };
  }
  if (d.table !== undefined && d.fetched?.check === 'index') {
    const { library, host, index, what = 'the weights', loads, local } = d.fetched;
    const isAre = what === 'the weights' ? 'they are' : 'it is';
    return {
      ruleId: 'CPR015',
      message: `${d.via} downloads ${what} ${library}'s index lists as "${d.table}", from ${host}, when ${isAre} not already there: the URL and the MD5 ${isAre} checked against come from an index ${library} downloads at run time from ${index ?? host}, so whoever can change that index decides the bytes, and nothing in the code pins them.${loads !== undefined ? ` ${loads}` : ''} Ship the reviewed files, record their digest in the trusted registry, and load them from there${local !== undefined ? ` (${local})` : ''}.`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, model: d.table, host },
    };
  }
  if (d.table !== undefined && d.fetched) {
    const { library, host, check, loads } = d.fetched;
    const how =
      check === 'none'
        ? 'the version of the library fixes the URL, and nothing pins or checks the bytes it answers'
        : check === 'prefix'
          ? 'the version of the library fixes the URL, and the bytes are checked only against the first hex digits of their SHA-256 that the file name carries (check_hash), not a pin a reviewer can rely on'
          : 'the version of the library fixes the URL and the digest the bytes are checked against (file_hash), but chainproof does not resolve that table, so the weights are neither listed nor matched against the trusted registry';
    return {
      ruleId: 'CPR015',
      message: `${d.via} downloads the weights ${library}'s own table names (${d.table}) from ${host} when they are not in its cache: ${how}.${loads !== undefined ? ` ${loads}` : ''} Ship the reviewed weights, record their digest in the trusted registry, and load them from that file.`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, model: d.table, host },
    };
  }
  if (d.table !== undefined && d.release !== undefined) {
    const file = d.table === '<default>' ? `its default weights (which change with the library's version)` : d.table;
    return {
      ruleId: 'CPR015',
      message: `${d.via}(${d.table === '<default>' ? '' : `"${d.table}"`}) downloads ${file} from the ${d.release} GitHub release when the file is not where the code runs: a release asset its maintainers can replace, fetched with no digest check and read with torch.load (a pickle, which can run code). Ship the reviewed weights with the code and record their digest in the trusted registry.`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, model: d.table, release: d.release },
    };
  }
  if (d.table !== undefined)
    return {
      ruleId: 'CPR015',
      message: `${d.via}("${d.table}") downloads the weights its library's own pretrained table names for that model, from the hub's default branch or a URL: chainproof does not resolve that table, so the download is neither pinned nor checked against the trusted registry. Load a hub repo by name at a reviewed commit (hf-hub:<org>/<name>) or ship the reviewed weights.`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, model: d.table },
    };
  if (d.localModel !== undefined)
    return {
      ruleId: 'CPR014',
      message: `${d.via} loads ${d.localModel === '' ? 'a model' : d.localModel} from local files, not the hub: the file sets transformers.js env.allowRemoteModels = false, so the model is read under env.localModelPath. Make sure whatever puts those files there ships reviewed bytes (and scan that directory).`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, ...(d.localModel !== '' ? { model: d.localModel } : {}) },
    };
  if (d.task !== undefined)
    return {
      ruleId: 'CPR013',
      message: `pipeline("${d.task}") names no model: the library downloads its own default model for that task, which changes with the library's version and which nobody reviewed. Name the model and pin the reviewed commit (model="<org>/<name>", revision="<40-hex>").`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, task: d.task },
    };
  if (d.dataset !== undefined)
    return {
      ruleId: 'CPR002',
      message: `load_dataset(${d.dataset === '' ? '<chosen at run time>' : d.dataset}, trust_remote_code=True) runs the Python loading script of a hub dataset repository. Convert the dataset to data files (Parquet) or vendor the reviewed script; datasets 4 no longer runs scripts.`,
      location: { path: d.path, line: d.line, column: d.column },
      evidence: { via: d.via, ...(d.dataset !== '' ? { dataset: d.dataset } : {}) },
    };
  // A name and a trust_remote_code both chosen at run time: the code of whatever repository is named runs whenever
  // that value is true (judgeReference: a warning, no literal True).
  if (d.remoteCodeAtRunTime === true && !d.runsRemoteCode)
    return {
      ruleId: 'CPR002',
      message: `${d.via} loads a model whose name is chosen at run time${d.nameFrom === undefined ? '' : ` (${chosenBy(d.nameFrom)})`}, with a trust_remote_code chosen at run time too (${runTimeTrust(d)}): whenever that value is true it runs the Python code in that repository. Pass trust_remote_code=False, or vendor the reviewed code and pin the revision.`,
      location: { path: d.path, line: d.line, column: d.column },
      level: 'warning',
      evidence: {
        via: d.via,
        ...(d.nameFrom !== undefined ? { nameFrom: d.nameFrom } : {}),
        trustRemoteCode: 'chosen at run time',
      },
    };
  return {
    ruleId: d.runsRemoteCode ? 'CPR002' : 'CPR010',
    message: d.runsRemoteCode
      ? UNPICKLED_URLS.has(d.via)
        ? `${d.via} loads a checkpoint from a URL chosen at run time and runs the code its pickle names (${whatRuns(d)}). Load weights only (weights_only=True).`
        : `${d.via} runs code from a model repository chosen at run time (${whatRuns(d)}). Vendor the reviewed code or use a model the library implements.`
      : `${d.via} loads a model whose name is chosen at run time${d.nameFrom === undefined ? '' : ` (${chosenBy(d.nameFrom)})`}; it cannot be checked against the trusted registry. Make sure the configuration that names it pins a commit.`,
    location: { path: d.path, line: d.line, column: d.column },
    evidence: { via: d.via, ...(d.nameFrom !== undefined ? { nameFrom: d.nameFrom } : {}) },
  };
}
