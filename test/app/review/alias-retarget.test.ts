import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, type Tree, reviewHead } from './repo.js';
import { type Entry, manifest, npmLock, sri } from './npm-lock.js';

/**
 * An npm alias pointed at another package: `"x": "npm:good@1.0.0"` becoming `"x": "npm:evil@1.0.0"` (manifest and
 * lockfile), or the lockfile alone swapping what `node_modules/x` holds. `require('x')` then loads another package,
 * while the diff by package name shows only "good removed, evil added". The review must say it once, naming both.
 * Each case is its own lockfile in one repository (one base commit, one head commit, one review for the file).
 */
const reg = (real: string, v: string, fill: number): Entry => ({
  name: real,
  version: v,
  resolved: `https://registry.npmjs.org/${real}/-/${real}-${v}.tgz`,
  integrity: sri(fill),
});
const plain = (n: string, v: string, fill: number): Entry => {
  const { name: _, ...rest } = reg(n, v, fill);
  return rest;
};

interface Case {
  name: string;
  dir: string;
  base: Tree;
  head: Tree;
  /** `ruleId x: before → after` of the alias findings at `<dir>/package-lock.json`. */
  want: string[];
}
const project = (deps: Record<string, string>, pkgs: Record<string, Entry>): Tree => ({
  'package.json': manifest(deps),
  'package-lock.json': npmLock(deps, pkgs),
});
const inDir = (dir: string, t: Tree): Tree => Object.fromEntries(Object.entries(t).map(([p, c]) => [`${dir}/${p}`, c]));

const cases: Case[] = [
  {
    name: 'alias retargeted in manifest and lockfile → one CPU024 naming good and evil',
    dir: 'retarget',
    base: project({ x: 'npm:good@1.0.0' }, { x: reg('good', '1.0.0', 1) }),
    head: project({ x: 'npm:evil@1.0.0' }, { x: reg('evil', '1.0.0', 2) }),
    want: ['CPU024 x: good@1.0.0 → evil@1.0.0'],
  },
  {
    name: 'lockfile-only swap: node_modules/x now holds evil, package.json unchanged → one CPU024',
    dir: 'lockonly',
    base: project({ x: '^1.0.0' }, { x: plain('x', '1.0.0', 3) }),
    head: {
      'package.json': manifest({ x: '^1.0.0' }),
      'package-lock.json': npmLock({ x: '^1.0.0' }, { x: reg('evil', '1.0.0', 2) }),
    },
    want: ['CPU024 x: x@1.0.0 → evil@1.0.0'],
  },
  {
    name: 'an alias whose target is only updated (good 1.0.0 → 1.0.1) → no CPU024',
    dir: 'update',
    base: project({ x: 'npm:good@^1.0.0' }, { x: reg('good', '1.0.0', 1) }),
    head: project({ x: 'npm:good@^1.0.0' }, { x: reg('good', '1.0.1', 4) }),
    want: [],
  },
  {
    name: 'a new alias (no x at the base) → no CPU024',
    dir: 'new',
    base: project({}, {}),
    head: project({ x: 'npm:good@1.0.0' }, { x: reg('good', '1.0.0', 1) }),
    want: [],
  },
];

let repo: { dir: string; cleanup: () => void };
let r: ReviewResult;
beforeAll(async () => {
  const merge = (side: 'base' | 'head') => Object.assign({}, ...cases.map((c) => inDir(c.dir, c[side]))) as Tree;
  repo = makeRepo(merge('base'), merge('head'));
  r = await reviewHead(repo.dir, { gate: 'any' });
});
afterAll(() => repo.cleanup());

describe('review names an alias pointed at another package', () => {
  it.each(cases)('$name', ({ dir, want }) => {
    const found = r.findings.filter((f) => f.ruleId === 'CPU024' && f.location.path === `${dir}/package-lock.json`);
    expect(
      found.map(
        (f) =>
          `${f.ruleId} ${String(f.evidence?.['alias'])}: ${String(f.evidence?.['before'])} → ${String(f.evidence?.['after'])}`,
      ),
    ).toEqual(want);
    const lock = String(cases.find((c) => c.dir === dir)?.head['package-lock.json'] ?? '');
    const line = lock.split('\n').findIndex((l) => l.includes('"node_modules/x": {')) + 1;
    for (const f of found) expect([f.level, f.location.line]).toEqual(['error', line]);
  });
});
