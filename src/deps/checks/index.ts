import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import type { CheckPolicy } from './context.js';
import { checkIntegrity } from './integrity.js';
import { checkLocalPaths } from './local-paths.js';
import { checkPackages } from './packages.js';
import { checkSources } from './sources.js';
import type { LoadedManifest } from './sync.js';
import { checkSync } from './sync.js';

export type { CheckPolicy } from './context.js';
export { toCheckPolicy } from './context.js';
export type { LoadedManifest } from './sync.js';

/** Every offline dependency rule over one lockfile. Pure: the stage did the reading. */
export function checkDependencies(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  policy: CheckPolicy,
  manifests: readonly LoadedManifest[],
): Finding[] {
  return [
    ...checkIntegrity(graph, parsed),
    ...checkSources(graph, policy),
    ...checkPackages(graph, policy),
    ...checkSync(graph, parsed, manifests),
    ...checkLocalPaths(graph),
  ];
}
