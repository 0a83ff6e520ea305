import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Stats } from 'node:fs';
import type { FsPath } from '../core/files.js';
import { leavesBase } from '../core/relative-path.js';

/** The path is not a regular file (FIFO, socket, device, directory) at the moment it was opened. */
export class NotRegularFileError extends Error {
  override readonly name = 'NotRegularFileError';
  readonly code = 'ENOTREG';
  constructor(readonly kind: string) {
    super(`not a regular file (${kind})`);
  }
}

/** The path now opens another file than the walk vetted there (swapped since, e.g. for a symlink). */
export class FileChangedError extends Error {
  override readonly name = 'FileChangedError';
  readonly code = 'ECHANGED';
  constructor(readonly path: string) {
    super(`${path} was replaced by another file after it was discovered; it was not read`);
  }
}

/**
 * Open a file for reading only if it is a regular file *when opened*. O_NONBLOCK keeps a FIFO swapped in after
 * discovery from blocking the open (a FIFO named `model.pkl` would otherwise hang the scan); fstat on the open
 * handle then refuses anything that is not a regular file. `noFollow` adds O_NOFOLLOW for paths the walk saw as
 * plain entries, so a symlink swapped in later is not followed either.
 */
export async function openRegularFile(
  abs: FsPath,
  opts: { noFollow?: boolean } = {},
): Promise<{ fh: FileHandle; stats: Stats }> {
  const fh = await open(abs, openFlags(opts.noFollow));
  try {
    const stats = await fh.stat();
    if (!stats.isFile()) throw new NotRegularFileError(kindOf(stats));
    return { fh, stats };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * openRegularFile without the thread pool, for the walk: the same flags and the same check on the open descriptor.
 * The caller closes the descriptor.
 */
export function openRegularFileSync(abs: FsPath, opts: { noFollow?: boolean } = {}): { fd: number; stats: Stats } {
  const fd = openSync(abs, openFlags(opts.noFollow));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFileError(kindOf(stats));
    return { fd, stats };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

const openFlags = (noFollow?: boolean): number =>
  constants.O_RDONLY | constants.O_NONBLOCK | (noFollow ? constants.O_NOFOLLOW : 0);

export function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic link';
  return 'special file';
}

/** Read a whole regular file, refusing it past `max` bytes (undefined) and refusing non-regular files (throws). */
export async function readRegularFile(
  abs: string,
  max: number,
  opts: { noFollow?: boolean } = {},
): Promise<Buffer | undefined> {
  const { fh, stats } = await openRegularFile(abs, opts);
  try {
    if (stats.size > max) return undefined;
    const buf = Buffer.alloc(stats.size);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/**
 * Read a configuration file that sits in the scanned tree (`.npmrc`, a policy found there) under the same rule as
 * every scanned file: only if its real path stays inside `root` and it is a regular file. Undefined when it is
 * missing, outside the root (the walk reports that link as CPX002), special or larger than `max`.
 */
export async function readConfigInRoot(root: string, abs: string, max: number): Promise<Buffer | undefined> {
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(abs)]);
    const rel = relative(realRoot, real);
    if (rel === '' || leavesBase(rel)) return undefined;
    return await readRegularFile(real, max);
  } catch {
    return undefined;
  }
}

/** Where a path named by scanned content (a joblib sidecar) really is, or why it cannot be read as a file there. */
export type LocatedInRoot =
  | { readonly kind: 'file'; readonly real: string; readonly stats: Stats }
  | { readonly kind: 'missing' | 'symlink-outside-root' | 'not-regular-file' };

/**
 * Resolve `abs` as opening it would (symlinks followed) and accept it only when its real path stays inside `root`
 * and it is a regular file. No bytes are read; the file is opened later through the scan's opener, which checks
 * again on the handle that it is a regular file.
 */
export async function locateInRoot(root: string, abs: string): Promise<LocatedInRoot> {
  let real: string;
  try {
    await lstat(abs);
    real = await realpath(abs);
  } catch {
    return { kind: 'missing' };
  }
  const realRel = relative(await realpath(root), real);
  if (leavesBase(realRel)) return { kind: 'symlink-outside-root' };
  let stats: Stats;
  try {
    stats = await stat(real);
  } catch {
    return { kind: 'missing' };
  }
  return stats.isFile() ? { kind: 'file', real, stats } : { kind: 'not-regular-file' };
}
