import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import type { Policy } from '../../../src/core/policy.js';
import { toReviewMarkdown } from '../../../src/report/review.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { makeRepo, reviewHead } from './repo.js';
import { idnaPyproject, idnaUvLock } from './projects.js';
import { manifest, npmLock, sri, type Entry } from './npm-lock.js';

/**
 * One finding per moved entry: a version move that also leaves the registry is CPU002 in the review, and the head
 * scan judges the same entry as CPD020 (package.json still asks for a registry range) or CPD007 / CPD008 (it asks for
 * the git or tarball source). CPD020 stands alone over CPU002 — and over CPU001 / CPU016 when the version stayed and
 * the bytes or the source moved — CPU002 over CPD007 / CPD008, unless the policy puts the survivor lower than the one
 * it would replace.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const GIT = 'git+ssh://git@github.com/evil/is-odd.git#0123456789abcdef0123456789abcdef01234567';
const TARBALL = (name: string) => `https://evil.example.com/${name}-1.3.1.tgz`;
const registryEntry = (name: string, version: string): Entry => ({
  version,
  resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
  integrity: sri(1),
});

async function review(
  deps: Record<string, string>,
  headDeps: Record<string, string>,
  head: Record<string, Entry>,
  policy: Policy = DEFAULT_POLICY,
): Promise<ReviewResult> {
  const base = Object.fromEntries(Object.keys(head).map((n) => [n, registryEntry(n, '1.3.0')]));
  const repo = makeRepo(
    { 'package.json': manifest(deps), 'package-lock.json': npmLock(deps, base) },
    { 'package.json': manifest(headDeps), 'package-lock.json': npmLock(headDeps, head) },
  );
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { policy });
}

/** `rule@package:level` of the findings at the lockfile's package entries. */
const atEntries = (r: ReviewResult) =>
  r.findings
    .filter((f) => f.location.path === 'package-lock.json')
    .map((f) => `${f.ruleId}@${f.artifact?.kind === 'package' ? f.artifact.name : '?'}:${f.level}`)
    .sort();

const withRules = (rules: Policy['rules']): Policy => ({
  ...DEFAULT_POLICY,
  rules: { ...DEFAULT_POLICY.rules, ...rules },
});

describe('review: one finding per moved entry', () => {
  it('a registry range locked to git or a tarball by the update is CPD020 alone, not also CPU002', async () => {
    const deps = { 'left-pad': '^1.3.0', 'is-odd': '^1.3.0' };
    const r = await review(deps, deps, {
      'left-pad': { version: '1.3.1', resolved: TARBALL('left-pad'), integrity: sri(2) },
      'is-odd': { version: '1.3.1', resolved: GIT },
    });
    expect(atEntries(r)).toEqual(['CPD020@is-odd:error', 'CPD020@left-pad:error']);
  });

  it('the same version re-pointed off the registry is CPD020 alone, carrying what CPU001 / CPU016 knew of the base', async () => {
    const deps = { 'left-pad': '^1.3.0', 'is-odd': '^1.3.0' };
    const head = {
      'left-pad': { version: '1.3.0', resolved: 'https://evil.example.com/left-pad-1.3.0.tgz', integrity: sri(2) },
      'is-odd': { version: '1.3.0', resolved: GIT },
    };
    const r = await review(deps, deps, head);
    expect(atEntries(r)).toEqual(['CPD020@is-odd:error', 'CPD020@left-pad:error']);
    const [isOdd, leftPad] = ['is-odd', 'left-pad'].map((n) =>
      r.findings.find((f) => f.ruleId === 'CPD020' && f.artifact?.kind === 'package' && f.artifact.name === n),
    );
    expect(leftPad?.evidence).toMatchObject({
      reviewed: 'CPU001',
      algorithm: 'sha512',
      before: sri(1).slice('sha512-'.length),
      after: sri(2).slice('sha512-'.length),
      manifest: 'package.json',
    });
    expect(leftPad?.message).toContain("The review adds: its sha512 differs from the base revision's");
    expect(isOdd?.evidence).toMatchObject({
      reviewed: 'CPU016',
      before: 'https://registry.npmjs.org/is-odd/-/is-odd-1.3.0.tgz',
      declared: '^1.3.0',
    });
    expect(isOdd?.message).toContain(
      'The review adds: the same version resolved to https://registry.npmjs.org/is-odd/-/is-odd-1.3.0.tgz at the base revision.',
    );
    // Below error the injection stands for nothing: the review's own finding stays.
    const lowered = await review(deps, deps, head, withRules({ CPD020: 'warning' }));
    expect(atEntries(lowered)).toEqual([
      'CPD020@is-odd:warning',
      'CPD020@left-pad:warning',
      'CPU001@left-pad:error',
      'CPU016@is-odd:error',
    ]);
  });

  it('a dependency moved to the source package.json now asks for is CPU002 alone, not also CPD007 / CPD008', async () => {
    const r = await review(
      { 'left-pad': '^1.3.0', 'is-odd': '^1.3.0' },
      { 'left-pad': TARBALL('left-pad'), 'is-odd': GIT },
      {
        'left-pad': { version: '1.3.1', resolved: TARBALL('left-pad'), integrity: sri(2) },
        'is-odd': { version: '1.3.1', resolved: GIT },
      },
    );
    expect(atEntries(r)).toEqual(['CPU002@is-odd:error', 'CPU002@left-pad:error']);
  });

  it('a grouped CPU002 (a whole host move) covers the tarball warning of each member', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const r = await review(
      Object.fromEntries(names.map((n) => [n, '^1.3.0'])),
      Object.fromEntries(names.map((n) => [n, TARBALL(n)])),
      Object.fromEntries(names.map((n) => [n, { version: '1.3.1', resolved: TARBALL(n), integrity: sri(2) }])),
    );
    const grouped = r.findings.filter((f) => f.ruleId === 'CPU002');
    expect(grouped.map((f) => f.evidence?.['count'])).toEqual([6]);
    expect(r.findings.filter((f) => f.ruleId === 'CPD008')).toEqual([]);
  });

  it('keeps both when the policy puts the survivor lower than the finding it would replace', async () => {
    const deps = { 'left-pad': '^1.3.0' };
    const head = { 'left-pad': { version: '1.3.1', resolved: TARBALL('left-pad'), integrity: sri(2) } };
    const injected = await review(deps, deps, head, withRules({ CPD020: 'warning' }));
    expect(atEntries(injected)).toEqual(['CPD020@left-pad:warning', 'CPU002@left-pad:error']);
    const moved = await review(deps, { 'left-pad': TARBALL('left-pad') }, head, withRules({ CPU002: 'off' }));
    expect(atEntries(moved)).toEqual(['CPD008@left-pad:warning']);
  });
});

