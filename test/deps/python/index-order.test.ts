import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases/index-order');

/**
 * CPP075: how Poetry (`RepositoryPool.find_packages`), uv (`index-strategy`) and PDM (`respect-source-order`,
 * `include_packages`) combine a private index with PyPI decides whether a name published on PyPI can replace a
 * package locked from the private index. CPP070 (the private index is not in the policy) is a separate cause.
 */
const cases: { dir: string; name: string; want: string[]; packages?: string }[] = [
  {
    dir: 'poetry-supplemental',
    name: 'Poetry supplemental source: asked only when PyPI lacks the name; the pinned package is safe',
    want: ['CPP070@poetry.lock:1', 'CPP075@pyproject.toml:11'],
    packages: 'corp-utils',
  },
  {
    dir: 'poetry-primary-beside-pypi',
    name: 'Poetry primary source beside a declared primary PyPI: merged, the best version wins',
    want: ['CPP070@poetry.lock:1', 'CPP075@pyproject.toml:11'],
    packages: 'corp-utils',
  },
  {
    dir: 'poetry-explicit',
    name: 'Poetry explicit source: only packages naming it are looked up there',
    // corp-utils names no source, yet the lock has it from the explicit one: poetry lock never writes that (CPP078).
    want: ['CPP070@poetry.lock:1', 'CPP078@poetry.lock:1'],
  },
  {
    dir: 'uv-unsafe-best-match',
    name: 'uv index-strategy unsafe-best-match: every index for every name (as pip)',
    want: ['CPP070@uv.lock:10', 'CPP075@pyproject.toml:8'],
    packages: 'corp-utils',
  },
  {
    // uv.toml wins over [tool.uv] of the pyproject.toml beside it (uv-settings `FilesystemOptions::find`).
    dir: 'uv-toml-strategy',
    name: 'uv index-strategy unsafe-best-match set in uv.toml, the index declared there',
    want: ['CPP070@uv.lock:10', 'CPP075@uv.toml:1'],
    packages: 'corp-utils corp-pinned',
  },
  {
    dir: 'uv-toml-overrides-pyproject',
    name: "a uv.toml beside the pyproject.toml: [tool.uv] index-strategy is ignored, uv's first-index applies",
    want: ['CPP070@uv.lock:10'],
  },
  {
    dir: 'uv-first-index',
    name: "uv's default first-index: the declared index is asked before PyPI",
    want: ['CPP070@uv.lock:10'],
  },
  {
    dir: 'pdm-merged',
    name: 'PDM source without include_packages: candidates of all sources merged',
    want: ['CPP070@pyproject.toml:7', 'CPP075@pyproject.toml:7'],
  },
  {
    dir: 'pdm-include-packages',
    name: 'PDM source with include_packages: the only source asked for those names',
    want: ['CPP070@pyproject.toml:7'],
  },
  {
    // pdm.lock records no index: `pdm sync` asks pyproject.toml's sources, so they are the install's (CPP070).
    dir: 'pdm-pypi-renamed',
    name: 'PDM source named pypi: it replaces PyPI for every name',
    want: ['CPP070@pyproject.toml:8'],
  },
];

describe('index order and dependency confusion in pyproject.toml (CPP075)', () => {
  it.each(cases)('$name ($dir)', async (c) => {
    const r = await scanWith(path.join(CASES, c.dir), [pythonDepsStage]);
    const ids = r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort();
    expect(ids).toEqual(c.want);
    if (c.packages !== undefined) {
      expect(r.findings.find((f) => f.ruleId === 'CPP075')?.evidence?.['packages']).toBe(c.packages);
    }
  });
});

// No uv.lock yet: the next `uv lock` resolves with the pyproject.toml's indexes and strategy, so its unsafe
// strategy makes each uv index neither explicit nor default a pip-style extra index (CPP012).
describe('a lone pyproject.toml with an unsafe uv index-strategy (CPP012)', () => {
  const tree = tempTrees('cp-uv-lone-strategy-');
  it.each([
    { strategy: 'unsafe-best-match', want: ['CPP012@pyproject.toml:17', 'CPP012@pyproject.toml:6'] },
    { strategy: 'first-index', want: [] },
  ])('index-strategy = $strategy', async ({ strategy, want }) => {
    const dir = tree({
      'pyproject.toml': [
        '[project]', // 1
        'name = "app"', // 2
        'version = "0.1.0"', // 3
        'dependencies = ["corp-utils", "torch"]', // 4
        '', // 5
        '[[tool.uv.index]]', // 6
        'name = "corp"', // 7
        'url = "https://pypi.corp.example/simple"', // 8
        '', // 9
        '[[tool.uv.index]]', // 10
        'name = "pytorch"', // 11
        'url = "https://download.pytorch.org/whl/cpu"', // 12
        'explicit = true', // 13
        '', // 14
        '[tool.uv]', // 15
        `index-strategy = "${strategy}"`, // 16
        'extra-index-url = ["https://pypi.corp2.example/simple"]', // 17
        '', // 18
        '[tool.uv.sources]', // 19
        'torch = { index = "pytorch" }', // 20
      ].join('\n'),
    });
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: {
        ...DEFAULT_POLICY.dependencies,
        python: {
          indexes: [
            'https://pypi.corp.example/simple/',
            'https://pypi.corp2.example/simple/',
            'https://download.pytorch.org/whl/',
          ],
        },
      },
    };
    const r = await scanWith(dir, [pythonDepsStage], { policy });
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual(want);
  });
});

