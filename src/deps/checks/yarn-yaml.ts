import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';

/**
 * CPD028: a yarn.lock yarn 1's grammar rejects and yarn 1 reads as YAML instead (parsers/yarn-v1-yaml.ts). The
 * entries are judged as read that way; the file itself, which yarn never writes, is one finding at the line where
 * the grammar stopped.
 */
export function checkYarnYaml(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  const at = parsed.readAsYaml;
  if (at === undefined) return [];
  return [
    {
      ruleId: 'CPD028',
      message: `${graph.lockfile} is not a yarn.lock v1 from line ${at.line} (${at.reason}); yarn 1 then reads the whole file as YAML and installs what that gives (${graph.packages.length} ${graph.packages.length === 1 ? 'entry' : 'entries'}), which is what was checked. yarn never writes such a file: regenerate it with yarn install and review who wrote it.`,
      location: { path: graph.lockfile, line: at.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: { reason: at.reason },
    },
  ];
}
