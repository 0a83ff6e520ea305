import { afterAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
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

/** uvLock's requests entry, then `evilpkg` 1.0.0 locked with only an sdist. */
const withSdistOnly = (lock: string) =>
  [
    lock,
    '[[package]]',
    'name = "evilpkg"',
    'version = "1.0.0"',
    'source = { registry = "https://pypi.org/simple" }',
    `sdist = { url = "https://files.pythonhosted.org/packages/e/evilpkg-1.0.0.tar.gz", hash = "sha256:${hex(7)}", size = 1 }`,
    '',
  ].join('\n');
const evilProject = pyproject.replace('["requests"]', '["requests", "evilpkg"]');

/**
 * A dependency new to the lock that the installer builds from its sdist runs its setup.py / PEP 517 backend at install
 * (pip `SourceDistribution.prepare_distribution_metadata`, uv `Package::to_dist` → `to_source_dist`): the same code
 * at the same moment as a new npm package's `postinstall`, so the same CPU003 — and, like it, not when the installer
 * will not build it or the policy allows it.
 */
const newBuilds: (Case & { policy?: Policy })[] = [
  {
    name: 'uv.lock: a new package locked with only an sdist → CPU003 at its entry',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: { 'pyproject.toml': evilProject, 'uv.lock': withSdistOnly(uvLock('2.31.0', 1, 2)) },
    want: ['CPU003@uv.lock:13'],
  },
  {
    name: 'poetry.lock: a new package locked with only an sdist → CPU003',
    base: { 'pyproject.toml': pyproject, 'poetry.lock': poetryLock('2.31.0', ['requests-2.31.0-py3-none-any.whl']) },
    head: { 'poetry.lock': poetryLock('2.31.0', ['requests-2.31.0.tar.gz']).replace(/"requests"/, '"evilpkg"') },
    want: ['CPU003@poetry.lock:1'],
  },
  {
    name: 'uv.lock: a new package with a wheel → nothing',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: {
      'pyproject.toml': evilProject,
      'uv.lock': `${uvLock('2.31.0', 1, 2)}\n${uvLock('1.0.0', 7, 8).split('\n').slice(3).join('\n').replaceAll('requests', 'evilpkg')}`,
    },
    want: [],
  },
  {
    // The head scan's CPP074 says where it builds (`buildsOn`): a build only on some platforms stays that warning,
    // as an update to such a release does.
    name: 'uv.lock: a new package with wheels for Linux x86_64 only → the CPP074 warning, not CPU003',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: {
      'pyproject.toml': evilProject,
      'uv.lock': [
        withSdistOnly(uvLock('2.31.0', 1, 2)).trimEnd(),
        'wheels = [',
        `    { url = "https://files.pythonhosted.org/packages/e/evilpkg-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:${hex(8)}", size = 1 },`,
        ']',
        '',
      ].join('\n'),
    },
    want: ['CPP074@uv.lock:13'],
  },
  {
    name: 'uv.lock: a new sdist-only package the policy allows to build → nothing',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: { 'pyproject.toml': evilProject, 'uv.lock': withSdistOnly(uvLock('2.31.0', 1, 2)) },
    want: [],
    policy: {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: ['evilpkg'] },
    },
  },
  {
    // uv-resolver `Package::to_dist`: a package uv may not build is never built; the install fails instead.
    name: 'uv.lock: a new sdist-only package uv may not build (no-build-package) → nothing',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: {
      'pyproject.toml': `${evilProject}\n[tool.uv]\nno-build-package = ["evilpkg"]\n`,
      'uv.lock': withSdistOnly(uvLock('2.31.0', 1, 2)),
    },
    want: [],
  },
  {
    name: 'uv.lock: an update to an sdist-only release uv may not build (no-build-package) → nothing',
    base: {
      'pyproject.toml': `${pyproject}\n[tool.uv]\nno-build-package = ["requests"]\n`,
      'uv.lock': uvLock('2.31.0', 1, 2),
    },
    head: { 'uv.lock': uvLock('2.31.1', 3) },
    want: [],
  },
  {
    name: 'uv.lock: an update to an sdist-only release the policy allows to build → nothing',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock('2.31.0', 1, 2) },
    head: { 'uv.lock': uvLock('2.31.1', 3) },
    want: [],
    policy: {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: ['requests'] },
    },
  },
  {
    // The base requirements file installed evilpkg==1.0.0 too, wheel or sdist as the release offered: no new build,
    // and the head scan's warning about the build stays.
    name: 'uv.lock: a new sdist-only package a base requirements file already pinned → CPP074 only',
    base: {
      'pyproject.toml': pyproject,
      'uv.lock': uvLock('2.31.0', 1, 2),
      'tools/requirements.txt': `evilpkg==1.0.0 --hash=sha256:${hex(7)}\n`,
    },
    head: { 'pyproject.toml': evilProject, 'uv.lock': withSdistOnly(uvLock('2.31.0', 1, 2)) },
    want: ['CPP074@uv.lock:13'],
  },
];

