import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * A change that makes pip or uv build packages from their sdists instead of installing wheels: the build runs the
 * package's own setup.py / PEP 517 backend at install (a wheel runs nothing), and pip-compile --generate-hashes pins
 * the sdist's hash too, so the hashes do not stop it. pip reads `--no-binary` / `--only-binary` anywhere in a
 * requirements file (req_file.py SUPPORTED_OPTIONS → `FormatControl.handle_mutual_excludes`) and in pip.conf; uv
 * reads `no-binary`, `no-binary-package`, `no-build` in uv.toml or pyproject `[tool.uv]`. Each is CPU026.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const hex = (n: number) => String(n).padStart(64, '0');
const REQ = `requests==2.31.0 \\\n    --hash=sha256:${hex(1)} \\\n    --hash=sha256:${hex(2)}\nurllib3==2.0.7 --hash=sha256:${hex(3)}\n`;
const PYPROJECT = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["requests"]\n';

const cases: { name: string; base: Tree; head: Tree; want: string[] }[] = [
  {
    name: 'requirements: --no-binary :all: added → CPU026 at its line',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': `# build everything\n--no-binary :all:\n${REQ}` },
    want: ['CPU026@requirements.txt:2'],
  },
  {
    name: 'requirements: --no-binary=Requests_X (one package, = form) → CPU026',
    base: { 'requirements/prod.txt': REQ },
    head: { 'requirements/prod.txt': `${REQ}--no-binary=Requests_X\n` },
    want: ['CPU026@requirements/prod.txt:5'],
  },
  {
    name: 'requirements: --only-binary :all: dropped → CPU026',
    base: { 'requirements.txt': `--only-binary :all:\n${REQ}` },
    head: { 'requirements.txt': REQ },
    want: ['CPU026@requirements.txt:1'],
  },
  {
    name: 'requirements: --no-binary :none: (nothing built) → nothing',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': `--no-binary :none:\n${REQ}` },
    want: [],
  },
  {
    name: 'requirements: --no-binary in a comment → nothing',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': `# pip install --no-binary :all: is slow\n${REQ}` },
    want: [],
  },
  {
    name: 'requirements: a package already covered by --no-binary :all: → nothing',
    base: { 'requirements.txt': `--no-binary :all:\n${REQ}` },
    head: { 'requirements.txt': `--no-binary :all:\n--no-binary urllib3\n${REQ}` },
    want: [],
  },
  {
    name: 'requirements: a clean patch update → nothing',
    base: { 'requirements.txt': REQ },
    head: { 'requirements.txt': REQ.replace('2.0.7', '2.0.8').replace(hex(3), hex(4)) },
    want: [],
  },
  {
    name: 'pip.conf: no-binary = :all: → CPU026',
    base: { 'requirements.txt': REQ, 'pip.conf': '[global]\ntimeout = 60\n' },
    head: { 'pip.conf': '[global]\ntimeout = 60\nno-binary = :all:\n' },
    want: ['CPU026@pip.conf:3'],
  },
  {
    name: 'uv: [tool.uv] no-binary = true → CPU026',
    base: { 'pyproject.toml': PYPROJECT },
    head: { 'pyproject.toml': `${PYPROJECT}\n[tool.uv]\nno-binary = true\n` },
    want: ['CPU026@pyproject.toml:7'],
  },
  {
    name: 'uv.toml: no-build = true dropped → CPU026',
    base: { 'pyproject.toml': PYPROJECT, 'uv.toml': 'no-build = true\n' },
    head: { 'uv.toml': 'no-build = false\n' },
    want: ['CPU026@uv.toml:1'],
  },
];

describe('review of a change that makes pip or uv build from source', () => {
  it.each(cases)('$name', async ({ base, head, want }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    const got = r.findings
      .filter((f) => f.ruleId === 'CPU026')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);
    expect(got).toEqual(want);
  });
});

describe('a requirements file over the install-settings bound', () => {
  it('is still compared as a lockfile, not reported unread (CPU030)', async () => {
    // pip-compile --generate-hashes of a large ML project: every wheel's hash of every pin, over a megabyte.
    const pins = Array.from({ length: 300 }, (_, i) =>
      [`pkg${i}==1.0.0 \\`, ...Array.from({ length: 50 }, (_, j) => `    --hash=sha256:${hex(i * 100 + j)} \\`)].join(
        '\n',
      ),
    ).join('\n    --hash=sha256:' + hex(0) + '\n');
    const base = `${pins}\n`;
    expect(base.length).toBeGreaterThan(1024 * 1024);
    const repo = makeRepo(
      { 'requirements.txt': base },
      { 'requirements.txt': base.replace('pkg0==1.0.0', 'pkg0==1.0.1') },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'patch' });
    // Offline, the moved pin carries the note that its index was not asked (python-index-builds.test.ts).
    expect(r.findings.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPD130:note']);
    expect(r.lockfiles.flatMap((l) => l.changes.map((c) => `${c.kind} ${c.name}`))).toEqual(['upgraded pkg0']);
  });
});
