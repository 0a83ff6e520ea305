import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, type Tree, reviewHead } from './repo.js';
import { type Entry, manifest, npmLock, sri } from './npm-lock.js';
import { type AliasFormat, aliasProject, berryEntries, berryEntry } from './alias-formats.js';
import { berryLock } from '../../helpers/lockfile-text.js';

/**
 * An npm alias pointed at another package: `"x": "npm:good@1.0.0"` becoming `"x": "npm:evil@1.0.0"` (manifest and
 * lockfile), or the lockfile alone swapping what `node_modules/x` holds. `require('x')` then loads another package,
 * while the diff by package name shows only "good removed, evil added". The review must say it once, naming both:
 * where the head scan calls a lockfile-only swap an unasked alias (CPD021), that finding carries CPU024's facts.
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
  /** `ruleId x: before → after` of the alias findings at `<dir>/<lockfile>` (CPU024, or the CPD021 standing for it). */
  want: string[];
  /** The head lockfile (default package-lock.json) and the text its entry for x starts with. */
  lockfile?: string;
  entry?: string;
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
    name: 'lockfile-only swap: node_modules/x now holds evil, package.json unchanged → one CPD021 carrying CPU024',
    dir: 'lockonly',
    base: project({ x: '^1.0.0' }, { x: plain('x', '1.0.0', 3) }),
    head: {
      'package.json': manifest({ x: '^1.0.0' }),
      'package-lock.json': npmLock({ x: '^1.0.0' }, { x: reg('evil', '1.0.0', 2) }),
    },
    want: ['CPD021 x: x@1.0.0 → evil@1.0.0'],
  },
  {
    // As real trees lock a name twice (js-yaml@4 on top, js-yaml@3 nested, the nested entry first): the finding
    // named the nested version as what the swapped folder held.
    name: 'lockfile-only swap of the top-level x while a nested x@0.9.0 comes first → names x@1.0.0 as the base',
    dir: 'nested',
    base: project(
      { x: '^1.0.0', b: '^1.0.0' },
      { 'b/node_modules/x': plain('x', '0.9.0', 4), b: plain('b', '1.0.0', 5), x: plain('x', '1.0.0', 3) },
    ),
    head: {
      'package.json': manifest({ x: '^1.0.0', b: '^1.0.0' }),
      'package-lock.json': npmLock(
        { x: '^1.0.0', b: '^1.0.0' },
        { 'b/node_modules/x': plain('x', '0.9.0', 4), b: plain('b', '1.0.0', 5), x: reg('evil', '1.0.0', 2) },
      ),
    },
    want: ['CPD021 x: x@1.0.0 → evil@1.0.0'],
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

/**
 * The same attacks in the other package managers' lockfiles, each recording the alias its own way: pnpm in the
 * importer (`version: evil@1.0.0` under `x`), yarn 1 and yarn 2+ in the entry's descriptor (`x@npm:evil@1.0.0`) with
 * the package in `resolved` / `resolution`, bun in the `packages` key (the folder) and the tuple (the package).
 */
function formatCases(format: AliasFormat): Case[] {
  const at = (spec: string, real: string, fill: number) => aliasProject(format, spec, real, fill);
  const retarget = at('npm:evil@1.0.0', 'evil', 2);
  const list: Case[] = [
    {
      name: `${format}: alias retargeted in manifest and lockfile → one CPU024`,
      dir: `${format}-retarget`,
      base: at('npm:good@1.0.0', 'good', 1).tree,
      head: retarget.tree,
      want: ['CPU024 x: good@1.0.0 → evil@1.0.0'],
      lockfile: retarget.lockfile,
      entry: retarget.entry,
    },
    {
      name: `${format}: the same alias at both revisions → no CPU024`,
      dir: `${format}-same`,
      base: at('npm:good@1.0.0', 'good', 1).tree,
      head: at('npm:good@1.0.0', 'good', 1).tree,
      want: [],
      lockfile: retarget.lockfile,
    },
  ];
  // yarn 1 takes the package's name from the descriptor, not the tarball: a swap there keeps the name `x`.
  if (format !== 'yarn-classic') {
    const swap = at('^1.0.0', 'evil', 2);
    // The head scan's CPD021 (an alias no dependant asks for) reads npm, pnpm and bun entries.
    const rule = format === 'yarn-berry' ? 'CPU024' : 'CPD021';
    list.push({
      name: `${format}: lockfile-only swap, package.json unchanged → one ${rule}`,
      dir: `${format}-lockonly`,
      base: at('^1.0.0', 'x', 3).tree,
      head: swap.tree,
      want: [`${rule} x: x@1.0.0 → evil@1.0.0`],
      lockfile: swap.lockfile,
      entry: swap.entry,
    });
  }
  return list;
}
cases.push(...(['pnpm', 'yarn-classic', 'yarn-berry', 'bun'] as const).flatMap(formatCases));
const BERRY_DEPS = { good: 'npm:1.0.0' };
cases.push({
  name: 'yarn-berry: the alias shared an entry with the direct dependency (second descriptor) → one CPU024',
  dir: 'berry-merged',
  base: {
    'package.json': manifest({ good: '1.0.0', x: 'npm:good@1.0.0' }),
    'yarn.lock': berryEntries([{ key: 'good@npm:1.0.0, x@npm:good@1.0.0', real: 'good', fill: 1 }], {
      ...BERRY_DEPS,
      x: 'npm:good@1.0.0',
    }),
  },
  head: {
    'package.json': manifest({ good: '1.0.0', x: 'npm:evil@1.0.0' }),
    'yarn.lock': berryEntries(
      [
        { key: 'good@npm:1.0.0', real: 'good', fill: 1 },
        { key: 'x@npm:evil@1.0.0', real: 'evil', fill: 2 },
      ],
      { ...BERRY_DEPS, x: 'npm:evil@1.0.0' },
    ),
  },
  want: ['CPU024 x: good@1.0.0 → evil@1.0.0'],
  lockfile: 'yarn.lock',
  entry: '"x@npm:evil@1.0.0":',
});

// babel's yarn.lock holds `ms@npm:2.0.0` above `ms@npm:^2.1.1, ms@npm:^2.1.3`: the swap of the second named the first.
const BERRY_TWO = { x: 'npm:^1.0.0', y: 'npm:0.9.0' };
cases.push({
  name: 'yarn-berry: lockfile-only swap of x@^1.0.0 while x@npm:0.9.0 comes first → names x@1.0.0 as the base',
  dir: 'berry-two-versions',
  base: {
    'package.json': manifest(BERRY_TWO),
    'yarn.lock': berryLock(BERRY_TWO, [
      ...berryEntry('x@npm:0.9.0', 'x', '0.9.0', 4),
      ...berryEntry('x@npm:^1.0.0', 'x', '1.0.0', 3),
    ]),
  },
  head: {
    'package.json': manifest(BERRY_TWO),
    'yarn.lock': berryLock(BERRY_TWO, [
      ...berryEntry('x@npm:0.9.0', 'x', '0.9.0', 4),
      ...berryEntry('x@npm:^1.0.0', 'evil', '1.0.0', 2),
    ]),
  },
  want: ['CPU024 x: x@1.0.0 → evil@1.0.0'],
  lockfile: 'yarn.lock',
  entry: '"x@npm:^1.0.0":',
});

let repo: { dir: string; cleanup: () => void };
let r: ReviewResult;
beforeAll(async () => {
  const merge = (side: 'base' | 'head') => Object.assign({}, ...cases.map((c) => inDir(c.dir, c[side]))) as Tree;
  repo = makeRepo(merge('base'), merge('head'));
  r = await reviewHead(repo.dir, { gate: 'any' });
});
afterAll(() => repo.cleanup());

describe('review names an alias pointed at another package', () => {
  it.each(cases)('$name', ({ dir, want, lockfile = 'package-lock.json', entry = '"node_modules/x": {' }) => {
    const found = r.findings.filter(
      (f) =>
        (f.ruleId === 'CPU024' || f.evidence?.['reviewed'] === 'CPU024') && f.location.path === `${dir}/${lockfile}`,
    );
    expect(
      found.map(
        (f) =>
          `${f.ruleId} ${String(f.evidence?.['alias'])}: ${String(f.evidence?.['before'])} → ${String(f.evidence?.['after'])}`,
      ),
    ).toEqual(want);
    const lock = String(cases.find((c) => c.dir === dir)?.head[lockfile] ?? '');
    const line = lock.split('\n').findIndex((l) => l.startsWith(entry) || l.includes(entry)) + 1;
    for (const f of found) expect([f.level, f.location.line]).toEqual(['error', line]);
  });
});
