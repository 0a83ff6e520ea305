import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * One cause, one finding: the real actions/checkout js-yaml update with every integrity of the lockfile rewritten (a
 * lockfile rebuilt by hand, or through a mirror that repacks tarballs). Before, review reported one CPU001 per entry,
 * 521 errors for one edit; a few republished entries still stay one finding each (what a targeted edit looks like).
 */
const dir = corpusPath('lockfiles', 'update-pairs');
const BEFORE = readFileSync(`${dir}/actions-checkout-130a169.before.package-lock.json`, 'utf8');
const AFTER = readFileSync(`${dir}/actions-checkout-130a169.after.package-lock.json`, 'utf8');

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** AFTER with the first `count` sha512 integrities replaced by other digests. */
function rehashed(count: number): string {
  let n = 0;
  return AFTER.replace(/"integrity": "sha512-[^"]+"/g, (m) =>
    ++n > count ? m : `"integrity": "sha512-${Buffer.alloc(64, n % 251).toString('base64')}"`,
  );
}

async function cpu001(head: string) {
  const repo = makeRepo({ 'package-lock.json': BEFORE }, { 'package-lock.json': head });
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate: 'any' });
  return { r, found: r.findings.filter((f) => f.ruleId === 'CPU001') };
}

describe('review of a lockfile whose integrities were all rewritten', () => {
  it('every entry re-hashed → one CPU001 counting them, each entry still a member; the gate fails', async () => {
    const { r, found } = await cpu001(rehashed(Infinity));
    expect(found).toHaveLength(1);
    const count = Number(found[0]!.evidence?.['count']);
    expect(count).toBeGreaterThan(500);
    expect(found[0]!.members).toHaveLength(count);
    expect(found[0]!.message).toMatch(
      /^\d+ packages in package-lock\.json keep their version but are now locked to other bytes \(sha512\)/,
    );
    expect(found[0]!.level).toBe('error');
    expect(r.gate?.passed).toBe(false);
  });

  it('two entries re-hashed → two findings, one per package', async () => {
    const { found } = await cpu001(rehashed(2));
    expect(found).toHaveLength(2);
    expect(found.every((f) => f.artifact?.kind === 'package')).toBe(true);
  });
});
