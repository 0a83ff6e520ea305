import { normalizeName, parseRequirement } from './pep508.js';
import { assertStringsBounded, isTable, namedTables, parseToml, strOf } from './toml.js';
import { fileNameOf, fullCommit, toDistributions, lockedEntry } from './dist.js';
import { lineOfKey } from './uv.js';
import { poetryPythonSpecifier } from './poetry-python.js';
import type { PyEdge, PyPackage, PySource, PythonLock } from './types.js';
import { PyLockError } from './types.js';

/**
 * poetry.lock, as Poetry's `Locker` writes it: `[metadata] lock-version` 1.x keeps file hashes in
 * `[metadata.files]` keyed by package name and marks dev packages with `category = "dev"`; 2.x puts `files` on
 * each `[[package]]` and lists `groups`. `[package.source]` names a git, url, file, directory or `legacy` index.
 */
export function parsePoetryLock(file: string, text: string): PythonLock {
  assertStringsBounded(file, text);
  const doc = parseToml(file, text);
  const meta = isTable(doc.metadata) ? doc.metadata : {};
  const lockVersion = strOf(meta['lock-version']) ?? '';
  if (!/^[12]\.\d+$/.test(lockVersion)) {
    throw new PyLockError(
      'LOCKFILE_UNSUPPORTED',
      file,
      `poetry.lock lock-version "${lockVersion.slice(0, 20)}" is not one chainproof reads (1.x, 2.x)`,
      lineOfKey(text, 'lock-version') ?? lineOfKey(text, '\\[metadata\\]'),
    );
  }
  // lock-version 1.x: hashes by package name (as written, or normalised in later 1.x writers).
  const metaFiles = new Map<string, unknown[]>();
  if (isTable(meta.files)) {
    for (const [k, v] of Object.entries(meta.files)) if (Array.isArray(v)) metaFiles.set(normalizeName(k), v);
  }
  const edges: PyEdge[] = [];
  const packages: PyPackage[] = namedTables(file, text, doc, 'package').map(({ entry, name, line }): PyPackage => {
    edges.push(...poetryEdges(entry, name));
    const src = isTable(entry.source) ? entry.source : undefined;
    const [source, url] = sourceOf(src);
    const { files, unchecked } = filesPoetryChecks(entry, name, metaFiles, source, url);
    // Poetry checks out `resolved_reference` (the commit it locked), not `reference` (the branch or tag asked
    // for): `Executor._install_git` → `Git.clone(revision=source_resolved_reference or source_reference)`.
    const commit = source === 'vcs' ? fullCommit(strOf(src?.resolved_reference)) : undefined;
    const groups = Array.isArray(entry.groups) ? entry.groups.filter((g) => typeof g === 'string') : undefined;
    const indexName = source === 'index' ? strOf(src?.reference) : undefined;
    const markers = poetryMarkers(entry.markers, groups);
    return {
      ...lockedEntry({ name, version: strOf(entry.version), file, line, source, url, commit }),
      ...(indexName !== undefined ? { indexName } : {}),
      distributions: toDistributions(files),
      ...(unchecked !== undefined ? { hashesUnchecked: unchecked } : {}),
      ...(markers !== undefined ? { markers } : {}),
      dev: entry.category === 'dev' || (groups !== undefined && groups.length > 0 && !groups.includes('main')),
      optional: entry.optional === true,
    };
  });
  const contentHash = strOf(meta['content-hash']);
  const requiresPython = poetryPythonSpecifier(strOf(meta['python-versions']));
  return {
    file,
    kind: 'poetry',
    formatVersion: lockVersion,
    ...(contentHash !== undefined
      ? { contentHash: { value: contentHash.toLowerCase(), line: lineOfKey(text, 'content-hash') ?? 1 } }
      : {}),
    packages,
    projects: [],
    edges,
    indexes: [],
    requireHashes: false,
    problems: [],
    ...(requiresPython !== undefined ? { requiresPython } : {}),
  };
}

/**
 * The files whose hashes Poetry compares with what it installs. `Locker.locked_repository` takes a package's own
 * `files` when present, else lock-version 1.x `[metadata.files]` under its name — except for git, directory and url
 * sources, which get none, and a `file` source, which keeps only the entry of its own file name. Then
 * `Executor._populate_hashes_dict` checks a url source's download only when its file name is one of those files':
 * hashes recorded under other names are never compared, and the URL installs unchecked.
 */
