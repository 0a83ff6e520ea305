import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';

/**
 * CPD165: a pnpm 9 lockfile whose `snapshots` need entries it does not have (parsers/pnpm.ts `missingEntries`).
 * `pnpm install --frozen-lockfile` stops, and a plain install resolves what is missing afresh from the registry: what
 * installs was not in the checked lockfile. One cause per file: one finding, at the first snapshot, with the count.
 */
export function checkPnpmMissingEntries(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  const list = parsed.missingEntries ?? [];
  const first = list[0];
  if (first === undefined) return [];
  const n = list.length;
  const keys = list.slice(0, 5).map((m) => m.key.slice(0, 200));
  return [
    {
      ruleId: 'CPD165',
      message: `${graph.lockfile}:${first.line} needs ${n === 1 ? 'an entry' : `${n} entries`} it does not have (${keys.join(', ')}${n > 5 ? ', …' : ''}): pnpm reads \`snapshots\` with their \`packages\` entries as one, so \`pnpm install --frozen-lockfile\` stops (Broken lockfile) and a plain install resolves them afresh, unchecked. Regenerate the lockfile with \`pnpm install\`, review the diff, and find who edited it.`,
      location: { path: graph.lockfile, line: first.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: { count: n, keys: keys.join('; ') },
      ...(n > 1 ? { related: list.slice(1).map((m) => ({ path: graph.lockfile, line: m.line })) } : {}),
    },
  ];
}
