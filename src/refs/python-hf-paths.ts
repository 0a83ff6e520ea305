import type { CallFacts, LoaderShape, Resolved } from './calls.js';
import { safeDecode } from './ids.js';
import { trimEndRun } from '../core/linear-text.js';

/**
 * Hub files read by path through fsspec: huggingface_hub registers `HfFileSystem` as fsspec's `hf` protocol, so
 * `fsspec.open("hf://org/name/model.pkl")`, `pandas.read_csv("hf://datasets/org/data/train.csv")` and
 * `HfFileSystem().open("org/name/model.pkl")` download that file of the repository, at the default branch unless the
 * path names a revision (`hf://org/name@<commit>/model.pkl`). pandas also fetches an http(s) URL itself.
 */

/** What a finding's `via` ends with for a hub file read by an `hf://` path (judge.ts words the pin by it). */
export const HF_PATH_VIA = ' (hf:// path)';

/** huggingface_hub constants.py `REPO_TYPES_URL_PREFIXES`: the first segment that names a dataset's or a Space's repo. */
const REPO_TYPE_PREFIXES: ReadonlySet<string> = new Set(['datasets/', 'spaces/']);

/** hf_file_system.py `SPECIAL_REFS_REVISION_REGEX`: revisions that hold a `/` (`refs/pr/1`, `refs/convert/parquet`). */
const SPECIAL_REFS = /^(?:refs\/convert\/\w+|refs\/pr\/\d+)/;

export interface HfPath {
  readonly repoType?: 'datasets/' | 'spaces/';
  readonly repoId: string;
  readonly revision?: string;
  readonly file?: string;
}

/**
 * A path as hf_file_system.py `HfFileSystem.resolve_path` reads it, after `_strip_protocol` (the `hf://` and any
 * trailing `/`): a repo type's prefix; then, with an `@`, the repo id before it and the revision after it (up to the
 * next `/`, but for the special refs), unquoted; without one, the first two segments (resolve_path tries
 * `<namespace>/<name>` first, and a bare canonical name only when the hub has no such repo, which the file cannot
 * tell). Undefined for a path that names no repository (resolve_path's NotImplementedError, or no id at all).
 */
export function parseHfPath(written: string): HfPath | undefined {
  let path = trimEndRun(written.startsWith('hf://') ? written.slice('hf://'.length) : written, '/');
  const slash = path.indexOf('/');
  const prefix = `${slash < 0 ? path : path.slice(0, slash)}/`;
  const repoType = REPO_TYPE_PREFIXES.has(prefix) ? (prefix as HfPath['repoType']) : undefined;
  // `hf://datasets`: the list of a type's repositories, which resolve_path does not read.
  if (repoType !== undefined && slash < 0) return undefined;
  if (repoType !== undefined) path = path.slice(repoType.length);
  if (path === '') return undefined;
  const at = path.indexOf('@');
  if (at >= 0) {
    const repoId = path.slice(0, at);
    const rest = path.slice(at + 1);
    const special = SPECIAL_REFS.exec(rest)?.[0];
    const cut = special !== undefined ? special.length : rest.indexOf('/') < 0 ? rest.length : rest.indexOf('/');
    const file = rest.slice(cut).replace(/^\/+/, '');
    return withParts(repoType, repoId, safeDecode(special ?? rest.slice(0, cut)), file);
  }
  const parts = path.split('/');
  if (parts.length === 1) return withParts(repoType, path, undefined, '');
  return withParts(repoType, `${parts[0]}/${parts[1]}`, undefined, parts.slice(2).join('/'));
}

function withParts(
  repoType: HfPath['repoType'],
  repoId: string,
  revision: string | undefined,
  file: string,
): HfPath | undefined {
  if (repoId === '' || revision === '') return undefined;
  return {
    ...(repoType !== undefined ? { repoType } : {}),
    repoId,
    ...(revision !== undefined ? { revision } : {}),
    ...(file !== '' ? { file } : {}),
  };
}

/**
 * fsspec's openers (fsspec/core.py `open`, `open_files`; the package exports both), whose protocol picks the file
 * system: `hf://` is HfFileSystem, http(s) fsspec's HTTPFileSystem.
 */
const FSSPEC_OPENERS: ReadonlySet<string> = new Set([
  'fsspec.open',
  'fsspec.open_files',
  'fsspec.core.open',
  'fsspec.core.open_files',
]);

