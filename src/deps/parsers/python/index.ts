import type { PythonFileFormat } from './formats.js';
import { parsePipfileLock } from './pipfile.js';
import { parsePoetryLock } from './poetry.js';
import { parsePylock } from './pylock.js';
import type { IncludeLoader } from './requirements.js';
import { parseRequirementsFile } from './requirements.js';
import type { PythonLock } from './types.js';
import { parseUvLock } from './uv.js';

/** A Python lockfile parser: the format it reads and the parse (async only because requirements follow includes). */
export interface PythonLockParser {
  readonly name: string;
  readonly format: PythonFileFormat;
  parse(file: string, text: string, load: IncludeLoader): Promise<PythonLock> | PythonLock;
}

/** Every Python lockfile parser. Adding a format is one file plus one line here and one in formats.ts. */
export const PYTHON_LOCK_PARSERS: readonly PythonLockParser[] = [
  { name: 'pip-requirements', format: 'pip-requirements', parse: parseRequirementsFile },
  { name: 'uv-lock', format: 'uv-lockfile', parse: parseUvLock },
  { name: 'poetry-lock', format: 'poetry-lockfile', parse: parsePoetryLock },
  { name: 'pipfile-lock', format: 'pipfile-lockfile', parse: parsePipfileLock },
  { name: 'pylock', format: 'pylock', parse: parsePylock },
];

/** Parse a file of a Python lockfile format; throws PyLockError for a file that is not what its name says. */
export async function parsePythonLock(
  format: PythonFileFormat,
  file: string,
  text: string,
  load: IncludeLoader = () => Promise.resolve(undefined),
): Promise<PythonLock> {
  const parser = PYTHON_LOCK_PARSERS.find((p) => p.format === format);
  if (!parser) throw new Error(`no Python lockfile parser for ${format}`);
  return parser.parse(file, text, load);
}
