import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';

/**
 * CPD025: a lockfile writes a package entry or a top-level section twice. JSON.parse, which npm reads lockfiles
 * with, and both yarns' lockfile readers keep the last copy; Bun reads the first copy of a top-level section (and
 * refuses a repeated package: parsers/bun-first-wins.ts); no package manager writes a second. A diff that shows a
 * harmless copy hides the one that installs. One cause per file: one finding, at the first key written again (its
 * later copy), with the count.
 */
export function checkDuplicateKeys(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  if (parsed.mergeConflictLine !== undefined) return [mergeConflict(graph, parsed, parsed.mergeConflictLine)];
  const list = parsed.duplicateKeys ?? [];
  const first = list[0];
  if (first === undefined) return [];
  const n = list.length;
  const names = list.slice(0, 5).map((d) => d.key.slice(0, 200));
  const kept = parsed.duplicateKept ?? 'last';
  return [
    {
      ruleId: 'CPD025',
      message: `${graph.lockfile} writes ${n === 1 ? 'a key' : `${n} keys`} twice (first: ${names[0]!}, again at line ${first.line}); the package manager keeps the ${kept} copy, which is what was checked, and a reviewer may read the ${kept === 'last' ? 'first' : 'later one'}. Regenerate the lockfile with the package manager and find who edited it.`,
      location: { path: graph.lockfile, line: first.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: { count: n, keys: names.join('; ') },
      ...(n > 1 ? { related: list.slice(1).map((d) => ({ path: graph.lockfile, line: d.line })) } : {}),
    },
  ];
}

/**
 * A yarn.lock committed with merge-conflict markers: yarn 1 resolves the conflict itself (Lockfile.fromDirectory →
 * parseWithConflict: both sides parsed and merged with Object.assign, the later side's entry kept for a key both
 * write), installs that on a plain `yarn install` and rewrites the file, while `--frozen-lockfile` refuses it
 * (checked with yarn 1.22.22). The merge is what was checked; the conflict is one cause, said once with the keys
 * both sides write.
 */
function mergeConflict(graph: DependencyGraph, parsed: ParsedLockfile, line: number): Finding {
  const both = parsed.duplicateKeys ?? [];
  const names = both.slice(0, 5).map((d) => d.key.slice(0, 200));
  return {
    ruleId: 'CPD025',
    message: `${graph.lockfile} holds an unresolved merge conflict (line ${line})${both.length > 0 ? `, and both sides write ${both.length === 1 ? 'a key' : `${both.length} keys`} (first: ${names[0]!})` : ''}. yarn 1 merges the sides itself on a plain install, keeping the later side's entry for each key, which is what was checked; --frozen-lockfile refuses the file. Resolve the conflict with yarn install, review the diff, and commit the result.`,
    location: { path: graph.lockfile, line },
    artifact: { kind: 'file', path: graph.lockfile },
    evidence: { count: both.length, keys: names.join('; ') },
  };
}
