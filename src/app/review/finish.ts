import type { Finding, ResolvedFinding } from '../../core/finding.js';
import type { ScanResult } from '../../core/result.js';
import { hashWorkingFiles } from './git.js';
import { isModelPath } from './snapshot.js';

/** CPU013: a lockfile the parsers refused at either revision — its changes were not compared. */
export function unreadable(scan: ScanResult, side: 'base' | 'head'): Finding[] {
  return scan.findings
    .filter((f) => f.ruleId === 'CPD001')
    .map((f) => ({
      ruleId: 'CPU013',
      message: `${f.location.path} could not be read at the ${side} revision (${f.message}); its changes were not reviewed.`,
      location: side === 'head' ? f.location : { path: f.location.path },
      evidence: { revision: side },
    }));
}

/** Model files of a work-tree head with the object ids git would give them. */
export async function workingTreeModels(dir: string, scan: ScanResult): Promise<Map<string, string>> {
  const paths = scan.files.filter((f) => isModelPath(f.path)).map((f) => f.path);
  return paths.length > 0 ? hashWorkingFiles(dir, paths) : new Map();
}

/** One finding per fingerprint (the head scan and the content inspection may both report a disguised model), sorted. */
export function dedupeSorted(list: readonly ResolvedFinding[]): ResolvedFinding[] {
  const seen = new Set<string>();
  return list.filter((f) => !seen.has(f.fingerprint) && seen.add(f.fingerprint) !== undefined).sort(byPlace);
}

function byPlace(a: ResolvedFinding, b: ResolvedFinding): number {
  const la = a.level === 'error' ? 0 : a.level === 'warning' ? 1 : 2;
  const lb = b.level === 'error' ? 0 : b.level === 'warning' ? 1 : 2;
  return (
    la - lb ||
    (a.location.path < b.location.path ? -1 : a.location.path > b.location.path ? 1 : 0) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
