import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, type Tree } from './repo.js';
import { manifest, npmLock, sri } from './npm-lock.js';

/**
 * CPU031: a change that deletes a lockfile, empties it, or moves it away from the manifest it locked. The package
 * manager then resolves every version afresh on the next install, so the review compared nothing CI will install;
 * before, the deletion read as "packages removed", which the gate passes.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const lock = npmLock(
  { a: '^1.0.0' },
  { a: { version: '1.0.0', resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', integrity: sri(1) } },
);
const uvLock =
  'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "requests"\nversion = "2.31.0"\nsource = { registry = "https://pypi.org/simple" }\n';
const pyproject = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["requests"]\n';

interface Case {
  name: string;
  base: Tree;
  /** Paths the head commit deletes (`git rm`), and the files it writes. */
  remove?: string[];
  head?: Tree;
  /** `rule@path` of the CPU031 findings. */
  want: string[];
}

const cases: Case[] = [
  {
    name: 'package-lock.json deleted, package.json kept → CPU031 at package.json, the patch gate fails',
    base: { 'package.json': manifest({ a: '^1.0.0' }), 'package-lock.json': lock },
    remove: ['package-lock.json'],
    want: ['CPU031@package.json'],
  },
  {
    name: 'package-lock.json renamed to package-lock.json.bak → CPU031',
    base: { 'package.json': manifest({ a: '^1.0.0' }), 'package-lock.json': lock },
    remove: ['package-lock.json'],
    head: { 'package-lock.json.bak': lock },
    want: ['CPU031@package.json'],
  },
  {
    name: 'package-lock.json moved into another folder, package.json left behind → CPU031',
    base: { 'package.json': manifest({ a: '^1.0.0' }), 'package-lock.json': lock },
    remove: ['package-lock.json'],
    head: { 'old/package-lock.json': lock },
    want: ['CPU031@package.json'],
  },
  {
    name: 'package-lock.json emptied (npm reads it as none) → CPU031',
    base: { 'package.json': manifest({ a: '^1.0.0' }), 'package-lock.json': lock },
    head: { 'package-lock.json': '' },
    want: ['CPU031@package.json'],
  },
  {
    name: 'uv.lock deleted, pyproject.toml kept → CPU031 at pyproject.toml',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock },
    remove: ['uv.lock'],
    want: ['CPU031@pyproject.toml'],
  },
  {
    name: 'lockfile and manifest moved together (a monorepo reshuffle) → nothing',
    base: { 'package.json': manifest({ a: '^1.0.0' }), 'package-lock.json': lock },
    remove: ['package.json', 'package-lock.json'],
    head: { 'apps/web/package.json': manifest({ a: '^1.0.0' }), 'apps/web/package-lock.json': lock },
    want: [],
  },
  {
    name: 'npm swapped for pnpm (package-lock.json out, pnpm-lock.yaml in) → nothing',
    base: { 'package.json': manifest({ a: '^1.0.0' }), 'package-lock.json': lock },
    remove: ['package-lock.json'],
    head: {
      'pnpm-lock.yaml':
        "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: " +
        sri(1) +
        '}\n\nsnapshots:\n\n  a@1.0.0: {}\n',
    },
    want: [],
  },
];

describe('review of a change that removes a lockfile', () => {
  it.each(cases)('$name', async ({ base, remove = [], head = {}, want }) => {
    const repo = makeRepo(base, head, remove);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'patch' });
    expect(r.findings.filter((f) => f.ruleId === 'CPU031').map((f) => `${f.ruleId}@${f.location.path}`)).toEqual(want);
    if (want.length > 0) expect(r.gate?.passed).toBe(false);
  });
});
