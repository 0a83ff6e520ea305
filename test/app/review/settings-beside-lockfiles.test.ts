import { afterAll, describe, expect, it } from 'vitest';
import { isReviewInput } from '../../../src/app/review/snapshot.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * The scan stages read some settings beside a lockfile by name (pnpm-workspace.yaml, bunfig.toml, poetry.toml)
 * that the format catalogue does not list. A review lays out only its inputs, so it scanned both revisions as if
 * those files were absent: a change that adds one was never seen by the head scan.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const PYPROJECT = [
  '[tool.poetry]',
  'name = "app"',
  'version = "0.1.0"',
  'description = ""',
  'authors = []',
  '',
  '[tool.poetry.dependencies]',
  'python = "^3.10"',
  'bar = "^1.0"',
  '',
].join('\n');
const POETRY_LOCK = [
  '[[package]]',
  'name = "bar"',
  'version = "1.0.0"',
  'description = ""',
  'optional = false',
  'python-versions = "*"',
  `files = [{file = "bar-1.0.0-py3-none-any.whl", hash = "sha256:${'0'.repeat(64)}"}]`,
  '',
  '[metadata]',
  'lock-version = "2.0"',
  'python-versions = "^3.10"',
  'content-hash = "0000"',
  '',
].join('\n');

describe('review reads the settings the scan reads beside a lockfile', () => {
  it('a poetry.toml that turns TLS checks off → the head scan’s CPP071 is introduced, and the gate fails', async () => {
    const base = { 'pyproject.toml': PYPROJECT, 'poetry.lock': POETRY_LOCK };
    const repo = makeRepo(base, { ...base, 'poetry.toml': '[certificates.pypi]\ncert = false\n' });
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`)).toEqual([
      'CPP071@poetry.toml:2',
    ]);
    expect(r.gate?.passed).toBe(false);
  });

  it.each([
    { p: 'pnpm-workspace.yaml', want: true },
    { p: 'apps/web/bunfig.toml', want: true },
    { p: 'poetry.toml', want: true },
    { p: 'node_modules/x/pnpm-workspace.yaml', want: false },
    { p: 'docs/pnpm-workspace.yaml.md', want: false },
  ])('isReviewInput($p) is $want', ({ p, want }) => {
    expect(isReviewInput(p)).toBe(want);
  });
});
