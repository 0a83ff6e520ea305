import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type Tree, reviewHead } from './repo.js';

/**
 * Updates whose danger lies in what the package manager checks, not in what the lockfile appears to say: each case
 * is a hand-made base and head lockfile, and the review must flag the head entry the way npm / yarn would see it.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate: 'patch' });
}

const sri = (alg: string, bytes: number, fill: number) => `${alg}-${Buffer.alloc(bytes, fill).toString('base64')}`;
const SHA512 = sri('sha512', 64, 7);
const SHA1 = sri('sha1', 20, 3);
const url = (n: string, v: string) => `https://registry.npmjs.org/${n}/-/${n}-${v}.tgz`;

/** package-lock.json v3 with `a@1.0.0` (entry at line 13) as `entry` says, and `p@1.0.0` with no bundle. */
function npmLock(entry: Record<string, unknown>): string {
  const root = { name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0' } };
  const packages = { '': root, 'node_modules/a': { version: '1.0.0', resolved: url('a', '1.0.0'), ...entry } };
  return JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n';
}
const A_LINE = 13;

function berryLock(checksum: string): string {
  return [
    '__metadata:',
    '  version: 8',
    '  cacheKey: 10c0',
    '',
    '"a@npm:^1.0.0":',
    '  version: 1.0.0',
    '  resolution: "a@npm:1.0.0"',
    `  checksum: ${checksum}`,
    '  languageName: node',
    '  linkType: hard',
    '',
  ].join('\n');
}
const HEX = 'a'.repeat(128);
const EVIL_HEX = 'e'.repeat(128);

interface Case {
  name: string;
  file: string;
  base: string;
  head: string;
  want: string[];
}

const cases: Case[] = [
  {
    name: 'npm: sha512 swapped for sha384 of other bytes — ssri checks only the strongest hash → CPU001',
    file: 'package-lock.json',
    base: npmLock({ integrity: SHA512 }),
    head: npmLock({ integrity: sri('sha384', 48, 9) }),
    want: [`CPU001:error@package-lock.json:${A_LINE}`],
  },
  {
    name: 'npm: a sha1 kept, a new sha512 of other bytes added next to it → CPU001 (npm checks the sha512)',
    file: 'package-lock.json',
    base: npmLock({ integrity: `${SHA1} ${SHA512}` }),
    head: npmLock({ integrity: `${SHA1} ${sri('sha512', 64, 9)}` }),
    want: [`CPU001:error@package-lock.json:${A_LINE}`],
  },
  {
    name: 'npm: sha1-only upgraded to sha512 is what npm does when it re-resolves → nothing',
    file: 'package-lock.json',
    base: npmLock({ integrity: SHA1 }),
    head: npmLock({ integrity: SHA512 }),
    want: [],
  },
  {
    name: 'npm: integrity stripped from the same version → CPD002 introduced',
    file: 'package-lock.json',
    base: npmLock({ integrity: SHA512 }),
    head: npmLock({}),
    want: [`CPD002:error@package-lock.json:${A_LINE}`],
  },
  {
    name: 'npm: integrity stripped and the entry marked inBundle with no bundling parent → CPD002 introduced',
    file: 'package-lock.json',
    base: npmLock({ integrity: SHA512 }),
    head: npmLock({ inBundle: true }),
    want: [`CPD002:error@package-lock.json:${A_LINE}`],
  },
  {
    name: 'yarn berry: checksum moved under another cache key (yarn rewrites instead of checking) → CPD016',
    file: 'yarn.lock',
    base: berryLock(`10c0/${HEX}`),
    head: berryLock(`9/${EVIL_HEX}`),
    want: ['CPD016:error@yarn.lock:5'],
  },
];

describe('review agrees with what the package manager will check', () => {
  it.each(cases)('$name', async ({ file, base, head, want }) => {
    const r = await review({ [file]: base }, { [file]: head });
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPD137' && f.ruleId !== 'CPD131')
      .map((f) => `${f.ruleId}:${f.level}@${f.location.path}:${f.location.line}`)
      .sort();
    expect(got).toEqual(want);
    if (want.length > 0) expect(r.gate?.passed).toBe(false);
  });
});
