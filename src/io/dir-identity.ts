import { statSync } from 'node:fs';
import type { FsPath } from '../core/files.js';

/**
 * Which directory `absDir` is, as `dev:ino`: two paths to one directory (a symlinked folder, a bind mount, a link
 * cycle) give one key. A directory's real path said the same, but glibc's `realpath` lstats every prefix of the path
 * (O(depth) calls, each an O(depth) lookup), so a walk down a 2,000-level folder chain took O(depth³) and ran for
 * minutes; one stat is one O(depth) lookup. Follows symlinks, as the walk does when it enters a linked folder.
 */
export function directoryKey(absDir: FsPath): string {
  // Numbers first (a BigInt stat costs a BigInt per field, for every folder of the walk); BigInts when a number
  // cannot hold the inode or device exactly (64-bit inode numbers: two folders must never share a key).
  const st = statSync(absDir);
  if (Number.isSafeInteger(st.ino) && Number.isSafeInteger(st.dev)) return `${st.dev}:${st.ino}`;
  const big = statSync(absDir, { bigint: true });
  return `${big.dev}:${big.ino}`;
}
