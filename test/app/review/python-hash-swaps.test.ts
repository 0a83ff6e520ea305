import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * A Python release's hash replaced at the same version. pip passes a download matching ANY `--hash` of the pin
 * (`Hashes.check_against_chunks`), uv any hash the lock records for the version (`HashStrategy::Verify`), Poetry and
 * PDM any hash of the entry's files: a hash swapped in beside the old ones admits other bytes at the same version,
 * as an npm integrity swapped at the same version does (CPU001). A hash added while every old one stays is a wheel
 * uploaded to the release later and passes. A lockfile new to the change (a migration from requirements to uv.lock)
 * is held to the pins of the other Python lockfiles of the base revision.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const hex = (n: number) => String(n).padStart(64, '0');
const wheel = (n: number) => `requests-2.31.0-py${n}-none-any.whl`;

const requirements = (...hashes: number[]) =>
  [
    'requests==2.31.0 \\',
    ...hashes.map((h, i) => `    --hash=sha256:${hex(h)}${i < hashes.length - 1 ? ' \\' : ''}`),
  ].join('\n') + '\n';

/** uv.lock: requests 2.31.0 with one wheel per number (file name and hash from it), from `index`. */
const uvLock = (files: number[], index = 'https://pypi.org/simple') =>
  [
    'version = 1',
    'requires-python = ">=3.8"',
    '',
    '[[package]]',
    'name = "requests"',
    'version = "2.31.0"',
    `source = { registry = "${index}" }`,
    'wheels = [',
    ...files.map(
      (n) =>
        `    { url = "https://files.pythonhosted.org/packages/r/${wheel(n)}", hash = "sha256:${hex(n)}", size = 1 },`,
    ),
    ']',
    '',
  ].join('\n');
const pyproject = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["requests"]\n';

const poetryLock = (files: number[]) =>
  [
    '[[package]]',
    'name = "requests"',
    'version = "2.31.0"',
    'description = ""',
    'optional = false',
    'python-versions = ">=3.7"',
    'files = [',
    ...files.map((n) => `    {file = "${wheel(n)}", hash = "sha256:${hex(n)}"},`),
    ']',
    '',
    '[metadata]',
    'lock-version = "2.0"',
    'python-versions = "^3.8"',
    'content-hash = "0"',
    '',
  ].join('\n');
const poetryProject =
  '[tool.poetry]\nname = "app"\nversion = "1.0.0"\ndescription = ""\nauthors = []\n\n[tool.poetry.dependencies]\npython = "^3.8"\nrequests = "2.31.0"\n';

/** Pipfile.lock: requests 2.31.0 in `default` with these hashes, and in `develop` too when `develop` names some. */
const pipfileLock = (hashes: number[], develop: number[] = []) =>
  JSON.stringify(
    {
      _meta: {
        'pipfile-spec': 6,
        requires: {},
        sources: [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }],
      },
      default: { requests: { hashes: hashes.map((n) => `sha256:${hex(n)}`), index: 'pypi', version: '==2.31.0' } },
      develop:
        develop.length > 0
          ? { requests: { hashes: develop.map((n) => `sha256:${hex(n)}`), index: 'pypi', version: '==2.31.0' } }
          : {},
    },
    null,
    4,
  ) + '\n';

const pdmLock = (files: number[]) =>
  [
    '[metadata]',
    'groups = ["default"]',
    'lock_version = "4.4.1"',
    '',
    '[[package]]',
    'name = "requests"',
    'version = "2.31.0"',
    'summary = ""',
    'files = [',
    ...files.map((n) => `    {file = "${wheel(n)}", hash = "sha256:${hex(n)}"},`),
    ']',
    '',
  ].join('\n');

interface Case {
  name: string;
  base: Tree;
  head: Tree;
  remove?: string[];
  /** `rule@path:line` of the CPU001 findings. */
  want: string[];
}

