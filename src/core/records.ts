import type { FileFormat } from './files.js';
import type { Ecosystem } from './package-key.js';

/** One package the build installs, as a lockfile states it. */
export interface PackageNode {
  readonly name: string;
  readonly version: string;
  /** Repo-relative lockfile path. */
  readonly lockfile: string;
  /** 1-based line where this entry starts in the lockfile. */
  readonly line: number;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dev: boolean;
  readonly optional: boolean;
  readonly peer: boolean;
  /** Workspace (importer) that owns it; '' for the root. */
  readonly workspace: string;
  /** Names from the root down to this package, e.g. ['root', 'a', 'b']. */
  readonly path: readonly string[];
  /** How it is sourced. */
  readonly source: 'registry' | 'git' | 'tarball' | 'file' | 'link' | 'workspace' | 'patch' | 'unknown';
  readonly hasInstallScript?: boolean;
  /**
   * The package manager will not run this package's build/install scripts although it may have some: yarn
   * berry's root `dependenciesMeta: { <pkg>: { built: false } }`, or `enableScripts: false` in `.yarnrc.yml`; pnpm
   * 7/8's `onlyBuiltDependencies` (not listed) or `neverBuiltDependencies` (listed), as the lockfile records them;
   * pnpm 10+ (package.json `pnpm`, pnpm-workspace.yaml: deps/parsers/pnpm-builds.ts), where `pnpmDefault` is pnpm
   * 10/11 building no dependency that no setting allows; bun's `trustedDependencies` (not listed), or without one
   * `bunDefaultTrusted`: not on bun's built-in list of trusted packages; npm ≥ 11.19's root package.json
   * `allowScripts` entry set to `false` (`npmAllowScripts`, deps/parsers/npm-allow-scripts.ts); `ignore-scripts` in
   * the project's `.npmrc` or pnpm-workspace.yaml, or yarn 1's `.yarnrc` (`ignoreScripts`: npm, pnpm and yarn 1 run
   * no dependency's scripts).
   */
  readonly buildDisabled?:
    | 'dependenciesMeta'
    | 'enableScripts'
    | 'onlyBuiltDependencies'
    | 'neverBuiltDependencies'
    | 'allowBuilds'
    | 'pnpmDefault'
    | 'trustedDependencies'
    | 'bunDefaultTrusted'
    | 'npmAllowScripts'
    | 'ignoreScripts';
  /**
   * The platforms the lockfile entry restricts the package to: npm's and pnpm's `os` / `cpu` / `libc` (`os: darwin`),
   * bun's `os` / `cpu`, yarn 2+'s `conditions` (`os=darwin & cpu=arm64`). Where the package manager skips it elsewhere, its install
   * scripts run only on machines of those platforms (deps/platforms.ts `platformNote`).
   */
  readonly platforms?: string;
  /**
   * npm, pnpm and bun: the platform-restricted package (`name@version (os: darwin)`; optional for npm and pnpm) it is
   * installed with alone, when it has no platform of its own: skipped with that package elsewhere
   * (deps/platform-gates.ts).
   */
  readonly installedWith?: string;
  /** For aliases (`npm:`), the name the code imports. */
  readonly alias?: string;
  readonly bundled?: boolean;
  /** The lockfile key (npm `packages` key, yarn descriptor, pnpm id). */
  readonly key: string;
  /** Python: the distribution files the lockfile pins (file name, URL, hex digests by algorithm). */
  readonly distributions?: readonly {
    readonly filename?: string;
    readonly url?: string;
    readonly hashes: Readonly<Record<string, string>>;
  }[];
  /**
   * Python: the installer may take only a wheel of it (pip's `--only-binary` in the requirements file, by
   * `FormatControl.get_allowed_formats`): with no wheel it fails rather than build the sdist.
   */
  readonly wheelsOnly?: true;
  /**
   * Python: the Python versions its lockfile is installed with (uv.lock / pylock.toml `requires-python`, Pipfile.lock
   * `_meta.requires`), a PEP 440 specifier; a wheel for none of them is not installed (verify/pypi/builds.ts).
   */
  readonly requiresPython?: string;
  /**
   * Python (pylock.toml `attestation-identities`, PEP 751): the PEP 740 Trusted Publishers the lock recorded for the
   * package's files (`kind` and its string fields); the online check holds each file's attestations to them.
   */
  readonly attestationIdentities?: readonly (Readonly<Record<string, string>> & { readonly kind: string })[];
  /**
   * Python requirements files: every index pip searches for it (the file's `--index-url` and `--extra-index-url`s, in
   * file order; pip's `PackageFinder` takes candidates from all of them), absent when the file names none.
   */
  readonly indexes?: readonly string[];
  /**
   * The file sets `--index-url` (the first of `indexes`): pip asks it instead of the configured index, never both
   * (req_file `handle_option_line` replaces the finder's index URLs).
   */
  readonly replacesIndex?: true;
}

