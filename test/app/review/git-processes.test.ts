import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobCache, listTree, resolveCommit, run } from '../../../src/app/review/git.js';
import { GitObjects } from '../../../src/app/review/objects.js';
import { makeRepo } from './repo.js';

/**
 * The review's git layer: one long-lived `git cat-file --batch-command` per review answers what `rev-parse`,
 * `ls-tree -r -l` and `cat-file` processes answered (the two-process `--batch-check` + `--batch` fallback of a git
 * before 2.36 too), and blobs already read are served from a per-review cache.
 */
let repo: { dir: string; cleanup: () => void };
beforeAll(() => {
  repo = makeRepo({ 'sub/a.py': 'x = 1\n', 'b.txt': 'b\n' }, { 'sub/a.py': 'x = 2\n' });
  mkdirSync(path.join(repo.dir, 'sub', 'deep'), { recursive: true });
});
afterAll(() => repo.cleanup());

/** What `git ls-tree -r -l --full-tree` lists under the scan root `dir`, as the review listed it before. */
async function lsTree(
  dir: string,
  commit: string,
): Promise<{ path: string; mode: string; oid: string; size: number }[]> {
  const prefix = (await run(dir, ['rev-parse', '--show-prefix'])).toString('utf8').trim();
  const out = await run(dir, ['ls-tree', '-r', '-z', '-l', '--full-tree', commit]);
  return out
    .toString('utf8')
    .split('\0')
    .filter((r) => r.includes('\t'))
    .map((r) => {
      const [meta = '', full = ''] = r.split('\t');
      const [mode = '', type = '', oid = '', size = ''] = meta.split(/ +/);
      return { path: full, mode, type, oid, size: Number(size) };
    })
    .filter((e) => e.type === 'blob' && e.mode !== '120000' && e.path.startsWith(prefix))
    .map(({ path: p, mode, oid, size }) => ({ path: p.slice(prefix.length), mode, oid, size }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

describe.each([true, false])('GitObjects (batch-command: %s)', (batchCommand) => {
  it('resolves the commits rev-parse resolves, and nothing for what is not one commit', async () => {
    const git = new GitObjects(repo.dir, batchCommand);
    try {
      expect(await git.commits(['HEAD~1', 'HEAD'])).toEqual([
        await resolveCommit(repo.dir, 'HEAD~1'),
        await resolveCommit(repo.dir, 'HEAD'),
      ]);
      expect(await git.commits(['HEAD', 'no-such-branch'])).toBeUndefined();
      expect(await git.commits(['HEAD', '^HEAD'])).toBeUndefined();
      expect(await git.commits(['0000'])).toBeUndefined();
    } finally {
      await git.close();
    }
  });

  it('lists what ls-tree -r -l lists (sizes asked after), at the top, in a sub folder and in one the commit lacks', async () => {
    for (const dir of [repo.dir, path.join(repo.dir, 'sub'), path.join(repo.dir, 'sub', 'deep')]) {
      const git = new GitObjects(dir, batchCommand);
      try {
        for (const rev of ['HEAD~1', 'HEAD']) {
          const commit = await resolveCommit(dir, rev);
          expect(await new BlobCache(git).sized(await listTree(git, commit))).toEqual(await lsTree(dir, commit));
        }
      } finally {
        await git.close();
      }
    }
  });
});

describe('BlobCache', () => {
  it('serves a blob read once from memory, still under the reader size cap', async () => {
    const git = new GitObjects(repo.dir);
    const head = await resolveCommit(repo.dir, 'HEAD');
    const cache = new BlobCache(git);
    const entries = await cache.sized(await listTree(git, head));
    const a = entries.find((e) => e.path === 'sub/a.py')!;
    expect((await cache.read([a], 1024)).get(a.oid)?.toString()).toBe('x = 2\n');
    // Every object removed from the repository: only the cache can answer now (a fresh cache cannot).
    const own = makeRepo({ 'sub/a.py': 'x = 2\n' });
    const ownGit = new GitObjects(own.dir);
    const cached = new BlobCache(ownGit);
    await cached.read([a], 1024);
    rmSync(path.join(own.dir, '.git', 'objects'), { recursive: true, force: true });
    mkdirSync(path.join(own.dir, '.git', 'objects'));
    expect((await cached.one(a.oid, 1024)).toString()).toBe('x = 2\n');
    const fresh = new GitObjects(own.dir);
    await expect(new BlobCache(fresh).one(a.oid, 1024)).rejects.toThrow();
    await Promise.all([ownGit.close(), fresh.close()]);
    own.cleanup();
    expect((await cache.one(a.oid, 1024)).toString()).toBe('x = 2\n');
    await expect(cache.one(a.oid, 3)).rejects.toThrow(/over 3 bytes/);
    await expect(cache.read([a], 3)).rejects.toThrow(/over 3 bytes/);
    await git.close();
  });
});
