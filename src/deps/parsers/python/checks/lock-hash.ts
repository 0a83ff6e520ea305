import type { Finding } from '../../../../core/finding.js';
import type { PyProject } from '../pyproject.js';
import type { PythonLock } from '../types.js';
import { pyFileFinding } from './finding.js';

/**
 * CPP077: poetry.lock's `content-hash` is not the hash of the pyproject.toml beside it, so the manifest changed
 * after the lock was written. Poetry compares the two before installing (`Locker.is_fresh`): Poetry 2 refuses
 * `poetry install`, Poetry 1 warns and installs the stale lock. What changed may be a source, an extra or a
 * constraint the lock still satisfies, which the per-dependency check (CPP020) cannot see; when CPP020 already names
 * what is missing, that is the same cause and this is not repeated.
 */
export function checkLockHash(lock: PythonLock, project: PyProject | undefined, syncFindings: number): Finding[] {
  if (lock.kind !== 'poetry' || !project || syncFindings > 0) return [];
  const want = project.poetryContentHash;
  const got = lock.contentHash;
  if (want === undefined || got === undefined || got.value === want) return [];
  return [
    pyFileFinding(
      'CPP077',
      lock.file,
      got.line,
      `${lock.file}:${got.line}: content-hash does not match ${project.file}, which changed after the lock was written: Poetry 2 refuses to install from it and Poetry 1 installs the stale lock. Run poetry lock and commit both files.`,
      { expected: want, actual: got.value, manifest: project.file },
    ),
  ];
}
