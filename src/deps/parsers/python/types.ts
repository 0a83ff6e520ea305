/** How pip / uv would obtain a locked or required package. */
export type PySource = 'index' | 'vcs' | 'url' | 'path' | 'directory' | 'virtual';

/** One distribution file a lockfile pins: name (when the lockfile records it), URL, and digests by algorithm. */
export interface PyDistribution {
  readonly filename?: string;
  /**
   * The last segment of the URL (or path) the installer downloads, when the entry declares another name for the file
   * (pylock's `name`, a `filename` key uv.lock ignores beside `url`): the file fetched is this one.
   */
  readonly fetchedName?: string;
  readonly url?: string;
  /**
   * A local file the installer reads instead of downloading (pylock.toml `path`, relative to the lock's folder; kept
   * beside a `url` too, as newer uv reads the path first).
   */
  readonly path?: string;
  /** Algorithm (lower-case, e.g. `sha256`) → lower-case hex digest. */
  readonly hashes: Readonly<Record<string, string>>;
  /**
   * A requirements-file hash from the requirement's URL (`#sha256=…`, pip's `Link.hash`) rather than `--hash`: pip
   * checks the file against it, but it does not turn on hash-checking mode (`InstallRequirement.has_hash_options`).
   */
  readonly fromUrl?: true;
}

/** A package entry of a Python lockfile or requirements file, at its line. */
export interface PyPackage {
  /** PEP 503 normalised name: the key indexes and the trusted registry use. */
  readonly name: string;
  /** The name as written. */
  readonly displayName: string;
  /** The exact version when pinned to one (`==1.2.3`, or a lockfile's version); '' otherwise. */
  readonly version: string;
  /** The version specifier as written (`>=1.0,<2`), '' for lockfile entries. */
  readonly specifier: string;
  /** File (repo-relative) and 1-based line of the entry: an included requirements file names itself. */
  readonly file: string;
  readonly line: number;
  readonly source: PySource;
  /** VCS / direct URL / path for non-index sources; the index URL the lockfile names for index sources. */
  readonly url?: string;
  /** The name of the index a lockfile says the package came from (poetry.lock `[package.source] reference`). */
  readonly indexName?: string;
  /** The manifest `url` (the index URL) was read from, when the installer takes it from there, not the lockfile. */
  readonly indexFrom?: string;
  /** The commit a VCS source is locked to, when the lockfile records it apart from the URL (poetry, Pipfile, uv, pylock). */
  readonly commit?: string;
  readonly distributions: readonly PyDistribution[];
  readonly markers?: string;
  readonly editable?: boolean;
  readonly dev: boolean;
  readonly optional: boolean;
  /** A constraints-file entry (`-c`): limits versions, installs nothing. */
  readonly constraint?: boolean;
  /** Its line takes its name, version or host from an environment variable (CPP079 says so; no pin is claimed). */
  readonly fromEnvironment?: true;
  /**
   * Why hashes the lockfile records for it are never compared by the installer (they are left out of
   * `distributions`): e.g. Poetry checks a URL's archive only against files of the same name.
   */
  readonly hashesUnchecked?: string;
  /**
   * pylock.toml `[[packages.attestation-identities]]` (PEP 751): the Trusted Publishers the locker found attesting the
   * package's files, each a PEP 740 publisher object (`kind` and its string fields).
   */
  readonly attestationIdentities?: readonly AttestationIdentity[];
}

/** A PEP 740 publisher as a lockfile records it: `kind` (`GitHub`, `GitLab`, `Google`, …) and its string fields. */
export type AttestationIdentity = Readonly<Record<string, string>> & { readonly kind: string };

/** An index or link source a requirements file (or lockfile) declares, at its line. */
export interface PyIndexOption {
  readonly kind: 'index-url' | 'extra-index-url' | 'find-links' | 'no-index';
  readonly url: string;
  readonly file: string;
  readonly line: number;
  /** Its host comes from an environment variable at install time: the policy cannot judge it (CPP079 does). */
  readonly fromEnvironment?: true;
}

/** A line whose meaning the install's environment chooses (`${NAME}` outside a URL's credentials). */
export interface PyEnvChoice {
  readonly file: string;
  readonly line: number;
  /** The variables, in order of use. */
  readonly names: readonly string[];
  /** What the line is: an index option, a requirement, an include, another option line, or a variable alone. */
  readonly what: 'index' | 'requirement' | 'include' | 'option' | 'line';
}

/** A host whose TLS certificate pip / pipenv will not check (`--trusted-host`, a Pipfile source's `verify_ssl = false`). */
export interface PyTrustedHost {
  readonly host: string;
  readonly file: string;
  readonly line: number;
}

/** Where an option line of a requirements file is. */
export interface PyLineAt {
  readonly file: string;
  readonly line: number;
}

