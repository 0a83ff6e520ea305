import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { locateInRoot } from '../../io/open-regular.js';

/** Where a repository's policy is looked for, in order, when no file is given. */
export const POLICY_FILE_CANDIDATES: readonly string[] = [
  '.chainproof/policy.yml',
  '.chainproof/policy.yaml',
  'chainproof.policy.yml',
  'chainproof.policy.yaml',
];

/**
 * The first of POLICY_FILE_CANDIDATES present under `root` (anything at that name, so a broken or unreadable one is
 * reported when read rather than silently replaced by the default), or undefined (the embedded default applies).
 * A candidate that is a symbolic link leading out of the root is refused (exit 2): the repository's own policy is
 * read only from the repository, as every scanned file is, and the walk says so of the same link (CPX002).
 */
export async function findPolicyFile(root: string): Promise<string | undefined> {
  for (const rel of POLICY_FILE_CANDIDATES) {
    const abs = path.join(root, rel);
    if ((await lstat(abs).catch(() => undefined)) === undefined) continue;
    if ((await locateInRoot(root, abs)).kind === 'symlink-outside-root')
      throw new ConfigError(
        `policy file ${rel} is a symbolic link that leads outside the scan root; a repository's policy is read only from inside it. Replace the link with the file, or name the file with --policy.`,
        rel,
        { code: 'CONFIG_FILE_UNREADABLE' },
      );
    return abs;
  }
  return undefined;
}