/**
 * An update that moves a registry entry to a registry host the policy does not allow is CPD005 in the head scan and
 * CPU002 in the review: one cause. CPD005 stands (the policy's verdict, the scan's fingerprint, one group per host) and
 * says where the entries came from at the base revision.
 */
describe('review: one finding per entry moved to a disallowed host', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const onHost = (n: string, host: string): Entry => ({
    version: '1.3.1',
    resolved: `https://${host}/${n}/-/${n}-1.3.1.tgz`,
    integrity: sri(2),
  });
  const deps = (ns: readonly string[]) => Object.fromEntries(ns.map((n) => [n, '^1.3.0']));

  it('one entry: CPD005 alone, with the base source', async () => {
    const r = await review(deps(['left-pad']), deps(['left-pad']), {
      'left-pad': onHost('left-pad', 'npm.evil.example'),
    });
    expect(r.findings.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPD005:error']);
    const f = r.findings[0]!;
    expect(f.message).toContain('The review adds: it came from registry (registry.npmjs.org) at the base revision.');
    expect(f.evidence?.['reviewed']).toBe('CPU002');
    // The head scan's lone CPD005 formats its artifact on demand: the fold keeps it, so reports name the package.
    expect(f.artifact).toEqual({ kind: 'package', ecosystem: 'npm', name: 'left-pad', version: '1.3.1' });
    expect(toReviewMarkdown(r)).toMatch(/\| package-lock\.json \| left-pad \|[^\n]*\| 🔴 CPD005 \|/);
  });

  it('a whole host move: the grouped CPD005 takes in the grouped CPU002', async () => {
    const r = await review(
      deps(names),
      deps(names),
      Object.fromEntries(names.map((n) => [n, onHost(n, 'npm.evil.example')])),
    );
    expect(r.findings.map((f) => `${f.ruleId}:${String(f.evidence?.['count'] ?? 1)}`)).toEqual(['CPD005:6']);
    expect(r.findings[0]?.message).toContain('they came from registry (registry.npmjs.org) at the base revision');
  });

  it('keeps both when the policy puts CPD005 lower than CPU002', async () => {
    const r = await review(
      deps(['left-pad']),
      deps(['left-pad']),
      { 'left-pad': onHost('left-pad', 'npm.evil.example') },
      withRules({ CPD005: 'warning' }),
    );
    expect(r.findings.map((f) => `${f.ruleId}:${f.level}`).sort()).toEqual(['CPD005:warning', 'CPU002:error']);
  });
});

describe('review: one finding per moved Python entry', () => {
  const COMMIT = '0123456789abcdef0123456789abcdef01234567';
  const PYPI = [
    'source = { registry = "https://pypi.org/simple" }',
    `sdist = { url = "https://files.pythonhosted.org/packages/i/idna-3.6.tar.gz", hash = "sha256:${'c'.repeat(64)}", size = 10 }`,
  ].join('\n');
  const GIT_SOURCE = `source = { git = "https://github.com/evil/idna?rev=${COMMIT}#${COMMIT}" }`;

  async function reviewUv(headProject: string, headLock: string): Promise<ReviewResult> {
    const repo = makeRepo(
      { 'pyproject.toml': idnaPyproject('idna>=3'), 'uv.lock': idnaUvLock('specifier = ">=3"', '3.6', PYPI) },
      { 'pyproject.toml': headProject, 'uv.lock': headLock },
    );
    cleanups.push(repo.cleanup);
    return reviewHead(repo.dir);
  }
  const atUvEntries = (r: ReviewResult) =>
    r.findings.filter((f) => f.location.path === 'uv.lock').map((f) => `${f.ruleId}:${f.level}`);

  it('uv: an index requirement locked to git by the update is CPP081 alone, not also CPU002', async () => {
    const r = await reviewUv(idnaPyproject('idna>=3'), idnaUvLock('specifier = ">=3"', '3.7', GIT_SOURCE));
    expect(atUvEntries(r)).toEqual(['CPP081:error']);
  });

  it('uv: a requirement moved to git in pyproject.toml is CPU002 alone, not also CPP014', async () => {
    const url = `git+https://github.com/evil/idna@${COMMIT}`;
    const r = await reviewUv(idnaPyproject(`idna @ ${url}`), idnaUvLock(`git = "${url}"`, '3.7', GIT_SOURCE));
    expect(atUvEntries(r)).toEqual(['CPU002:error']);
  });
});
