import path from 'node:path';
import { leavesBase } from '../core/relative-path.js';

/** Where the scan root is in the repository (the workspace), and how a root-relative path reads from there. */
export interface RootInRepo {
  /** The root's POSIX path from the workspace: '' at the top or outside it. */
  readonly prefix: string;
  /** A path from the repository's top, for annotations and links; undefined when the root is outside the workspace. */
  readonly repoPath: ((p: string) => string) | undefined;
}

/**
 * The root is outside when the way there starts with a `..` segment, not with the two characters: a folder named
 * `..models` is inside, and was taken for outside, so its annotations named no file and its SARIF paths lacked the
 * folder (code scanning could place none of them).
 */
export function rootInRepo(workspace: string, root: string): RootInRepo {
  const rel = path.relative(workspace, root);
  const outside = leavesBase(rel);
  const prefix = outside ? '' : rel.split(path.sep).join('/');
  const repoPath = (p: string) => (prefix === '' ? p : p === '.' ? prefix : `${prefix}/${p}`);
  return { prefix, repoPath: outside ? undefined : repoPath };
}
