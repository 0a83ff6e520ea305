import { createHash } from 'node:crypto';
import type { Finding } from './finding.js';

/**
 * A fingerprint from content only: rule, path, member, artifact and evidence — never the line number, the absolute
 * path or the time, so it is stable across runs, machines and unrelated edits.
 */
export function fingerprintOf(f: Finding): string {
  // A finding for one cause across many places keeps its identity when the count or the list changes.
  const volatile = f.related !== undefined ? CAUSE_TALLIES : NONE;
  const evidence = f.evidence
    ? Object.keys(f.evidence)
        .filter((k) => !volatile.has(k))
        .sort()
        .map((k) => `${k}=${String(f.evidence?.[k])}`)
        .join('&')
    : '';
  const artifact = f.artifact ? JSON.stringify(f.artifact, Object.keys(f.artifact).sort()) : '';
  const text = [f.ruleId, f.location.path, f.location.member ?? '', artifact, evidence].join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

const CAUSE_TALLIES: ReadonlySet<string> = new Set(['count', 'packages']);
const NONE: ReadonlySet<string> = new Set();

/** Total order used for every output. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.location.path, b.location.path) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.location.member ?? '', b.location.member ?? '') ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
