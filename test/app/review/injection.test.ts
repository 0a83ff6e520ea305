import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type Tree, reviewHead } from './repo.js';
import { type Entry, manifest, npmLock, sri } from './npm-lock.js';

/**
 * Lockfile-only injection (package.json unchanged): a package new to the lockfile under a package at its old
 * version, a git dependency's commit moved under the same version. Each case is a hand-made package-lock.json v3
 * pair; the legitimate twins (an update that brings a dependency, a manifest that adds one) must stay quiet.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const tgz = (n: string, v: string) => `https://registry.npmjs.org/${n}/-/${n}-${v}.tgz`;
const reg = (n: string, v: string, fill: number, extra: Entry = {}): Entry => ({
  version: v,
  resolved: tgz(n, v),
  integrity: sri(fill),
  ...extra,
});

const ROOT = { a: '^1.0.0' };
const BASE: Tree = {
  'package.json': manifest(ROOT),
  'package-lock.json': npmLock(ROOT, { a: reg('a', '1.0.0', 1) }),
};
const gitDep = (sha: string): Tree => ({
  'package.json': manifest({ g: 'github:o/g' }),
  'package-lock.json': npmLock(
    { g: 'github:o/g' },
    { g: { version: '1.0.0', resolved: `git+ssh://git@github.com/o/g.git#${sha}` } },
  ),
});

/** 1-based line of `"node_modules/<name>": {` in a lockfile text. */
const lineOf = (text: string | Buffer, name: string) =>
  String(text)
    .split('\n')
    .findIndex((l) => l.includes(`"node_modules/${name}": {`)) + 1;

interface Case {
  name: string;
  base: Tree;
  head: Tree;
  want: string[];
}

const injectedUnderA = npmLock(ROOT, {
  a: reg('a', '1.0.0', 1, { dependencies: { evil: '^1.0.0' } }),
  evil: reg('evil', '1.0.0', 9),
});
const updatedA = npmLock(ROOT, {
  a: reg('a', '1.1.0', 2, { dependencies: { helper: '^1.0.0' } }),
  helper: reg('helper', '1.0.0', 3),
});
const newDirect = { a: '^1.0.0', b: '^2.0.0' };

const cases: Case[] = [
  {
    name: 'a@1.0.0 unchanged gains a dependency on a new package → CPU015 at the new entry',
    base: BASE,
    head: { 'package-lock.json': injectedUnderA },
    want: [`CPU015:error@package-lock.json:${lineOf(injectedUnderA, 'evil')}`],
  },
  {
    name: 'an entry nothing pulls in (npm prunes it) → no CPU015',
    base: BASE,
    head: { 'package-lock.json': npmLock(ROOT, { a: reg('a', '1.0.0', 1), evil: reg('evil', '1.0.0', 9) }) },
    want: [],
  },
  {
    name: 'a moves to 1.1.0 and brings helper → no CPU015 (the update explains it)',
    base: BASE,
    head: { 'package-lock.json': updatedA },
    want: [],
  },
  {
    name: 'package.json adds b and the lockfile locks it → no CPU015',
    base: BASE,
    head: {
      'package.json': manifest(newDirect),
      'package-lock.json': npmLock(newDirect, { a: reg('a', '1.0.0', 1), b: reg('b', '2.0.0', 4) }),
    },
    want: [],
  },
  {
    name: "a git dependency's commit moves under the same version → CPU016",
    base: gitDep('a'.repeat(40)),
    head: gitDep('b'.repeat(40)),
    want: [`CPU016:error@package-lock.json:${lineOf(gitDep('b'.repeat(40))['package-lock.json']!, 'g')}`],
  },
  {
    name: 'the same git commit → no CPU016',
    base: gitDep('a'.repeat(40)),
    head: { 'README.md': 'x\n' },
    want: [],
  },
];

describe('review flags lockfile edits no update explains', () => {
  it.each(cases)('$name', async ({ base, head, want }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'patch' });
    const got = r.findings
      .filter((f) => f.ruleId === 'CPU015' || f.ruleId === 'CPU016')
      .map((f) => `${f.ruleId}:${f.level}@${f.location.path}:${f.location.line}`);
    expect(got).toEqual(want);
    if (want.length > 0) expect(r.gate?.passed).toBe(false);
  });
});

describe('CPU015 names the dependant at its own version', () => {
  it('a name locked twice: the edge added under the top-level a@1.0.0 is not blamed on the nested a@0.9.0', async () => {
    // As real npm trees hold them (actions/checkout: js-yaml@4 at the top, js-yaml@3 nested under a dependant).
    const root = { a: '^1.0.0', b: '^1.0.0' };
    const lock = (a: Entry) =>
      npmLock(root, {
        'b/node_modules/a': reg('a', '0.9.0', 4),
        a,
        b: reg('b', '1.0.0', 5, { dependencies: { a: '^0.9.0' } }),
        ...(a['dependencies'] ? { evil: reg('evil', '1.0.0', 9) } : {}),
      });
    const repo = makeRepo(
      { 'package.json': manifest(root), 'package-lock.json': lock(reg('a', '1.0.0', 1)) },
      { 'package-lock.json': lock(reg('a', '1.0.0', 1, { dependencies: { evil: '^1.0.0' } })) },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'patch' });
    const f = r.findings.filter((x) => x.ruleId === 'CPU015');
    expect(f.map((x) => x.evidence?.['pulledInBy'])).toEqual(['a@1.0.0']);
    expect(f[0]?.message).toContain('but a@1.0.0 was not updated');
  });
});
