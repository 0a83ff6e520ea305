import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../app/review/repo.js';
import { REPO, runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * A PyPI version has many spellings of one release: pip parses each into packaging's `Version` and compares those
 * (`1.16` = `1.16.0`, `1.0.0-alpha.1` = `1.0a1`, `1.0-1` = `1.0.post1`, `v1.0` = `1.0`, `0!1.0` = `1.0`). A policy
 * line or a lockfile written one way must meet the other; a local label (`2.1.0+cpu`) is another build with other
 * files and never meets the public release.
 */
const tree = tempTrees('chainproof-pep440-');
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const hex = (c: string) => c.repeat(64);

interface Report {
  readonly findings: readonly { ruleId: string; location: { path: string; line?: number }; message: string }[];
  readonly suppressed: readonly { ruleId: string; location: { path: string; line?: number } }[];
}

/** requirements.txt in hash-checking mode (idna has a hash) with `locked` unhashed: CPP011 at line 1. */
async function scanSuppressing(locked: string, suppressed: string): Promise<Report> {
  const dir = tree({
    'requirements.txt': `${locked}\nidna==3.7 --hash=sha256:${hex('a')}\n`,
    '.chainproof/policy.yml': `version: 1\nsuppressions:\n  - rule: CPP011\n    package: "${suppressed}"\n    ecosystem: pypi\n    reason: accepted\n    expires: 2099-01-01\n`,
  });
  const r = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '-f', 'json'], { cwd: REPO });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const cpp011 = (list: Report['suppressed']) => list.filter((f) => f.ruleId === 'CPP011').length;

describe('a suppression of a PyPI version meets every spelling pip reads as that release', () => {
  it.each([
    ['six==1.16', 'six@1.16.0'],
    ['six==1.16.0', 'six@1.16'],
    ['six==1.16.0', 'six@v1.16.0.0'],
    ['six==01.016', 'pkg:pypi/six@1.16'],
    ['demo==1.0.0a1', 'demo@1.0.0-alpha.1'],
    ['demo==1.0-ALPHA_1', 'demo@1.0a1'],
    ['demo==1.0.post1', 'demo@1.0-1'],
    ['demo==1.0rev', 'demo@1.0.post0'],
    ['demo==1.0c2', 'demo@1.0rc2'],
    ['demo==1.0.dev', 'demo@1.0-dev0'],
    ['demo==0!1.0', 'demo@1.0'],
    ['torch==2.1.0+CU121.01', 'torch@2.1+cu121-1'],
  ])('%s is hidden by %s', async (locked, suppressed) => {
    const r = await scanSuppressing(locked, suppressed);
    expect(cpp011(r.suppressed)).toBe(1);
    expect(cpp011(r.findings)).toBe(0);
  });

  it.each([
    // Another release.
    ['six==1.16', 'six@1.16.1'],
    ['demo==1.0a1', 'demo@1.0b1'],
    ['demo==1.0.post1', 'demo@1.0'],
    ['demo==1!1.0', 'demo@1.0'],
    // A local label is another build of the release, with its own files and hashes: `Version.__eq__` tells them
    // apart, as pip's installed-version checks do. Accepting PyPI's torch 2.1.0 accepts nothing of a +cpu wheel from
    // another index, and the reverse.
    ['torch==2.1.0+cpu', 'torch@2.1.0'],
    ['torch==2.1.0', 'torch@2.1.0+cpu'],
    ['torch==2.1.0+cpu', 'torch@2.1.0+cu121'],
    // Beyond 2^53 a float would round both to one number.
    ['demo==1.9007199254740993', 'demo@1.9007199254740992'],
    // Not PEP 440 (arbitrary equality text): compared as written.
    ['demo===foo-bar', 'demo@foo_bar'],
  ])('%s is not hidden by %s', async (locked, suppressed) => {
    const r = await scanSuppressing(locked, suppressed);
    expect(cpp011(r.suppressed)).toBe(0);
    expect(cpp011(r.findings)).toBe(1);
  });
});

