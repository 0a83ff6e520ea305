import type { Finding } from '../../../../core/finding.js';
import type { PythonLock } from '../types.js';
import { pyFileFinding } from './finding.js';

/** The manifest beside a lockfile and the hash its tool would record for it. */
export interface ManifestHash {
  readonly file: string;
  readonly hash: string;
  /** Other hashes a version of the tool accepts as fresh for the same manifest (default: `hash` alone). */
  readonly accepted?: readonly string[];
}

const RELOCK: Partial<Record<PythonLock['kind'], string>> = {
  poetry: 'Poetry 2 refuses to install from it and Poetry 1 installs the stale lock. Run poetry lock',
  pipenv: 'pipenv install --deploy refuses it and pipenv sync installs the stale lock. Run pipenv lock',
};

/**
 * CPP077: the manifest hash a lockfile records is not the hash of the manifest beside it, so the manifest changed
 * after the lock was written: poetry.lock `content-hash` (Poetry's `Locker.is_fresh`: Poetry 2 refuses `poetry
 * install`, Poetry 1 warns) and Pipfile.lock `_meta.hash` (pipenv `install --deploy` aborts, `sync` installs the old
 * lock). What changed may be a source, an extra or a constraint the lock still satisfies, which the per-dependency
 * check (CPP020) cannot see; when CPP020 already names a difference, that is the same cause and this is not repeated.
 */
export function checkLockHash(lock: PythonLock, manifest: ManifestHash | undefined, syncFindings: number): Finding[] {
  const relock = RELOCK[lock.kind];
  const got = lock.contentHash;
  if (relock === undefined || !manifest || syncFindings > 0 || got === undefined) return [];
  if ((manifest.accepted ?? [manifest.hash]).includes(got.value)) return [];
  return [
    pyFileFinding(
      'CPP077',
      lock.file,
      got.line,
      `${lock.file}:${got.line}: the recorded hash of ${manifest.file} does not match it, so ${manifest.file} changed after the lock was written: ${relock} and commit both files.`,
      { expected: manifest.hash, actual: got.value, manifest: manifest.file },
    ),
  ];
}
