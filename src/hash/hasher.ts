import type { DigestAlgorithm } from './algorithms.js';
import type { FileOpener } from '../core/file-source.js';
import type { FsPath } from '../core/files.js';
import { DigestCache } from './cache.js';
import { HashPool } from './pool.js';
import type { FileIdentity, HashOutcome } from './types.js';

export interface FileToHash {
  readonly abs: FsPath;
  /** What the walk saw; the cache is consulted with it and the worker checks the file still matches. */
  readonly identity: FileIdentity;
  readonly algorithms: readonly DigestAlgorithm[];
}

/**
 * Digest files through the cache and the worker pool. Files that are the same inode (hard links, a Hugging Face
 * snapshot link and its blob) are read once.
 */
export class Hasher {
  /** By inode: the reads started, each with the algorithms it computes. */
  private readonly inflight = new Map<
    string,
    { algorithms: readonly DigestAlgorithm[]; outcome: Promise<HashOutcome> }[]
  >();
  hashedBytes = 0;
  cacheHits = 0;

  /** Worker threads booted so far and not stopped. */
  get workers(): number {
    return this.pool.workers;
  }

  private constructor(
    private readonly pool: HashPool,
    private readonly cache: DigestCache | undefined,
    private readonly io: Pick<FileOpener, 'record'> | undefined,
  ) {}

  /**
   * `cacheDir` undefined = `--no-cache`. `io`: the scan's opener, told what the workers read (they read by path,
   * outside it), so `result.io` counts every byte a scan reads.
   */
  static async create(opts: {
    cacheDir: string | undefined;
    workers?: number;
    io?: Pick<FileOpener, 'record'>;
  }): Promise<Hasher> {
    const cache = opts.cacheDir !== undefined ? await DigestCache.open(opts.cacheDir) : undefined;
    return new Hasher(new HashPool(opts.workers), cache, opts.io);
  }

  /**
   * Boot the workers that reading `files` will take (one per file whose SHA-256 the cache lacks, by inode, up to the
   * pool's size), before anything asks for their digests: a warm re-scan boots none.
   */
  warm(files: readonly { readonly identity: FileIdentity }[]): void {
    const uncached = new Set<string>();
    for (const { identity: id } of files)
      if (this.cache?.get(id, 'sha256') === undefined) uncached.add(`${id.dev}:${id.ino}`);
    this.pool.warm(uncached.size);
  }

  /** A read already started for the same file that computes every algorithm asked for is shared, not repeated. */
  hash(file: FileToHash): Promise<HashOutcome> {
    const key = `${file.identity.dev}:${file.identity.ino}`;
    const started = this.inflight.get(key) ?? [];
    const shared = started.find((s) => file.algorithms.every((a) => s.algorithms.includes(a)));
    if (shared) return shared.outcome;
    const outcome = this.hashUncached(file);
    started.push({ algorithms: file.algorithms, outcome });
    this.inflight.set(key, started);
    return outcome;
  }

  private async hashUncached(file: FileToHash): Promise<HashOutcome> {
    const cached = this.fromCache(file);
    if (cached) {
      this.cacheHits++;
      return cached;
    }
    const out = await this.pool.hash({ path: file.abs, algorithms: file.algorithms, size: file.identity.size });
    if (!out.ok) return out;
    this.hashedBytes += out.bytes;
    this.io?.record('hash', 1, out.bytes);
    const id = file.identity;
    // The file changed between the walk and the read: its digest is real but describes a moving target.
    if (
      out.stat.dev !== id.dev ||
      out.stat.ino !== id.ino ||
      out.stat.size !== id.size ||
      out.stat.mtimeMs !== id.mtimeMs
    ) {
      return { ok: false, code: 'ECHANGED', message: 'the file changed while it was being scanned' };
    }
    if (out.bytes !== out.stat.size)
      return { ok: false, code: 'ESHORTREAD', message: `read ${out.bytes} of ${out.stat.size} bytes` };
    for (const alg of file.algorithms) {
      const hex = out.digests[alg];
      if (hex !== undefined) this.cache?.set(out.stat, alg, hex);
    }
    return out;
  }

  private fromCache(file: FileToHash): HashOutcome | undefined {
    if (!this.cache) return undefined;
    const digests: Partial<Record<DigestAlgorithm, string>> = {};
    for (const alg of file.algorithms) {
      const hex = this.cache.get(file.identity, alg);
      if (hex === undefined) return undefined;
      digests[alg] = hex;
    }
    return { ok: true, digests, bytes: 0, stat: file.identity, cached: true };
  }

  /**
   * Persist the cache and stop the workers. `waitForWorkers: false` resolves once the cache is saved while the
   * threads wind down: tearing a worker's isolate down takes longer than a report takes to write, and the process
   * joins the threads at exit anyway, so the CLI need not wait for them before it renders.
   */
  async close(opts: { waitForWorkers?: boolean } = {}): Promise<void> {
    await this.cache?.save();
    const stopped = this.pool.close();
    if (opts.waitForWorkers !== false) await stopped;
  }
}
