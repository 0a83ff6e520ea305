import type { DependencyGraph, PackageNode } from '../../../core/records.js';
import type { PyProject } from './pyproject.js';
import type { PyEdge, PySource, PythonLock } from './types.js';
import { sdistRefused } from './checks/builds.js';

const KIND: Record<PythonLock['kind'], DependencyGraph['kind']> = {
  requirements: 'pip-requirements',
  uv: 'uv',
  poetry: 'poetry',
  pipenv: 'pipenv',
  pylock: 'pylock',
  pdm: 'pdm',
};

const SOURCE: Record<PySource, PackageNode['source']> = {
  index: 'registry',
  vcs: 'git',
  url: 'tarball',
  path: 'file',
  directory: 'file',
  virtual: 'workspace',
};

/**
 * The shared DependencyGraph of a Python file (ecosystem `pypi`), so reports, the JSON summary and CycloneDX see
 * Python packages beside npm ones. Constraint entries install nothing and are left out.
 *
 * A lockfile that records dependency edges (uv, poetry, PDM: `lock.edges`) gets npm-like paths: breadth-first from
 * what the project declares, through the edges, so each package's path ends with the entry that pulls it in (an
 * extra-gated edge shows as `name[extra]`). `importers` then holds the declarations: the pyproject.toml beside the
 * lock (uv, poetry) when there is one, the lock's own record of them otherwise (uv `requires-dist`), keyed '' for
 * the project at the lock's folder and by name for other uv workspace members. A package nothing reaches is not
 * installed (uv `sync` walks the lock from the workspace members: `Lock::to_resolution`; Poetry and PDM resolve
 * from the project's requirements through the locked entries) and its path is its name alone. Without edges, or
 * with edges but no known declarations (`importers` {}), the roots are what no edge reaches.
 */
export function toPythonGraph(lock: PythonLock, project?: PyProject): DependencyGraph {
  const kept = lock.packages.filter((p) => p.constraint !== true);
  const { paths, importers } = lock.edges !== undefined ? walk(lock, lock.edges, project) : flat(kept);
  const indexes = searchedIndexes(lock);
  const packages: PackageNode[] = kept.map((p, i) => ({
    name: p.name,
    version: p.version,
    lockfile: p.file,
    line: p.line,
    ...(p.url !== undefined ? { resolved: p.url } : {}),
    dev: p.dev,
    optional: p.optional,
    peer: false,
    workspace: '',
    path: paths[i]!,
    source: SOURCE[p.source],
    key: `${p.name}==${p.version || p.specifier}`,
    distributions: p.distributions.map((d) => ({ ...d, hashes: { ...d.hashes } })),
    ...(p.attestationIdentities !== undefined ? { attestationIdentities: p.attestationIdentities } : {}),
    ...(sdistRefused(lock.formatControl, p.name) ? { wheelsOnly: true as const } : {}),
    ...(lock.requiresPython !== undefined ? { requiresPython: lock.requiresPython } : {}),
    ...(indexes.length > 0 ? { indexes } : {}),
    ...(replacesIndex(lock) ? { replacesIndex: true as const } : {}),
  }));
  return {
    lockfile: lock.file,
    kind: KIND[lock.kind],
    ecosystem: 'pypi',
    formatVersion: lock.formatVersion,
    packages,
    importers,
  };
}

/**
 * A requirements file's index URLs: pip searches each of them for every requirement (`--index-url` and every
 * `--extra-index-url`; the parser already dropped those a later `--index-url` replaces), the `--index-url` first.
 * A Pipfile.lock's `_meta.sources` too when the Pipfile sets `install_search_all_sources`: pipenv's `batch_install`
 * then runs one pip over every package with `get_source_list(project, index=None)` (the first source as
 * `--index-url`, the others as `--extra-index-url`), so a package is found on any source, not only its own.
 * Those whose host the install's environment chooses are left out: nobody can ask them here. Other lockfiles name
 * each package's own index.
 */
function searchedIndexes(lock: PythonLock): string[] {
  if (lock.kind !== 'requirements' && !(lock.kind === 'pipenv' && lock.searchAllSources === true)) return [];
  const asked = lock.indexes.filter(
    (o) => (o.kind === 'index-url' || o.kind === 'extra-index-url') && o.fromEnvironment !== true,
  );
  return [...asked.filter((o) => o.kind === 'index-url'), ...asked.filter((o) => o.kind !== 'index-url')].map(
    (o) => o.url,
  );
}

