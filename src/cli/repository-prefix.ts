import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * The scan root's path inside the git work tree that holds it, POSIX: '' when the root is the work tree's top or is in
 * none. GitHub code scanning reads a SARIF `artifactLocation.uri` as relative to the repository, so the SARIF of
 * `chainproof scan services/api` must say `services/api/requirements.txt` where the text report says
 * `requirements.txt` (the Action does the same from its workspace: action/run.ts). The work tree is found by its `.git`
 * (a folder, or a file in a worktree or submodule), never by running git.
 */
export async function repositoryPrefix(root: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(root);
  } catch {
    return '';
  }
  for (let dir = real; ;) {
    if (await hasGitEntry(dir)) return path.relative(dir, real).split(path.sep).join('/');
    const parent = path.dirname(dir);
    if (parent === dir) return '';
    dir = parent;
  }
}

function hasGitEntry(dir: string): Promise<boolean> {
  return lstat(path.join(dir, '.git')).then(
    () => true,
    () => false,
  );
}
