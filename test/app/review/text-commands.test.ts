import { afterAll, describe, expect, it } from 'vitest';
import { toReviewText } from '../../../src/report/review.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * `chainproof review` prints its text in CI logs, where GitHub's runner reads a line as a workflow command when it
 * starts with `::` after leading white space (ActionCommand.TryParseV2 trims it) and as a legacy command wherever
 * `##[` appears (ActionCommand.TryParse). A lockfile entry's name and version are the pull request's text: a name
 * holding a newline started a line of its own, `::error::` and all; a leading space did not stop the runner.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const sri = (n: number) => `sha512-${Buffer.alloc(64, n).toString('base64')}`;
const lock = (packages: Record<string, unknown>) =>
  JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { dependencies: { a: '^1.0.0' } }, ...packages } });
const A = { version: '1.0.0', resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', integrity: sri(1) };

describe('review text output of hostile package names', () => {
  it('no line is a workflow command, and every entry stays one line', async () => {
    const hostile = {
      name: 'b\n::error title=x::forged\u2028 ::notice::sep',
      version: '1.0.0\n   ::warning::from-the-version',
      resolved: 'https://registry.npmjs.org/b/-/b-1.0.0.tgz',
      integrity: sri(2),
    };
    const legacy = { ...hostile, name: 'c##[error]legacy', version: '2.0.0' };
    const repo = makeRepo(
      { 'package-lock.json': lock({ 'node_modules/a': A }) },
      { 'package-lock.json': lock({ 'node_modules/a': A, 'node_modules/b': hostile, 'node_modules/c': legacy }) },
    );
    cleanups.push(repo.cleanup);
    const text = toReviewText(await reviewHead(repo.dir, { gate: 'patch' }));
    const lines = text.split('\n');
    expect(lines.filter((l) => l.trimStart().startsWith('::') || l.includes('##['))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('  added'))).toHaveLength(2);
    // The newline is shown, not written: the name reads as it is in the lockfile.
    expect(text).toContain('b\\x0a::error title=x::forged');
  });
});