/**
 * CPP078: the lockfile, which the installer follows, resolves a package pinned to an index in pyproject.toml from
 * another one. poetry.lock edited alone keeps its content-hash (no CPP077); uv.lock names another registry URL.
 */
describe('a lockfile that ignores the index pyproject.toml pins a package to (CPP078)', () => {
  it.each([
    ['poetry-lock-drops-source', ['CPP070@poetry.lock:1', 'CPP078@poetry.lock:1', 'CPP078@poetry.lock:17']],
    ['uv-lock-other-registry', ['CPP078@uv.lock:10']],
  ])('%s', async (dir, want) => {
    const r = await scanWith(path.join(CASES, '..', 'pinned-index', dir), [pythonDepsStage]);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual(want);
  });
});

/**
 * Poetry asks an explicit source only for a dependency naming it (RepositoryPool; python-poetry/poetry#7981: not even
 * for a transitive dependency of a package from it), so a lock entry from an explicit source that no dependency of
 * that name pins is an edit: one CPP078 per source, whatever the number of packages.
 */
describe('poetry.lock packages from an explicit source no dependency names (CPP078)', () => {
  const tree = tempTrees('cp-poetry-explicit-');
  const entry = (name: string, source?: string) =>
    [
      '[[package]]',
      `name = "${name}"`,
      'version = "1.0"',
      'description = ""',
      'optional = false',
      'python-versions = ">=3.8"',
      'files = [',
      `    {file = "${name.replace(/-/g, '_')}-1.0-py3-none-any.whl", hash = "sha256:${'b'.repeat(64)}"},`,
      ']',
      ...(source === undefined
        ? []
        : [
            '',
            '[package.source]',
            'type = "legacy"',
            'url = "https://pypi.corp.example/simple"',
            `reference = "${source}"`,
          ]),
      '',
    ].join('\n');
  const lock = (...entries: string[]) =>
    [...entries, '[metadata]', 'lock-version = "2.1"', 'python-versions = ">=3.10"', 'content-hash = "0"', ''].join(
      '\n',
    );
  const pyproject = (deps: string) =>
    [
      '[tool.poetry]',
      'name = "app"',
      'version = "0.1.0"',
      '',
      '[tool.poetry.dependencies]',
      'python = ">=3.10"',
      deps,
      '',
      '[[tool.poetry.source]]',
      'name = "Corp"',
      'url = "https://pypi.corp.example/simple"',
      'priority = "explicit"',
      '',
    ].join('\n');
  const cpp078 = async (files: Record<string, string>) =>
    (await scanWith(tree(files), [pythonDepsStage])).findings.filter((f) => f.ruleId === 'CPP078');

  it('reports the unpinned packages once, and not a package pinned to it under a marker or in a group', async () => {
    const found = await cpp078({
      'pyproject.toml': pyproject(
        [
          'corp-a = "^1.0"',
          'corp-b = "^1.0"',
          'corp-c = [{ version = "^1.0", source = "corp", markers = "sys_platform == \'linux\'" }, { version = "^1.0", platform = "win32" }]',
          '',
          '[tool.poetry.group.dev.dependencies]',
          'corp-d = { version = "^1.0", source = "corp" }',
        ].join('\n'),
      ),
      'poetry.lock': lock(
        entry('corp-a', 'corp'),
        entry('corp-b', 'corp'),
        entry('corp-c', 'corp'),
        entry('corp-d', 'corp'),
        entry('requests'),
      ),
    });
    expect(found.map((f) => f.message)).toEqual([
      expect.stringMatching(/corp-a.*and 1 more \(corp-b\) are locked from the explicit source "Corp"/),
    ]);
  });

  it('says nothing when every package from it is pinned to it', async () => {
    const found = await cpp078({
      'pyproject.toml': pyproject('corp-a = { version = "^1.0", source = "corp" }'),
      'poetry.lock': lock(entry('corp-a', 'corp'), entry('requests')),
    });
    expect(found).toEqual([]);
  });
});

/**
 * `poetry install` downloads a locked package from the pyproject.toml source its lock entry names, by name, or (no
 * source) from PyPI if the pool has it, else the first source (Poetry's `Chooser._get_links`): never from the URL
 * poetry.lock writes. A lock that reads PyPI installs from whatever host the manifest's source names (CPP070).
 */
describe('poetry.lock packages install from the pyproject.toml source (Chooser._get_links)', () => {
  it.each([
    ['lock-url-reads-pypi', 'the lock records pypi.org for source "mirror"', ['CPP070@poetry.lock:1']],
    [
      'no-source-primary-mirror',
      'no [package.source], the only source is primary: PyPI is off',
      ['CPP070@poetry.lock:1'],
    ],
    ['no-source-supplemental', 'no [package.source], a supplemental source: PyPI stays', []],
    ['no-source-declared-pypi', 'no [package.source], PyPI declared beside a primary mirror', []],
  ])('%s: %s', async (dir, _what, want) => {
    const r = await scanWith(path.join(CASES, '..', 'poetry-install-index', dir), [pythonDepsStage]);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual(want);
    for (const f of r.findings) expect(f.evidence?.['host']).toBe('pypi-mirror.example.net');
  });
});
