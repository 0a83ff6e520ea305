import type { FsPath } from './files.js';

/**
 * The one I/O edge for file contents. The pipeline opens a discovered file once and hands the source to every
 * plugin that reads it; plugins never call `fs` themselves. Reads are async, positioned and bounded by the caller,
 * so a multi-GB checkpoint is read by ranges, never loaded whole.
 */
export interface FileSource {
  /** Repo-relative POSIX path (for messages and findings). */
  readonly path: string;
  /** Size when opened. A file that shrinks while read makes `read` throw, never return stale bytes. */
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or fewer only when the range passes the end of the file. */
  read(offset: number, length: number): Promise<Buffer>;
  /**
   * Like `read`, into `target` at `at`: a reader that slides one window over a long stream allocates nothing per
   * read (a fresh buffer per read outlives the young generation and piles up until a full GC). Returns the bytes
   * read, fewer only at the end of the file.
   */
  readInto(target: Buffer, at: number, offset: number, length: number): Promise<number>;
  /** `[start, end)` in chunks of at most `chunkSize` bytes, in order; memory stays at one chunk. */
  chunks(start?: number, end?: number, chunkSize?: number): AsyncIterable<Buffer>;
  /** Release the handle. Idempotent. */
  close(): Promise<void>;
}

/** Opens and bytes read by one kind of reader. */
export interface IoCount {
  readonly opens: number;
  readonly bytesRead: number;
}

/**
 * Who read: `plugins` through `FileOpener.open` (parsers, analysers), `hash` the hash workers, which read by path in
 * their own threads and report what they read back.
 */
export type IoKind = 'plugins' | 'hash';

/** What the I/O edge did during a scan: `npm run bench` prints it to prove big files are read once. */
export interface IoStats extends IoCount {
  /** The totals above, split by who read. */
  readonly byKind: Readonly<Record<IoKind, IoCount>>;
}

/** Opens files under the scan root for plugins and counts what it reads. */
export interface FileOpener {
  /**
   * `abs` is an already-vetted path from discovery (inside the root, a regular file); `path` is repo-relative;
   * `vetted`, the file the walk saw there (its DiscoveredFile): a scan's opener refuses another one.
   */
  open(abs: FsPath, path: string, vetted?: { readonly dev?: number; readonly ino?: number }): Promise<FileSource>;
  /** Count reads made outside `open`: a hash worker's open and the bytes it read, once it has hashed a file. */
  record(kind: IoKind, opens: number, bytesRead: number): void;
  stats(): IoStats;
}
