import { normalizeName } from './pep508.js';
import { assertStringsBounded, isTable, namedTables, parseToml, strOf } from './toml.js';
import { fullCommit, toDistributions, lockedEntry } from './dist.js';
import type { PyEdge, PyPackage, PySource, PythonLock } from './types.js';
import { PyLockError } from './types.js';

/** uv.lock versions this parser knows (uv's `lock::VERSION`); `revision` changes are additive. */
const KNOWN_VERSIONS = new Set([1]);

/**
 * uv.lock (uv's `Lock` / `Package` serialisation): `[[package]]` tables with `source` = `registry` (an index URL),
 * `git`, `url`, `path`, `directory`, `editable` or `virtual`; `sdist` and `wheels` carry url and `sha256:` hash.
 * The project itself (`virtual` / `editable`) is the importer, not a dependency.
 */
export function parseUvLock(file: string, text: string): PythonLock {
  assertStringsBounded(file, text);
  const doc = parseToml(file, text);
  const version = doc.version;
  if (typeof version !== 'number' || !KNOWN_VERSIONS.has(version)) {
    throw new PyLockError(
      'LOCKFILE_UNSUPPORTED',
      file,
      `uv.lock version ${String(version)} is not one chainproof reads`,
      lineOfKey(text, 'version'),
    );
  }
  const packages: PyPackage[] = [];
  const projects: string[] = [];
  const tables = namedTables(file, text, doc, 'package');
  assertUniquePackages(file, tables);
  const installedWhen = edgeMarkers(
    tables.map((t) => t.entry),
    doc['supported-markers'],
  );
  const edges: PyEdge[] = [];
  const declared: Record<string, Record<string, string>> = {};
  let rootProject: string | undefined;
  const members = workspaceMembers(doc);
  tables.forEach(({ entry, name, line }) => {
    const src = isTable(entry.source) ? entry.source : {};
    const [source, url] = sourceOf(src);
    edges.push(...uvEdges(entry, name));
    // `virtual` (never built) and `editable` workspace members are the project. An editable path that leaves
    // the lockfile's folder is a `tool.uv.sources` path dependency on code outside the repository: uv builds and
    // installs it, so it stays a package (CPP016 / CPP073). So is an editable inside the folder that is not a
    // member: `[tool.uv.sources] x = { path = "vendor/x", editable = true }` (or a lockfile edit that moves a
    // registry package there) is built and installed like any path dependency.
    const editable = strOf(src.editable);
    if (source === 'virtual' || (src.editable !== undefined && isMember(members, name, editable))) {
      projects.push(normalizeName(name));
      declared[normalizeName(name)] = uvDeclared(entry);
      if (url === '.' || url === './') rootProject ??= normalizeName(name);
      return;
    }
    const dists = toDistributions([entry.sdist, ...(Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : [])]);
    const commit = source === 'vcs' ? gitCommitOf(url) : undefined;
    const markers = installedWhen(normalizeName(name), strOf(entry.version));
    packages.push({
      ...lockedEntry({ name, version: strOf(entry.version), file, line, source, url, commit }),
      distributions: dists,
      ...(editable !== undefined ? { editable: true } : {}),
      ...(markers !== undefined ? { markers } : {}),
      dev: false,
      optional: false,
    });
  });
  return {
    file,
    kind: 'uv',
    formatVersion: `${version}${typeof doc.revision === 'number' ? `.${doc.revision}` : ''}`,
    packages,
    projects,
    edges,
    declared,
    ...(rootProject !== undefined ? { rootProject } : {}),
    indexes: [],
    requireHashes: false,
    problems: [],
    ...(strOf(doc['requires-python']) !== undefined ? { requiresPython: strOf(doc['requires-python'])! } : {}),
  };
}

