import { jsonPropertyLines, jsonErrorAt, lineOfFirst } from '../../lines.js';
import { normalizeName, pinnedVersion } from './pep508.js';
import { urlSource } from './requirements.js';
import { fullCommit } from './dist.js';
import { choosingVariables } from './env-vars.js';
import { pythonTruth } from './python-truth.js';
import type { PyEnvChoice, PyIndexOption, PyPackage, PySource, PythonLock, PyTrustedHost } from './types.js';
import { PyLockError } from './types.js';

/**
 * Pipfile.lock (pipfile-spec 6, as pipenv writes it): `default`, `develop` and every other package category map
 * names to `version` ("==x"), `hashes` ["sha256:…"], `markers`, optional `index` (a `_meta.sources` name), or
 * `git`/`ref`, `file`, `path`.
 */
export function parsePipfileLock(file: string, text: string): PythonLock {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text);
    throw new PyLockError('LOCKFILE_SYNTAX', file, `not valid JSON: ${at.reason}`, at.line, { cause: err });
  }
  if (!isRecord(data)) throw new PyLockError('LOCKFILE_SHAPE', file, 'the top level is not a JSON object', 1);
  const meta = isRecord(data._meta) ? data._meta : {};
  const spec = meta['pipfile-spec'];
  if (spec !== 6) {
    throw new PyLockError(
      'LOCKFILE_UNSUPPORTED',
      file,
      `pipfile-spec ${String(spec)} is not one chainproof reads (6)`,
      1,
    );
  }
  const sections = categories(data);
  // One pass for both: each package's line by category, and each `_meta.sources[].url` line in order (the path
  // of an array element is `0` whatever its index, so they are counted; a category sorts before `_meta` when its
  // name starts with a capital, as pipenv writes keys sorted).
  let sourceUrls = 0;
  const lines = jsonPropertyLines(text, (path, prop) => {
    if (path.length === 1 && sections.includes(String(path[0]))) return `${String(path[0])}\0${prop}`;
    if (path.length === 3 && path[0] === '_meta' && path[1] === 'sources' && prop === 'url')
      return `\0url${sourceUrls++}`;
    return undefined;
  });
  const sources = Array.isArray(meta.sources) ? meta.sources.filter(isRecord) : [];
  // pipenv's `Project.load_lockfile` runs `os.path.expandvars` over each source URL before pip sees it.
  const envChoices: PyEnvChoice[] = [];
  const indexes: PyIndexOption[] = sources.map((s, i) => {
    const url = typeof s.url === 'string' ? s.url : '';
    const line = lines.get(`\0url${i}`) ?? 1;
    const names = choosingVariables(url, 'expandvars');
    if (names.length > 0) envChoices.push({ file, line, names, what: 'index' });
    return {
      kind: i === 0 ? 'index-url' : 'extra-index-url',
      url,
      file,
      line,
      ...(names.length > 0 ? { fromEnvironment: true as const } : {}),
    };
  });
  // pipenv turns a source with `verify_ssl = false` into pip's `--trusted-host <host>` (`prepare_pip_source_args`:
  // `if not source.get("verify_ssl", True)`, so `null`, `0` and `""` turn TLS checks off too; only a missing key
  // keeps the default).
  const trustedHosts: PyTrustedHost[] = sources.flatMap((s, i) =>
    'verify_ssl' in s && !pythonTruth(s.verify_ssl) && typeof s.url === 'string' && hostOf(s.url) !== undefined
      ? [{ host: hostOf(s.url)!, file, line: lines.get(`\0url${i}`) ?? 1 }]
      : [],
  );
  const indexUrl = new Map(sources.map((s) => [String(s.name), typeof s.url === 'string' ? s.url : '']));
  const packages: PyPackage[] = [];
  for (const section of sections) {
    const entries = isRecord(data[section]) ? data[section] : {};
    for (const [name, raw] of Object.entries(entries)) {
      const entry = isRecord(raw) ? raw : {};
      const specifier = typeof entry.version === 'string' ? entry.version.replace(/\s+/g, '') : '';
      const [source, url] = sourceOf(entry, indexUrl);
      // pipenv installs `git+<url>@<ref>`; the lock's `ref` is the commit it resolved (or whatever was written).
      const commit = source === 'vcs' && typeof entry.ref === 'string' ? fullCommit(entry.ref) : undefined;
      const hashes = Array.isArray(entry.hashes) ? entry.hashes.filter((h): h is string => typeof h === 'string') : [];
      packages.push({
        name: normalizeName(name),
        displayName: name,
        version: pinnedVersion(specifier),
        specifier,
        file,
        line: lines.get(`${section}\0${name}`) ?? 1,
        source,
        ...(url !== undefined ? { url } : {}),
        ...(commit !== undefined ? { commit } : {}),
        distributions: hashes.flatMap((h) => {
          const c = h.indexOf(':');
          return c > 0 ? [{ hashes: { [h.slice(0, c).toLowerCase()]: h.slice(c + 1).toLowerCase() } }] : [];
        }),
        ...(typeof entry.markers === 'string' ? { markers: entry.markers } : {}),
        ...(entry.editable === true ? { editable: true } : {}),
        dev: section === 'develop',
        // A category of its own (`[docs]` in the Pipfile) installs only when asked for: `--categories docs`.
        optional: section !== 'default' && section !== 'develop',
      });
    }
  }
  const requiresPython = lockedPython(meta);
  // `_meta.hash.sha256`: pipenv's hash of the Pipfile it locked (checked by `pipenv install --deploy`).
  const lockedHash = isRecord(meta.hash) && typeof meta.hash.sha256 === 'string' ? meta.hash.sha256 : undefined;
  return {
    file,
    kind: 'pipenv',
    formatVersion: String(spec),
    ...(lockedHash !== undefined
      ? { contentHash: { value: lockedHash.toLowerCase(), line: lineOfFirst(text, '"sha256"') } }
      : {}),
    packages,
    projects: [],
    indexes,
    ...(trustedHosts.length > 0 ? { trustedHosts } : {}),
    requireHashes: false,
    problems: [],
    ...(envChoices.length > 0 ? { envChoices } : {}),
    ...(requiresPython !== undefined ? { requiresPython } : {}),
  };
}

