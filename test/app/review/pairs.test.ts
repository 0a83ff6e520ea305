import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/context.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { judgeGate } from '../../../src/app/review/gate.js';
import { reviewChange, type ReviewResult } from '../../../src/app/review/index.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { testOptions } from '../../helpers/scan.js';
import { corpusPath } from '../../helpers/corpus.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * The real Dependabot/Renovate pairs of ../shared/corpora/lockfiles/update-pairs: each INDEX row says the update
 * changed exactly one package and added or removed none. The review's change set must say the same.
 */
const PAIRS = [
  {
    prefix: 'actions-checkout-130a169',
    file: 'package-lock.json',
    name: 'js-yaml',
    from: '4.1.0',
    to: '4.2.0',
    type: 'minor',
  },
  {
    prefix: 'unjs-ufo-5fb179d',
    file: 'pnpm-lock.yaml',
    name: '@types/node',
    from: '25.0.3',
    to: '25.0.6',
    type: 'patch',
  },
  {
    prefix: 'webpack-enhanced-resolve-367d0f6',
    file: 'yarn.lock',
    name: 'form-data',
    from: '3.0.3',
    to: '3.0.4',
    type: 'patch',
  },
] as const;

const read = (prefix: string, side: 'before' | 'after', file: string) =>
  readFileSync(corpusPath('lockfiles', 'update-pairs', `${prefix}.${side}.${file}`));

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function review(dir: string, gate?: 'patch' | 'minor' | 'any') {
  return reviewHead(dir, gate ? { gate } : {});
}

/**
 * Each pair reviewed once, under --gate patch, on first use: a gate judges the change set and never changes it, so the
 * tables below read the same review (and judge --gate minor on it with the same judgeGate the review calls).
 */
const reviews = new Map<string, Promise<ReviewResult>>();
function reviewOf(p: (typeof PAIRS)[number]): Promise<ReviewResult> {
  let r = reviews.get(p.prefix);
  if (r === undefined) {
    const repo = makeRepo(
      { [p.file]: read(p.prefix, 'before', p.file) },
      { [p.file]: read(p.prefix, 'after', p.file) },
    );
    cleanups.push(repo.cleanup);
    r = review(repo.dir, 'patch');
    reviews.set(p.prefix, r);
  }
  return r;
}

describe('review on real update pairs', () => {
  it.each(PAIRS)('$prefix: one $type change of $name, nothing added or removed', async (p) => {
    const r = await reviewOf(p);
    const changes = r.lockfiles.flatMap((lf) => lf.changes);
    expect(changes.map((c) => [c.kind, c.name])).toEqual([['upgraded', p.name]]);
    const c = changes[0]!;
    expect(c.kind === 'upgraded' && [c.base.version, c.head.version, c.type]).toEqual([p.from, p.to, p.type]);
    expect(r.findings.filter((f) => f.level !== 'note')).toEqual([]);
    expect(r.lockfiles[0]!.basePackages).toBe(r.lockfiles[0]!.headPackages);
  });

  it.each(PAIRS)('$prefix: --gate patch passes only a patch update; --gate minor passes it', async (p) => {
    const r = await reviewOf(p);
    expect(r.gate?.passed).toBe(p.type === 'patch');
    const judge = (kind: 'patch' | 'minor') => judgeGate(kind, r.lockfiles, r.models, r.findings, r.references);
    expect(judge('patch')).toEqual(r.gate);
    expect(judge('minor').passed).toBe(true);
  });

  it('reviews the working tree against a base ref when no head is given', async () => {
    const p = PAIRS[2];
    const repo = makeRepo({ [p.file]: read(p.prefix, 'before', p.file) });
    cleanups.push(repo.cleanup);
    const { writeTree } = await import('./repo.js');
    writeTree(repo.dir, { [p.file]: read(p.prefix, 'after', p.file) });
    const r = await reviewChange({
      dir: repo.dir,
      base: 'HEAD',
      policy: DEFAULT_POLICY,
      registry: EMPTY_REGISTRY,
      options: testOptions(),
      logger: silentLogger,
      gate: 'patch',
    });
    expect(r.head.commit).toBeUndefined();
    expect(r.lockfiles.flatMap((lf) => lf.changes).map((c) => c.name)).toEqual(['form-data']);
    expect(r.gate?.passed).toBe(true);
  });
});