/**
 * pip's `FormatControl` as the requirements files leave it (`--no-binary` / `--only-binary`, on any line): each
 * normalised name, or `:all:`, with the line that put it there.
 */
export interface PyFormatControl {
  readonly noBinary: ReadonlyMap<string, PyLineAt>;
  readonly onlyBinary: ReadonlyMap<string, PyLineAt>;
}

/** A problem inside a file that is not fatal: an include that could not be followed, an unknown option. */
export interface PyProblem {
  readonly file: string;
  readonly line: number;
  readonly kind: 'include' | 'syntax' | 'version';
  readonly message: string;
  /** An include that leads back to a file already being read: pip refuses it, its requirements were all read. */
  readonly cycle?: true;
}

/**
 * One dependency edge a lockfile records: entry `from` (a locked package, or a project of `projects`) requires
 * `to`. Names are PEP 503 normalised; a version is given where the lockfile names one (uv writes it only where the
 * name is locked more than once).
 */
export interface PyEdge {
  readonly from: string;
  readonly fromVersion?: string;
  readonly to: string;
  readonly toVersion?: string;
  /** The extra of `from` that asks for `to` (installed only when something asks for `from[extra]`). */
  readonly extra?: string;
}

export type PythonLockKind = 'requirements' | 'uv' | 'poetry' | 'pipenv' | 'pylock' | 'pdm';

/** A parsed Python lockfile or requirements file (with its includes). */
export interface PythonLock {
  readonly file: string;
  readonly kind: PythonLockKind;
  readonly formatVersion: string;
  readonly packages: readonly PyPackage[];
  /** The project itself (uv `virtual`/`editable` root, pylock `directory`), not a dependency. */
  readonly projects: readonly string[];
  readonly indexes: readonly PyIndexOption[];
  /** Hosts the file tells the installer to reach without verifying TLS; absent when none. */
  readonly trustedHosts?: readonly PyTrustedHost[];
  /** `--require-hashes` given in the file (pip then demands a hash on every requirement). */
  readonly requireHashes: boolean;
  /** Requirements files only: the `--no-binary` / `--only-binary` they set; absent when none does. */
  readonly formatControl?: PyFormatControl;
  /**
   * A requirements file only a compile reads (`uv pip compile <file>`, `pip-compile <file>`): its ranges are resolved
   * into the pinned output, which is what is installed; its indexes and sources are still what the resolver uses.
   * `false` when an install reads it (`pip install -r requirements.in`): pip installs any file `-r` names as
   * requirements, whatever its name; absent, a `*.in` name is taken for a compile's input.
   */
  readonly compileInput?: boolean;
  readonly problems: readonly PyProblem[];
  /**
   * pipenv only: the Pipfile beside sets `[pipenv] install_search_all_sources`, so every package is installed with
   * every `_meta.sources` index (pip `--extra-index-url`), not only the one its entry names.
   */
  readonly searchAllSources?: boolean;
  /** Lines whose source or pin an environment variable chooses at install time; absent when none. */
  readonly envChoices?: readonly PyEnvChoice[];
  /**
   * The Python versions the lock is for (uv.lock / pylock.toml `requires-python`, Pipfile.lock `_meta.requires`,
   * poetry.lock `python-versions` in PEP 440 form, pdm.lock's one `[[metadata.targets]]` `requires_python`), a PEP 440
   * specifier.
   */
  readonly requiresPython?: string;
  /**
   * The dependency edges the lockfile records (uv `dependencies` / `optional-dependencies` / `dev-dependencies`,
   * poetry `[package.dependencies]`, PDM `dependencies`); absent for formats that record none (requirements files,
   * Pipfile.lock, pylock.toml as uv and pip write it).
   */
  readonly edges?: readonly PyEdge[];
  /**
   * What each project of `projects` declares, as the lockfile records it (uv `[package.metadata] requires-dist`
   * and `requires-dev`), by project: normalised name → specifier.
   */
  readonly declared?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The project at the lock's own folder (uv `source = { virtual = "." }` or `{ editable = "." }`). */
  readonly rootProject?: string;
  /** The manifest hash the lockfile records (poetry.lock `[metadata] content-hash`), at its line. */
  readonly contentHash?: { readonly value: string; readonly line: number };
}

export type PyLockErrorCode = 'LOCKFILE_SYNTAX' | 'LOCKFILE_SHAPE' | 'LOCKFILE_UNSUPPORTED';

/** A file that cannot be read as what its name says; carries the 1-based line where known. */
export class PyLockError extends Error {
  readonly code: PyLockErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  constructor(code: PyLockErrorCode, file: string, message: string, line?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PyLockError';
    this.code = code;
    this.file = file;
    this.line = line;
  }
}
