import type { Finding } from '../../../../core/finding.js';
import type { PyProject } from '../pyproject.js';
import type { PythonLock } from '../types.js';
import type { PythonCheckPolicy } from './context.js';
import { checkHashes, checkPinning, checkProblems } from './lockfile.js';
import { checkIndexTrust } from './indexes.js';
import { checkMalicious } from './malicious.js';
import { checkSources } from './sources.js';
import { checkSync } from './sync.js';

export type { PythonCheckPolicy } from './context.js';
export { toPythonCheckPolicy } from './context.js';

/** Every offline Python rule over one parsed file. Pure: the stage did the reading. */
export function checkPythonLock(
  lock: PythonLock,
  policy: PythonCheckPolicy,
  project: PyProject | undefined,
): Finding[] {
  return [
    ...checkProblems(lock),
    ...checkPinning(lock),
    ...checkHashes(lock, policy),
    ...checkSources(lock, policy),
    ...checkIndexTrust(lock, policy),
    ...checkMalicious(lock, policy),
    ...checkSync(lock, project),
  ];
}
