import { posix } from 'node:path';
import { ecosystemOf } from '../core/package-key.js';
import type { DependencyGraph } from '../core/records.js';
import { dirOf, joinRel } from './read.js';

/**
 * The `node_modules` folders (repo-relative paths the walk skipped by name) that no lockfile installs. A package
 * manager writes `node_modules` only in the folders its lockfile names as install targets: the root and each
 * workspace or linked folder (npm `packages` keys outside node_modules — arborist loadVirtual builds exactly those
 * nodes —, pnpm `importers`, yarn workspaces, bun `workspaces`), which are the graph's importers. A
 * `vendor/x/node_modules` below a root package-lock.json that names no `vendor/x` was put there by something else
 * (committed, copied in) and nothing judged it, so it is listed. A lockfile that gave no graph (unparseable, or one
 * its package manager does not read) already has its own finding and keeps the whole tree below it quiet.
 */
export function nodeModulesNoLockfileInstalls(
  pruned: readonly string[],
  lockfiles: readonly string[],
  graphs: readonly DependencyGraph[],
): string[] {
  const npmGraphs = graphs.filter((g) => ecosystemOf(g) === 'npm');
  const parsed = new Set(npmGraphs.map((g) => g.lockfile));
  const unparsedDirs = new Set(lockfiles.filter((l) => !parsed.has(l)).map(dirOf));
  const installDirs = new Set(
    npmGraphs.flatMap((g) => Object.keys(g.importers).map((p) => joinRel(dirOf(g.lockfile), p))),
  );
  const underUnparsed = (dir: string): boolean => {
    for (let d = dir; ; d = dirOf(d)) {
      if (unparsedDirs.has(d)) return true;
      if (d === '') return false;
    }
  };
  return pruned.filter((p) => {
    if (posix.basename(p) !== 'node_modules') return false;
    const dir = dirOf(p);
    return !installDirs.has(dir) && !underUnparsed(dir);
  });
}
