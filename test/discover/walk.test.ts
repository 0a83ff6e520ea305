import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SKIP_DIRS, walkTree } from '../../src/discover/walk.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-walk-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const walk = (root: string, include: string[] = [], exclude: string[] = []) =>
  walkTree(root, { include, exclude, skipDirs: DEFAULT_SKIP_DIRS });

describe('walkTree', () => {
  it('gives the event loop turns inside a large folder, not only between folders (its fs calls are synchronous)', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 2048; i++) files[`big/f${String(i).padStart(4, '0')}.txt`] = 'x';
    const root = tree(files);
    // One immediate callback runs per turn the walk gives: without turns inside big/ it would count about two.
    let turns = 0;
    let walking = true;
    const tick = () => {
      turns++;
      if (walking) setImmediate(tick);
    };
    setImmediate(tick);
    const r = await walk(root);
    walking = false;
    expect(r.files).toHaveLength(2048);
    expect(turns).toBeGreaterThanOrEqual(4);
  });

  it('skips .git and node_modules, keeps git-ignored folders, sorts POSIX paths', async () => {
    const root = tree({
      '.git/config': 'x',
      'node_modules/a/index.js': 'x',
      '.gitignore': 'weights/\n',
      'weights/model.pkl': 'x',
      'b/z.txt': 'x',
      'a.txt': 'x',
    });
    const r = await walk(root);
    expect(r.files.map((f) => f.path)).toEqual(['.gitignore', 'a.txt', 'b/z.txt', 'weights/model.pkl']);
  });

  it('records the skipped folders it met, not those an include glob reaches into', async () => {
    const root = tree({
      '.git/config': 'x',
      'm/node_modules/a.js': 'x',
      'm/sub/.git/HEAD': 'x',
      'n/node_modules/b.js': 'x',
    });
    expect((await walk(root)).pruned).toEqual(['.git', 'm/node_modules', 'm/sub/.git', 'n/node_modules']);
    expect((await walk(root, ['n/node_modules/**'])).pruned).toEqual(['.git', 'm/node_modules', 'm/sub/.git']);
  });

  it('applies --include and --exclude globs', async () => {
    const root = tree({ 'models/a.pt': 'x', 'models/b.onnx': 'x', 'src/c.ts': 'x' });
    expect((await walk(root, ['models/**'])).files.map((f) => f.path)).toEqual(['models/a.pt', 'models/b.onnx']);
    expect((await walk(root, [], ['**/*.onnx'])).files.map((f) => f.path)).toEqual(['models/a.pt', 'src/c.ts']);
  });

  it('reports and does not follow a symlink out of the root; follows one that stays inside', async () => {
    const outside = tree({ 'secret.pt': 'outside' });
    const root = tree({ 'models/real.pt': 'inside' });
    symlinkSync(path.join(outside, 'secret.pt'), path.join(root, 'models/escape.pt'));
    symlinkSync(outside, path.join(root, 'outdir'));
    symlinkSync(path.join(root, 'models/real.pt'), path.join(root, 'alias.pt'));
    symlinkSync(path.join(root, 'missing'), path.join(root, 'dangling.pt'));
    const r = await walk(root);
    expect(r.files.map((f) => f.path)).toEqual(['alias.pt', 'models/real.pt']);
    expect(r.skipped.map((s) => [s.path, s.reason])).toEqual([
      ['dangling.pt', 'symlink-broken'],
      ['models/escape.pt', 'symlink-outside-root'],
      ['outdir', 'symlink-outside-root'],
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPX002').map((f) => f.location.path)).toEqual([
      'models/escape.pt',
      'outdir',
    ]);
  });

  it('follows a link to a file or folder inside the root whose name starts with two dots', async () => {
    const root = tree({ '..data/w.pt': 'inside', '..real.pt': 'inside' });
    symlinkSync(path.join(root, '..data'), path.join(root, 'data'));
    symlinkSync(path.join(root, '..real.pt'), path.join(root, 'alias.pt'));
    const r = await walk(root);
    // The folder is walked once, by its own path (the walk enters each real folder once).
    expect(r.files.map((f) => f.path)).toEqual(['..data/w.pt', '..real.pt', 'alias.pt']);
    expect(r.skipped).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === 'CPX002')).toEqual([]);
  });

  it('survives a directory symlink loop', async () => {
    const root = tree({ 'a/file.txt': 'x' });
    symlinkSync(path.join(root, 'a'), path.join(root, 'a/loop'));
    const r = await walk(root);
    expect(r.files.map((f) => f.path)).toEqual(['a/file.txt']);
  });
});
