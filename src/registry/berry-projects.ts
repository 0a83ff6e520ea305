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
 * The repository configuration each npm, pnpm, yarn 1 or Bun lockfile among `graphs` is installed with, as its own
 * package manager finds it when run in the lockfile's folder (paths from the root; only scanned files count):
 *
 * - npm (@npmcli/config `loadLocalPrefix` + `loadProjectConfig`): one project `.npmrc`, the one in the local prefix —
 *   the nearest folder from the lockfile's up holding a package.json (else the lockfile's own). A parent's `.npmrc`
 *   is not read: a standalone project in `web/` does not get the root's.
 * - pnpm (@pnpm/npm-conf `loadPrefix`/`findPrefix` and the `workspace` layer of @pnpm/config `getConfig`): the same
 *   project `.npmrc`, over the `.npmrc` of the workspace (the nearest folder with a pnpm-workspace.yaml); that
 *   pnpm-workspace.yaml's registries over both.
 * - yarn 1 (`NpmRegistry.getPossibleConfigLocations`, merged first-found-wins): the lockfile folder's `.npmrc`, then
 *   the user's, then every parent folder's up to the root, nearest first; its `.yarnrc` files likewise.
 * - Bun (`loadNpmrcConfig` of the project root, bunfig.toml beside it): the lockfile folder's `.npmrc` and bunfig.
 */
export function npmProjectsOf(graphs: readonly DependencyGraph[], files: readonly DiscoveredFile[]): NpmProject[] {
  const present = new Set(files.map((f) => f.path));
  const has = (dir: string, name: string) => present.has(posix.join(dir, name));
  const out: NpmProject[] = [];
  const kinds = new Map(
    graphs.filter((g) => NPM_LIKE.has(g.kind)).map((g) => [g.lockfile, g.kind as NpmProject['kind']]),
  );
  for (const [lockfile, kind] of kinds) {
    const dir = posix.dirname(lockfile);
    // The root's is read from disk whether or not discovery listed it (`loadRegistryConfig`), so it is always named.
    const npmrc = (d: string) => (d === '.' || has(d, '.npmrc') ? [posix.join(d, '.npmrc')] : []);
    const prefix = localPrefix(dir, has);
    const bunfig = kind === 'bun' && has(dir, 'bunfig.toml') ? posix.join(dir, 'bunfig.toml') : undefined;
    let underUser: string[] = [];
    let yarnrcs: NpmProject['yarnrcs'];
    let pnpmWorkspace: string | undefined;
    let npmrcs: string[];
    switch (kind) {
      case 'npm':
        npmrcs = npmrc(prefix);
        break;
      case 'pnpm': {
        const workspace = ancestors(dir).find((d) => has(d, 'pnpm-workspace.yaml'));
        npmrcs = [...(workspace !== undefined && workspace !== prefix ? npmrc(workspace) : []), ...npmrc(prefix)];
        if (workspace !== undefined) pnpmWorkspace = posix.join(workspace, 'pnpm-workspace.yaml');
        break;
      }
      case 'yarn-classic': {
        underUser = ancestors(dir)
          .slice(1)
          .reverse()
          .flatMap((d) => npmrc(d));
        npmrcs = npmrc(dir);
        // `YarnRegistry.loadConfig` reads `.yarnrc` from the same places, in the same order.
        const yarnrc = (d: string) => (d === '.' || has(d, '.yarnrc') ? [posix.join(d, '.yarnrc')] : []);
        yarnrcs = {
          underUser: ancestors(dir)
            .slice(1)
            .reverse()
            .flatMap((d) => yarnrc(d)),
          overUser: yarnrc(dir),
        };
        break;
      }
      case 'bun':
        npmrcs = npmrc(dir);
        break;
    }
    out.push({
      lockfile,
      kind,
      npmrcs,
      ...(underUser.length > 0 ? { underUser } : {}),
      ...(yarnrcs !== undefined ? { yarnrcs } : {}),
      ...(pnpmWorkspace !== undefined ? { pnpmWorkspace } : {}),
      ...(bunfig !== undefined ? { bunfig } : {}),
    });
  }
  return out;
}

const NPM_LIKE: ReadonlySet<DependencyGraph['kind']> = new Set(['npm', 'pnpm', 'yarn-classic', 'bun']);

/** `dir` and each parent up to the root (`.`), nearest first. */
function ancestors(dir: string): string[] {
  const out = [dir];
  for (let d = dir; d !== '.' && d !== '/' && d !== '';) out.push((d = posix.dirname(d)));
  return out;
}

/**
 * npm's local prefix (@npmcli/config `loadLocalPrefix`, pnpm's `findPrefix` alike): the nearest folder from `dir` up
 * with a package.json, else `dir`. (A `node_modules` folder counts for npm too; discovery skips those, and a
 * lockfile's folder has its package.json.) A lockfile inside an npm workspace member is not what npm installs from
 * (the root's is), so the workspace-root step of `loadLocalPrefix` does not arise for the lockfiles scanned here.
 */
function localPrefix(dir: string, has: (dir: string, name: string) => boolean): string {
  return ancestors(dir).find((d) => has(d, 'package.json')) ?? dir;
}
