import type { ModelHub, RevisionKind } from './types.js';
import { KSERVE_STORAGE_URI } from './prefilter.js';

/** Hugging Face repo ids: `name` (legacy canonical models) or `org/name`; 96 characters at most per part. */
const HF_ID = /^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/;
// huggingface_hub file_download.py REGEX_COMMIT_HASH: only 40 lowercase hex is taken as a commit (an uppercase or
// abbreviated one is sent to the hub as a ref name and cached under refs/, like a branch).
const COMMIT = /^[0-9a-f]{40}$/;
const PULL_REQUEST = /^refs\/pr\/\d+$/;
const ABBREVIATED_COMMIT = /^[0-9a-fA-F]{7,39}$/;

/** `refs/pr/<N>`: the hub's ref for a pull request, which whoever opened it can push to. */
export function isPullRequestRef(revision: string | undefined): boolean {
  return revision !== undefined && PULL_REQUEST.test(revision);
}

/** A revision that reads like a commit but is not a full lowercase 40-hex one (`a1b2c3d`, uppercase). */
export function looksLikeAbbreviatedCommit(revision: string | undefined): boolean {
  return (
    revision !== undefined &&
    (ABBREVIATED_COMMIT.test(revision) || /^[0-9A-F]{40}$/i.test(revision)) &&
    !COMMIT.test(revision)
  );
}

export function revisionKind(revision: string | undefined): RevisionKind {
  if (revision === undefined || revision === '') return 'none';
  return COMMIT.test(revision) ? 'commit' : 'ref';
}

/**
 * Whether a string given to a loader names a hub repository rather than a local folder or file. transformers'
 * `from_pretrained` looks for a local directory of that name first (`os.path.isdir`), so a name that exists in the
 * scanned tree, or that looks like a path, is local.
 */
export function looksLikeRepoId(value: string, existsLocally: (p: string) => boolean): boolean {
  if (!HF_ID.test(value) || value.includes('..') || existsLocally(value)) return false;
  // A bare word is a repo id only in the legacy canonical form (`bert-base-uncased`, `gpt2`): it needs a digit or dash.
  if (!value.includes('/')) return /[-\d]/.test(value) && !/\.(py|json|txt|bin|pt|pth|onnx|safetensors)$/i.test(value);
  return !/\.(py|json|txt|bin|pt|pth|onnx|safetensors|yaml|yml|csv)$/i.test(value);
}

/**
 * Whether a dataset's or a Space's id given to the hub's download API (`repo_type="dataset"`, `datasets/…`) names
 * a repository. huggingface_hub `hf_hub_download` / `snapshot_download` never read a local folder (file_download.py
 * builds the URL from `repo_id` after utils/_validators.py `validate_repo_id`), and the canonical datasets are bare
 * words (`squad`, `imdb`, `glue`), which the hub still serves by redirect to their organisations: the digit-or-dash
 * test `looksLikeRepoId` makes of a legacy model's name does not hold for them.
 */
export function looksLikeTypedRepoId(value: string): boolean {
  return (
    HF_ID.test(value) &&
    !value.includes('..') &&
    !/\.(py|json|txt|bin|pt|pth|onnx|safetensors|yaml|yml|csv)$/i.test(value)
  );
}

export interface ParsedModelUrl {
  readonly hub: ModelHub;
  readonly url: string;
  readonly repoId?: string;
  readonly revision?: string;
  readonly file?: string;
}

/** First path segments of huggingface.co that are the site's own routes, never a user or an organisation. */
const HUB_ROUTES: ReadonlySet<string> = new Set([
  'api',
  'docs',
  'blog',
  'models',
  'papers',
  'collections',
  'organizations',
  'settings',
  'login',
  'join',
  'pricing',
  'tasks',
  'learn',
  'posts',
  'search',
  'new',
]);

