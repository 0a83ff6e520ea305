import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, reviewHead, reviewWorkTree } from './repo.js';

/**
 * `review` in a repository without a work tree: a bare clone (a server-side hook, a mirror) or a folder inside `.git`
 * (git treats both alike: `rev-parse --is-inside-work-tree` is false). Before, both failed with git's "relative path
 * syntax can't be used outside working tree". Two commits now compare as `git diff A B` does there (whole trees, the
 * base revision's policy when none sits beside the repository); the work tree as head is a usage error naming --head.
 */
const STRICT = 'version: 1\nmodels:\n  forbiddenFormats: [pickle]\n';
/** Protocol-0 pickle of an empty dict: benign, but a pickle. */
const PICKLE = '(dp0\n.';
const lock = (v: string) =>
  JSON.stringify({
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0' } },
      'node_modules/a': {
        version: v,
        resolved: `https://evil.example/a-${v}.tgz`,
        integrity: `sha512-${'A'.repeat(86)}==`,
      },
    },
  });

let repo: { dir: string; cleanup: () => void };
let inWorkTree: ReviewResult;
beforeAll(async () => {
  repo = makeRepo(
    { 'package-lock.json': lock('1.0.0'), '.chainproof/policy.yml': STRICT },
    { 'package-lock.json': lock('1.0.1'), 'models/m.pkl': PICKLE },
  );
  inWorkTree = await reviewHead(repo.dir);
});
afterAll(() => repo.cleanup());

const ids = (r: ReviewResult) => [...new Set(r.findings.map((f) => `${f.ruleId}@${f.location.path}`))].sort();

describe('review without a work tree', () => {
  it('two commits from inside .git: the whole tree compared, as in the work tree', async () => {
    const r = await reviewHead(path.join(repo.dir, '.git'));
    expect(r.lockfiles.map((l) => `${l.lockfile}:${l.status}:${l.changes.length}`)).toEqual([
      'package-lock.json:changed:1',
    ]);
    // The work-tree review was handed the default policy; without a work tree the base's policy.yml judges (CPM006).
    expect(ids(r).filter((f) => !f.startsWith('CPM006'))).toEqual(ids(inWorkTree));
    expect(ids(inWorkTree).length).toBeGreaterThan(0);
  });

  it('judged by the base revision policy (no policy file beside a bare repository): the pickle is forbidden', async () => {
    const r = await reviewHead(path.join(repo.dir, '.git', 'refs'));
    expect(ids(r)).toContain('CPM006@models/m.pkl');
    expect(ids(inWorkTree)).not.toContain('CPM006@models/m.pkl');
  });

  it('the work tree as head → a usage error (exit 2) naming --head', async () => {
    const err = await reviewWorkTree(path.join(repo.dir, '.git')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(String(err)).toMatch(/--head/);
  });
});
