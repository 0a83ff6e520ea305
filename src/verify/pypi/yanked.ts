import type { Finding } from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';
import { pyFinding } from './finding.js';
import type { IndexFile } from './index-files.js';

/**
 * CPP076: the locked release is yanked on its index (PEP 592). pip still installs a yanked release an `==` pin asks
 * for — `CandidateEvaluator._sort_key` only ranks yanked files last, and `sort_best_candidate` then logs "The
 * candidate selected for download or install is a yanked version" — and uv installs what its lock names, so the
 * yank protects nobody who pinned it. Judged on the locked files the index lists (every file of the release when
 * the lockfile names none, as requirements hashes do); all of them must be yanked.
 */
export function yankedRelease(pkg: PackageNode, release: readonly IndexFile[]): Finding | undefined {
  const lockedNames = new Set((pkg.distributions ?? []).flatMap((d) => (d.filename !== undefined ? [d.filename] : [])));
  const locked = release.filter((f) => lockedNames.has(f.filename));
  const judged = locked.length > 0 ? locked : release;
  if (judged.length === 0 || !judged.every((f) => f.yanked !== false)) return undefined;
  const reason = judged.map((f) => f.yanked).find((y): y is string => typeof y === 'string' && y.trim() !== '');
  return pyFinding(
    'CPP076',
    pkg,
    `is a release its maintainers yanked from the index${reason !== undefined ? ` (reason: ${reason.slice(0, 200)})` : ''}`,
    'Installers still install a pinned yanked release; move to a release that is not yanked and re-lock.',
    { yanked: true, ...(reason !== undefined ? { reason: reason.slice(0, 300) } : {}) },
  );
}
