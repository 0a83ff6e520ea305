import type { DependencyGraph } from '../core/records.js';
import { toDependencyGraph } from './graph.js';
import { LOCKFILE_FORMATS, entryOf, formatFromName, type FileFormat } from '../discover/catalogue/index.js';
import { LOCKFILE_PARSERS } from './parsers/index.js';
import type { ParseOptions, ParsedLockfile } from './types.js';
import { LockfileError } from './types.js';

export { LockfileError } from './types.js';
export type { LockfileErrorCode, Manifest, ParseOptions } from './types.js';
export { parseNpmrc, nerfDart, registryFor, DEFAULT_NPM_REGISTRY } from './npmrc.js';
export type { NpmrcAuth, NpmrcConfig } from './npmrc.js';
export { LOCKFILE_PARSERS } from './parsers/index.js';

/**
 * Parse a lockfile (npm package-lock / shrinkwrap v1–3, yarn classic or berry, pnpm 5–9) into a DependencyGraph.
 * `path` is the repo-relative lockfile path (its file name picks the parser). Throws LockfileError (with a line
 * where known) when the text is not a lockfile of that kind.
 */
export function parseLockfile(path: string, text: string, options: ParseOptions = {}): DependencyGraph {
  return toDependencyGraph(path, parseLockfileDetailed(path, text, options));
}

/** As parseLockfile, but keeps the edges and importer resolution the offline checks need. */
export function parseLockfileDetailed(path: string, text: string, options: ParseOptions = {}): ParsedLockfile {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = formatFromName(path);
  const readers = format !== undefined && LOCKFILE_FORMATS.has(format) ? formatsReaders(format) : [];
  const parser = LOCKFILE_PARSERS.find((p) => readers.includes(p.name) && (p.matches?.(body) ?? true));
  if (!parser) throw new LockfileError('LOCKFILE_UNSUPPORTED', path, `no lockfile parser for ${base}`);
  return parser.parse(path, body, options);
}

/** The parsers the catalogue routes a lockfile format to, in the entry's order. */
function formatsReaders(format: FileFormat): readonly string[] {
  return entryOf(format).readBy ?? [];
}
