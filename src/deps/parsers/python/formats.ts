/**
 * The Python dependency formats are entries of the one format catalogue (src/discover/catalogue/entries.ts, kind
 * `lockfile`/`manifest`/`config` with `ecosystem: 'pypi'`); this module only narrows the type for the Python stage.
 */
import type { FileFormat } from '../../../core/files.js';
import { PYTHON_LOCKFILE_FORMATS } from '../../../discover/catalogue/index.js';

export { PYTHON_LOCKFILE_FORMATS };

export type PythonFileFormat = Extract<
  FileFormat,
  'pip-requirements' | 'uv-lockfile' | 'poetry-lockfile' | 'pipfile-lockfile' | 'pylock'
>;
