import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { makeFolders } from '../io/write-output.js';
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
 * put a token on disk. One file per answer — its index entry as one JSON line, then the body — written to `tmp/`
 * and renamed into place, so a reader sees a whole entry or none, and a failed write leaves nothing behind.
 * (make-fetch-happen's cache stores the request headers a response's Vary names, Authorization included.)
 */
export class HttpCache {
  private readonly root: string;
  /** Folders made by this process: a cold scan writes a thousand entries into 256 folders, each made once. */
  private readonly made = new Map<string, Promise<unknown>>();
  /** Pack mode: the packs read at the first `get`, and this scan's answers until `flush` writes them as one pack. */
  private packs: Promise<PackIndex> | undefined;
  private readonly pending = new Map<string, CachedAnswer>();

  /**
   * `pack`: answers are kept in memory and written by `flush` as one file, and read back from those files with one
   * read each — a scan of 1,700 packages reads and writes a handful of files, not 1,700. Without it (clients that
   * have no end to flush at), every answer is its own file, written at once.
   */
  constructor(
    cacheDir: string,
    private readonly opts: { readonly pack?: boolean } = {},
  ) {
    this.root = path.join(cacheDir, 'registry-v3');
  }

  async get(url: string, accept: string): Promise<CachedAnswer | undefined> {
    const key = keyOf(url, accept);
    if (this.opts.pack === true) {
      // Only packs: in pack mode nothing is written as single files.
      return this.pending.get(key) ?? (await this.loadPacks()).entries.get(key);
    }
    try {
      const file = await readFile(this.pathOf(key));
      const eol = file.indexOf(0x0a);
      return eol < 0 ? undefined : fromIndexEntry(file.toString('utf8', 0, eol), file.subarray(eol + 1));
    } catch {
      return undefined;
    }
  }