/** A requirements entry of `version` with these `--hash` digests (one letter each). */
const requirements = (version: string, ...hashes: string[]) =>
  [`six==${version} \\`, ...hashes.map((h, i) => `    --hash=sha256:${hex(h)}${i < hashes.length - 1 ? ' \\' : ''}`)]
    .join('\n')
    .concat('\n');

/** uv.lock of six `version`, one wheel per digest letter. */
const uvLock = (version: string, ...hashes: string[]) =>
  [
    'version = 1',
    'requires-python = ">=3.8"',
    '',
    '[[package]]',
    'name = "six"',
    `version = "${version}"`,
    'source = { registry = "https://pypi.org/simple" }',
    'wheels = [',
    ...hashes.map(
      (h) =>
        `    { url = "https://files.pythonhosted.org/packages/s/six-1.16.0-py${h}-none-any.whl", hash = "sha256:${hex(h)}", size = 1 },`,
    ),
    ']',
    '',
  ].join('\n');
const pyproject = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["six"]\n';

async function review(
  base: Record<string, string>,
  head: Record<string, string>,
  extra: string[] = [],
  remove: string[] = [],
) {
  const repo = makeRepo(base, head, remove);
  cleanups.push(repo.cleanup);
  const args = ['review', repo.dir, '--base', 'HEAD~1', '--head', 'HEAD', '--offline', '--no-cache', ...extra];
  return runMain([...args, '-f', 'json'], { cwd: REPO });
}

interface ReviewJson {
  readonly findings: readonly { ruleId: string; location: { path: string; line?: number }; message: string }[];
  readonly lockfiles: readonly { lockfile: string; changes: readonly unknown[] }[];
}

const cpu001 = (stdout: string) =>
  (JSON.parse(stdout) as ReviewJson).findings
    .filter((f) => f.ruleId === 'CPU001')
    .map((f) => `${f.location.path}:${f.location.line}`);

describe('review: a re-spelt version is the same release', () => {
  it('a hash swapped while the pin is re-spelt 1.16.0 → 1.16 is a republished release (CPU001)', async () => {
    const r = await review(
      { 'requirements.txt': requirements('1.16.0', 'a', 'b') },
      { 'requirements.txt': requirements('1.16', 'a', 'c') },
      ['--fail-on', 'none'],
    );
    expect(cpu001(r.stdout)).toEqual(['requirements.txt:1']);
    expect((JSON.parse(r.stdout) as { findings: { message: string }[] }).findings[0]?.message).toContain(
      'six@1.16 now pins',
    );
  });

  it('the same inside a migration from requirements (v1.16) to uv.lock (1.16.0)', async () => {
    const r = await review(
      { 'pyproject.toml': pyproject, 'requirements.txt': requirements('v1.16', 'a', 'b') },
      { 'uv.lock': uvLock('1.16.0', 'a', 'c') },
      ['--fail-on', 'none'],
      ['requirements.txt'],
    );
    expect(cpu001(r.stdout)).toEqual(['uv.lock:4']);
  });

  it('a re-spelling with the same hashes is no update: the patch gate passes', async () => {
    const r = await review(
      { 'requirements.txt': requirements('1.16.0', 'a', 'b') },
      { 'requirements.txt': requirements('1.16', 'a', 'b') },
      ['--gate', 'patch'],
    );
    expect(r.code, r.stdout).toBe(0);
    expect(cpu001(r.stdout)).toEqual([]);
  });

  it('a local build is another release: +cpu → +cu121 is an update, its new hashes no republish', async () => {
    const r = await review(
      { 'requirements.txt': requirements('1.16.0+cpu', 'a', 'b') },
      { 'requirements.txt': requirements('1.16.0+cu121', 'a', 'c') },
      ['--gate', 'patch'],
    );
    expect(r.code).toBe(1);
    expect(cpu001(r.stdout)).toEqual([]);
  });
});

