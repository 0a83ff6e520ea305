import type { DependencyGraph, PackageNode } from '../../../core/records.js';
import type { PySource, PythonLock } from './types.js';

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
 * Python packages beside npm ones. Python lockfiles record no dependency path chainproof relies on, so the path is
 * the project and the package. Constraint entries install nothing and are left out.
 */
export function toPythonGraph(lock: PythonLock): DependencyGraph {
  const packages: PackageNode[] = lock.packages
    .filter((p) => p.constraint !== true)
    .map((p) => ({
      name: p.name,
      version: p.version,
      lockfile: p.file,
      line: p.line,
      ...(p.url !== undefined ? { resolved: p.url } : {}),
      dev: p.dev,
      optional: p.optional,
      peer: false,
      workspace: '',
      path: ['root', p.name],
      source: SOURCE[p.source],
      key: `${p.name}==${p.version || p.specifier}`,
      distributions: p.distributions.map((d) => ({ ...d, hashes: { ...d.hashes } })),
    }));
  return {
    lockfile: lock.file,
    kind: KIND[lock.kind],
    ecosystem: 'pypi',
    formatVersion: lock.formatVersion,
    packages,
    importers: { '': {} },
  };
}
