import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHistory, reviewHead } from './repo.js';

/**
 * Submodules: a gitlink records another repository's commit. Before, review listed blobs only, so a change that
 * added a submodule or moved it to another commit reported nothing. One repository, three commits: README, then a
 * submodule at A, then the submodule at B (gitlinks written by fast-import; no submodule is cloned).
 */
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = makeHistory([
    { files: { 'README.md': 'x\n' } },
    { gitlinks: { 'vendor/lib': A } },
    { gitlinks: { 'vendor/lib': B } },
  ]));
});
afterAll(() => cleanup());

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
