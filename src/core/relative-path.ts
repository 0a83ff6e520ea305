import path from 'node:path';

/**
 * Whether a `path.relative(base, p)` result leaves `base`: it is `..`, starts with a `..` segment, or is absolute
 * (another drive). A segment, not the two characters: `..models` and `..ca.pem` are names inside the base, and a
 * check on the characters took them for outside (a scan folder whose paths lost their prefix, a link to a folder
 * inside reported as leaving the root, a CA file in the tree treated as the user's own).
 */
export function leavesBase(rel: string): boolean {
  return rel === '..' || rel.startsWith('../') || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}
