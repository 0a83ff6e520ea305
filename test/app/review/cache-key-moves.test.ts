import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * A yarn berry lockfile whose `__metadata.cacheKey` the change moves, its checksums moved along: consistent within the
 * head file, so the head scan sees nothing, but yarn (`Cache.fetchPackageFromCache`, `validateFile`) takes a checksum
 * of another cache key than its own as an old cache format and keeps whatever it downloads. The yarn that wrote the
 * base lockfile then checks none of them: CPU034, one finding per lockfile, and the gate fails.
 */
const BABEL = readFileSync(corpusPath('lockfiles', 'babel.berry-v10.yarn.lock'), 'utf8');
/** The first checksum of the file, @actions/github's, and the 1-based line of that entry's header. */
const SUM = /checksum: 10\/([0-9a-f]{128})/.exec(BABEL)![1]!;
const ENTRY_LINE = BABEL.slice(0, BABEL.indexOf('"@actions/github@npm:')).split('\n').length;

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate: 'any' });
}

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`no change replacing ${String(from)}`);
  return out;
}

const cpu034 = (r: Awaited<ReturnType<typeof review>>) =>
  r.findings.filter((f) => f.ruleId === 'CPU034').map((f) => `${f.location.path}:${f.location.line}:${f.level}`);

/** A yarn 3 lockfile (cacheKey 8): checksums are written bare and take the key of `__metadata`. */
const yarn3 = (cacheKey: string | undefined) =>
  [
    `__metadata:\n  version: 6\n${cacheKey !== undefined ? `  cacheKey: ${cacheKey}\n` : ''}`,
    `"a@npm:^1.0.0":\n  version: 1.0.0\n  resolution: "a@npm:1.0.0"\n  checksum: ${'ab'.repeat(64)}\n  languageName: node\n  linkType: hard\n`,
    `"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  dependencies:\n    a: ^1.0.0\n  languageName: unknown\n  linkType: soft\n`,
  ].join('\n');
const MANIFEST = JSON.stringify({ name: 'app', dependencies: { a: '^1.0.0' } });

describe('review of a yarn berry lockfile whose cache key moved', () => {
  it('babel: cacheKey 10 → 11 and one checksum re-keyed with other bytes → CPU034 at that package (error)', async () => {
    let head = replaceOnce(BABEL, /cacheKey: 10\n/, 'cacheKey: 11\n');
    head = replaceOnce(head, `checksum: 10/${SUM}`, `checksum: 11/${'0'.repeat(128)}`);
    const r = await review({ 'yarn.lock': BABEL }, { 'yarn.lock': head });
    expect(cpu034(r)).toEqual([`yarn.lock:${ENTRY_LINE}:error`]);
    expect(r.findings.find((f) => f.ruleId === 'CPU034')?.evidence).toMatchObject({
      before: 'cacheKey 10',
      after: 'cacheKey 11',
      count: 1,
    });
    expect(r.gate?.passed).toBe(false);
  });

  it('babel: every checksum re-keyed with the cacheKey → one finding counting them all, not one per package', async () => {
    const head = replaceOnce(BABEL, /cacheKey: 10\n/, 'cacheKey: 11\n').replaceAll('checksum: 10/', 'checksum: 11/');
    const r = await review({ 'yarn.lock': BABEL }, { 'yarn.lock': head });
    expect(cpu034(r)).toHaveLength(1);
    expect(r.findings.find((f) => f.ruleId === 'CPU034')?.evidence?.count).toBe(1470);
  });

  it('one cache key move keeps one fingerprint however many checksums carry it (a SARIF alert stays one alert)', async () => {
    const moved = async (n: number) => {
      let head = replaceOnce(BABEL, /cacheKey: 10\n/, 'cacheKey: 11\n');
      for (let i = 0; i < n; i++) head = replaceOnce(head, /checksum: 10\//, 'checksum: 11/');
      return (await review({ 'yarn.lock': BABEL }, { 'yarn.lock': head })).findings.filter(
        (f) => f.ruleId === 'CPU034',
      );
    };
    const [one, two] = [await moved(1), await moved(2)];
    expect([one[0]?.evidence?.['count'], two[0]?.evidence?.['count']]).toEqual([1, 2]);
    expect(two[0]?.fingerprint).toBe(one[0]?.fingerprint);
  });

  it('yarn 3: only the cacheKey line moved (bare checksums take it) → CPU034', async () => {
    const r = await review({ 'package.json': MANIFEST, 'yarn.lock': yarn3('8') }, { 'yarn.lock': yarn3('9') });
    expect(cpu034(r)).toEqual(['yarn.lock:5:error']);
  });

  it('yarn 3: the cacheKey line deleted (bare checksums get no key) → CPU034', async () => {
    const r = await review({ 'package.json': MANIFEST, 'yarn.lock': yarn3('8') }, { 'yarn.lock': yarn3(undefined) });
    expect(cpu034(r)).toEqual(['yarn.lock:4:error']);
  });

  it('the cache key kept, one entry re-keyed → the head scan says it (CPD), not CPU034 again', async () => {
    const head = replaceOnce(BABEL, `checksum: 10/${SUM}`, `checksum: 11/${'0'.repeat(128)}`);
    const r = await review({ 'yarn.lock': BABEL }, { 'yarn.lock': head });
    expect(cpu034(r)).toEqual([]);
    expect(r.findings.map((f) => f.ruleId)).not.toEqual([]);
  });

  it('an update that keeps the cache key → no CPU034', async () => {
    const head = replaceOnce(BABEL, `checksum: 10/${SUM}`, `checksum: 10/${SUM}`.replace(/.$/, 'f'));
    const r = await review({ 'yarn.lock': BABEL }, { 'yarn.lock': head });
    expect(cpu034(r)).toEqual([]);
  });
});