const cases: Case[] = [
  {
    name: 'requirements: one of two --hash values replaced',
    base: { 'requirements.txt': requirements(1, 2) },
    head: { 'requirements.txt': requirements(1, 3) },
    want: ['CPU001@requirements.txt:1'],
  },
  {
    name: 'requirements: a hash added beside both old ones (a wheel uploaded later) passes',
    base: { 'requirements.txt': requirements(1, 2) },
    head: { 'requirements.txt': requirements(1, 2, 3) },
    want: [],
  },
  {
    name: 'requirements: a hash dropped (fewer files accepted) passes',
    base: { 'requirements.txt': requirements(1, 2) },
    head: { 'requirements.txt': requirements(1) },
    want: [],
  },
  {
    name: 'uv.lock: one wheel swapped for another file name and hash',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock([1, 2]) },
    head: { 'uv.lock': uvLock([1, 3]) },
    want: ['CPU001@uv.lock:4'],
  },
  {
    name: 'uv.lock: a wheel added to the release passes',
    base: { 'pyproject.toml': pyproject, 'uv.lock': uvLock([1, 2]) },
    head: { 'uv.lock': uvLock([1, 2, 3]) },
    want: [],
  },
  {
    name: 'poetry.lock: one file swapped for another',
    base: { 'pyproject.toml': poetryProject, 'poetry.lock': poetryLock([1, 2]) },
    head: { 'poetry.lock': poetryLock([1, 3]) },
    want: ['CPU001@poetry.lock:1'],
  },
  {
    name: 'Pipfile.lock: one of two hashes replaced',
    base: { 'Pipfile.lock': pipfileLock([1, 2]) },
    head: { 'Pipfile.lock': pipfileLock([1, 3]) },
    want: ['CPU001@Pipfile.lock:14'],
  },
  {
    // pipenv installs each category from its own section (`do_install_dependencies`): `pipenv sync` reads `default`
    // alone, so the `develop` copy keeping the old hashes does not make the swapped ones safe.
    name: 'Pipfile.lock: both hashes of the default entry replaced, the develop entry of the release kept',
    base: { 'Pipfile.lock': pipfileLock([1, 2], [1, 2]) },
    head: { 'Pipfile.lock': pipfileLock([3, 4], [1, 2]) },
    want: ['CPU001@Pipfile.lock:14'],
  },
  {
    name: 'Pipfile.lock: one hash of the develop entry replaced, the default entry kept',
    base: { 'Pipfile.lock': pipfileLock([1, 2], [1, 2]) },
    head: { 'Pipfile.lock': pipfileLock([1, 2], [1, 3]) },
    want: ['CPU001@Pipfile.lock:24'],
  },
  {
    name: 'Pipfile.lock: a hash added to both entries (a wheel uploaded later) passes',
    base: { 'Pipfile.lock': pipfileLock([1, 2], [1, 2]) },
    head: { 'Pipfile.lock': pipfileLock([1, 2, 3], [1, 2, 3]) },
    want: [],
  },
  {
    name: 'pdm.lock: one file swapped for another',
    base: { 'pyproject.toml': pyproject, 'pdm.lock': pdmLock([1, 2]) },
    head: { 'pdm.lock': pdmLock([1, 3]) },
    want: ['CPU001@pdm.lock:5'],
  },
  {
    name: 'requirements migrated to uv.lock: the same files pass',
    base: { 'pyproject.toml': pyproject, 'requirements.txt': requirements(1, 2) },
    head: { 'uv.lock': uvLock([1, 2]) },
    remove: ['requirements.txt'],
    want: [],
  },
  {
    name: 'requirements migrated to uv.lock: a file swapped inside the migration',
    base: { 'pyproject.toml': pyproject, 'requirements.txt': requirements(1, 2) },
    head: { 'uv.lock': uvLock([1, 3]) },
    remove: ['requirements.txt'],
    want: ['CPU001@uv.lock:4'],
  },
  {
    name: 'poetry.lock migrated to uv.lock: a file name kept with another hash',
    base: { 'pyproject.toml': poetryProject, 'poetry.lock': poetryLock([1, 2]) },
    head: {
      'pyproject.toml': pyproject,
      'uv.lock': uvLock([1, 2]).replace(`sha256:${hex(2)}`, `sha256:${hex(9)}`),
    },
    remove: ['poetry.lock'],
    want: ['CPU001@uv.lock:4'],
  },
  {
    name: 'a uv.lock beside requirements, the version from another index: not the same files',
    base: { 'pyproject.toml': pyproject, 'requirements.txt': requirements(1, 2) },
    head: { 'uv.lock': uvLock([1, 3], 'https://download.pytorch.org/whl/cpu') },
    want: [],
  },
];

