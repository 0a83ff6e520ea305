import type { FileOpener } from '../core/file-source.js';
import type { DiscoveredFile } from '../core/files.js';
import type { DependencyGraph } from '../core/records.js';
import type { BerryProject } from './yarn-config.js';

/**
 * The repository `.yarnrc.yml` files in effect for each yarn 2+ lockfile among `graphs`, read from the scanned files
 * as the deps stage reads them (the same reader: nearest first, only files inside the root, never a symlink out).
 * One construction for the registry stage and `review`'s registry questions, so both ask the registry yarn would.
 */
export async function berryProjectsOf(
  graphs: readonly DependencyGraph[],
  files: readonly DiscoveredFile[],
  opener: FileOpener,
  env: Readonly<Record<string, string | undefined>>,
): Promise<BerryProject[]> {
  const lockfiles = [...new Set(graphs.filter((g) => g.kind === 'yarn-berry').map((g) => g.lockfile))];
  if (lockfiles.length === 0) return [];
  const { dirOf } = await import('../deps/read.js');
  const { effectiveYarnrcs, loadRepoYarnrcs } = await import('../deps/yarnrc-files.js');
  const byPath = new Map(files.map((f) => [f.path, f]));
  return Promise.all(
    lockfiles.map(async (lockfile) => ({
      lockfile,
      yarnrcs: effectiveYarnrcs(await loadRepoYarnrcs(dirOf(lockfile), byPath, opener, env)),
    })),
  );
}