/**
 * Whether the file's own `--index-url` (one the scan can ask) replaces the configured index: pip's req_file
 * `handle_option_line` sets the finder's index URLs to `[opts.index_url]`, so the user's PIP_INDEX_URL / pip.conf
 * index is not searched for the file's requirements at all.
 */
function replacesIndex(lock: PythonLock): boolean {
  return lock.kind === 'requirements' && lock.indexes.some((o) => o.kind === 'index-url' && o.fromEnvironment !== true);
}

interface Walked {
  readonly paths: readonly (readonly string[])[];
  readonly importers: Record<string, Record<string, string>>;
}

/** No edges: every package is the project's, and who declares what is not known. */
function flat(kept: PythonLock['packages']): Walked {
  return { paths: kept.map((p) => ['root', p.name]), importers: {} };
}

function walk(lock: PythonLock, edges: readonly PyEdge[], project: PyProject | undefined): Walked {
  const kept = lock.packages.filter((p) => p.constraint !== true);
  const byName = new Map<string, number[]>();
  kept.forEach((p, i) => {
    const list = byName.get(p.name);
    if (list) list.push(i);
    else byName.set(p.name, [i]);
  });
  const targets = (e: PyEdge): number[] =>
    (byName.get(e.to) ?? []).filter((i) => e.toVersion === undefined || kept[i]!.version === e.toVersion);
  // The project at the lock's folder declares in pyproject.toml (what the reviewer reads) when that file is there
  // and is that project (poetry.lock has no project entry); otherwise as the lock records it. Other uv workspace
  // members are importers of their own, by name.
  const declared = lock.declared ?? {};
  const members = new Set(lock.projects);
  const root = lock.rootProject ?? (members.size === 1 ? lock.projects[0] : undefined);
  const importers: Record<string, Record<string, string>> = {};
  if (project !== undefined && (lock.kind !== 'uv' || project.name === root)) {
    const own: Record<string, string> = {};
    for (const d of project.dependencies) {
      own[d.name] = own[d.name] !== undefined ? `${own[d.name]}, ${d.specifier}` : d.specifier;
    }
    importers[''] = own;
  } else if (root !== undefined && declared[root] !== undefined) importers[''] = { ...declared[root] };
  for (const [member, decl] of Object.entries(declared)) if (member !== root) importers[member] = { ...decl };
  const paths: (readonly string[] | undefined)[] = kept.map(() => undefined);
  const queue: number[] = [];
  const reach = (i: number, path: readonly string[]) => {
    if (paths[i] !== undefined) return;
    paths[i] = path;
    queue.push(i);
  };
  const known = Object.keys(importers).length > 0;
  if (known) {
    // A lock with project entries (uv) says what each member requires; one without (poetry) is reached from what
    // pyproject.toml declares.
    if (members.size === 0) {
      for (const name of Object.keys(importers[''] ?? {}))
        for (const i of byName.get(name) ?? []) reach(i, ['root', name]);
    }
    for (const e of edges) {
      if (!members.has(e.from)) continue;
      const label = e.from === root ? 'root' : e.from;
      for (const i of targets(e)) reach(i, [label, e.to]);
    }
  } else {
    const pulled = new Set(edges.filter((e) => !members.has(e.from)).map((e) => e.to));
    kept.forEach((p, i) => {
      if (!pulled.has(p.name)) reach(i, ['root', p.name]);
    });
  }
  const out = new Map<string, PyEdge[]>();
  for (const e of edges) {
    if (members.has(e.from)) continue;
    const list = out.get(e.from);
    if (list) list.push(e);
    else out.set(e.from, [e]);
  }
  for (let q = 0; q < queue.length; q++) {
    const at = kept[queue[q]!]!;
    for (const e of out.get(at.name) ?? []) {
      if (e.fromVersion !== undefined && e.fromVersion !== at.version) continue;
      const parent = e.extra !== undefined ? `${at.name}[${e.extra}]` : at.name;
      const base = paths[queue[q]!]!;
      const path = [...base.slice(0, -1), parent, e.to];
      for (const i of targets(e)) reach(i, path.length > MAX_PATH_NAMES ? [path[0]!, '…', ...path.slice(3)] : path);
    }
  }
  return { paths: kept.map((p, i) => paths[i] ?? [p.name]), importers };
}

/** Names kept in a path (deps/graph.ts keeps as many): a chain of packages would make paths quadratic. */
const MAX_PATH_NAMES = 32;