/** `https://huggingface.co/<org>/<name>/resolve/<rev>/<file>` and friends; any other http(s) URL is a plain URL. */
export function parseModelUrl(value: string): ParsedModelUrl | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  const host = u.hostname.toLowerCase();
  if (host === 'huggingface.co' || host === 'hf.co' || host.endsWith('.huggingface.co')) {
    const parts = u.pathname.split('/').filter((p) => p !== '');
    // The hub's own pages and API (`/api/models/<org>/<name>`, `/docs/…`): no repository, a plain URL.
    if (HUB_ROUTES.has(parts[0] ?? '')) return { hub: 'url', url: value };
    // huggingface_hub `hf_hub_url`: a dataset's or Space's file is under `datasets/` or `spaces/`
    // (constants.REPO_TYPES_URL_PREFIXES) before `<org>/<name>`; kept in the id, so it is never taken for a model's.
    const type = (parts[0] === 'datasets' || parts[0] === 'spaces') && parts.length >= 3 ? `${parts.shift()!}/` : '';
    const [org, name, verb, rev0, ...rest0] = parts;
    if (org && name && (verb === 'resolve' || verb === 'blob' || verb === 'raw') && rev0) {
      // hf_hub_url quotes the revision (`refs%2Fpr%2F3`), but the hub also serves the special refs unquoted
      // (`/resolve/refs/pr/3/<file>`, `refs/convert/parquet`): the revision is then three segments.
      const special = rev0 === 'refs' && (rest0[0] === 'pr' || rest0[0] === 'convert') && rest0[1] !== undefined;
      const rev = special ? `refs/${rest0[0]}/${rest0[1]}` : safeDecode(rev0);
      const rest = special ? rest0.slice(2) : rest0;
      return {
        hub: 'huggingface',
        url: value,
        repoId: `${type}${org}/${name}`,
        revision: rev,
        ...(rest.length > 0 ? { file: rest.join('/') } : {}),
      };
    }
    if (org && name) return { hub: 'huggingface', url: value, repoId: `${type}${org}/${name}` };
  }
  return { hub: 'url', url: value };
}

/** A URL path segment decoded (`urllib.parse.unquote`), as written where it is not valid percent-encoding. */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** LLaMA-Factory's PEFT adapter key (hparams/model_args.py `ModelArguments`): adapters, never code (config-fast.ts). */
export const ADAPTER_KEY = 'adapter_name_or_path';

/** A config's model key's own revision key: `base_model` → `base_model_revision`, `model_name_or_path` → `model_revision`. */
export function ownRevisionKey(key: string): string {
  return `${key.replace(/_(?:name_or_path|name|path|id)$/, '')}_revision`;
}

/** gensim/downloader.py: the GitHub repository whose releases hold each model and corpus, one release per name. */
export const GENSIM_DATA = 'RaRe-Technologies/gensim-data';

/** spacy/about.py `__download_url__`: the GitHub repository whose releases hold spaCy's pipeline packages. */
export const SPACY_MODELS = 'explosion/spacy-models';

/**
 * The explosion/spacy-models release spacy/cli/download.py `download` installs: `<name>-<version>`, the version a
 * compatibility table read at run time picks; with `direct` the name's own, split at its last `-` (the name's other
 * dashes dropped). Undefined for a direct name with a `/`, which it refuses.
 */
export function spacyReleaseTag(name: string, direct: boolean): string | undefined {
  if (!direct) return `${name}-<compatible version>`;
  if (name.includes('/')) return undefined;
  const parts = name.split('-');
  return `${parts.slice(0, -1).join('')}-${parts[parts.length - 1]}`;
}

/**
 * A hub file's URL (`/resolve/<rev>/<file>`, `/raw/…`, `/blob/…`): what a plain HTTP download (`requests.get`, `fetch`,
 * `wget`, `curl`) fetches as that file at that revision. A repository's page, the hub's API and other hosts are none.
 */