/**
 * The edges of one uv.lock `[[package]]`, as uv's lock writer (`Package::to_toml` in uv-resolver's `lock/mod.rs`)
 * writes them: `dependencies`, `[package.optional-dependencies]` by extra and `[package.dev-dependencies]` by group,
 * each a list of `{ name, version?, source?, marker?, extra? }` naming a locked package (by its normalised name).
 */
function uvEdges(entry: Record<string, unknown>, name: string): PyEdge[] {
  const from = normalizeName(name);
  const fromVersion = strOf(entry.version);
  const out: PyEdge[] = [];
  const add = (list: unknown, extra?: string) => {
    if (!Array.isArray(list)) return;
    for (const dep of list) {
      if (!isTable(dep) || strOf(dep.name) === undefined) continue;
      const toVersion = strOf(dep.version);
      out.push({
        from,
        ...(fromVersion !== undefined ? { fromVersion } : {}),
        to: normalizeName(strOf(dep.name)!),
        ...(toVersion !== undefined ? { toVersion } : {}),
        ...(extra !== undefined ? { extra } : {}),
      });
    }
  };
  add(entry.dependencies);
  const optional = entry['optional-dependencies'];
  if (isTable(optional)) for (const [extra, list] of Object.entries(optional)) add(list, normalizeName(extra));
  const dev = entry['dev-dependencies'];
  if (isTable(dev)) for (const list of Object.values(dev)) add(list);
  return out;
}

/**
 * What a project entry records its manifest declared (`[package.metadata] requires-dist`, and `requires-dev` by
 * group): uv compares these with pyproject.toml to tell whether the lock is stale (`Lock::satisfies`).
 */
function uvDeclared(entry: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const meta = isTable(entry.metadata) ? entry.metadata : {};
  const add = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const r of list) {
      if (!isTable(r) || strOf(r.name) === undefined) continue;
      const key = normalizeName(strOf(r.name)!);
      const spec = [strOf(r.specifier) ?? '', strOf(r.marker) ?? ''].filter((x) => x !== '').join(' ; ');
      out[key] = out[key] !== undefined ? `${out[key]}, ${spec}` : spec;
    }
  };
  add(meta['requires-dist']);
  const dev = meta['requires-dev'];
  if (isTable(dev)) for (const list of Object.values(dev)) add(list);
  return out;
}

/**
 * When each locked package is installed at all, as a PEP 508 marker: the `marker`s of the dependency edges that lead
 * to it (uv writes `{ name, version?, marker? }` in `dependencies`, `optional-dependencies` and `dev-dependencies`;
 * `version` only where the name is locked more than once), or'ed, and'ed with the lock's `supported-markers` (from
 * `tool.uv.environments`: uv resolves for those platforms only). Undefined when some edge has no marker.
 */
function edgeMarkers(
  entries: readonly Record<string, unknown>[],
  supported: unknown,
): (name: string, version: string | undefined) => string | undefined {
  const edges = new Map<string, (string | undefined)[]>();
  const add = (dep: unknown) => {
    if (!isTable(dep) || strOf(dep.name) === undefined) return;
    const key = `${normalizeName(strOf(dep.name)!)}@${strOf(dep.version) ?? ''}`;
    edges.set(key, [...(edges.get(key) ?? []), strOf(dep.marker)]);
  };
  const lists = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  for (const e of entries) {
    lists(e.dependencies).forEach(add);
    for (const key of ['optional-dependencies', 'dev-dependencies']) {
      const t = e[key];
      if (isTable(t)) for (const list of Object.values(t)) lists(list).forEach(add);
    }
  }
  const envs = lists(supported).filter((m): m is string => typeof m === 'string');
  return (name, version) => {
    const into = [
      ...(edges.get(`${name}@`) ?? []),
      ...(version !== undefined ? (edges.get(`${name}@${version}`) ?? []) : []),
    ];
    if (into.length === 0 || into.some((m) => m === undefined)) {
      return envs.length > 0 ? envs.map((m) => `(${m})`).join(' or ') : undefined;
    }
    const own = into.map((m) => `(${m!})`).join(' or ');
    return envs.length > 0 ? `(${own}) and (${envs.map((m) => `(${m})`).join(' or ')})` : own;
  };
}

