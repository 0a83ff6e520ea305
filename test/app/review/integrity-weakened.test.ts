import { afterAll, describe, expect, it } from 'vitest';
import { manifest, npmLock, sri } from './npm-lock.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * An update whose lockfile entry checks a weaker hash than the version it replaces: npm verifies only the strongest
 * algorithm an entry records (ssri `pickAlgorithm`; checked with npm's own ssri: a `sha1-…` entry accepts any bytes
 * with that SHA-1, a `sha512-… sha1-…` entry only the sha512). Before, sha512 → sha1 in an update was CPD003 (a
 * warning the `any` gate passes); it is now CPU034, an error.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const SHA1 = `sha1-${Buffer.alloc(20, 7).toString('base64')}`;
const url = (v: string) => `https://registry.npmjs.org/a/-/a-${v}.tgz`;
const entry = (v: string, integrity: string) => ({ version: v, resolved: url(v), integrity });

const cases = [
  { name: 'sha512 → sha1 in a patch update → CPU034 (error)', from: sri(1), to: SHA1, want: ['CPU034@14:error'] },
  { name: 'sha512 → sha1 in a downgrade → CPU034 too', from: sri(1), to: SHA1, v: '0.9.0', want: ['CPU034@14:error'] },
  {
    name: 'sha512 → sha512 and sha1 (the strong one still checked) → nothing',
    from: sri(1),
    to: `${sri(2)} ${SHA1}`,
    want: [],
  },
  { name: 'sha1 → sha512 (npm upgrades it when it re-resolves) → nothing', from: SHA1, to: sri(2), want: [] },
  { name: 'sha512 → sha512 → nothing', from: sri(1), to: sri(2), want: [] },
];

describe('review of an update that weakens the lockfile integrity', () => {
  it.each(cases)('$name', async ({ from, to, v = '1.0.1', want }) => {
    const repo = makeRepo(
      { 'package.json': manifest({ a: '*' }), 'package-lock.json': npmLock({ a: '*' }, { a: entry('1.0.0', from) }) },
      { 'package-lock.json': npmLock({ a: '*' }, { a: entry(v, to) }) },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    const got = r.findings.filter((f) => f.ruleId === 'CPU034').map((f) => `${f.ruleId}@${f.location.line}:${f.level}`);
    expect(got).toEqual(want);
    if (want.length > 0) expect(r.gate?.passed).toBe(false);
  });
});
