import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, reviewHead } from './repo.js';

/**
 * Submodules: a gitlink records another repository's commit. Before, review listed blobs only, so a change that
 * added a submodule or moved it to another commit reported nothing. One repository, three commits: README, then a
 * submodule at A, then the submodule at B (gitlinks written straight into the index; no submodule is cloned).
 */
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chainproof-review-submodule-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'README.md'), 'x\n');
  git(dir, 'add', 'README.md');
  git(dir, 'commit', '-q', '-m', 'readme');
  git(dir, 'update-index', '--add', '--cacheinfo', `160000,${A},vendor/lib`);
  git(dir, 'commit', '-q', '-m', 'add submodule');
  git(dir, 'update-index', '--cacheinfo', `160000,${B},vendor/lib`);
  git(dir, 'commit', '-q', '-m', 'move submodule');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('review reports submodules the change adds or moves', () => {
  it.each([
    { name: 'a new submodule → CPU023 with its commit', base: 'HEAD~2', head: 'HEAD~1', want: [['', A]] },
    {
      name: 'a submodule moved to another commit → CPU023 with both commits',
      base: 'HEAD~1',
      head: 'HEAD',
      want: [[A, B]],
    },
    { name: 'an unchanged submodule → nothing', base: 'HEAD', head: 'HEAD', want: [] },
  ])('$name', async ({ base, head, want }) => {
    const r = await reviewHead(dir, { base, head, gate: 'patch' });
    const got = r.findings.filter((f) => f.ruleId === 'CPU023');
    expect(got.map((f) => [f.evidence?.['from'], f.evidence?.['to']])).toEqual(want);
    expect(got.every((f) => f.location.path === 'vendor/lib' && f.level === 'warning')).toBe(true);
    expect(r.gate?.passed).toBe(want.length === 0);
  });
});