/** poetryLock with a `[package.source]` table naming the index the entry comes from. */
const poetryFrom = (version: string, files: readonly string[], index: string) =>
  poetryLock(version, files).replace(
    '\n[metadata]',
    `\n[package.source]\ntype = "legacy"\nurl = "${index}"\nreference = "idx"\n\n[metadata]`,
  );
const reqWheel = (v: string) => [`requests-${v}-py3-none-any.whl`];

/**
 * poetry.lock writes `[package.source]` only for an entry that does not come from the default index (Poetry's
 * `Chooser._get_links`: no source type → PyPI), so an update gaining or losing the table moves the package to
 * another index — as a uv.lock `source = { registry = … }` naming another host does (CPU002).
 */
const indexMoves: Case[] = [
  {
    // An index the default policy allows (the PyTorch one): only the move itself says anything.
    name: 'poetry.lock: an update now from another index ([package.source] added) → CPU002',
    base: { 'pyproject.toml': pyproject, 'poetry.lock': poetryLock('2.31.0', reqWheel('2.31.0')) },
    head: { 'poetry.lock': poetryFrom('2.31.1', reqWheel('2.31.1'), 'https://download.pytorch.org/whl/cpu') },
    want: ['CPU002@poetry.lock:1'],
  },
  {
    // The private package's name is now looked up on PyPI, where anyone may publish it.
    name: 'poetry.lock: an update no longer from its private index ([package.source] dropped) → CPU002',
    base: {
      'pyproject.toml': pyproject,
      'poetry.lock': poetryFrom('2.31.0', reqWheel('2.31.0'), 'https://download.pytorch.org/whl/cpu'),
    },
    head: { 'poetry.lock': poetryLock('2.31.1', reqWheel('2.31.1')) },
    want: ['CPU002@poetry.lock:1'],
  },
  {
    name: 'poetry.lock: an update that keeps its index → nothing',
    base: {
      'pyproject.toml': pyproject,
      'poetry.lock': poetryFrom('2.31.0', reqWheel('2.31.0'), 'https://download.pytorch.org/whl/cpu'),
    },
    head: { 'poetry.lock': poetryFrom('2.31.1', reqWheel('2.31.1'), 'https://download.pytorch.org/whl/cpu') },
    want: [],
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

  it.each(indexMoves)('$name', async ({ base, head, want }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const got = (await reviewHead(repo.dir)).findings
      .filter((f) => f.level === 'error')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);
    expect(got).toEqual(want);
  });

  it.each(newBuilds)('$name', async ({ base, head, want, policy }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, policy ? { policy } : {});
    const got = r.findings
      .filter((f) => /^CP(U003|P074)$/.test(f.ruleId))
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);
    expect(got).toEqual(want);
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
