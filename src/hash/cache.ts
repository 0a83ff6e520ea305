import { readFile, rename, stat, writeFile, unlink } from 'node:fs/promises';
import { makeFolders } from '../io/write-output.js';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DIGEST_HEX_LENGTH, isDigestAlgorithm, type DigestAlgorithm } from './algorithms.js';
import type { FileIdentity } from './types.js';

export const CACHE_FILE = 'digests-v1.json';
/** A cache file larger than this is ignored (it is rebuilt), so a hostile cache cannot exhaust memory. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** Entries kept on save: the ones used in this run first, then older ones up to this cap. */
const MAX_ENTRIES = 200_000;

/**
 * Persistent digests keyed by device, inode, size, mtime and ctime (plus the algorithm). ctime cannot be set by
 * ordinary tools, so a file rewritten in place with its mtime restored still misses. Lives in the cache directory
 * the Action keeps with actions/cache; written atomically (temp file + rename).
 */
export class DigestCache {
  private readonly entries = new Map<string, string>();
  private readonly used = new Set<string>();
  private dirty = false;

  private constructor(private readonly file: string) {}

  static async open(cacheDir: string): Promise<DigestCache> {
    const cache = new DigestCache(path.join(cacheDir, CACHE_FILE));
    await cache.load();
    return cache;
  }

  static keyOf(id: FileIdentity, alg: DigestAlgorithm): string {
    return `${id.dev}:${id.ino}:${id.size}:${id.mtimeMs}:${id.ctimeMs}:${alg}`;
  }

  get(id: FileIdentity, alg: DigestAlgorithm): string | undefined {
    const key = DigestCache.keyOf(id, alg);
    const hit = this.entries.get(key);
    if (hit !== undefined) this.used.add(key);
    return hit;
  }

  set(id: FileIdentity, alg: DigestAlgorithm, hex: string): void {
    const key = DigestCache.keyOf(id, alg);
    this.used.add(key);
    if (this.entries.get(key) === hex) return;
    this.entries.set(key, hex);
    this.dirty = true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Write the cache if anything changed. A failure to write is not fatal: the next run hashes again. */
  async save(): Promise<boolean> {
    if (!this.dirty) return true;
    const keep: [string, string][] = [];
    for (const k of this.used) {
      const v = this.entries.get(k);
      if (v !== undefined) keep.push([k, v]);
    }
    for (const [k, v] of this.entries) {
      if (keep.length >= MAX_ENTRIES) break;
      if (!this.used.has(k)) keep.push([k, v]);
    }
    const body = JSON.stringify({ version: 1, entries: Object.fromEntries(keep) });
    const tmp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await makeFolders(path.dirname(this.file));
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, this.file);
      this.dirty = false;
      return true;
    } catch {
      await unlink(tmp).catch(() => undefined);
      return false;
    }
  }

  /** The cache file is untrusted input (restored from a CI cache): parse defensively, drop malformed entries. */
  private async load(): Promise<void> {
    const st = await stat(this.file).catch(() => undefined);
    if (!st?.isFile() || st.size > MAX_CACHE_BYTES) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const { version, entries } = parsed as { version?: unknown; entries?: unknown };
    if (version !== 1 || typeof entries !== 'object' || entries === null) return;
    for (const [k, v] of Object.entries(entries as Record<string, unknown>)) {
      if (typeof v !== 'string') continue;
      const alg = k.slice(k.lastIndexOf(':') + 1);
      if (!isDigestAlgorithm(alg) || !/^[0-9a-f]+$/.test(v) || v.length !== DIGEST_HEX_LENGTH[alg]) continue;
      this.entries.set(k, v);
    }
  }
}
