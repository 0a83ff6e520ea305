import fs, { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SKIP_DIRS, walkTree } from '../../src/discover/walk.js';
import { directoryKey } from '../../src/io/dir-identity.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * A chain of folders 2,000 deep: the walk kept each folder's real path to skip one reached twice, and glibc's
 * `realpath` lstats every prefix of the path, so the walk cost O(depth³) — 27 s at 1,200 levels and well past a CI
 * job's time at 2,000, from a tree anyone can commit. Folders are now told apart by device and inode.
 */
const tree = tempTrees('chainproof-deep-');
const walk = (root: string) => walkTree(root, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS });

function chain(root: string, depth: number): string {
  const rel = Array.from({ length: depth }, () => 'd').join('/');
  mkdirSync(path.join(root, rel), { recursive: true });
  return rel;
}

describe('deep folder chains', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('no folder’s real path is resolved on the way down (the cubic cost)', async () => {
    const root = tree({});
    const rel = chain(root, 60);
    writeFileSync(path.join(root, rel, 'model.pkl'), Buffer.from([0x80, 0x04, 0x4b, 0x01, 0x2e]));
    const realpath = vi.spyOn(fs.realpathSync, 'native');
    const out = await walk(root);
    expect(realpath).not.toHaveBeenCalled();
    expect(out.files.map((f) => f.path)).toEqual([`${rel}/model.pkl`]);
  });

  it('links deep down are resolved from their folder, not by realpath of the whole path', async () => {
    const root = tree({});
    const rel = chain(root, 60);
    const dir = path.join(root, rel);
    writeFileSync(path.join(dir, 'model.pkl'), Buffer.from([0x80, 0x04, 0x4b, 0x01, 0x2e]));
    symlinkSync('model.pkl', path.join(dir, 'near.pkl'));
    symlinkSync(path.join(dir, 'model.pkl'), path.join(dir, 'absolute.pkl'));
    symlinkSync('/etc/passwd', path.join(dir, 'out.pkl'));
    symlinkSync('../../d', path.join(dir, 'again'));
    const realpath = vi.spyOn(fs.realpathSync, 'native');
    const out = await walk(root);
    expect(realpath).not.toHaveBeenCalled();
    expect(out.files.map((f) => f.path)).toEqual(['absolute.pkl', 'model.pkl', 'near.pkl'].map((f) => `${rel}/${f}`));
    expect(out.findings.map((f) => [f.ruleId, f.location.path])).toEqual([['CPX002', `${rel}/out.pkl`]]);
  });

  it('a folder reached again through links is walked once (cycles, a link to an ancestor)', async () => {
    const root = tree({ 'a/model.pkl': Buffer.from([0x80, 0x04, 0x4b, 0x01, 0x2e]) });
    symlinkSync('.', path.join(root, 'loop'));
    symlinkSync('..', path.join(root, 'a', 'up'));
    symlinkSync('a', path.join(root, 'b'));
    const out = await walk(root);
    expect(out.files.map((f) => f.path)).toEqual(['a/model.pkl']);
    expect(out.findings).toEqual([]);
  });

  it('directoryKey: one key for one folder however it is reached', () => {
    const root = tree({ 'a/x': 'x' });
    symlinkSync('a', path.join(root, 'b'));
    expect(directoryKey(path.join(root, 'b'))).toBe(directoryKey(path.join(root, 'a')));
    expect(directoryKey(Buffer.from(path.join(root, 'a')))).toBe(directoryKey(path.join(root, 'a')));
    expect(directoryKey(root)).not.toBe(directoryKey(path.join(root, 'a')));
  });
});
