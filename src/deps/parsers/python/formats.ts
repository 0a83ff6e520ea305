/**
 * The Python dependency formats, as catalogue descriptors: id, the names that identify them (no magic bytes: text
 * formats are known by name, as pip, uv, Poetry and pipenv find them), kind and ecosystem. One file so the format
 * catalogue can take them over as a block.
 */
import type { FileFormat } from '../../../core/files.js';

export interface PythonFormatDescriptor {
  readonly id: FileFormat;
  readonly kind: 'lockfile' | 'manifest' | 'config';
  readonly ecosystem: 'pypi';
  /** Human-readable name patterns, for docs and `init`. */
  readonly names: readonly string[];
  /** Does this repo-relative, lower-cased path name this format? */
  readonly matches: (lowerPath: string, lowerBase: string) => boolean;
}

export const PYTHON_FORMATS = [
  {
    id: 'pip-requirements',
    kind: 'lockfile',
    ecosystem: 'pypi',
    names: ['requirements*.txt', '*-requirements.txt', 'requirements/*.txt', 'constraints*.txt', 'requirements*.in'],
    matches: (path, base) =>
      /^(.*[-_.])?requirements([-_.].*)?\.(txt|in)$/.test(base) ||
      /^constraints([-_.].*)?\.txt$/.test(base) ||
      (/(^|\/)requirements\//.test(path) && base.endsWith('.txt')),
  },
  { id: 'uv-lockfile', kind: 'lockfile', ecosystem: 'pypi', names: ['uv.lock'], matches: (_p, b) => b === 'uv.lock' },
  {
    id: 'poetry-lockfile',
    kind: 'lockfile',
    ecosystem: 'pypi',
    names: ['poetry.lock'],
    matches: (_p, b) => b === 'poetry.lock',
  },
  {
    id: 'pipfile-lockfile',
    kind: 'lockfile',
    ecosystem: 'pypi',
    names: ['Pipfile.lock'],
    matches: (_p, b) => b === 'pipfile.lock',
  },
  {
    id: 'pylock',
    kind: 'lockfile',
    ecosystem: 'pypi',
    // PEP 751: `pylock.toml` or `pylock.<name>.toml`.
    names: ['pylock.toml', 'pylock.*.toml'],
    matches: (_p, b) => /^pylock(\.[^./]+)?\.toml$/.test(b),
  },
  {
    id: 'pyproject-toml',
    kind: 'manifest',
    ecosystem: 'pypi',
    names: ['pyproject.toml'],
    matches: (_p, b) => b === 'pyproject.toml',
  },
  {
    id: 'pip-config',
    kind: 'config',
    ecosystem: 'pypi',
    names: ['pip.conf', 'pip.ini'],
    matches: (_p, b) => b === 'pip.conf' || b === 'pip.ini',
  },
] as const satisfies readonly PythonFormatDescriptor[];

export type PythonFileFormat = (typeof PYTHON_FORMATS)[number]['id'];

export const PYTHON_FORMAT_IDS: readonly PythonFileFormat[] = PYTHON_FORMATS.map((f) => f.id);

export const PYTHON_LOCKFILE_FORMATS: ReadonlySet<string> = new Set(
  PYTHON_FORMATS.filter((f) => f.kind === 'lockfile').map((f) => f.id),
);

/** The Python format a path names, if any. */
export function pythonFormatFromName(path: string): PythonFileFormat | undefined {
  const lower = path.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  return PYTHON_FORMATS.find((f) => f.matches(lower, base))?.id;
}