export interface DependencyGraph {
  readonly lockfile: string;
  readonly kind:
    | 'npm'
    | 'yarn-classic'
    | 'yarn-berry'
    | 'pnpm'
    | 'bun'
    | 'pip-requirements'
    | 'uv'
    | 'poetry'
    | 'pipenv'
    | 'pylock'
    | 'pdm';
  /** Package ecosystem; absent = npm. Registry stages verify only their own ecosystem's graphs. */
  readonly ecosystem?: Ecosystem;
  /** Lockfile format version as written (npm lockfileVersion, berry __metadata.version, pnpm lockfileVersion). */
  readonly formatVersion: string;
  /**
   * yarn berry: `__metadata.cacheKey`, the cache format of the yarn that wrote the lockfile. yarn compares a checksum
   * only with an archive of its own cache key (review/cache-keys.ts).
   */
  readonly cacheKey?: string;
  readonly packages: readonly PackageNode[];
  /** Declared dependencies of each importer/workspace, by workspace path ('' = root). */
  readonly importers: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Lockfile lines of the entries the frozen install leaves out, as nothing the project declares reaches them (set by
   * the deps stage: deps/checks/unreached.ts). Later stages do not check what never installs.
   */
  readonly notInstalled?: readonly number[];
  /**
   * Lockfile lines of the scoped entries locked elsewhere than the registry the repository's .npmrc names for their
   * scope (set by the deps stage: deps/checks/scope-registry.ts, CPD162). That one finding is their resolved URL's
   * cause; the registry stage does not report the URL again (CPD107, CPD157).
   */
  readonly scopeBypassed?: readonly number[];
}

/** A model file and what is known of it; every one appears in the JSON report. */
export interface ModelRecord {
  readonly path: string;
  readonly format: FileFormat;
  readonly size: number;
  /** Algorithm → lowercase hex digest, e.g. { sha256: '…' }. */
  readonly digests: Readonly<Record<string, string>>;
  /** The trusted-registry artifact it matched, if any: `name@revision`. */
  readonly registryEntry?: string;
  /** For LFS pointers: the oid and size the pointer names. */
  readonly lfs?: { readonly oid: string; readonly size: number };
  /** Verified build provenance: the source commit the file was built from (set by the provenance stage). */
  readonly provenance?: ModelProvenance;
}

/** What a verified provenance attestation says about a model file's build. */
export interface ModelProvenance {
  /** Source repository, e.g. `https://github.com/org/repo`. */
  readonly repository: string;
  /** Git commit the build ran on. */
  readonly commit: string;
  readonly ref?: string;
  /** Builder identity: the workflow that signed (Fulcio Build Signer URI, else the certificate subject). */
  readonly builder: string;
  readonly predicateType: string;
  /** Repo-relative path of the attestation file. */
  readonly attestation: string;
}

export type VerificationStatus = 'verified' | 'failed' | 'unverifiable';

/**
 * Per-artifact outcome; the summary counts these. Key: the package's purl (`pkg:npm/<name>@<version>`,
 * `pkg:pypi/<name>@<version>`: package-key.ts `packageKey`) or `file:<path>` (`fileKey`).
 */
export interface VerificationRecord {
  readonly key: string;
  readonly status: VerificationStatus;
  readonly detail?: string;
  /**
   * The record only says that no check applied (a model file the trusted registry does not list): another stage's
   * outcome for the key, a verified signature included, replaces it. Never written to reports (pipeline.ts).
   */
  readonly fallback?: true;
  /**
   * A verified signature whose signer is one the policy names (signers or keys): only such a check replaces a
   * fallback record. Any identity Fulcio issued verifies when the policy names none, and a throwaway identity must
   * not turn an unlisted model verified. Never written to reports (pipeline.ts).
   */
  readonly signerPinned?: true;
}

/**
 * A model the code or a config file loads by name at run time (`from_pretrained("org/name")`, a hub URL): a
 * dependency the repository does not hold. `revisionKind` says how firmly it is pinned; only a commit is.
 */
