import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobCache, listTree, prefixAndCommits, repoPrefix, resolveCommit } from '../../../src/app/review/git.js';
import { makeRepo } from './repo.js';

/**
 * The review's git layer asks fewer processes for the same answers: base, head and prefix from one `git rev-parse`
 * (or undefined, so the caller resolves each as before), and blobs already read served from a per-review cache.
 */
let repo: { dir: string; cleanup: () => void };
beforeAll(() => {
  repo = makeRepo({ 'sub/a.py': 'x = 1\n', 'b.txt': 'b\n' }, { 'sub/a.py': 'x = 2\n' });
  mkdirSync(path.join(repo.dir, 'sub', 'deep'), { recursive: true });
});
afterAll(() => repo.cleanup());

describe('prefixAndCommits', () => {
  it('gives what resolveCommit and repoPrefix give, at the top and in a sub folder', async () => {
    for (const dir of [repo.dir, path.join(repo.dir, 'sub'), path.join(repo.dir, 'sub', 'deep')]) {
      const got = await prefixAndCommits(dir, ['HEAD~1', 'HEAD']);
      expect(got).toEqual({
        prefix: await repoPrefix(dir),
        commits: [await resolveCommit(dir, 'HEAD~1'), await resolveCommit(dir, 'HEAD')],
      });
    }
  });

  it('gives undefined, not a guess, when a ref does not resolve to one commit', async () => {
    expect(await prefixAndCommits(repo.dir, ['HEAD', 'no-such-branch'])).toBeUndefined();
    // "^HEAD" is a negation without --verify: printed as "^<sha>", not a commit.
    expect(await prefixAndCommits(repo.dir, ['HEAD', '^HEAD'])).toBeUndefined();
    expect(await prefixAndCommits(repo.dir, ['0000'])).toBeUndefined();
  });

  it('refuses a ref git could read as an option before running git', async () => {
    await expect(prefixAndCommits(repo.dir, ['HEAD', '--output=/tmp/x'])).rejects.toThrow(/not a usable git revision/);
  });
});

describe('BlobCache', () => {
  it('serves a blob read once from memory, still under the reader size cap', async () => {
    const head = await resolveCommit(repo.dir, 'HEAD');
    const entries = await listTree(repo.dir, head, '');
    const a = entries.find((e) => e.path === 'sub/a.py')!;
    const cache = new BlobCache(repo.dir);
    expect((await cache.read([a], 1024)).get(a.oid)?.toString()).toBe('x = 2\n');
    // Every object removed from the repository: only the cache can answer now (a fresh cache cannot).
    const own = makeRepo({ 'sub/a.py': 'x = 2\n' });
    const cached = new BlobCache(own.dir);
    await cached.read([a], 1024);
    rmSync(path.join(own.dir, '.git', 'objects'), { recursive: true, force: true });
    mkdirSync(path.join(own.dir, '.git', 'objects'));
    expect((await cached.one(a.oid, 1024)).toString()).toBe('x = 2\n');
    await expect(new BlobCache(own.dir).one(a.oid, 1024)).rejects.toThrow();
    own.cleanup();
    expect((await cache.one(a.oid, 1024)).toString()).toBe('x = 2\n');
    await expect(cache.one(a.oid, 3)).rejects.toThrow(/over 3 bytes/);
    await expect(cache.read([a], 3)).rejects.toThrow(/over 3 bytes/);
  });
});
