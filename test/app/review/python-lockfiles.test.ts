import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * Python lockfiles are reviewed like npm ones: uv.lock, poetry.lock and requirements files at both revisions,
 * compared package by package. PyPI never takes a file name twice, so a release file whose hash changed is a
 * republish (CPU001); a requirements pin that keeps none of its hashes accepts only other bytes.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const hex = (n: number) => String(n).padStart(64, '0');
const uvLock = (version: string, hash: number) =>
  [
    'version = 1',
    'requires-python = ">=3.8"',
    '',
    '[[package]]',
    'name = "requests"',
    `version = "${version}"`,
    'source = { registry = "https://pypi.org/simple" }',
    `sdist = { url = "https://files.pythonhosted.org/packages/r/requests-${version}.tar.gz", hash = "sha256:${hex(hash)}", size = 1 }`,
    '',
  ].join('\n');
const pyproject = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["requests"]\n';
const pinned = (...hashes: number[]) =>
  [
    'requests==2.31.0 \\',
    ...hashes.map((h, i) => `    --hash=sha256:${hex(h)}${i < hashes.length - 1 ? ' \\' : ''}`),
  ].join('\n') + '\n';

interface Case {
  name: string;
  base: Tree;
  head: Tree;
  /** `rule@path:line` of the CPU findings. */
  want: string[];
  /** `kind name` of the listed changes. */
  changes?: string[];
}

const cases: Case[] = [
  {
    name: 'uv.lock: the same release, its sdist now with another hash → CPU001 at the package',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1) },
    head: { 'uv.lock': uvLock('2.31.0', 2) },
    want: ['CPU001@uv.lock:4'],
  },
  {
    name: 'uv.lock: a patch update is listed as one',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1) },
    head: { 'uv.lock': uvLock('2.31.1', 2) },
    want: [],
    changes: ['upgraded requests'],
  },
  {
    name: 'requirements: every --hash of a pin replaced → CPU001',
    base: { 'requirements.txt': pinned(1) },
    head: { 'requirements.txt': pinned(2) },
    want: ['CPU001@requirements.txt:1'],
  },
  {
    name: 'requirements: a hash added beside the old one (a wheel uploaded later) → no CPU001',
    base: { 'requirements.txt': pinned(1) },
    head: { 'requirements.txt': pinned(1, 2) },
    want: [],
  },
  {
    name: 'requirements: a pin moved to a URL → CPU002, not a downgrade',
    base: { 'requirements.txt': 'requests==2.31.0\n' },
    head: { 'requirements.txt': 'requests @ https://files.evil.example/requests-2.31.1.tar.gz\n' },
    want: ['CPU002@requirements.txt:1'],
  },
];

describe('review compares Python lockfiles', () => {
  it.each(cases)('$name', async ({ base, head, want, changes }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const got = r.findings
      .filter((f) => f.ruleId.startsWith('CPU'))
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);
    expect(got.sort()).toEqual(want);
    if (changes) expect(r.lockfiles.flatMap((lf) => lf.changes.map((c) => `${c.kind} ${c.name}`))).toEqual(changes);
  });
});
