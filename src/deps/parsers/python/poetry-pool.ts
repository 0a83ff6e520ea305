import type { DeclaredIndex } from './pyproject-indexes.js';
import type { PyProject } from './pyproject.js';
import type { PyPackage, PythonLock } from './types.js';

/** Poetry's `Priority` order (`repositories/repository_pool.py`; `default` / `secondary` are Poetry 1's). */
const ORDER: readonly DeclaredIndex['priority'][] = ['default', 'primary', 'secondary', 'supplemental'];

/**
 * The index each locked index package of a poetry.lock is downloaded from, as `poetry install` picks it: Poetry's
 * `Chooser._get_links` asks `pool.repository(package.source_reference)` — the `[[tool.poetry.source]]` of that name
 * in pyproject.toml, by name (case-insensitive), never the `url` the lock's `[package.source]` records — and for a
 * package without a source the repository `pypi` when the pool has it, else `pool.repositories[0]` (the first
 * non-explicit source by priority). The pool has PyPI when a source names it, or when no source is `primary` or
 * `default` (`Factory.create_pool`, Poetry 2; Poetry 1 only dropped it for a `default` source, so this is the
 * wider of the two). A lock whose URLs read PyPI thus installs from whatever host pyproject.toml's source names.
 * A reference no source declares is left as locked: Poetry refuses it ("Repository … does not exist").
 */
export function poetryInstallIndexes(lock: PythonLock, project: PyProject | undefined): PythonLock {
  if (lock.kind !== 'poetry' || !project) return lock;
  const sources = project.indexConfig.indexes.filter((i) => i.tool === 'poetry');
  if (sources.length === 0) return lock;
  const byName = new Map(sources.map((s) => [s.name.toLowerCase(), s]));
  const hasPypi = byName.has('pypi') || !sources.some((s) => s.priority === 'primary' || s.priority === 'default');
  const first = ORDER.flatMap((p) => sources.filter((s) => s.priority === p))[0];
  const installFrom = (p: PyPackage): DeclaredIndex | 'pypi' | undefined => {
    if (p.indexName !== undefined) {
      const named = p.indexName.toLowerCase();
      return named === 'pypi' ? 'pypi' : byName.get(named);
    }
    return hasPypi ? 'pypi' : first;
  };
  const packages = lock.packages.map((p): PyPackage => {
    if (p.source !== 'index') return p;
    const from = installFrom(p);
    // PyPI's own source takes no url (Poetry refuses one): the package is PyPI's, whatever the lock wrote.
    if (from === 'pypi' || (from !== undefined && from.name.toLowerCase() === 'pypi')) return withoutUrl(p);
    if (from === undefined || from.url === '') return p;
    return { ...p, url: from.url, indexName: from.name, indexFrom: project.file };
  });
  return { ...lock, packages };
}

function withoutUrl(p: PyPackage): PyPackage {
  const out: { -readonly [K in keyof PyPackage]?: PyPackage[K] } = { ...p };
  delete out.url;
  return out as PyPackage;
}
