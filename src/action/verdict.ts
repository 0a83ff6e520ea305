import { exitCodeForFindings, exitCodeForScan, EXIT, type FailOn } from '../cli/exit-codes.js';
import { levelRank } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import { workflowCommand } from './commands.js';

/**
 * The step's exit code by `fail-on` (cli/exit-codes.ts `exitCodeForScan`), with the error line that says why the step
 * failed: an incomplete scan, a fail-closed policy, or the findings at or above `fail-on`. Scan mode and review mode
 * without a gate both end here: a review had the code without the line, so with `annotations: false` the step failed
 * with nothing in the log saying so, and the error slot annotations() keeps for the verdict went unused.
 */
export function failOnVerdict(result: ScanResult, failOn: FailOn, write: (t: string) => void): number {
  const error = (message: string) => write(workflowCommand('error', { title: 'chainproof' }, message) + '\n');
  if (!result.complete) {
    error('the scan is incomplete: a stage failed (CPX020); exiting 4');
    return exitCodeForScan(result, failOn);
  }
  if (result.failClosed !== undefined && result.failClosed.length > 0) {
    for (const why of result.failClosed) error(`${why} Exiting 3.`);
    return exitCodeForScan(result, failOn);
  }
  const code = exitCodeForFindings(result, failOn);
  if (code !== EXIT.ok) {
    const n = result.findings.filter((f) => failOn !== 'none' && levelRank(f.level) >= levelRank(failOn)).length;
    error(`${n} finding${n === 1 ? '' : 's'} at or above fail-on: ${failOn}`);
  }
  return code;
}
