import type { DependencyGraph } from '../core/records.js';
import { toDependencyGraph } from './graph.js';
import { LOCKFILE_PARSERS, loadLockfileParser, loadedLockfileParser, selectLockfileParser } from './parsers/index.js';
import type { ParseOptions, ParsedLockfile } from './types.js';

export { LockfileError } from './types.js';
export type { LockfileErrorCode, Manifest, ParseOptions } from './types.js';
export { parseNpmrc, nerfDart, registryFor, DEFAULT_NPM_REGISTRY } from './npmrc.js';
export type { NpmrcAuth, NpmrcConfig } from './npmrc.js';
export { LOCKFILE_PARSERS, parseLockfileOnDemand } from './parsers/index.js';

// The synchronous API below is for callers that parse lockfiles of any format (tests, benches, tools): importing
// this module loads every parser once. The scan imports src/deps/parsers/index.ts instead, which loads per format.
await Promise.all(LOCKFILE_PARSERS.map(loadLockfileParser));

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
  const { parser, body } = selectLockfileParser(path, text);
  return loadedLockfileParser(parser)!(path, body, options);
}
