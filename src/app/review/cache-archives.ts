import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import { readBerrySyml } from '../../deps/parsers/berry-syml.js';
import { splitDescriptor } from '../../deps/types.js';
import { MAX_LOCKFILE_BYTES } from '../../deps/read.js';
import { run, type BlobCache } from './git.js';
import type { Snapshot } from './snapshot.js';
import { workTreeText, yarnFolder, yarnrcPaths } from './yarn-settings.js';
import { listedWithMore } from '../../core/plural.js';
import { MAX_RELATED } from '../../core/group-causes.js';

/** At most this many archives are named in a message; the evidence carries the count. */
const NAMED = 5;

/** What one head yarn.lock locks, by the first ten hex digits of each locator's hash (the cache file names them). */
interface Locked {
  readonly lockfile: string;
  readonly resolution: string;
  /** Hex sha512 of the archive yarn will accept: the checksum without its cache-key prefix. */
  readonly checksum?: string;
}

/** One archive of the cache folder that the change added or rewrote. */
interface Archive {
  readonly path: string;
  /** Its blob at a commit head; absent = read from the work tree. */
  readonly oid?: string;
}

/**
 * CPU036: a yarn cache archive the repository commits (yarn's Zero-Installs: `enableGlobalCache: false`, the
 * `.yarn/cache` folder checked in) that the change added or rewrote and that is not the archive yarn.lock locks.
 * Plug'n'Play loads packages straight from these zips (`.pnp.cjs` maps each package to its archive): a project that
 * relies on Zero-Installs runs them without an install, so nothing compares them with the lockfile, which keeps its
 * version and checksum. yarn itself refuses such an archive only when it installs (`Cache.fetchPackageFromCache` →
 * `validateFile`: "The remote archive doesn't match the expected checksum"), which is why its documentation tells
 * projects that accept outside pull requests to run `yarn install --check-cache`.
 *
 * yarn names each archive `<slug>-<locatorHash:10>-<checksum:10>.zip` (or `-<cacheKey>.zip` without a mirror;
 * `Cache.getChecksumFilename` / `getVersionFilename`, `structUtils.slugifyLocator`), where the locator hash is
 * `makeHash(makeHash(scope, name), reference)` (`structUtils.makeLocator`, `hashUtils.makeHash`: sha512 hex of the
 * strings joined) and the checksum is the sha512 hex of the zip (`hashUtils.checksumFile`). So each changed archive is
 * matched to the yarn.lock entry of its locator and hashed. An archive whose locator no head yarn.lock locks is one
 * yarn would have removed (it deletes unused cache entries at install): a warning, as PnP loads it only if `.pnp.cjs`
 * maps it. One finding per cache folder and kind.
 */
export async function cacheArchiveFindings(req: {
  readonly dir: string;
  readonly baseCommit: string;
  readonly base: Snapshot;
  readonly head: Snapshot | undefined;
  /** Where the head's lockfiles and settings are laid out: the head snapshot's root, or the work tree. */
  readonly headRoot: string;
  readonly headGraphs: readonly DependencyGraph[];
  readonly blobs: BlobCache;
}): Promise<Finding[]> {
  // Each cache folder with the head yarn.lock files that use it (several projects may share one).
  const users = new Map<string, string[]>();
  for (const g of req.headGraphs) {
    if (g.kind !== 'yarn-berry') continue;
    const folder = await cacheFolderOf(req.headRoot, g.lockfile);
    if (folder !== undefined) users.set(folder, [...(users.get(folder) ?? []), g.lockfile]);
  }
  const out: Finding[] = [];
  for (const [folder, lockfiles] of [...users].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const archives = await changedArchives(req, folder);
    if (archives.length === 0) continue;
    const locked = new Map<string, Locked[]>();
    for (const lockfile of lockfiles)
      for (const l of await lockedEntries(req.headRoot, lockfile)) {
        const key = locatorHash(l.resolution).slice(0, 10);
        locked.set(key, [...(locked.get(key) ?? []), l]);
      }
    const mismatched: { archive: Archive; entry: Locked }[] = [];
    const orphans: Archive[] = [];
    for (const archive of archives) {
      const entries = locked.get(locatorHashOf(archive.path) ?? '') ?? [];
      const checked = entries.filter((e) => e.checksum !== undefined);
      if (entries.length === 0) orphans.push(archive);
      else if (checked.length > 0) {
        // An archive that cannot be read (a symlink, gone from the clone) is not vouched for either.
        const digest = await digestOf(req, archive);
        if (!checked.some((e) => e.checksum === digest)) mismatched.push({ archive, entry: checked[0]! });
      }
    }
    if (mismatched.length > 0) out.push(mismatchFinding(folder, mismatched));
    if (orphans.length > 0) out.push(orphanFinding(folder, orphans));
  }
  return out;
}

