import type { Finding } from '../../../../core/finding.js';
import type { PyProject } from '../pyproject.js';
import type { PythonLock } from '../types.js';
import type { PythonCheckPolicy } from './context.js';
import { checkSourceBuilds } from './builds.js';
import { checkHashes, checkPinning, checkProblems } from './lockfile.js';
import { checkIndexTrust } from './indexes.js';
import { checkIndexPriority } from './index-priority.js';
import { checkPinnedIndexes, checkPinnedSources } from './pinned-index.js';
import type { ManifestPins } from './pinned-index.js';
import { checkLocalPaths } from './local-paths.js';
import { checkIndexAskedSources } from './index-asked-source.js';
import { checkMalicious } from './malicious.js';
import { checkSources } from './sources.js';
import { checkSync } from './sync.js';
import { checkLockHash } from './lock-hash.js';
import { checkEnvChoices } from './env-choices.js';
import { checkFileNames } from './file-names.js';
import type { ManifestHash } from './lock-hash.js';
import { groupSystemic } from '../../../checks/systemic.js';

export type { PythonCheckPolicy } from './context.js';
export { toPythonCheckPolicy } from './context.js';

/** Every offline Python rule over one parsed file. Pure: the stage did the reading. */
export function checkPythonLock(
  lock: PythonLock,
  policy: PythonCheckPolicy,
  project: PyProject | undefined,
  pipfile?: ManifestHash,
  pipfilePins?: ManifestPins,
): Finding[] {
  // One cause, one finding: a path outside the repository (CPP073) says everything the local-path note (CPP016)
  // says, and for a repository cloned from outside it what the version-control warning (CPP014) says; an index
  // requirement locked to git, a URL or a folder (CPP081, injection) is not also the source warning (CPP014–016,
  // CPP073).
  const at = (f: Finding) => `${f.location.path}:${f.location.line ?? 0}`;
  const injected = checkIndexAskedSources(lock, project);
  const injectedAt = new Set(injected.map(at));
  const outside = checkLocalPaths(lock).filter((f) => !injectedAt.has(at(f)));
  const outsideAt = new Set(outside.map(at));
  const sources = checkSources(lock, policy).filter(
    (f) =>
      !(['CPP014', 'CPP016'].includes(f.ruleId) && outsideAt.has(at(f))) &&
      !(['CPP014', 'CPP015', 'CPP016'].includes(f.ruleId) && injectedAt.has(at(f))),
  );
  const sync = checkSync(lock, project);
  return groupPerFile(lock, [
    ...checkProblems(lock),
    ...checkEnvChoices(lock),
    ...checkPinning(lock),
    ...checkHashes(lock, policy),
    ...sources,
    ...checkIndexTrust(lock, policy),
    ...outside,
    ...injected,
    ...checkMalicious(lock, policy),
    ...checkSourceBuilds(lock, policy, project),
    ...checkFileNames(lock),
    ...sync,
    ...checkLockHash(lock, lock.kind === 'pipenv' ? pipfile : poetryManifest(lock, project), sync.length),
    ...checkIndexPriority(lock, project),
    ...checkPinnedIndexes(lock, project),
    ...checkPinnedSources(
      lock,
      lock.kind === 'pipenv'
        ? pipfilePins
        : project && (lock.kind === 'poetry' || lock.kind === 'uv')
          ? { file: project.file, pins: project.directPins }
          : undefined,
    ),
  ]);
}

/**
 * One finding per cause, as for npm lockfiles (deps/checks/systemic.ts): a file whose many entries share one cause
 * (written without hashes, hashed with md5 throughout, one `--hash` line putting 999 unhashed ones in hash-checking
 * mode) is one finding with the count, per file of the lock (an included requirements file is its own).
 */
function groupPerFile(lock: PythonLock, findings: Finding[]): Finding[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.location.path);
    if (list) list.push(f);
    else byFile.set(f.location.path, [f]);
  }
  return [...byFile].flatMap(([file, list]) =>
    groupSystemic(list, { lockfile: file, packages: lock.packages.filter((p) => p.file === file).length }),
  );
}

/**
 * The hash Poetry would record for the pyproject.toml beside poetry.lock, by the Poetry line that wrote the lock:
 * lock-version 2.1 is Poetry 2's (2.3 also accepts the hash without `[dependency-groups]` that 2.0–2.2 wrote), older
 * ones Poetry 1's, which never reads `[project]`.
 */
function poetryManifest(lock: PythonLock, project: PyProject | undefined): ManifestHash | undefined {
  const h = project?.poetryContentHashes;
  if (!project || !h) return undefined;
  const [major = 0, minor = 0] = lock.formatVersion.split('.').map(Number);
  const poetry2 = major > 2 || (major === 2 && minor >= 1);
  return poetry2
    ? { file: project.file, hash: h.poetry23, accepted: [h.poetry23, h.poetry2] }
    : { file: project.file, hash: h.poetry1 };
}
