import { afterAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * A Python dependency new to the lock that comes from a version-control checkout or a URL that is no wheel has no
 * wheel to take: pip (`make_distribution_for_install_requirement` makes a `SourceDistribution` of any link that is not
 * a wheel) and uv (`Package::to_dist` → `to_source_dist` for a git or URL source) build it, running its setup.py /
 * PEP 517 backend at install — the same CPU003 as an sdist-only index package new to the lock, not only the head
 * scan's CPP014 / CPP015 warnings about where it comes from.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const hex = (n: number) => String(n).padStart(64, '0');
const REQ = `requests==2.31.0 --hash=sha256:${hex(1)}\n`;
const PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["requests"]\n';
const UV_LOCK = [
  'version = 1',
  'requires-python = ">=3.11"',
  '',
  '[[package]]',
  'name = "requests"',
  'version = "2.31.0"',
  'source = { registry = "https://pypi.org/simple" }',
  `wheels = [{ url = "https://files.pythonhosted.org/packages/r/requests-2.31.0-py3-none-any.whl", hash = "sha256:${hex(1)}" }]`,
  '',
].join('\n');
const uvEntry = (name: string, source: string, extra = '') =>
  `\n[[package]]\nname = "${name}"\nversion = "1.0.0"\nsource = ${source}\n${extra}`;

const cases: { name: string; base: Tree; head: Tree; want: string[]; policy?: Policy }[] = [
  {
    name: 'requirements: a new `name @ https://…/x.tar.gz` → CPU003 at its line',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': `${REQ}evilpkg @ https://files.example.com/evilpkg-1.0.tar.gz\n` },
    want: ['CPU003@requirements.txt:2'],
  },
  {
    name: 'requirements: a new `name @ git+https://…@main` → CPU003',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': `${REQ}other @ git+https://github.com/example/other@main\n` },
    want: ['CPU003@requirements.txt:2'],
  },
  {
    name: 'requirements: a new wheel URL → nothing (a wheel runs no build)',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': `${REQ}wpkg @ https://files.example.com/wpkg-1.0-py3-none-any.whl#sha256=${hex(2)}\n` },
    want: [],
  },
  {
    name: 'requirements: the git dependency the base already installed, copied to a new file → nothing',
    base: { 'requirements.txt': `${REQ}other @ git+https://github.com/example/other@main\n` },
    head: { 'requirements-dev.txt': `other @ git+https://github.com/example/other@main\n` },
    want: [],
  },
  {
    name: 'requirements: a new git dependency the policy allows to build → nothing',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': `${REQ}other @ git+https://github.com/example/other@main\n` },
    want: [],
    policy: { ...DEFAULT_POLICY, dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: ['other'] } },
  },
  {
    name: 'uv.lock: a new git source and a new sdist URL source → CPU003 at each entry',
    base: { 'pyproject.toml': PYPROJECT, 'uv.lock': UV_LOCK },
    head: {
      'uv.lock':
        UV_LOCK +
        uvEntry('other', `{ git = "https://github.com/example/other?branch=main#${'a'.repeat(40)}" }`) +
        uvEntry(
          'evilpkg',
          '{ url = "https://files.example.com/evilpkg-1.0.0.tar.gz" }',
          `sdist = { hash = "sha256:${hex(3)}" }\n`,
        ),
    },
    want: ['CPU003@uv.lock:10', 'CPU003@uv.lock:15'],
  },
  {
    name: 'uv.lock: a new URL source locked with its wheel → nothing',
    base: { 'pyproject.toml': PYPROJECT, 'uv.lock': UV_LOCK },
    head: {
      'uv.lock':
        UV_LOCK +
        uvEntry(
          'wpkg',
          '{ url = "https://files.example.com/wpkg-1.0.0-py3-none-any.whl" }',
          `wheels = [{ url = "https://files.example.com/wpkg-1.0.0-py3-none-any.whl", hash = "sha256:${hex(4)}" }]\n`,
        ),
    },
    want: [],
  },
];

describe('review of a Python dependency new to the lock from a source the installer builds', () => {
  it.each(cases)('$name', async ({ base, head, want, policy }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, policy ? { policy } : {});
    const got = r.findings
      .filter((f) => f.ruleId === 'CPU003')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);
    expect(got).toEqual(want);
  });
});

describe('a patch update that also adds a URL requirement (CPU006)', () => {
  it('names the added package without a dangling `@` (a `name @ <url>` line pins no version)', async () => {
    const repo = makeRepo(
      { 'requirements.txt': `${REQ}six==1.16.0\n` },
      { 'requirements.txt': `${REQ}six==1.16.1\nevilpkg @ https://files.example.com/evilpkg-1.0.tar.gz\n` },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const cpu006 = r.findings.find((f) => f.ruleId === 'CPU006');
    expect(cpu006?.message).toContain('adds 1 package(s) (evilpkg)');
    expect(cpu006?.evidence?.['addedPackages']).toBe('evilpkg');
  });
});

describe('a versionless requirements entry whose git commit moved (CPU016)', () => {
  it('names the package without a dangling `@` (a `name @ <url>` line pins no version)', async () => {
    const repo = makeRepo(
      { 'requirements.txt': `${REQ}other @ git+https://github.com/example/other@${'a'.repeat(40)}\n` },
      { 'requirements.txt': `${REQ}other @ git+https://github.com/evil/other@${'b'.repeat(40)}\n` },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const cpu016 = r.findings.find((f) => f.ruleId === 'CPU016');
    expect(cpu016?.message).toMatch(/^other now resolves to git\+https:\/\/github\.com\/evil\/other@b{40} /);
  });
});