/**
 * HfFileSystem's methods that read a file (fsspec/spec.py `AbstractFileSystem.open`, `cat`, `cat_file`, `read_bytes`,
 * `read_text`, `get`, `get_file`, and hf_file_system.py's own overrides), each with the path first; the protocol is
 * optional (`_strip_protocol`). `open` hands `revision=` on to `HfFileSystem._open`.
 */
const HF_FILE_SYSTEM_READS: ReadonlySet<string> = new Set([
  'open',
  'cat',
  'cat_file',
  'read_bytes',
  'read_text',
  'get',
  'get_file',
]);

/** The classes whose instances `HF_FILE_SYSTEM_READS` are read on (syntax.ts LOADER_CLASSES). */
export const HF_FILE_SYSTEMS: readonly string[] = [
  'huggingface_hub.HfFileSystem',
  'huggingface_hub.hf_file_system.HfFileSystem',
];

/**
 * pandas readers whose path goes through pandas/io/common.py `get_handle` → `_get_filepath_or_buffer`: an http(s)
 * URL is `urlopen`ed, any other `scheme://` (`is_fsspec_url`) is `fsspec.open`. read_pickle then unpickles what it
 * read (pandas/io/pickle.py `read_pickle`: `pickle.load(handles.handle)`).
 */
export const PANDAS_READERS: readonly string[] = [
  'read_csv',
  'read_table',
  'read_fwf',
  'read_json',
  'read_parquet',
  'read_feather',
  'read_orc',
  'read_excel',
  'read_xml',
  'read_stata',
  'read_sas',
  'read_pickle',
].map((r) => `pandas.${r}`);

/** The path parameter of each (their signatures): the first positional argument otherwise. */
const PATH_KEYWORDS = ['filepath_or_buffer', 'path', 'path_or_buffer', 'io', 'urlpath', 'rpath'];

/**
 * The hub file a call reads by path, or null for a call that is none of these. A path the file does not show, a
 * local path, or a URL of another host reads nothing the file names of a model (nothing is said, as for a plain HTTP
 * download: calls.ts `hubUrlOnly`).
 */
export function hfPathShape(f: CallFacts): LoaderShape | undefined | null {
  const method = f.resolved.slice(f.resolved.lastIndexOf('.') + 1);
  const onFileSystem = HF_FILE_SYSTEM_READS.has(method) && HF_FILE_SYSTEMS.some((c) => f.resolved === `${c}.${method}`);
  const pandas = PANDAS_READERS.includes(f.resolved);
  if (!onFileSystem && !pandas && !FSSPEC_OPENERS.has(f.resolved)) return null;
  // `open(path, "wb")`: a write uploads a commit, and reads nothing (hf_file_system.py `HfFileSystemFile`).
  const mode = pandas ? undefined : (f.keywords.get('mode') ?? f.positional[1])?.value;
  if ((method === 'open' || method === 'open_files') && mode !== undefined && /[wax]/.test(mode)) return undefined;
  const given = PATH_KEYWORDS.map((k) => f.keywords.get(k)).find((r) => r !== undefined) ?? f.positional[0];
  const v = given?.isString === true ? given.value : undefined;
  if (v === undefined) return undefined;
  const unpickles = f.resolved === 'pandas.read_pickle';
  const unpickled = unpickles ? { runsRemoteCode: true, unpickledBy: f.resolved } : { runsRemoteCode: false };
  if (/^https?:\/\//.test(v))
    return onFileSystem ? undefined : { via: f.written, name: given, ...unpickled, hubUrlOnly: true };
  if (!onFileSystem && !v.startsWith('hf://')) return undefined;
  const parsed = parseHfPath(v);
  if (parsed === undefined) return undefined;
  const revision =
    parsed.revision !== undefined
      ? literal(parsed.revision)
      : onFileSystem && method === 'open'
        ? f.keywords.get('revision')
        : undefined;
  return {
    via: f.written + HF_PATH_VIA,
    name: literal(parsed.repoId),
    ...(revision !== undefined ? { revision } : {}),
    ...(parsed.file !== undefined ? { file: literal(parsed.file) } : {}),
    ...(parsed.repoType !== undefined ? { repoType: parsed.repoType } : {}),
    hubOnly: true,
    ...unpickled,
  };
}

const literal = (value: string): Resolved => ({ value, isString: true });