function mismatchFinding(folder: string, mismatched: readonly { archive: Archive; entry: Locked }[]): Finding {
  const first = mismatched[0]!;
  const names = mismatched.map((m) => `${base(m.archive.path)} (${m.entry.resolution})`);
  return {
    ruleId: 'CPU036',
    message: `${count(mismatched.length)} in ${folder} that the change added or rewrote ${mismatched.length === 1 ? 'is' : 'are'} not what ${first.entry.lockfile} locks: the sha512 of ${named(names)} is not the checksum of ${mismatched.length === 1 ? 'its entry' : 'their entries'}. Plug'n'Play loads packages from these archives without an install, so this code runs although the lockfile still names the published version. Restore the archives from the base revision (or run \`yarn install --check-cache\`) before merging.`,
    location: { path: first.archive.path },
    artifact: { kind: 'file', path: first.archive.path },
    evidence: { count: mismatched.length, lockfile: first.entry.lockfile, archives: names.join(' ').slice(0, 400) },
    related: otherArchives(mismatched.map((m) => m.archive)),
  };
}

function orphanFinding(folder: string, orphans: readonly Archive[]): Finding {
  const names = orphans.map((a) => base(a.path));
  return {
    ruleId: 'CPU036',
    level: 'warning',
    message: `${count(orphans.length)} in ${folder} that the change added or rewrote ${orphans.length === 1 ? 'names' : 'name'} no package a yarn.lock beside it locks (${named(names)}): yarn removes such archives from the cache when it installs, so it did not write ${orphans.length === 1 ? 'this one' : 'these'}. Plug'n'Play loads one only if .pnp.cjs maps a package to it; read the archives and .pnp.cjs before merging.`,
    location: { path: orphans[0]!.path },
    artifact: { kind: 'file', path: orphans[0]!.path },
    evidence: { count: orphans.length, archives: names.join(' ').slice(0, 400) },
    related: otherArchives(orphans),
  };
}

/**
 * The archives after the first, as places of the same cause: always set (empty for one), so the count and the names
 * stay out of the fingerprint and one rewritten cache stays one SARIF alert however many archives a later push adds.
 */
const otherArchives = (list: readonly Archive[]) => list.slice(1, MAX_RELATED + 1).map((a) => ({ path: a.path }));

const count = (n: number) => (n === 1 ? '1 cache archive' : `${n} cache archives`);
const base = (p: string) => path.posix.basename(p);
const named = (names: readonly string[]) => listedWithMore(names, NAMED);

/** `structUtils.makeLocator`: sha512 hex of the ident hash (of scope + name) followed by the reference. */
export function locatorHash(resolution: string): string {
  const [ident, reference] = splitDescriptor(resolution);
  const slash = ident.startsWith('@') ? ident.indexOf('/') : -1;
  const [scope, name] = slash > 0 ? [ident.slice(1, slash), ident.slice(slash + 1)] : ['', ident];
  const identHash = createHash('sha512')
    .update(scope + name)
    .digest('hex');
  return createHash('sha512')
    .update(identHash + reference)
    .digest('hex');
}

