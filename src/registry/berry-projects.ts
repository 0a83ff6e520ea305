import { posix } from 'node:path';
import type { FileOpener } from '../core/file-source.js';
import type { DiscoveredFile } from '../core/files.js';
import type { DependencyGraph } from '../core/records.js';
import type { NpmProject } from './config.js';
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

/**
 * The project configuration each npm, pnpm or Bun lockfile among `graphs` is installed with, when it is not only the
 * root `.npmrc` (which `loadRegistryConfig` reads for every lockfile): the `.npmrc` nearest the lockfile below the
 * root, as the deps stage reads them (`loadNpmrcs`), and for a Bun lockfile the bunfig.toml beside it, whose
 * `[install]` registry and scopes bun obeys over `.npmrc` (deps stage `loadBunfig`).
 */
export function npmProjectsOf(graphs: readonly DependencyGraph[], files: readonly DiscoveredFile[]): NpmProject[] {
  const present = new Set(files.map((f) => f.path));
  const out: NpmProject[] = [];
  const kinds = new Map(graphs.filter((g) => g.kind !== 'yarn-berry').map((g) => [g.lockfile, g.kind]));
  for (const [lockfile, kind] of kinds) {
    let npmrc: string | undefined;
    for (let dir = posix.dirname(lockfile); dir !== '.' && dir !== '/' && dir !== ''; dir = posix.dirname(dir))
      if (present.has(`${dir}/.npmrc`)) {
        npmrc = `${dir}/.npmrc`;
        break;
      }
    const beside = posix.join(posix.dirname(lockfile), 'bunfig.toml');
    const bunfig = kind === 'bun' && present.has(beside) ? beside : undefined;
    if (npmrc !== undefined || bunfig !== undefined)
      out.push({ lockfile, ...(npmrc !== undefined ? { npmrc } : {}), ...(bunfig !== undefined ? { bunfig } : {}) });
  }
  return out;
}
