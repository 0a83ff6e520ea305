import type { PythonFileFormat } from './formats.js';
import { parsePdmLock } from './pdm.js';
import { parsePipfileLock } from './pipfile.js';
import { parsePoetryLock } from './poetry.js';
import { parsePylock } from './pylock.js';
import type { IncludeLoader, RequirementsReading } from './requirements.js';
import { parseRequirementsFile } from './requirements.js';
import type { PythonLock } from './types.js';
import { parseUvLock } from './uv.js';
import { entryOf } from '../../../discover/catalogue/index.js';

/** A Python lockfile parser: the format it reads and the parse (async only because requirements follow includes). */
export interface PythonLockParser {
  /** The name the format catalogue's `readBy` routes by. */
  readonly name: string;
  parse(file: string, text: string, load: IncludeLoader, how?: RequirementsReading): Promise<PythonLock> | PythonLock;
}

/** Every Python lockfile parser. Adding a format is one catalogue entry, one file, and one line here. */
export const PYTHON_LOCK_PARSERS: readonly PythonLockParser[] = [
  { name: 'requirements-txt', parse: parseRequirementsFile },
  { name: 'uv-lock', parse: parseUvLock },
  { name: 'poetry-lock', parse: parsePoetryLock },
  { name: 'pipfile-lock', parse: parsePipfileLock },
  { name: 'pylock-toml', parse: parsePylock },
  { name: 'pdm-lock', parse: parsePdmLock },
];

/** Parse a file of a Python lockfile format; throws PyLockError for a file that is not what its name says. */
export async function parsePythonLock(
  format: PythonFileFormat,
  file: string,
  text: string,
  load: IncludeLoader = () => Promise.resolve(undefined),
  how: RequirementsReading = {},
): Promise<PythonLock> {
  const readers = entryOf(format).readBy ?? [];
  const parser = PYTHON_LOCK_PARSERS.find((p) => readers.includes(p.name));
  if (!parser) throw new Error(`no Python lockfile parser for ${format}`);
  return parser.parse(file, text, load, how);
}