function filesPoetryChecks(
  entry: Record<string, unknown>,
  name: string,
  metaFiles: ReadonlyMap<string, unknown[]>,
  source: PySource,
  url: string | undefined,
): { files: unknown[]; unchecked?: string } {
  const fileOf = (f: unknown) => (isTable(f) ? strOf(f.file) : undefined);
  let files: unknown[];
  if (Array.isArray(entry.files)) files = entry.files;
  else if (source === 'vcs' || source === 'directory' || source === 'url') {
    // Only a url source is hashed at all (git and directories are built from source), so only it is told.
    const ignored = source === 'url' ? (metaFiles.get(normalizeName(name)) ?? []) : [];
    return ignored.length > 0
      ? {
          files: [],
          unchecked:
            'its hashes sit in [metadata.files], which Poetry (Locker.locked_repository) does not read for a url source',
        }
      : { files: [] };
  } else files = metaFiles.get(normalizeName(name)) ?? [];
  const own = url?.split(/[\\/]/).pop();
  if (source === 'path' && !Array.isArray(entry.files)) files = files.filter((f) => fileOf(f) === own);
  if (source !== 'url' || url === undefined || files.length === 0) return { files };
  const archive = fileNameOf(url);
  if (archive !== undefined && files.some((f) => fileOf(f) === archive)) return { files };
  const listed = files.map(fileOf).filter((f) => f !== undefined);
  return {
    files: [],
    unchecked: `its hashes are for ${listed.length > 0 ? listed.slice(0, 2).join(', ') : 'no named file'}, not for ${archive ?? 'the file its URL downloads'}, and Poetry compares a download only with hashes of its own file name (Executor._populate_hashes_dict)`,
  };
}

/**
 * The edges of one poetry.lock `[[package]]`: `[package.dependencies]`, which `Locker._dump_package` writes from
 * the package's `requires` keyed by the name as the package spells it (so normalised here), each a constraint
 * string, a table, or a list of tables (one per marker). A table with `optional = true` is installed only for an
 * extra of `[package.extras]` that names it.
 */
function poetryEdges(entry: Record<string, unknown>, name: string): PyEdge[] {
  const from = normalizeName(name);
  const fromVersion = strOf(entry.version);
  const deps = isTable(entry.dependencies) ? entry.dependencies : {};
  const extraOf = new Map<string, string>();
  if (isTable(entry.extras)) {
    for (const [extra, list] of Object.entries(entry.extras)) {
      if (!Array.isArray(list)) continue;
      for (const r of list) {
        const req = typeof r === 'string' ? parseRequirement(r) : undefined;
        if (req && !extraOf.has(normalizeName(req.name))) extraOf.set(normalizeName(req.name), normalizeName(extra));
      }
    }
  }
  const out: PyEdge[] = [];
  for (const [dep, spec] of Object.entries(deps)) {
    const to = normalizeName(dep);
    const constraints = Array.isArray(spec) ? spec : [spec];
    const optional = constraints.length > 0 && constraints.every((c) => isTable(c) && c.optional === true);
    out.push({
      from,
      ...(fromVersion !== undefined ? { fromVersion } : {}),
      to,
      ...(optional ? { extra: extraOf.get(to) ?? '' } : {}),
    });
  }
  return out;
}

/**
 * When a Poetry 2 lock installs the package (`Locker._dump_package`): `markers` is one marker for every group, or a
 * table of the groups whose marker is not "any"; a group of `groups` missing from the table installs it always.
 */
function poetryMarkers(markers: unknown, groups: readonly string[] | undefined): string | undefined {
  if (typeof markers === 'string') return markers;
  if (!isTable(markers) || !groups || groups.length === 0) return undefined;
  const each = groups.map((g) => strOf(markers[g]));
  return each.every((m) => m !== undefined) ? each.map((m) => `(${m})`).join(' or ') : undefined;
}

function sourceOf(src: Record<string, unknown> | undefined): [PySource, string | undefined] {
  if (!src) return ['index', undefined];
  const url = strOf(src.url);
  switch (strOf(src.type)) {
    case 'git':
      return ['vcs', url];
    case 'url':
      return ['url', url];
    case 'file':
      return ['path', url];
    case 'directory':
      return ['directory', url];
    case undefined:
    default:
      // `legacy` (a PEP 503 index) and Poetry 2's `source` references are indexes.
      return ['index', url];
  }
}
