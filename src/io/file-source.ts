import type { FileHandle } from 'node:fs/promises';
import { FileChangedError, openRegularFile } from './open-regular.js';
import type { FileOpener, FileSource, IoCount, IoKind, IoStats } from '../core/file-source.js';

const DEFAULT_CHUNK = 1024 * 1024;

/**
 * A counting opener: every byte any plugin reads in a scan goes through one of these; the hash workers report theirs.
 * With `refuseSwapped` (a scan's), a file is read only if it is still the one the walk vetted (`open`'s `vetted`,
 * the DiscoveredFile's dev and ino): a file swapped for a symlink (to another file, or out of the root) or a folder on
 * its path swapped for one after the walk opens another inode, which is refused (the stage reports the file as not
 * checked), as the hash workers refuse it.
 */
export function createFileOpener({ refuseSwapped = false } = {}): FileOpener {
  const kinds: Record<IoKind, { opens: number; bytesRead: number }> = {
    plugins: { opens: 0, bytesRead: 0 },
    hash: { opens: 0, bytesRead: 0 },
  };
  const count = (n: number): void => {
    kinds.plugins.bytesRead += n;
  };
  return {
    async open(abs, path, vetted) {
      // Discovery refused symlinks out of the root and non-regular files; the file may have been swapped since,
      // so open without blocking and re-check that it is a regular file on the handle itself.
      const { fh, stats } = await openRegularFile(abs);
      if (
        refuseSwapped &&
        vetted?.dev !== undefined &&
        vetted.ino !== undefined &&
        (stats.dev !== vetted.dev || stats.ino !== vetted.ino)
      ) {
        await fh.close();
        throw new FileChangedError(path);
      }
      kinds.plugins.opens++;
      return handleSource(fh, path, stats.size, count);
    },
    record(kind, opens, bytesRead) {
      kinds[kind].opens += opens;
      kinds[kind].bytesRead += bytesRead;
    },
    stats(): IoStats {
      const byKind: Record<IoKind, IoCount> = { plugins: { ...kinds.plugins }, hash: { ...kinds.hash } };
      return {
        opens: byKind.plugins.opens + byKind.hash.opens,
        bytesRead: byKind.plugins.bytesRead + byKind.hash.bytesRead,
        byKind,
      };
    },
  };
}

function handleSource(fh: FileHandle, path: string, size: number, count: (n: number) => void): FileSource {
  let closed = false;
  /** Bytes a read of `length` at `offset` gets: fewer only past the end of the file. */
  const available = (offset: number, length: number): number => {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`bad read range ${offset}+${length} in ${path}`);
    }
    return Math.max(0, Math.min(length, size - offset));
  };
  const readInto = async (target: Buffer, at: number, offset: number, length: number): Promise<number> => {
    const want = available(offset, length);
    if (!Number.isSafeInteger(at) || at < 0 || at + want > target.length)
      throw new RangeError(`read of ${want} bytes does not fit at ${at} in a ${target.length}-byte buffer`);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(target, at + got, want - got, offset + got);
      if (bytesRead === 0) throw new Error(`${path} shrank while being read (at byte ${offset + got})`);
      got += bytesRead;
    }
    count(got);
    return got;
  };
  const read = async (offset: number, length: number): Promise<Buffer> => {
    const buf = Buffer.allocUnsafe(available(offset, length));
    await readInto(buf, 0, offset, length);
    return buf;
  };
  return {
    path,
    size,
    read,
    readInto,
    async *chunks(start = 0, end = size, chunkSize = DEFAULT_CHUNK) {
      for (let pos = start; pos < Math.min(end, size); pos += chunkSize) {
        yield await read(pos, Math.min(chunkSize, end - pos));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}

/** An in-memory source (tests, and members already decompressed from a container). */
export function bufferFileSource(path: string, data: Buffer): FileSource {
  return {
    path,
    size: data.length,
    read(offset, length) {
      return Promise.resolve(data.subarray(Math.min(offset, data.length), Math.min(offset + length, data.length)));
    },
    readInto(target, at, offset, length) {
      const from = Math.min(offset, data.length);
      return Promise.resolve(data.copy(target, at, from, Math.min(from + length, data.length)));
    },
    async *chunks(start = 0, end = data.length, chunkSize = DEFAULT_CHUNK) {
      for (let pos = start; pos < Math.min(end, data.length); pos += chunkSize) {
        yield await Promise.resolve(data.subarray(pos, Math.min(pos + chunkSize, end, data.length)));
      }
    },
    close() {
      return Promise.resolve();
    },
  };
}
