import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { fileIdentity, randomFile } from '../helpers/hash-files.js';
import { CACHE_FILE, DigestCache } from '../../src/hash/cache.js';
import { Hasher } from '../../src/hash/hasher.js';
import { HashPool, workersBooted } from '../../src/hash/pool.js';

/** Every file hashed at once by a pool of three workers: each digest equals a one-shot sha256 of its bytes. */
async function expectPoolDigests(files: readonly { file: string; buf: Buffer }[]): Promise<void> {
  const pool = new HashPool(3);
  try {
    const got = await Promise.all(files.map((f) => pool.hash({ path: f.file, algorithms: ['sha256'] })));
    expect(got.map((g) => (g.ok ? g.digests.sha256 : g.code))).toEqual(
      files.map((f) => createHash('sha256').update(f.buf).digest('hex')),
    );
  } finally {
    await pool.close();
  }
}

describe('HashPool', () => {
  const MiB = 1 << 20;
  it.each([
    { name: 'empty', size: 0 },
    { name: 'one byte', size: 1 },
    { name: 'exactly one read', size: MiB },
    { name: 'exactly two reads (the read ahead meets the end)', size: 2 * MiB },
    { name: 'across reads', size: 3 * MiB + 7 },
  ])('$name: sha256/sha512 equal a one-shot digest', async ({ size }) => {
    const { file, buf } = await randomFile(size);
    const pool = new HashPool(2);
    try {
      const r = await pool.hash({ path: file, algorithms: ['sha256', 'sha512'] });
      expect(r).toMatchObject({
        ok: true,
        bytes: size,
        digests: {
          sha256: createHash('sha256').update(buf).digest('hex'),
          sha512: createHash('sha512').update(buf).digest('hex'),
        },
      });
    } finally {
      await pool.close();
    }
  });

  it('three large files at once: two read ahead, the third reads in turn; each equals a one-shot digest', async () => {
    const files = await Promise.all([0, 1, 2].map((k) => randomFile(3 * MiB + 7 + k)));
    await expectPoolDigests(files);
  });

  it('git-sha1 is the Git blob id', async () => {
    const { file } = await randomFile(5000);
    const want = execFileSync('git', ['hash-object', file], { encoding: 'utf8' }).trim();
    const pool = new HashPool(1);
    try {
      expect(await pool.hash({ path: file, algorithms: ['git-sha1'] })).toMatchObject({
        ok: true,
        digests: { 'git-sha1': want },
      });
    } finally {
      await pool.close();
    }
  });

  it('an unreadable path is an error result, not a throw', async () => {
    const pool = new HashPool(1);
    try {
      expect(await pool.hash({ path: '/nonexistent/chainproof/file', algorithms: ['sha256'] })).toMatchObject({
        ok: false,
        code: 'ENOENT',
      });
    } finally {
      await pool.close();
    }
  });

  it('a folder is an error result (ENOTFILE), not a digest of nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-hash-dir-'));
    const pool = new HashPool(1);
    try {
      expect(await pool.hash({ path: dir, algorithms: ['sha256'] })).toMatchObject({ ok: false, code: 'ENOTFILE' });
    } finally {
      await pool.close();
    }
  });

  it('closing the pool fails the jobs queued and the ones a worker holds, and stops the threads', async () => {
    const files = await Promise.all([1, 2, 3].map((n) => randomFile(n * 1000)));
    const pool = new HashPool(1);
    const pending = files.map((f) => pool.hash({ path: f.file, algorithms: ['sha256'] }));
    await pool.close();
    expect((await Promise.all(pending)).map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ECLOSED', 'ECLOSED', 'ECLOSED']);
    expect(await pool.hash({ path: files[0]!.file, algorithms: ['sha256'] })).toMatchObject({ code: 'ECLOSED' });
  });

  it('warm boots idle workers up to the pool size, which then take jobs', async () => {
    const { file, buf } = await randomFile(5000);
    const pool = new HashPool(2);
    try {
      pool.warm(5);
      expect(pool.workers).toBe(2);
      const got = await Promise.all([1, 2, 3].map(() => pool.hash({ path: file, algorithms: ['sha256'] })));
      expect(got.map((g) => (g.ok ? g.digests.sha256 : g.code))).toEqual(
        Array(3).fill(createHash('sha256').update(buf).digest('hex')),
      );
      expect(pool.workers).toBe(2);
    } finally {
      await pool.close();
    }
    expect(pool.workers).toBe(0);
  });

  it('a pool takes the idle workers a closed pool left before it boots any, and they hash as fresh ones do', async () => {
    const { file, buf } = await randomFile(5000);
    const first = new HashPool(2);
    first.warm(2);
    await first.close();
    const before = workersBooted();
    const second = new HashPool(3);
    try {
      second.warm(3);
      expect(second.workers).toBe(3);
      expect(workersBooted() - before).toBe(1); // two spares taken, one booted
      const got = await Promise.all([1, 2, 3].map(() => second.hash({ path: file, algorithms: ['sha256'] })));
      expect(got.map((g) => (g.ok ? g.digests.sha256 : g.code))).toEqual(
        Array(3).fill(createHash('sha256').update(buf).digest('hex')),
      );
    } finally {
      await second.close();
    }
  });

  it('jobs asked for together are read largest first', async () => {
    const files = await Promise.all([1000, 50_000, 5000, 20_000].map((n) => randomFile(n)));
    const pool = new HashPool(1);
    const done: number[] = [];
    try {
      await Promise.all(
        files.map(async (f) => {
          const r = await pool.hash({ path: f.file, algorithms: ['sha256'], size: f.buf.length });
          if (r.ok) done.push(r.bytes);
        }),
      );
      expect(done).toEqual([50_000, 20_000, 5000, 1000]);
    } finally {
      await pool.close();
    }
  });

  it('hashes many files with more jobs than workers', async () => {
    const files = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => randomFile(n * 1000)));
    await expectPoolDigests(files);
  });
});

