import type { ScanDigests } from '../core/digests.js';
import type { DiscoveredFile } from '../core/files.js';
import { MODEL_FORMATS } from '../discover/catalogue/index.js';
import { parseHfCachePath } from '../discover/hf-cache.js';
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
    return this.load().then(
      (h) => h.hash(file),
      (err: unknown) => ({
        ok: false,
        code: 'ECACHE',
        message: `the digest cache could not be opened: ${String(err)}`,
      }),
    );
  }

  /**
   * Boot the hash workers for the walk's model files now, while the stages' code loads, so the models stage's first
   * read does not wait for a worker to start. Files the digest cache knows need no worker; no model file, no
   * hashing code loaded.
   */
  warm(files: readonly DiscoveredFile[]): void {
    const hashed = files.filter(isReadByModelsStage);
    if (hashed.length === 0) return;
    void this.load().then(
      (h) => h.warm(hashed.map((f) => ({ identity: f }))),
      () => undefined,
    );
  }

  private load(): Promise<Hasher> {
    this.hasher ??= import('../hash/hasher.js').then((m) => m.Hasher.create(this.opts));
    return this.hasher;
  }

  /**
   * Resolves after the reads asked for so far reached the worker pool: their continuations were queued on the
   * hasher's promise before this one. A prefetch awaits it so that loading other code cannot delay the first read.
   */
  async started(): Promise<void> {
    await this.hasher?.catch(() => undefined);
  }

  /** Bytes read, answers from the digest cache and hash workers running, so far. */
  async stats(): Promise<{ hashedBytes: number; cacheHits: number; workers: number }> {
    const h = await this.hasher?.catch(() => undefined);
    return { hashedBytes: h?.hashedBytes ?? 0, cacheHits: h?.cacheHits ?? 0, workers: h?.workers ?? 0 };
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

/**
 * The files the models stage reads whole (src/models/stage.ts: `selectModels`, model formats but LFS pointers, and
 * Hugging Face cache blobs). tfjs weight shards are left out: the walk calls them `other` until their manifest is read.
 */
function isReadByModelsStage(f: DiscoveredFile): boolean {
  return MODEL_FORMATS.has(f.format) || parseHfCachePath(f.path)?.kind === 'blob';
}
