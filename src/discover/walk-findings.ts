import { MODEL_FORMATS, type DiscoveredFile, type SkippedFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import { MAX_RELATED } from '../core/group-causes.js';
import { listedWithMore } from '../core/plural.js';

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

/** Weights whose extension alone (`.bin`) does not say "model", named as the Hugging Face libraries save them. */
export const EMPTY_MODEL_NAME = /(^|\/)(pytorch_model|model|diffusion_pytorch_model)(-\d+-of-\d+)?\.bin$/i;

/** A model file, by content or name, of 0 bytes (`emptyModelsFinding`). */
export function isEmptyModel(file: Pick<DiscoveredFile, 'path' | 'size' | 'format' | 'claimed'>): boolean {
  return file.size === 0 && (MODEL_FORMATS.has(file.claimed ?? file.format) || EMPTY_MODEL_NAME.test(file.path));
}

/**
 * CPX023 for model files of 0 bytes: there is nothing to check and nothing a loader can use. Many of them share one
 * cause (a checkout or copy that did not fetch them): one finding, the others as related locations. Their names'
 * and contents' disagreement (CPX005, CPI016) is this same cause and is not reported beside it.
 */
export function emptyModelsFinding(paths: readonly string[]): Finding | undefined {
  const sorted = [...paths].sort();
  const first = sorted[0];
  if (first === undefined) return undefined;
  const fix = 'Fetch the real files (e.g. git lfs pull) or remove them.';
  return {
    ruleId: 'CPX023',
    message:
      sorted.length === 1
        ? `Model file ${first} is empty (0 bytes); there is nothing to check and nothing a loader can use. Fetch the real file (e.g. git lfs pull) or remove it.`
        : `${sorted.length} model files are empty (0 bytes): ${listedWithMore(sorted, 5)}; there is nothing to check and nothing a loader can use. ${fix}`,
    location: { path: first },
    artifact: { kind: 'file', path: first },
    evidence: { size: 0, ...(sorted.length > 1 ? { count: sorted.length } : {}) },
    ...(sorted.length > 1 ? { related: sorted.slice(1, MAX_RELATED + 1).map((p) => ({ path: p })) } : {}),
  };
}
