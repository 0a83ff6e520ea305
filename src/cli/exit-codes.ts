import { ChainproofError, type ErrorArea } from '../core/errors.js';
import { levelRank, type Level } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';

/** The one place that maps outcomes to exit codes. */
export const EXIT = { ok: 0, findings: 1, usage: 2, operational: 3, internal: 4 } as const;

export type FailOn = Level | 'none';

export function exitCodeForError(err: unknown): number {
  if (err instanceof ChainproofError) return EXIT_FOR_AREA[err.area];
  return EXIT.internal;
}

/** Codes map by area (the first word of the code); scanned-content errors that escape a stage are bugs. */
const EXIT_FOR_AREA: Readonly<Record<ErrorArea, number>> = {
  USAGE: EXIT.usage,
  CONFIG: EXIT.usage,
  IO: EXIT.operational,
  OPERATIONAL: EXIT.operational,
  INPUT: EXIT.internal,
  INTERNAL: EXIT.internal,
};

export function exitCodeForFindings(result: ScanResult, failOn: FailOn): number {
  if (failOn === 'none') return EXIT.ok;
  const threshold = levelRank(failOn);
  return result.findings.some((f) => levelRank(f.level) >= threshold) ? EXIT.findings : EXIT.ok;
}

/**
 * The exit code of a finished scan, once its reports are written: an incomplete scan (a stage failed) is an internal
 * error, exit 4, whatever `--fail-on` says — a crash must never read as a pass. A fail-closed policy that could not
 * verify everything is operational, exit 3. Otherwise findings decide.
 */
export function exitCodeForScan(result: ScanResult, failOn: FailOn): number {
  if (!result.complete) return EXIT.internal;
  if (result.failClosed !== undefined && result.failClosed.length > 0) return EXIT.operational;
  return exitCodeForFindings(result, failOn);
}
