/**
 * The Python dependency formats are entries of the one format catalogue (src/discover/catalogue/entries.ts, kind
 * `lockfile`/`manifest`/`config` with `ecosystem: 'pypi'`); parsers are routed by each entry's `readBy`.
 */
import type { FileFormat } from '../../../core/files.js';
import { PYTHON_LOCKFILE_FORMATS } from '../../../discover/catalogue/index.js';

export { PYTHON_LOCKFILE_FORMATS };

/** A format of `PYTHON_LOCKFILE_FORMATS` (checked where a file is routed). */
export type PythonFileFormat = FileFormat;