  async put(url: string, accept: string, answer: CachedAnswer): Promise<void> {
    const key = keyOf(url, accept);
    if (this.opts.pack === true) {
      this.pending.set(key, answer);
      return;
    }
    const file = this.pathOf(key);
    const tmpDir = path.join(this.root, 'tmp');
    const tmp = path.join(tmpDir, randomBytes(8).toString('hex'));
    try {
      await Promise.all([this.mkdirOnce(tmpDir), this.mkdirOnce(path.dirname(file))]);
      await writeFile(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(indexEntry(answer))}\n`), answer.body]));
      await rename(tmp, file);
    } catch {
      // A cache that cannot be written only costs a request next time.
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  /** Revalidated (304): keep the body, restart its freshness. */
  touch(url: string, accept: string, answer: CachedAnswer, now: number): Promise<void> {
    return this.put(url, accept, { ...answer, storedAt: now });
  }

  private mkdirOnce(dir: string): Promise<unknown> {
    let p = this.made.get(dir);
    if (!p) {
      p = makeFolders(dir);
      // A failed mkdir is retried by the next write rather than remembered.
      p.catch(() => this.made.delete(dir));
      this.made.set(dir, p);
    }
    return p;
  }

  /**
   * Pack mode: write this scan's answers as one pack, together with what the packs read held (newest answer per
   * key, none older than PACK_MAX_AGE_MS), then remove those packs — the cache stays one or two files. Nothing
   * new: nothing is written (a warm scan writes nothing). A failed write only costs requests next time.
   */
  async flush(): Promise<void> {
    if (this.opts.pack !== true || this.pending.size === 0) return;
    const packs = await this.loadPacks();
    const oldest = Date.now() - PACK_MAX_AGE_MS;
    const all = new Map([...packs.entries].filter(([, a]) => a.storedAt >= oldest));
    for (const [k, a] of this.pending) all.set(k, a);
    const dir = path.join(this.root, 'packs');
    const name = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}.pack`;
    const tmp = path.join(this.root, 'tmp', name);
    try {
      await Promise.all([this.mkdirOnce(dir), this.mkdirOnce(path.dirname(tmp))]);
      await writeFile(tmp, encodePack(all));
      await rename(tmp, path.join(dir, name));
      this.pending.clear();
      // Another scan may have removed them already: they are merged into ours either way.
      await Promise.all(packs.files.map((f) => rm(f, { force: true }).catch(() => undefined)));
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  private loadPacks(): Promise<PackIndex> {
    this.packs ??= readPacks(path.join(this.root, 'packs'));
    return this.packs;
  }

  private pathOf(key: string): string {
    return path.join(this.root, key.slice(0, 2), key);
  }
}

/** Answers older than this are dropped when packs are merged: past any freshness window, and a bound on growth. */
const PACK_MAX_AGE_MS = 14 * 24 * 3600 * 1000;
/** Packs read per scan at most, newest first (a bound on memory with a cache shared by many projects). */
const MAX_PACK_BYTES = 512 * 1024 * 1024;

interface PackIndex {
  readonly entries: Map<string, CachedAnswer>;
  readonly files: string[];
}

function keyOf(url: string, accept: string): string {
  return createHash('sha256')
    .update(`${withoutUserInfo(url)}\0${accept}`)
    .digest('hex');
}

/**
 * A pack: records of `<key> <meta length> <body length>\n<meta JSON><body>\n`, lengths in bytes. Read back with
 * lengths checked; a truncated or malformed record ends the pack (what came before it is kept).
 */
function encodePack(entries: Map<string, CachedAnswer>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, a] of entries) {
    const meta = Buffer.from(JSON.stringify(indexEntry(a)));
    parts.push(Buffer.from(`${key} ${meta.length} ${a.body.length}\n`), meta, a.body, NEWLINE);
  }
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

async function readPacks(dir: string): Promise<PackIndex> {
  const entries = new Map<string, CachedAnswer>();
  const files: string[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.pack'));
  } catch {
    return { entries, files };
  }
  // Newest first (names start with the write time), so the budget keeps the most recent answers.
  names.sort().reverse();
  let bytes = 0;
  for (const n of names) {
    const file = path.join(dir, n);
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch {
      continue; // merged and removed by another scan meanwhile
    }
    bytes += buf.length;
    if (bytes > MAX_PACK_BYTES) break;
    files.push(file);
    for (const [key, answer] of decodePack(buf)) {
      const seen = entries.get(key);
      if (!seen || seen.storedAt < answer.storedAt) entries.set(key, answer);
    }
  }
  return { entries, files };
}

function* decodePack(buf: Buffer): Generator<[string, CachedAnswer]> {
  let at = 0;
  while (at < buf.length) {
    const eol = buf.indexOf(0x0a, at);
    if (eol < 0 || eol - at > 100) return;
    const m = /^([0-9a-f]{64}) (\d{1,9}) (\d{1,10})$/.exec(buf.toString('latin1', at, eol));
    if (!m) return;
    const metaEnd = eol + 1 + Number(m[2]);
    const bodyEnd = metaEnd + Number(m[3]);
    if (bodyEnd >= buf.length || buf[bodyEnd] !== 0x0a) return;
    const answer = fromIndexEntry(buf.toString('utf8', eol + 1, metaEnd), buf.subarray(metaEnd, bodyEnd));
    if (!answer) return;
    yield [m[1]!, answer];
    at = bodyEnd + 1;
  }
}

function indexEntry(a: CachedAnswer): IndexEntry {
  return {
    v: 1,
    storedAt: a.storedAt,
    ...(a.etag !== undefined ? { etag: a.etag } : {}),
    ...(a.lastModified !== undefined ? { lastModified: a.lastModified } : {}),
  };
}

function fromIndexEntry(json: string, body: Buffer): CachedAnswer | undefined {
  let meta: Partial<IndexEntry>;
  try {
    meta = JSON.parse(json) as Partial<IndexEntry>;
  } catch {
    return undefined;
  }
  if (meta.v !== 1 || typeof meta.storedAt !== 'number') return undefined;
  return {
    body,
    storedAt: meta.storedAt,
    ...(typeof meta.etag === 'string' ? { etag: meta.etag } : {}),
    ...(typeof meta.lastModified === 'string' ? { lastModified: meta.lastModified } : {}),
  };
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
