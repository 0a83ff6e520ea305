import type { ScanDigests } from '../core/digests.js';
import type { FileOpener } from '../core/file-source.js';
import type { FileToHash, Hasher } from '../hash/hasher.js';
import type { HashOutcome } from '../hash/types.js';

/**
 * The scan's hasher (`ScanContext.digests`): made on first use, so a scan with nothing to hash loads no hashing
 * code, starts no worker and reads no digest cache; one pool (a worker per core, spawned as jobs arrive) then
 * serves every stage.
 */
export class ScanHasher implements ScanDigests {
  private hasher: Promise<Hasher> | undefined;

  constructor(private readonly opts: { cacheDir: string | undefined; io?: Pick<FileOpener, 'record'> }) {}

  hash(file: FileToHash): Promise<HashOutcome> {
    this.hasher ??= import('../hash/hasher.js').then((m) => m.Hasher.create(this.opts));
    return this.hasher.then(
      (h) => h.hash(file),
      (err: unknown) => ({
        ok: false,
        code: 'ECACHE',
        message: `the digest cache could not be opened: ${String(err)}`,
      }),
    );
  }

  /**
   * Resolves after the reads asked for so far reached the worker pool: their continuations were queued on the
   * hasher's promise before this one. A prefetch awaits it so that loading other code cannot delay the first read.
   */
  async started(): Promise<void> {
    await this.hasher?.catch(() => undefined);
  }

  /** Bytes read and answers from the digest cache so far. */
  async stats(): Promise<{ hashedBytes: number; cacheHits: number }> {
    const h = await this.hasher?.catch(() => undefined);
    return { hashedBytes: h?.hashedBytes ?? 0, cacheHits: h?.cacheHits ?? 0 };
  }

  /**
   * Persist the digest cache and stop the workers (queued reads resolve as failed). Resolves once the cache is
   * saved: the worker threads finish exiting while the scan's reports are written.
   */
  async close(): Promise<void> {
    const h = await this.hasher?.catch(() => undefined);
    await h?.close({ waitForWorkers: false });
  }
}