/**
 * The Python the lock is installed with, as a PEP 440 specifier of its minor (what a wheel's tags name): `_meta.requires`
 * holds the Pipfile's `[requires]`, and pipenv creates the environment with `python_full_version`, else
 * `python_version` (`Project.required_python_version`, `ensure_python`). Undefined when neither is a version number.
 */
function lockedPython(meta: Record<string, unknown>): string | undefined {
  const requires = isRecord(meta.requires) ? meta.requires : {};
  const minorOf = (v: unknown) => (typeof v === 'string' ? /^(\d+\.\d+)(\.\d+)*$/.exec(v)?.[1] : undefined);
  const minor = minorOf(requires.python_full_version) ?? minorOf(requires.python_version);
  return minor === undefined ? undefined : `==${minor}.*`;
}

/**
 * The lockfile's package categories: `default` (Pipfile `[packages]`), `develop` (`[dev-packages]`) and each other
 * category the Pipfile declares, which pipenv locks under its own name (`get_lockfile_section_using_pipfile_category`:
 * any category but those two keeps its name; `Project.get_package_categories(for_lockfile=True)`) and installs with
 * `pipenv install` / `sync --categories <name>`. So every top-level object but `_meta` is a category.
 */
function categories(data: Record<string, unknown>): string[] {
  const others = Object.keys(data).filter(
    (k) => k !== '_meta' && k !== 'default' && k !== 'develop' && isRecord(data[k]),
  );
  return ['default', 'develop', ...others];
}

function sourceOf(
  entry: Record<string, unknown>,
  indexUrl: ReadonlyMap<string, string>,
): [PySource, string | undefined] {
  // pipenv installs `git+<git>@<ref>` (its requirement line for a VCS entry), so the URL carries the ref.
  if (typeof entry.git === 'string') {
    const ref = typeof entry.ref === 'string' && entry.ref !== '' ? `@${entry.ref}` : '';
    return ['vcs', `git+${entry.git.replace(/^git\+/, '')}${ref}`];
  }
  for (const vcs of ['hg', 'svn', 'bzr'])
    if (typeof entry[vcs] === 'string') return ['vcs', `${vcs}+${String(entry[vcs])}`];
  if (typeof entry.file === 'string') return [urlSource(entry.file), entry.file];
  if (typeof entry.path === 'string') return ['path', entry.path];
  if (typeof entry.index === 'string') return ['index', indexUrl.get(entry.index)];
  return ['index', undefined];
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
