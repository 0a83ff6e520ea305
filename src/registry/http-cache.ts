import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What the cache keeps of an answer: the body and its validators. Never a request header, never a credential. */
export interface CachedAnswer {
  readonly body: Buffer;
  /** When it was fetched or last revalidated (ms since epoch). */
  readonly storedAt: number;
  readonly etag?: string;
  readonly lastModified?: string;
}

interface IndexEntry {
  readonly v: 1;
  readonly storedAt: number;
  readonly etag?: string;
  readonly lastModified?: string;
}

/**
 * chainproof's registry cache: JSON answers keyed by the URL (user-info stripped) and the Accept header only — never
 * by an Authorization value, and no request header is stored, so a registry answering `Vary: Authorization` cannot
 * put a token on disk. Writes go to `tmp/` and are renamed into place; a failed write leaves nothing behind.
 * (make-fetch-happen's cache stores the request headers a response's Vary names, Authorization included.)
 */
export class HttpCache {
  private readonly root: string;

  constructor(cacheDir: string) {
    this.root = path.join(cacheDir, 'registry-v2');
  }

  async get(url: string, accept: string): Promise<CachedAnswer | undefined> {
    const base = this.pathOf(url, accept);
    try {
      const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as Partial<IndexEntry>;
      if (meta.v !== 1 || typeof meta.storedAt !== 'number') return undefined;
      const body = await readFile(`${base}.body`);
      return {
        body,
        storedAt: meta.storedAt,
        ...(typeof meta.etag === 'string' ? { etag: meta.etag } : {}),
        ...(typeof meta.lastModified === 'string' ? { lastModified: meta.lastModified } : {}),
      };
    } catch {
      return undefined;
    }
  }

  async put(url: string, accept: string, answer: CachedAnswer): Promise<void> {
    const base = this.pathOf(url, accept);
    const tmpDir = path.join(this.root, 'tmp');
    const tmp = path.join(tmpDir, randomBytes(8).toString('hex'));
    const entry: IndexEntry = {
      v: 1,
      storedAt: answer.storedAt,
      ...(answer.etag !== undefined ? { etag: answer.etag } : {}),
      ...(answer.lastModified !== undefined ? { lastModified: answer.lastModified } : {}),
    };
    try {
      await mkdir(tmpDir, { recursive: true });
      await mkdir(path.dirname(base), { recursive: true });
      await writeFile(`${tmp}.body`, answer.body);
      await writeFile(`${tmp}.json`, JSON.stringify(entry));
      // Body first, index last: a reader never sees an index without its body.
      await rename(`${tmp}.body`, `${base}.body`);
      await rename(`${tmp}.json`, `${base}.json`);
    } catch {
      // A cache that cannot be written only costs a request next time.
    } finally {
      await rm(`${tmp}.body`, { force: true }).catch(() => undefined);
      await rm(`${tmp}.json`, { force: true }).catch(() => undefined);
    }
  }

  /** Revalidated (304): keep the body, restart its freshness. */
  touch(url: string, accept: string, answer: CachedAnswer, now: number): Promise<void> {
    return this.put(url, accept, { ...answer, storedAt: now });
  }

  private pathOf(url: string, accept: string): string {
    const key = createHash('sha256')
      .update(`${withoutUserInfo(url)}\0${accept}`)
      .digest('hex');
    return path.join(this.root, key.slice(0, 2), key);
  }
}

function withoutUserInfo(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}
