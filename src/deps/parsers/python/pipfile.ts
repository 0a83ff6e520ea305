import { jsonPropertyLines, jsonErrorAt } from '../../lines.js';
import { normalizeName, pinnedVersion } from './pep508.js';
import { urlSource } from './requirements.js';
import type { PyIndexOption, PyPackage, PySource, PythonLock } from './types.js';
import { PyLockError } from './types.js';

const SECTIONS = ['default', 'develop'] as const;

/**
 * Pipfile.lock (pipfile-spec 6, as pipenv writes it): `default` and `develop` map names to `version` ("==x"),
 * `hashes` ["sha256:…"], `markers`, optional `index` (a `_meta.sources` name), or `git`/`ref`, `file`, `path`.
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
  const lines = jsonPropertyLines(text, (path, prop) =>
    path.length === 1 && (path[0] === 'default' || path[0] === 'develop') ? `${String(path[0])}\0${prop}` : undefined,
  );
  const sourceLines = urlLines(text);
  const sources = Array.isArray(meta.sources) ? meta.sources.filter(isRecord) : [];
  const indexes: PyIndexOption[] = sources.map((s, i) => ({
    kind: i === 0 ? 'index-url' : 'extra-index-url',
    url: typeof s.url === 'string' ? s.url : '',
    file,
    line: sourceLines[i] ?? 1,
  }));
  const indexUrl = new Map(sources.map((s) => [String(s.name), typeof s.url === 'string' ? s.url : '']));
  const packages: PyPackage[] = [];
  for (const section of SECTIONS) {
    const entries = isRecord(data[section]) ? data[section] : {};
    for (const [name, raw] of Object.entries(entries)) {
      const entry = isRecord(raw) ? raw : {};
      const specifier = typeof entry.version === 'string' ? entry.version.replace(/\s+/g, '') : '';
      const [source, url] = sourceOf(entry, indexUrl);
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
        distributions: hashes.flatMap((h) => {
          const c = h.indexOf(':');
          return c > 0 ? [{ hashes: { [h.slice(0, c).toLowerCase()]: h.slice(c + 1).toLowerCase() } }] : [];
        }),
        ...(typeof entry.markers === 'string' ? { markers: entry.markers } : {}),
        ...(entry.editable === true ? { editable: true } : {}),
        dev: section === 'develop',
        optional: false,
      });
    }
  }
  return {
    file,
    kind: 'pipenv',
    formatVersion: String(spec),
    packages,
    projects: [],
    indexes,
    requireHashes: false,
    problems: [],
  };
}

function sourceOf(
  entry: Record<string, unknown>,
  indexUrl: ReadonlyMap<string, string>,
): [PySource, string | undefined] {
  if (typeof entry.git === 'string') return ['vcs', `git+${entry.git.replace(/^git\+/, '')}`];
  for (const vcs of ['hg', 'svn', 'bzr'])
    if (typeof entry[vcs] === 'string') return ['vcs', `${vcs}+${String(entry[vcs])}`];
  if (typeof entry.file === 'string') return [urlSource(entry.file), entry.file];
  if (typeof entry.path === 'string') return ['path', entry.path];
  if (typeof entry.index === 'string') return ['index', indexUrl.get(entry.index)];
  return ['index', undefined];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lines of the `"url":` keys before the first package section: the `_meta.sources` entries, in order. */
function urlLines(text: string): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*"(default|develop)"\s*:/.test(l)) break;
    if (/"url"\s*:/.test(l)) out.push(i + 1);
  }
  return out;
}
