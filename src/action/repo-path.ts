import { realpath } from 'node:fs/promises';
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

/**
 * Why the scan root may not be scanned from this workspace, or undefined when it may. The Action scans the checked-out
 * repository: `path: ../..` (or a link in the repository to `/`) scanned the runner's home and tool cache, wrote
 * their findings to SARIF under paths code scanning cannot place, and annotated no file. actions/checkout refuses the
 * same for its own `path` input (src/input-helper.ts `getInputs`: "Repository path '…' is not under '…'"). Both sides
 * are compared after resolving links, so a link inside the workspace that leads out counts as out.
 */
export async function rootOutsideWorkspace(workspace: string, root: string): Promise<string | undefined> {
  const real = async (p: string) => realpath(p).catch(() => path.resolve(p));
  const [ws, dir] = await Promise.all([real(workspace), real(root)]);
  if (!leavesBase(path.relative(ws, dir))) return undefined;
  return `is outside the workspace (${workspace}); name a folder of the checked-out repository`;
}
