import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';

/**
 * CPD170: a bun package trusted to run its lifecycle scripts only through a 32-bit name-hash collision with a name
 * `trustedDependencies` lists. Bun 1.2 keeps that list as `@truncate(String.Builder.stringHash(name))` and
 * `Lockfile.hasTrustedDependency` asks with the dependency's name hashed the same way, so it runs the scripts of a
 * package nobody listed (measured: Bun 1.2.0 ran `cp-pez7ntcaa`'s postinstall for `trustedDependencies: ["esbuild"]`).
 * By chance such a collision is about one in four billion per name pair; a name made to collide is an attack, and
 * bun.lock records no install scripts, so without this nothing offline says the package runs any.
 */
export function checkBunTrustedHashes(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  if (graph.kind !== 'bun') return [];
  const out: Finding[] = [];
  graph.packages.forEach((node, i) => {
    const hit = parsed.nodes[i]?.trustedByHash;
    if (hit === undefined) return;
    out.push(
      packageFinding(
        'CPD170',
        node,
        `is trusted to run its install scripts only because its name "${hit.name}" has the same 32-bit hash as "${hit.listed}", which trustedDependencies lists: Bun 1.2 compares the list by hash (Lockfile.hasTrustedDependency), so it runs this package's scripts although nobody listed it`,
        'Treat the package as hostile: remove it, regenerate the lockfile, and check machines that ran `bun install` with it.',
        { trustedAs: hit.listed },
      ),
    );
  });
  return out;
}
