import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { manifest, npmLock, sri } from './npm-lock.js';
import { makeHistory, reviewHead, reviewWorkTree, type CommitSpec } from './repo.js';

/**
 * A change that swaps a lockfile or package.json for a symbolic link: npm opens the path and reads what it points at
 * (outside the repository, or another file in it), while the review follows no link. Before, a link read as a removed
 * file: the lockfile alone gave CPU031, and package-lock.json and package.json both swapped passed the `any` gate as
 * a removal (the work tree added only CPX002 warnings). Now a linked lockfile is CPU013 and a linked manifest or
 * config CPU030 (errors), at a commit head and from the work tree.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const lock = npmLock(
  { a: '*' },
  { a: { version: '1.0.0', resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', integrity: sri(1) } },
);
const base: CommitSpec = {
  files: { 'package.json': manifest({ a: '*' }), 'package-lock.json': lock, 'vendor/lock.json': lock },
};

const cases: { name: string; head: CommitSpec; want: string[] }[] = [
  {
    name: 'package-lock.json and package.json both linked outside the repository → CPU013 and CPU030',
    head: {
      remove: ['package-lock.json', 'package.json'],
      symlinks: { 'package-lock.json': '../outside/package-lock.json', 'package.json': '../outside/package.json' },
    },
    want: ['CPU013@package-lock.json', 'CPU030@package.json'],
  },
  {
    name: 'package-lock.json linked to another file in the repository → CPU013',
    head: { remove: ['package-lock.json'], symlinks: { 'package-lock.json': 'vendor/lock.json' } },
    want: ['CPU013@package-lock.json'],
  },
  {
    name: 'a new .npmrc that is a link → CPU030',
    head: { symlinks: { '.npmrc': '/etc/npmrc' } },
    want: ['CPU030@.npmrc'],
  },
  { name: 'a link elsewhere (docs) → nothing', head: { symlinks: { 'docs/README.md': '../README.md' } }, want: [] },
];

const got = (r: ReviewResult) =>
  r.findings.filter((f) => f.ruleId === 'CPU013' || f.ruleId === 'CPU030').map((f) => `${f.ruleId}@${f.location.path}`);

describe('review of a change that turns an install input into a symbolic link', () => {
  it.each(cases)('$name', async ({ head, want }) => {
    const repo = makeHistory([base, head]);
    cleanups.push(repo.cleanup);
    const atCommit = await reviewHead(repo.dir, { gate: 'any' });
    expect(got(atCommit)).toEqual(want);
    expect(atCommit.gate?.passed).toBe(want.length === 0);
    expect(got(await reviewWorkTree(repo.dir))).toEqual(want);
  });

  it('a link the base already had, unchanged → nothing', async () => {
    const link = { symlinks: { '.npmrc': '../shared/.npmrc' } };
    const repo = makeHistory([{ ...base, ...link }, { files: { 'README.md': 'x\n' } }]);
    cleanups.push(repo.cleanup);
    expect(got(await reviewHead(repo.dir))).toEqual([]);
    expect(got(await reviewWorkTree(repo.dir))).toEqual([]);
  });
});