/**
 * uv refuses a lock that holds one package twice: `Lock::new` (reached from `LockWire` → `Lock` when it reads
 * uv.lock) keys every package by its `PackageId` (name, version, source) and fails with `DuplicatePackage` on the
 * second. Nothing installs; the same name and version from two sources is two packages (a torch from two indexes).
 */
function assertUniquePackages(
  file: string,
  tables: readonly { entry: Record<string, unknown>; name: string; line: number }[],
): void {
  const seen = new Map<string, number>();
  for (const { entry, name, line } of tables) {
    const src = isTable(entry.source) ? entry.source : {};
    const source = JSON.stringify(Object.entries(src).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const version = strOf(entry.version);
    const key = `${normalizeName(name)}\0${version ?? ''}\0${source}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new PyLockError(
        'LOCKFILE_SHAPE',
        file,
        `[[package]] ${name}${version !== undefined ? ` ${version}` : ''} from the same source is locked twice (first at line ${first}): uv refuses a lock with a duplicate package`,
        line,
      );
    }
    seen.set(key, line);
  }
}

function sourceOf(src: Record<string, unknown>): [PySource, string | undefined] {
  if (strOf(src.registry) !== undefined) return ['index', strOf(src.registry)];
  if (strOf(src.git) !== undefined) return ['vcs', strOf(src.git)];
  if (strOf(src.url) !== undefined) return ['url', strOf(src.url)];
  if (strOf(src.path) !== undefined) return ['path', strOf(src.path)];
  if (strOf(src.directory) !== undefined) return ['directory', strOf(src.directory)];
  if (strOf(src.editable) !== undefined) return ['directory', strOf(src.editable)];
  if (strOf(src.virtual) !== undefined) return ['virtual', strOf(src.virtual)];
  return ['index', undefined];
}

/**
 * The commit a uv.lock git source is locked to. uv writes the locked URL (`GitSource` in uv-resolver's
 * `lock/mod.rs`) as `<repo>?rev=|tag=|branch=<what was asked>#<full commit>` and checks out the fragment, never the
 * branch; a URL without a full-hex fragment is not pinned.
 */
function gitCommitOf(url: string | undefined): string | undefined {
  const hash = url?.lastIndexOf('#') ?? -1;
  return hash >= 0 ? fullCommit(url!.slice(hash + 1)) : undefined;
}

/**
 * The names `[manifest] members` lists. uv writes the table for a workspace of more than one member (`Lock::to_toml`
 * emits `members` when the manifest has any); a lockfile without it is a single project, at the lockfile's folder.
 */
function workspaceMembers(doc: Record<string, unknown>): ReadonlySet<string> | undefined {
  const manifest = doc.manifest;
  if (!isTable(manifest) || !Array.isArray(manifest.members)) return undefined;
  return new Set(manifest.members.flatMap((m) => (typeof m === 'string' ? [normalizeName(m)] : [])));
}

/** An editable entry that is a workspace member (the project), not a path dependency uv builds and installs. */
function isMember(members: ReadonlySet<string> | undefined, name: string, path: string | undefined): boolean {
  if (path === undefined || leavesFolder(path)) return false;
  if (path === '.' || path === './') return true;
  return members?.has(normalizeName(name)) ?? false;
}

function leavesFolder(path: string | undefined): boolean {
  if (path === undefined) return false;
  const p = path.replace(/\\/g, '/');
  return p.startsWith('/') || /^[a-z]:\//i.test(p) || p === '..' || p.startsWith('../') || /\/\.\.(\/|$)/.test(p);
}

/** Line of a top-level `key =` (for version errors). */
export function lineOfKey(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key}\\s*=`, 'm').exec(text);
  if (!m) return undefined;
  let line = 1;
  for (let i = 0; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
