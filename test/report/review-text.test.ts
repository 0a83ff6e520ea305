import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SUMMARY_BYTES } from '../../src/report/markdown.js';
import { toReviewMarkdown, toReviewText } from '../../src/report/review.js';
import { makeRepo, reviewHead } from '../app/review/repo.js';
import { manifest, npmLock, sri } from '../app/review/npm-lock.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/**
 * `chainproof review` prints this text to a CI log, where a line starting with `::` is a workflow command and escape
 * sequences reach the terminal. The change's names are the pull request's: file names and lockfile package names.
 */
describe('review text', () => {
  it('shows control characters, line breaks and bidi overrides in changed names, never obeys them', async () => {
    const evil = 'models/x\u001b[2J\u202egpj.pkl';
    const pkg = 'left-pad\n::warning::also injected';
    const root = { [pkg]: '^1.0.0' };
    const { dir, cleanup } = makeRepo(
      { 'package.json': manifest({}), 'package-lock.json': npmLock({}, {}) },
      {
        'package.json': manifest(root),
        'package-lock.json': npmLock(root, {
          [pkg]: {
            version: '1.0.0',
            resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz',
            integrity: sri(7),
          },
        }),
        [evil]: 'not a pickle',
      },
    );
    cleanups.push(cleanup);
    const text = toReviewText(await reviewHead(dir));
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('::'))).toEqual([]);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('models/x\\x1b[2J\\u202egpj.pkl');
    expect(text).toContain('left-pad\\x0a::warning::also injected');
  });
});

describe('review markdown', () => {
  it('stays under the job summary limit when a change holds hundreds of huge names', async () => {
    // Package names with spaces: elideLongRuns shortens runs without spaces only.
    const names = Array.from({ length: 220 }, (_, i) => `p${i} ${'word '.repeat(1200)}`.trim());
    const root = Object.fromEntries(names.map((n) => [n, '^1.0.0']));
    const { dir, cleanup } = makeRepo(
      { 'package.json': manifest({}), 'package-lock.json': npmLock({}, {}) },
      {
        'package.json': manifest(root),
        'package-lock.json': npmLock(
          root,
          Object.fromEntries(
            names.map((n, i) => [
              n,
              {
                version: '1.0.0',
                resolved: `https://registry.npmjs.org/p${i}/-/p${i}-1.0.0.tgz`,
                integrity: sri(i % 200),
              },
            ]),
          ),
        ),
      },
    );
    cleanups.push(cleanup);
    const md = toReviewMarkdown(await reviewHead(dir));
    expect(md).toContain('p0 word word');
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES + 200);
    expect(md).toMatch(/summary truncated at \d+ bytes/);
  });
});