describe('review: a look-alike swap keeps the version however it is spelt', () => {
  it('requests==2.31.0 → reqeusts==2.31 is a swap at the same version (CPU037 error)', async () => {
    const r = await review({ 'requirements.txt': 'requests==2.31.0\n' }, { 'requirements.txt': 'reqeusts==2.31\n' }, [
      '--fail-on',
      'none',
    ]);
    const found = (JSON.parse(r.stdout) as { findings: { ruleId: string; level: string; message: string }[] }).findings
      .filter((f) => f.ruleId === 'CPU037')
      .map((f) => f.level);
    expect(found).toEqual(['error']);
  });
});

/** uv.lock of a project depending on a git package locked at `version` and `commit`. */
const gitLock = (version: string, commit: string) =>
  [
    'version = 1',
    'requires-python = ">=3.8"',
    '',
    '[[package]]',
    'name = "app"',
    'version = "1.0.0"',
    'source = { editable = "." }',
    'dependencies = [{ name = "gitdep" }]',
    '',
    '[[package]]',
    'name = "gitdep"',
    `version = "${version}"`,
    `source = { git = "https://github.com/acme/gitdep?rev=main#${commit.repeat(40)}" }`,
    '',
  ].join('\n');

describe('review: a git package moved to another commit while its version is re-spelt', () => {
  it('1.0.0 → 1.0 at another commit is the same version installing other code (CPU016)', async () => {
    const project =
      '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["gitdep @ git+https://github.com/acme/gitdep@main"]\n';
    const r = await review(
      { 'pyproject.toml': project, 'uv.lock': gitLock('1.0.0', 'a') },
      { 'uv.lock': gitLock('1.0', 'b') },
      ['--fail-on', 'none'],
    );
    const found = (JSON.parse(r.stdout) as ReviewJson).findings
      .filter((f) => f.ruleId === 'CPU016')
      .map((f) => `${f.location.path}:${f.location.line}`);
    expect(found).toEqual(['uv.lock:10']);
  });
});

describe('review: a migration that re-spells every version is still a migration', () => {
  it('requirements.txt (alpha==1.0) → uv.lock (alpha 1.0.0) pairs the two lockfiles, with no package moved', async () => {
    const h = (c: string) => `--hash=sha256:${hex(c)}`;
    const wheel = (n: string, v: string, c: string) =>
      `\n[[package]]\nname = "${n}"\nversion = "${v}"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [{ url = "https://files.pythonhosted.org/packages/x/${n}-${v}-py3-none-any.whl", hash = "sha256:${hex(c)}", size = 1 }]\n`;
    const lock =
      'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "app"\nversion = "1.0.0"\nsource = { editable = "." }\n' +
      'dependencies = [{ name = "alpha" }, { name = "beta" }, { name = "gamma" }]\n' +
      wheel('alpha', '1.0.0', 'a') +
      wheel('beta', '2.0.0', 'b') +
      wheel('gamma', '3.0.0', 'c');
    const project = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["alpha", "beta", "gamma"]\n';
    const repo = makeRepo(
      {
        'pyproject.toml': project,
        'requirements.txt': `alpha==1.0 ${h('a')}\nbeta==2.0 ${h('b')}\ngamma==3.0 ${h('c')}\n`,
      },
      { 'uv.lock': lock },
      ['requirements.txt'],
    );
    cleanups.push(repo.cleanup);
    const args = [
      'review',
      repo.dir,
      '--base',
      'HEAD~1',
      '--head',
      'HEAD',
      '--offline',
      '--no-cache',
      '--fail-on',
      'none',
    ];
    const r = await runMain(args, { cwd: REPO });
    expect(r.stdout).toContain('uv.lock (unchanged, migrated from requirements.txt, 3 → 3 packages)');
    expect(r.stdout).not.toContain('added');
  });
});
