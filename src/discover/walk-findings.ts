import type { SkippedFile } from '../core/files.js';

/** Details the walk reports for a path it could not read as a regular file. */
export interface Unreachable {
  readonly reason: SkippedFile['reason'];
  readonly detail: string;
  readonly ruleId: string;
  readonly message: string;
}

const SPECIAL = new Set(['FIFO', 'socket', 'device', 'character device', 'block device', 'special file']);

/**
 * One place deciding which rule a path the walk could not read gets: special files (CPX022), paths past the
 * system's limits (CPX024, never an abort of the whole scan), anything else unreadable (CPX001).
 * `what` is 'File', 'Directory', …; `detail` the error code or the special-file kind.
 */
export function unreachable(rel: string, what: string, detail: string, consequence: string): Unreachable {
  if (SPECIAL.has(detail))
    return {
      reason: 'special-file',
      detail,
      ruleId: 'CPX022',
      message: `${rel} is a ${detail}, not a regular file; ${consequence}. Replace it with a regular file or remove it from the repository.`,
    };
  if (detail === 'ENAMETOOLONG')
    return {
      reason: 'path-too-long',
      detail,
      ruleId: 'CPX024',
      message: `${what} ${rel} has a path longer than the system allows (ENAMETOOLONG); ${consequence}. Shorten the folder or file names.`,
    };
  return {
    reason: 'unreadable',
    detail,
    ruleId: 'CPX001',
    message: `${what} ${rel} could not be read (${detail}); ${consequence}. Make it readable or exclude it.`,
  };
}
