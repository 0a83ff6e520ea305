import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';

/**
 * CPD027: an npm lockfile entry with `hasShrinkwrap: true`. npm installs that package's dependencies from the
 * npm-shrinkwrap.json inside its tarball, not from the lockfile: diff.js stops at a node with a shrinkwrap not yet
 * inflated, and reify's `[_loadShrinkwrapsAndUpdateTrees]` extracts it and replaces its subtree with
 * `loadVirtual({ root: node, subtreeOnly: true })` of that file (build-ideal-tree `#buildDepStep` skips it likewise).
 * Checked with npm 11.19 and a loopback registry: the lockfile's own entry below the package was never fetched, the
 * shrinkwrap's (another package, over http) was installed. What installs there is pinned only through the package's
 * integrity and was never in the reviewed lockfile, so none of the lockfile checks saw it.
 */
export function checkNpmShrinkwraps(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  if (graph.kind !== 'npm') return [];
  const below = new Map<string, number>();
  graph.packages.forEach((node, i) => {
    if (parsed.nodes[i]?.shrinkwrapped === true) below.set(node.key, 0);
  });
  if (below.size === 0) return [];
  // Entries below each: every key's ancestors by its `/node_modules/` cuts (a few each), not a scan per package.
  for (const { key } of graph.packages) {
    for (let j = key.indexOf('/node_modules/'); j > 0; j = key.indexOf('/node_modules/', j + 1)) {
      const n = below.get(key.slice(0, j));
      if (n !== undefined) below.set(key.slice(0, j), n + 1);
    }
  }
  const out: Finding[] = [];
  for (const node of graph.packages) {
    const ignored = below.get(node.key);
    if (ignored === undefined) continue;
    const entries = ignored === 1 ? 'the lockfile entry below it is' : `the ${ignored} lockfile entries below it are`;
    out.push(
      packageFinding(
        'CPD027',
        node,
        `ships its own npm-shrinkwrap.json: npm installs its dependencies from that file, not from this lockfile${ignored > 0 ? ` (${entries} not what installs)` : ''}`,
        "Review the package's npm-shrinkwrap.json (its sources, integrity and install scripts) or depend on a version without one.",
        { ignoredEntries: ignored },
      ),
    );
  }
  return out;
}
