import { afterAll, describe, expect, it } from 'vitest';
import { pep440ChangeType } from '../../../src/app/review/diff.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * Python versions are ordered as pip, uv and Poetry order them (packaging's `Version`, PEP 440): `3.10` comes after
 * `3.7`, which string order (and semver, for which a two-part version is no version) got backwards — a real
 * Dependabot update read as a downgrade, and a downgrade as an update.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const pyproject = (deps: string[]) =>
  `[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ${JSON.stringify(deps)}\n`;
const VERSIONS: Record<string, string> = { six: '1.16.0', idna: '3.7' };
const uvLock = (deps: string[]) =>
  [
    'version = 1',
    'requires-python = ">=3.10"',
    '',
    '[[package]]',
    'name = "app"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    `dependencies = [${deps.map((d) => `{ name = "${d}" }`).join(', ')}]`,
    '',
    '[package.metadata]',
    `requires-dist = [${deps.map((d) => `{ name = "${d}" }`).join(', ')}]`,
    ...deps.flatMap((d) => [
      '',
      '[[package]]',
      `name = "${d}"`,
      `version = "${VERSIONS[d]}"`,
      'source = { registry = "https://pypi.org/simple" }',
      `wheels = [{ url = "https://files.pythonhosted.org/packages/${d}-${VERSIONS[d]}-py3-none-any.whl", hash = "sha256:${String(d.length).padStart(64, '0')}", size = 1 }]`,
    ]),
    '',
  ].join('\n');

async function reviewPins(from: string, to: string, gate: 'patch' | 'minor') {
  const repo = makeRepo({ 'requirements.txt': `idna==${from}\n` }, { 'requirements.txt': `idna==${to}\n` });
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate });
  const changes = r.lockfiles.flatMap((l) => l.changes.map((c) => `${c.kind} ${'type' in c ? c.type : ''}`));
  // Offline, a moved requirements pin carries the note that its index was not asked (python-index-builds.test.ts).
  return { changes, rules: r.findings.filter((f) => f.level !== 'note').map((f) => f.ruleId), passed: r.gate?.passed };
}

describe('a Python dependency the change declares is not a lockfile injection (CPU015)', () => {
  it.each([
    {
      name: 'a new requirements line',
      base: { 'requirements.txt': 'idna==3.7\n' },
      head: { 'requirements.txt': 'idna==3.7\nsix==1.16.0\n' },
    },
    {
      name: 'uv add: pyproject.toml and uv.lock gain the package',
      base: { 'pyproject.toml': pyproject(['six']), 'uv.lock': uvLock(['six']) },
      head: { 'pyproject.toml': pyproject(['six', 'idna']), 'uv.lock': uvLock(['idna', 'six']) },
    },
  ])('$name', async ({ base, head }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'patch' });
    // Offline, a new requirements pin carries the note that its index was not asked (python-index-builds.test.ts).
    expect(r.findings.filter((f) => f.level !== 'note').map((f) => f.ruleId)).toEqual([]);
    expect(r.lockfiles.flatMap((l) => l.changes.map((c) => `${c.kind} ${c.name}`))).toEqual(
      base['requirements.txt'] !== undefined ? ['added six'] : ['added idna'],
    );
    // Still no clean update: the gate lists the added package.
    expect(r.gate?.passed).toBe(false);
  });
});

describe('review orders Python versions by PEP 440', () => {
  it.each([
    {
      name: '3.7 → 3.10 is a minor update',
      from: '3.7',
      to: '3.10',
      gate: 'minor' as const,
      want: 'upgraded minor',
      rules: [],
      passed: true,
    },
    {
      name: '3.10 → 3.7 is a downgrade',
      from: '3.10',
      to: '3.7',
      gate: 'minor' as const,
      want: 'downgraded minor',
      rules: ['CPU014'],
      passed: false,
    },
    {
      name: '1.26.4 → 1.26.10 is a patch update',
      from: '1.26.4',
      to: '1.26.10',
      gate: 'patch' as const,
      want: 'upgraded patch',
      rules: [],
      passed: true,
    },
    {
      name: '2.0 → 2.0.post1 is an update, not a clean patch',
      from: '2.0',
      to: '2.0.post1',
      gate: 'patch' as const,
      want: 'upgraded other',
      rules: [],
      passed: false,
    },
  ])('$name', async ({ from, to, gate, want, rules, passed }) => {
    const r = await reviewPins(from, to, gate);
    expect(r.changes).toEqual([want]);
    expect(r.rules).toEqual(rules);
    expect(r.passed).toBe(passed);
  });

  it.each([
    { from: '3.7', to: '3.10', want: 'minor' },
    { from: '2024.1', to: '2025.2', want: 'major' },
    { from: '1.2', to: '1.2.1', want: 'patch' },
    { from: '1.2.3.4', to: '1.2.3.5', want: 'patch' },
    { from: '2.1.0+cpu', to: '2.1.0+cu121', want: 'other' },
    { from: '1.0', to: '1!0.5', want: 'other' },
    { from: '2.0.0', to: '2.1.0rc1', want: 'prerelease' },
    { from: '2.0.0', to: 'not a version', want: 'other' },
  ])('pep440ChangeType($from, $to) is $want', ({ from, to, want }) => {
    expect(pep440ChangeType(from, to)).toBe(want);
  });
});