describe('Hasher with the digest cache', () => {
  it('the second run reads nothing; a changed file misses; --no-cache reads again', async () => {
    const { file, buf } = await randomFile(200_000);
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'cp-cache-'));
    const want = createHash('sha256').update(buf).digest('hex');

    const first = await Hasher.create({ cacheDir, workers: 1 });
    expect(await first.hash({ abs: file, identity: await fileIdentity(file), algorithms: ['sha256'] })).toMatchObject({
      ok: true,
      cached: false,
      digests: { sha256: want },
    });
    await first.close();
    expect(first.hashedBytes).toBe(buf.length);

    const second = await Hasher.create({ cacheDir, workers: 1 });
    expect(await second.hash({ abs: file, identity: await fileIdentity(file), algorithms: ['sha256'] })).toMatchObject({
      ok: true,
      cached: true,
      digests: { sha256: want },
    });
    await second.close();
    expect(second.hashedBytes).toBe(0);

    // Same size, same mtime, different content: ctime still moves, so the cache misses.
    const st = await stat(file);
    const changed = Buffer.from(buf);
    changed[0] = changed[0]! ^ 0xff;
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, changed);
    await utimes(file, st.atime, st.mtime);
    const third = await Hasher.create({ cacheDir, workers: 1 });
    const r3 = await third.hash({ abs: file, identity: await fileIdentity(file), algorithms: ['sha256'] });
    await third.close();
    expect(r3).toMatchObject({
      ok: true,
      cached: false,
      digests: { sha256: createHash('sha256').update(changed).digest('hex') },
    });

    // --no-cache: the file is in the cache, but it is read again.
    const none = await Hasher.create({ cacheDir: undefined, workers: 1 });
    expect(await none.hash({ abs: file, identity: await fileIdentity(file), algorithms: ['sha256'] })).toMatchObject({
      ok: true,
      cached: false,
    });
    await none.close();
    expect(none.hashedBytes).toBe(changed.length);
  });

  it('close without waiting for the workers has saved the cache when it resolves', async () => {
    const { file, buf } = await randomFile(4096);
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'cp-cache-'));
    const h = await Hasher.create({ cacheDir, workers: 1 });
    await h.hash({ abs: file, identity: await fileIdentity(file), algorithms: ['sha256'] });
    await h.close({ waitForWorkers: false });
    const saved = await readFile(path.join(cacheDir, CACHE_FILE), 'utf8');
    expect(saved).toContain(createHash('sha256').update(buf).digest('hex'));
  });

  it('a file that changed since the walk is reported, not hashed blindly', async () => {
    const { file } = await randomFile(1000);
    const before = await fileIdentity(file);
    await writeFile(file, Buffer.alloc(2000));
    const h = await Hasher.create({ cacheDir: undefined, workers: 1 });
    expect(await h.hash({ abs: file, identity: before, algorithms: ['sha256'] })).toMatchObject({
      ok: false,
      code: 'ECHANGED',
    });
    await h.close();
  });

  it.each([
    { name: 'not JSON', body: '{{{' },
    { name: 'wrong version', body: JSON.stringify({ version: 2, entries: { 'a:b:c:d:e:sha256': '0'.repeat(64) } }) },
    { name: 'bad digest', body: JSON.stringify({ version: 1, entries: { '1:2:3:4:5:sha256': 'zz' } }) },
    { name: 'unknown algorithm', body: JSON.stringify({ version: 1, entries: { '1:2:3:4:5:md5': '0'.repeat(32) } }) },
  ])('a malformed cache file is ignored: $name', async ({ body }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cache-'));
    await writeFile(path.join(dir, CACHE_FILE), body);
    const cache = await DigestCache.open(dir);
    expect(cache.size).toBe(0);
  });

  it('writes the cache atomically as versioned JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cache-'));
    const cache = await DigestCache.open(dir);
    const id = { dev: 1, ino: 2, size: 3, mtimeMs: 4.5, ctimeMs: 6.5 };
    cache.set(id, 'sha256', 'a'.repeat(64));
    expect(await cache.save()).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, CACHE_FILE), 'utf8'))).toEqual({
      version: 1,
      entries: { '1:2:3:4.5:6.5:sha256': 'a'.repeat(64) },
    });
    expect((await DigestCache.open(dir)).get(id, 'sha256')).toBe('a'.repeat(64));
  });
});