export function hubFileUrl(value: string): (ParsedModelUrl & { repoId: string; revision: string }) | undefined {
  const url = parseModelUrl(value);
  const { repoId, revision } = url ?? {};
  return url?.hub === 'huggingface' && repoId !== undefined && revision !== undefined
    ? { ...url, repoId, revision }
    : undefined;
}

/**
 * The last segment of a URL's path, as `os.path.basename(urlparse(url).path)` gives it: no query, no fragment, empty
 * for a URL with no path.
 */
export function urlFileName(url: string): string {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/s, '');
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * An object-storage URL (`gs://bucket/…`, `s3://bucket/…`), which TensorFlow's file system and fsspec read as they
 * read a path: a plain URL.
 */
export const storageUrl = (value: string): ReturnType<typeof parseModelUrl> =>
  /^(gs|s3):\/\/[^/\s]+/.test(value) ? { hub: 'url', url: value } : undefined;

/**
 * kagglehub handle.py `parse_model_handle` and `ModelHandle.to_url`: `<owner>/<model>/<framework>/<variation>` (the
 * latest version) or with `/<version>` (an integer; 0 or less is unversioned too); undefined for anything else.
 */
export function kaggleModelUrl(handle: string): string | undefined {
  const parts = handle.split('/');
  if (parts.length !== 4 && parts.length !== 5) return undefined;
  const [owner, model, framework, variation, version] = parts;
  // Python's int(): an optional sign, digits and underscores between them, blanks around.
  const n =
    version === undefined
      ? undefined
      : /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(version)
        ? Number(version.replaceAll('_', ''))
        : NaN;
  if (Number.isNaN(n)) return undefined;
  const page = `https://www.kaggle.com/models/${owner}/${model}/frameworks/${framework}/variations/${variation}`;
  return n !== undefined && n > 0 ? `${page}/versions/${n}` : page;
}

/** The `via` of what vLLM's config file loads (vllm-options.ts `vllmConfigReferences`; python-vllm.ts words its pin). */
export const VLLM_CONFIG_VIA = 'vllm serve --config';

/** The `via` of what an lm_eval config file loads, before its model type (toolkit-clis.ts; judge.ts words its pin). */
export const LM_EVAL_CONFIG_VIA = 'lm_eval --config';

/** The `via` of a KServe storage URI's reference (prefilter.ts KSERVE_STORAGE_URI; judge.ts names the pin it takes). */
export const KSERVE_VIA = `KServe ${KSERVE_STORAGE_URI}`;

/** The `via` of transformers' `get_class_from_dynamic_module` (python-loaders.ts `dynamicClassShape`; judge.ts). */
export const DYNAMIC_CLASS_VIA = 'get_class_from_dynamic_module';

/** The `via` of a KubeAI Model's `url: hf://…` (config-fast.ts `kubeaiModel`; judge.ts names the pin it takes). */
export const KUBEAI_VIA = 'KubeAI Model url';

/**
 * The unpickler of a flair model fetched by name (python-loaders.ts `flairShape`): flair/file_utils.py
 * `load_torch_state` calls `torch.load(f, map_location="cpu", weights_only=False)`, a full unpickling whatever torch's
 * default (flair's models hold flair classes, which a weights-only load refuses). judge.ts names the pin it takes.
 */
export const FLAIR_TORCH_LOAD = "flair's load_torch_state (torch.load, weights_only=False)";

/** The `via` of Ray Serve LLM's LLMConfig references (config-fast.ts `rayModelLoading`, python-loaders.ts). */
export const RAY_LLM_VIA = 'LLMConfig';

/** TRL's trainers that take a hub id for the model they train (python-loaders.ts `trlTrainerShape`). */
export const TRL_TRAINERS: ReadonlySet<string> = new Set([
  'SFTTrainer',
  'DPOTrainer',
  'GRPOTrainer',
  'RLOOTrainer',
  'RewardTrainer',
  'KTOTrainer',
  'OnlineDPOTrainer',
  'GKDTrainer',
  'ORPOTrainer',
  'CPOTrainer',
]);