export interface ModelReference {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** The call or config key that loads it, e.g. `AutoModel.from_pretrained`, `pipeline`, `model_name_or_path`. */
  readonly via: string;
  /**
   * `modelscope`: ModelScope's hub (`MODELSCOPE_MODELS`), whose SDK mirrors transformers' and huggingface_hub's APIs.
   */
  readonly hub: 'huggingface' | 'github' | 'url' | 'modelscope';
  readonly repoId?: string;
  readonly url?: string;
  readonly revision?: string;
  readonly revisionKind: 'commit' | 'ref' | 'none';
  /**
   * The environment variable the revision is read from at run time (`revision` is then the file's default), or the
   * command-line argument (`--revision`, `<name>` for a positional one) whose argparse default it is.
   */
  readonly revisionFrom?: string;
  /** As `revisionFrom`, for the model name (`repoId`/`url` is then the file's default). */
  readonly nameFrom?: string;
  readonly file?: string;
  /** The loader runs code from the model repository (`trust_remote_code=True`, `torch.hub.load`). */
  readonly runsRemoteCode: boolean;
  /**
   * The loader takes no revision for this download and always fetches the default branch (Keras `hf://`, keras_hub
   * presets, open_clip `hf-hub:`, llama-cpp-python, ollama's `hf.co/…`, llama.cpp `-hf`): the only pin is to download
   * the reviewed commit first and load that copy.
   */
  readonly takesNoRevision?: true;
  /**
   * `local_files_only=True`: the hub is never asked; the revision is looked up in the local hub cache, a branch
   * through the ref an earlier download left there. Still unpinned unless the revision is a commit.
   */
  readonly cacheOnly?: true;
  /**
   * The SHA-256 the loader checks the downloaded bytes against, refusing any others (openai-whisper's and OpenAI
   * CLIP's `_download` take it from the URL's path): a pin as firm as a commit, matched against the trusted
   * registry's files by digest.
   */
  readonly sha256?: string;
  /**
   * The leading hex digits of the SHA-256 the loader checks the download against, fewer than all 64 (torch.hub's
   * `hash_prefix`, or `check_hash`'s from the file name), or chosen at run time: it narrows what the server may send
   * without fixing it, so the reference stays unpinned.
   */
  readonly hashPrefix?: HashPrefix;
  /**
   * The MD5 the loader checks the download against, all 32 digits (Keras `get_file`'s `md5_hash`, or a 32-digit
   * `file_hash`): other bytes are refused, but whoever made the file can make a second one with the same MD5, and
   * the trusted registry matches SHA-256 — so the reference stays unpinned.
   */
  readonly md5?: string;
  /**
   * `runsRemoteCode` because the download is handed straight to this unpickler (`joblib.load(hf_hub_download(…))`):
   * the file's pickle runs whatever code it names.
   */
  readonly unpickledBy?: string;
  /** `runsRemoteCode` because the loader turns trust_remote_code on by default (AutoAWQ), not because the call does. */
  readonly remoteCodeByDefault?: true;
  /**
   * The module(s) of the repository the name or revision is imported from (`from .config import MODEL_ID`), where the
   * value to review and to pin is written.
   */
  readonly definedIn?: string;
  /**
   * The call loads one of this many models, chosen at run time among values the file names (`"org/a" if big else
   * "org/b"`, `MODELS[size]` of a dict constant): each is reported, this one among them.
   */
  readonly oneOf?: number;
  /**
   * The reference is in Python a shell command runs inline (`python -c "…"`, a heredoc: refs/shell-python.ts), at
   * its place in the script: pinned as Python pins it. Or (`shell`) in a command line Python runs
   * (`subprocess.run(["hf", "download", …])`: refs/python-commands.ts), at its place in the file: pinned as the CLI
   * pins it. A config node Hydra instantiates (`_target_`: refs/config-fast.ts `hydraCall`) is a Python call too.
   */
  readonly inline?: 'python' | 'shell';
  /**
   * The script and its command-line option (`train.py --model_name_or_path`) this reference's command line gives the
   * name or revision to (refs/script-arguments.ts): the load is the script's, the value the command's.
   */
  readonly argumentOf?: string;
}

/** `ModelReference.hashPrefix`: the digits the call writes, or a value it computes. */
export type HashPrefix = { readonly prefix: string } | { readonly chosenAtRunTime: true };

/** Whether a reference names immutable bytes: a commit, or a digest the loader checks the download against. */
export function isPinnedReference(ref: ModelReference): boolean {
  return ref.revisionKind === 'commit' || ref.sha256 !== undefined;
}

/** Where ModelScope's models live: `<this>/<org>/<name>` is a repository's page (registry sources, ML-BOM purls). */
export const MODELSCOPE_MODELS = 'https://modelscope.cn/models';

/** The ModelScope repository (`org/name`) a trusted-registry entry's `source` names, if it names one. */
export function modelScopeRepoOf(source: string): string | undefined {
  return /^https?:\/\/(?:www\.)?modelscope\.cn\/models\/([^/]+\/[^/?#]+)/.exec(source)?.[1];
}

/**
 * A trusted-registry entry's identity, `name@revision`: two entries with one are ambiguous (the loader refuses them).
 * A ModelScope repository (by its `source`) is another repository than the Hugging Face one of the same name, as
 * refs/judge.ts `reviewedCommits` keys them: `modelscope:` before it.
 */
export function registryEntryKey(e: { readonly name: string; readonly revision: string; readonly source?: string }) {
  return `${e.source !== undefined && modelScopeRepoOf(e.source) !== undefined ? 'modelscope:' : ''}${e.name}@${e.revision}`;
}
