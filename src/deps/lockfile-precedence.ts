import { posix } from 'node:path';
import type { DiscoveredFile } from '../core/files.js';
import { entryOf } from '../discover/catalogue/index.js';
import type { Notification } from '../core/stage.js';
import { dirOf, joinRel } from './read.js';

/**
 * Which lockfiles the package manager never reads, so their content cannot reach an install. npm's arborist
 * (`Shrinkwrap.load`: `data = sw || lock`) reads `npm-shrinkwrap.json` when the folder has one and ignores the
 * `package-lock.json` beside it — even when the shrinkwrap is corrupt (the load fails, it does not fall back). Only
 * an empty shrinkwrap (an empty string is falsy there) lets npm read the package-lock. A shrinkwrap is always
 * judged; the ignored package-lock is said once, as a note, and its findings are not reported.
 *
 * (npm's hidden lockfile `node_modules/.package-lock.json` is never a scan input: node_modules is skipped and the
 * name is not a lockfile name; npm itself reads it only as a cache of node_modules, never for `npm ci`.)
 * A yarn.lock or pnpm-lock.yaml beside a package-lock.json hides neither: `packageManager` and corepack pick the
 * yarn or pnpm binary but do not stop `npm ci` (corepack does not shim npm by default), so both stay judged.
 */
// The catalogue names npm's two lockfiles package-lock first, shrinkwrap second (entries.ts, `npm-lockfile`).
const [PACKAGE_LOCK, SHRINKWRAP] = entryOf('npm-lockfile').names.basenames ?? [];

export function lockfilesNotRead(
  lockfiles: readonly DiscoveredFile[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
): { ignored: Set<string>; notifications: Notification[] } {
  const ignored = new Set<string>();
  const notifications: Notification[] = [];
  for (const file of lockfiles) {
    if (PACKAGE_LOCK === undefined || SHRINKWRAP === undefined || posix.basename(file.path) !== PACKAGE_LOCK) continue;
    const swPath = joinRel(dirOf(file.path), SHRINKWRAP);
    const sw = byPath.get(swPath);
    if (sw === undefined || sw.size === 0) continue;
    ignored.add(file.path);
    notifications.push({
      level: 'note',
      message: `${file.path} not scanned: npm reads ${swPath} instead when both are present (arborist Shrinkwrap.load), so this file never decides an install; delete it or the shrinkwrap so reviewers see the lockfile npm uses`,
      path: file.path,
    });
  }
  return { ignored, notifications };
}