/** The locator-hash part of a cache file name: the second field from the end, ten hex digits. */
export function locatorHashOf(p: string): string | undefined {
  const fields = base(p).slice(0, -'.zip'.length).split('-');
  const field = fields[fields.length - 2];
  return field !== undefined && /^[0-9a-f]{10}$/.test(field) ? field : undefined;
}

/**
 * The cache folder a yarn.lock's project uses, repo-relative: `cacheFolder` as yarn-settings.ts `yarnFolder` reads it,
 * else yarn's default `./.yarn/cache`.
 */
async function cacheFolderOf(root: string, lockfile: string): Promise<string | undefined> {
  const project = path.posix.dirname(lockfile);
  const texts = new Map<string, string | undefined>();
  for (const rc of yarnrcPaths(project)) texts.set(rc, await workTreeText(root, rc, MAX_LOCKFILE_BYTES));
  return yarnFolder((rc) => texts.get(rc), project, 'cacheFolder', './.yarn/cache');
}

/** The head yarn.lock's entries with their resolutions and checksums (unreadable: none, the scan reports it). */
export async function lockedEntries(root: string, lockfile: string): Promise<Locked[]> {
  const text = await workTreeText(root, lockfile, MAX_LOCKFILE_BYTES);
  if (text === undefined) return [];
  let data: Record<string, unknown>;
  try {
    data = readBerrySyml(text);
  } catch {
    return [];
  }
  const out: Locked[] = [];
  for (const [key, entry] of Object.entries(data)) {
    if (key === '__metadata' || entry === null || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    const resolution = typeof e['resolution'] === 'string' ? e['resolution'] : key.split(',')[0]!.trim();
    const checksum = typeof e['checksum'] === 'string' ? e['checksum'] : undefined;
    // Project.setupResolutions prefixes a bare checksum with the cache key; the hash is what follows the slash.
    const hex = checksum?.slice(checksum.indexOf('/') + 1).toLowerCase();
    out.push({ lockfile, resolution, ...(hex !== undefined ? { checksum: hex } : {}) });
  }
  return out;
}

/** The archives directly in `folder` that the head added or rewrote (a cache folder has no subfolders). */
async function changedArchives(
  req: { dir: string; baseCommit: string; base: Snapshot; head: Snapshot | undefined },
  folder: string,
): Promise<Archive[]> {
  const inFolder = (p: string) =>
    p.endsWith('.zip') && p.startsWith(`${folder}/`) && !p.slice(folder.length + 1).includes('/');
  if (req.head) {
    return [...req.head.entries.values()]
      .filter((e) => inFolder(e.path) && req.base.entries.get(e.path)?.oid !== e.oid && e.mode !== '120000')
      .map((e) => ({ path: e.path, oid: e.oid }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }
  // The work tree against the base commit: git compares by the index's stat data, so unchanged archives are not read.
  const spec = `:(literal)${folder}/`;
  const [diff, untracked] = await Promise.all([
    run(req.dir, [
      'diff',
      '--name-only',
      '-z',
      '--no-renames',
      '--relative',
      '--diff-filter=AMT',
      req.baseCommit,
      '--',
      spec,
    ]),
    run(req.dir, ['ls-files', '-z', '--others', '--exclude-standard', '--', spec]),
  ]);
  const paths = new Set(
    [diff, untracked].flatMap((b) =>
      b
        .toString('utf8')
        .split('\0')
        .filter((p) => p !== '' && inFolder(p)),
    ),
  );
  return [...paths].sort().map((p) => ({ path: p }));
}

/** The sha512 hex of an archive, streamed from git or from the work tree (a symlink is never followed). */
async function digestOf(req: { dir: string; blobs: BlobCache }, archive: Archive): Promise<string | undefined> {
  if (archive.oid !== undefined) return req.blobs.git.digestBlob(archive.oid, 'sha512').catch(() => undefined);
  const abs = path.join(req.dir, ...archive.path.split('/'));
  if (!(await lstat(abs).catch(() => undefined))?.isFile()) return undefined;
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(abs)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
