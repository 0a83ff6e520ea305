import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, reviewWorkTree, type Tree } from './repo.js';
import { manifest, npmLock, sri } from './npm-lock.js';

/**
 * A change that also edits .gitattributes so the reviewer does not see the lockfile's diff: `-diff` / `binary` (git
 * prints "Binary files differ"), a `diff=<driver>`, GitHub's `linguist-generated` (collapsed). chainproof compares the
 * blobs either way; before, the attribute itself passed unremarked. Matching follows git's attr.c (path_matches):
 * a slash-less pattern matches basenames below its folder, one with a slash the path from its folder.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const lock = (v: string) =>
  npmLock({ a: '*' }, { a: { version: v, resolved: `https://registry.npmjs.org/a/-/a-${v}.tgz`, integrity: sri(1) } });
const base: Tree = {
  'package.json': manifest({ a: '*' }),
  'package-lock.json': lock('1.0.0'),
  'sub/yarn.lock': '# yarn lockfile v1\n',
  'docs/x.json': '{}\n',
};

const cases: { name: string; before?: Tree; attrs: Tree; want: string[] }[] = [
  {
    name: 'package-lock.json -diff → CPU035',
    attrs: { '.gitattributes': 'package-lock.json -diff\n' },
    want: ['.gitattributes:1'],
  },
  {
    name: '*.json linguist-generated=true (GitHub collapses it) → CPU035',
    attrs: { '.gitattributes': '*.png binary\n*.json linguist-generated=true\n' },
    want: ['.gitattributes:2'],
  },
  {
    name: 'a custom diff driver → CPU035',
    attrs: { '.gitattributes': '/package-lock.json diff=lockfile\n' },
    want: ['.gitattributes:1'],
  },
  {
    name: 'binary in a sub folder hides sub/yarn.lock → CPU035 there',
    attrs: { 'sub/.gitattributes': '*.lock binary\n' },
    want: ['sub/.gitattributes:1'],
  },
  {
    name: 'an anchored pattern naming no review input → nothing',
    attrs: { '.gitattributes': '/docs/*.json -diff\n' },
    want: [],
  },
  {
    name: 'a sub folder pattern cannot reach the root lockfile → nothing',
    attrs: { 'docs/.gitattributes': '*.json -diff\n' },
    want: [],
  },
  {
    name: 'the base already hid it → nothing',
    before: { '.gitattributes': 'package-lock.json -diff\n' },
    attrs: { '.gitattributes': 'package-lock.json -diff\n*.png binary\n' },
    want: [],
  },
];

const got = (r: Awaited<ReturnType<typeof reviewHead>>) =>
  r.findings.filter((f) => f.ruleId === 'CPU035').map((f) => `${f.location.path}:${f.location.line}`);

describe('review of a change that hides a lockfile diff', () => {
  it.each(cases)('$name', async ({ before = {}, attrs, want }) => {
    const repo = makeRepo({ ...base, ...before }, { ...attrs, 'package-lock.json': lock('1.0.1') });
    cleanups.push(repo.cleanup);
    expect(got(await reviewHead(repo.dir))).toEqual(want);
  });

  it('the same from the work tree (what the Action reviews)', async () => {
    const repo = makeRepo(base, { '.gitattributes': 'package-lock.json -diff\n', 'package-lock.json': lock('1.0.1') });
    cleanups.push(repo.cleanup);
    const r = await reviewWorkTree(repo.dir, { gate: 'patch' });
    expect(got(r)).toEqual(['.gitattributes:1']);
    expect(r.gate?.passed).toBe(false);
  });

  it('one attribute keeps one fingerprint however many files it hides (a SARIF alert stays one alert)', async () => {
    const hiding = async (extra: Tree) => {
      const repo = makeRepo({ ...base, ...extra }, { '.gitattributes': '*.lock binary\n', ...extra });
      cleanups.push(repo.cleanup);
      return (await reviewHead(repo.dir)).findings.filter((f) => f.ruleId === 'CPU035');
    };
    const [one, two] = [await hiding({}), await hiding({ 'other/yarn.lock': '# yarn lockfile v1\n' })];
    expect([one[0]?.evidence?.['count'], two[0]?.evidence?.['count']]).toEqual([1, 2]);
    expect(two[0]?.related).toEqual([{ path: 'other/yarn.lock' }, { path: 'sub/yarn.lock' }]);
    expect(two[0]?.fingerprint).toBe(one[0]?.fingerprint);
  });
});
