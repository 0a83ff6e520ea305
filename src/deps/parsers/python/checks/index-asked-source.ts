import type { Finding } from '../../../../core/finding.js';
import type { PyProject } from '../pyproject.js';
import type { PythonLock, PySource } from '../types.js';
import { pyPackageFinding } from './finding.js';

/** Lock sources that are not an index: what the installer fetches instead of resolving the name. */
const ELSEWHERE: Partial<Record<PySource, string>> = {
  vcs: 'the git repository',
  url: 'the URL',
  path: 'the local file',
  directory: 'the folder',
};

/**
 * CPP081, Python's CPD020: pyproject.toml asks for a package by name and version only, and poetry.lock / uv.lock
 * installs it from git, a URL or a folder. Poetry's solver (`Provider.get_locked`) keeps the locked package when
 * `Package.satisfies` holds, and poetry-core's `Package.source_satisfies` returns True for a dependency without
 * `source_type` or `source_name` ("doesn't care about the source"). uv's `Lock::satisfies` (uv-resolver
 * lock/mod.rs) compares the manifest with the lock's recorded `requires-dist` (unchanged by such an edit) and
 * `continue`s past immutable (git, URL) packages; `uv sync --frozen` skips it. Both install what the lock says.
 */
export function checkIndexAskedSources(lock: PythonLock, project: PyProject | undefined): Finding[] {
  if (!project || (lock.kind !== 'poetry' && lock.kind !== 'uv')) return [];
  const asked = new Map<string, boolean>();
  for (const d of project.dependencies) asked.set(d.name, (asked.get(d.name) ?? true) && d.sourced !== true);
  const out: Finding[] = [];
  for (const p of lock.packages) {
    const where = ELSEWHERE[p.source];
    if (where === undefined || asked.get(p.name) !== true) continue;
    const locked = `${p.url ?? p.source}${p.commit ? ` (${p.commit})` : ''}`;
    out.push(
      pyPackageFinding(
        'CPP081',
        p,
        `is asked for from a package index in ${project.file}, but the lockfile installs it from ${where} ${locked}`,
        'Treat as lockfile injection: re-lock from pyproject.toml and review who edited the lockfile; if the source is intended, declare it in pyproject.toml.',
        { manifest: project.file, locked, source: p.source },
      ),
    );
  }
  return out;
}