describe('review: a Python hash replaced at the same version (CPU001)', () => {
  it.each(cases)('$name', async ({ base, head, remove, want }) => {
    const repo = makeRepo(base, head, remove);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const got = r.findings
      .filter((f) => f.ruleId === 'CPU001')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);
    expect(got.sort()).toEqual(want);
  });

  it('names the hashes that came in and went', async () => {
    const repo = makeRepo({ 'requirements.txt': requirements(1, 2) }, { 'requirements.txt': requirements(1, 3) });
    cleanups.push(repo.cleanup);
    const f = (await reviewHead(repo.dir)).findings.find((x) => x.ruleId === 'CPU001');
    expect(f?.message).toContain(
      'requests@2.31.0 now pins a hash it did not have at the base revision, in place of a hash it dropped',
    );
    expect(f?.evidence).toMatchObject({ before: `sha256:${hex(2)}`, after: `sha256:${hex(3)}` });
  });
});

describe('review: a hash swapped in one section of a real Pipfile.lock', () => {
  it('microsoft/presidio: filelock locked in default and develop, the default hashes replaced → CPU001 there', async () => {
    const real = readFileSync(corpusPath('python', 'lockfiles', 'microsoft-presidio.Pipfile.lock'), 'utf8');
    const entry = /("filelock": \{\n\s+"hashes": \[\n)((?:\s+"sha256:[0-9a-f]{64}",?\n)+)/.exec(real)!;
    const swapped = entry[2]!.replace(/[0-9a-f]{64}/g, (_, i: number) => hex(i + 1));
    const head = real.replace(entry[0], entry[1]! + swapped);
    // The develop section locks the same release and keeps the genuine hashes.
    expect(real.indexOf(entry[2]!, entry.index + entry[0].length)).toBeGreaterThan(0);
    const repo = makeRepo({ 'Pipfile.lock': real }, { 'Pipfile.lock': head });
    cleanups.push(repo.cleanup);
    const line = real.slice(0, entry.index).split('\n').length;
    const got = (await reviewHead(repo.dir)).findings.filter((f) => f.ruleId === 'CPU001');
    expect(got.map((f) => `${f.artifact?.kind === 'package' ? f.artifact.name : ''}@${f.location.line}`)).toEqual([
      `filelock@${line}`,
    ]);
  });
});

describe('review: one release locked from two indexes in a real uv.lock', () => {
  it('karpathy/nanochat: torch 2.9.1 from PyPI and from download.pytorch.org, another package edited → no CPU001', async () => {
    // The two entries name one wheel file (torch-2.9.1-cp310-none-macosx_11_0_arm64.whl) with other bytes on each
    // index; the base pins are kept per index, so the head's must be too, or any edit of the lock was a swap.
    const real = readFileSync(corpusPath('python', 'lockfiles', 'karpathy-nanochat.uv.lock'), 'utf8');
    const pyproject = readFileSync(corpusPath('python', 'lockfiles', 'karpathy-nanochat.pyproject.toml'), 'utf8');
    const head = real.replace(/(name = "idna"\nversion = "3.10"\n[^\n]*\n)sdist = [^\n]*\n/, (_, top: string) => top);
    expect(head).not.toBe(real);
    const repo = makeRepo({ 'uv.lock': real, 'pyproject.toml': pyproject }, { 'uv.lock': head });
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    expect(r.findings.filter((f) => f.ruleId === 'CPU001').map((f) => f.message)).toEqual([]);
  });
});
