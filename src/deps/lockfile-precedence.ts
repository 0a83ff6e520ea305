import { posix } from 'node:path';
import type { DiscoveredFile } from '../core/files.js';
import { entryOf } from '../discover/catalogue/index.js';
import type { Notification } from '../core/stage.js';
import { dirOf, joinRel } from './read.js';

/** A lockfile its package manager passes over when another one sits in the same folder. */
interface Precedence {
  readonly hidden: string;
  readonly preferred: string;
  /** An empty preferred file hides the other too. */
  readonly emptyHides: boolean;
  /** Who reads the preferred file, and the function that decides it. */
  readonly manager: string;
  readonly reader: string;
}

// The catalogue names each manager's lockfiles in this order (entries.ts): npm's package-lock then shrinkwrap,
// Bun's text bun.lock then binary bun.lockb.
const [PACKAGE_LOCK = '', SHRINKWRAP = ''] = entryOf('npm-lockfile').names.basenames ?? [];
const [BUN_TEXT = '', BUN_BINARY = ''] = entryOf('bun-lockfile').names.basenames ?? [];

const PRECEDENCE: readonly Precedence[] = [
  {
    hidden: PACKAGE_LOCK,
    preferred: SHRINKWRAP,
    emptyHides: false,
    manager: 'npm',
    reader: 'arborist Shrinkwrap.load',
  },
  // Bun opens bun.lock and tries bun.lockb only when that open fails with ENOENT: with a bun.lock there, even one
  // Bun then fails to parse, the binary file is never read.
  { hidden: BUN_BINARY, preferred: BUN_TEXT, emptyHides: true, manager: 'Bun', reader: 'Lockfile.loadFromDir' },
];

/**
 * Which lockfiles the package manager never reads, so their content cannot reach an install. npm's arborist
 * (`Shrinkwrap.load`: `data = sw || lock`) reads `npm-shrinkwrap.json` when the folder has one and ignores the
 * `package-lock.json` beside it — even when the shrinkwrap is corrupt (the load fails, it does not fall back). Only
 * an empty shrinkwrap (an empty string is falsy there) lets npm read the package-lock. A shrinkwrap is always
 * judged; the ignored package-lock is said once, as a note, and its findings are not reported. Bun likewise reads
 * bun.lock and never a bun.lockb beside it.
 *
 * (npm's hidden lockfile `node_modules/.package-lock.json` is never a scan input: node_modules is skipped and the
 * name is not a lockfile name; npm itself reads it only as a cache of node_modules, never for `npm ci`.)
 * A yarn.lock or pnpm-lock.yaml beside a package-lock.json hides neither: `packageManager` and corepack pick the
 * yarn or pnpm binary but do not stop `npm ci` (corepack does not shim npm by default), so both stay judged.
 */
export function lockfilesNotRead(
  lockfiles: readonly DiscoveredFile[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
): { ignored: Set<string>; notifications: Notification[] } {
  const ignored = new Set<string>();
  const notifications: Notification[] = [];
  for (const file of lockfiles) {
    const rule = PRECEDENCE.find((p) => p.hidden === posix.basename(file.path));
    if (rule === undefined) continue;
    const preferredPath = joinRel(dirOf(file.path), rule.preferred);
    const preferred = byPath.get(preferredPath);
    if (preferred === undefined || (preferred.size === 0 && !rule.emptyHides)) continue;
    ignored.add(file.path);
    notifications.push({
      level: 'note',
      message: `${file.path} not scanned: ${rule.manager} reads ${preferredPath} instead when both are present (${rule.reader}), so this file never decides an install; delete it or ${rule.preferred} so reviewers see the lockfile ${rule.manager} uses`,
      path: file.path,
    });
  }
  return { ignored, notifications };
}
