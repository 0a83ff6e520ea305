import { open } from 'node:fs/promises';
import path from 'node:path';

/** Where a repository's policy is looked for, in order, when no file is given. */
export const POLICY_FILE_CANDIDATES: readonly string[] = [
  '.chainproof/policy.yml',
  '.chainproof/policy.yaml',
  'chainproof.policy.yml',
  'chainproof.policy.yaml',
];

/** The first of POLICY_FILE_CANDIDATES under `root` that opens, or undefined (the embedded default applies). */
export async function findPolicyFile(root: string): Promise<string | undefined> {
  for (const rel of POLICY_FILE_CANDIDATES) {
    const abs = path.join(root, rel);
    try {
      const h = await open(abs, 'r');
      await h.close();
      return abs;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}
