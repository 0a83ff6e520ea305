import { ChainproofError } from '../core/errors.js';
import { levelRank, type Level } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';

/** The one place that maps outcomes to exit codes. */
export const EXIT = { ok: 0, findings: 1, usage: 2, operational: 3, internal: 4 } as const;

export type FailOn = Level | 'none';

export function exitCodeForError(err: unknown): number {
  if (err instanceof ChainproofError) {
    switch (err.code) {
      case 'USAGE':
      case 'CONFIG':
        return EXIT.usage;
      case 'OPERATIONAL':
        return EXIT.operational;
      case 'INTERNAL':
        return EXIT.internal;
    }
  }
  return EXIT.internal;
}

export function exitCodeForFindings(result: ScanResult, failOn: FailOn): number {
  if (failOn === 'none') return EXIT.ok;
  const threshold = levelRank(failOn);
  return result.findings.some((f) => levelRank(f.level) >= threshold) ? EXIT.findings : EXIT.ok;
}

/**
 * The exit code of a finished scan: an incomplete scan (a stage failed) is an internal error, exit 4, whatever
 * `--fail-on` says — a crash must never read as a pass. Otherwise findings decide.
 */
export function exitCodeForScan(result: ScanResult, failOn: FailOn): number {
  if (!result.complete) return EXIT.internal;
  return exitCodeForFindings(result, failOn);
}
