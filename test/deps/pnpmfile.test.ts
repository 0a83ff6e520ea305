import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFidelity, FIDELITY, type FidelityCase } from './fidelity-cases.js';
import { scanDeps } from './helpers.js';
import { loadedPnpmfiles, pnpmfilePath, type PnpmfileSources } from '../../src/deps/checks/pnpmfile.js';

/**
 * pnpm `require`s its pnpmfile on every install (@pnpm/pnpmfile `requireHooks`, path from `getPnpmfilePath`):
 * CPD167, one per file, never loaded by the scan. Fixtures: fixtures/lockfiles/install-agreement/README.md.
 */
const AGREEMENT = path.relative(
  FIDELITY,
  path.resolve(import.meta.dirname, '../../fixtures/lockfiles/install-agreement'),
);

const cases: FidelityCase[] = [
  {
    name: 'a .pnpmfile.cjs beside pnpm-lock.yaml',
    dir: `${AGREEMENT}/pnpmfile.pnpm9`,
    want: ['CPD167:warning@.pnpmfile.cjs:1'],
  },
  {
    name: 'the pnpmfile setting of pnpm-workspace.yaml names the file pnpm 10+ loads; pnpm 9 reads no setting there and loads .pnpmfile.cjs',
    dir: `${AGREEMENT}/pnpmfile-setting.pnpm9`,
    want: ['CPD167:warning@.pnpmfile.cjs:1', 'CPD167:warning@hooks/pnpm.cjs:1'],
  },
  {
    name: 'a .pnpmfile.mjs beside pnpm-lock.yaml, which pnpm 11+ loads by default',
    dir: `${AGREEMENT}/pnpmfile-mjs.pnpm9`,
    want: ['CPD167:warning@.pnpmfile.mjs:1'],
  },
  {
    name: 'a pnpmfile list in pnpm-workspace.yaml under pnpm@10: each listed file, not .pnpmfile.cjs',
    dir: `${AGREEMENT}/pnpmfile-list.pnpm9`,
    want: ['CPD167:warning@hooks/first.cjs:1', 'CPD167:warning@hooks/second.cjs:1'],
  },
  {
    name: 'a pnpm-plugin-* config dependency, whose pnpmfile pnpm loads from the registry package; another config dependency is not',
    dir: `${AGREEMENT}/pnpm-config-plugin.pnpm9`,
    want: ['CPD167:warning@pnpm-workspace.yaml:3'],
  },
  {
    name: 'ignore-pnpmfile=true in .npmrc does not hide .pnpmfile.cjs: pnpm 11+ reads no such .npmrc setting',
    dir: `${AGREEMENT}/pnpmfile-npmrc-ignore.pnpm9`,
    want: ['CPD167:warning@.pnpmfile.cjs:1'],
  },
  {
    name: 'a global-pnpmfile that .npmrc points into the tree',
    dir: `${AGREEMENT}/global-pnpmfile.pnpm9`,
    want: ['CPD167:warning@tools/setup.cjs:1'],
  },
  {
    name: 'pnpmfile settings naming files outside the repository, under node_modules or in ~ are reported at the setting',
    dir: `${AGREEMENT}/pnpmfile-outside.pnpm9`,
    want: ['CPD167:warning@.npmrc:2', 'CPD167:warning@pnpm-workspace.yaml:4', 'CPD167:warning@pnpm-workspace.yaml:5'],
  },
];

describeFidelity('pnpmfile hooks run at install', cases, ['CPD131', 'CPD137']);

describe('pnpmfilePath (getPnpmfilePath)', () => {
  it.each([
    { dir: '', name: '.pnpmfile.cjs', want: '.pnpmfile.cjs' },
    { dir: 'app', name: '.pnpmfile.cjs', want: 'app/.pnpmfile.cjs' },
    { dir: 'app', name: '../hooks.cjs', want: 'hooks.cjs' },
    { dir: '', name: '/etc/hooks.cjs', want: undefined },
    { dir: '', name: '../hooks.cjs', want: undefined },
  ])('$dir $name', ({ dir, name, want }) => {
    expect(pnpmfilePath(dir, name)).toBe(want);
  });
});

describe('loadedPnpmfiles: the pnpmfiles each candidate pnpm major loads (requireHooks)', () => {
  const both = new Set(['.pnpmfile.mjs', '.pnpmfile.cjs', 'hooks/a.cjs']);
  const npmrc =
    (rc: Record<string, string> = {}) =>
    (key: string) =>
      rc[key];
  const ws = (settings: Record<string, unknown>) => ({ path: 'pnpm-workspace.yaml', text: '', settings });
  it.each<{ name: string; sources: PnpmfileSources; want: string[] }>([
    {
      name: 'unpinned: pnpm ≤10 loads .cjs, 11+ .mjs',
      sources: { npmrc: npmrc() },
      want: ['.pnpmfile.cjs', '.pnpmfile.mjs'],
    },
    {
      name: 'pnpm@10 never loads .mjs',
      sources: { npmrc: npmrc(), packageManager: 'pnpm@10.34.9' },
      want: ['.pnpmfile.cjs'],
    },
    {
      name: 'pnpm@11 prefers .mjs',
      sources: { npmrc: npmrc(), packageManager: 'pnpm@11.9.0' },
      want: ['.pnpmfile.mjs'],
    },
    {
      name: 'a .npmrc pnpmfile names the file pnpm 9 and 10 load; pnpm 11+ reads no such .npmrc setting',
      sources: { npmrc: npmrc({ pnpmfile: 'hooks/a.cjs' }) },
      want: ['.pnpmfile.mjs', 'hooks/a.cjs'],
    },
    {
      name: 'a named file that is missing loads nothing (PNPMFILE_NOT_FOUND)',
      sources: { npmrc: npmrc({ pnpmfile: 'hooks/none.cjs' }), packageManager: 'pnpm@10.34.9' },
      want: [],
    },
    {
      name: 'ignorePnpmfile in pnpm-workspace.yaml holds for pnpm 10+ only',
      sources: { npmrc: npmrc(), workspace: ws({ ignorePnpmfile: true }) },
      want: ['.pnpmfile.cjs'],
    },
    {
      name: 'ignore-pnpmfile in .npmrc holds for pnpm 9 and 10; pnpm 11+ loads its default',
      sources: { npmrc: npmrc({ 'ignore-pnpmfile': 'true' }) },
      want: ['.pnpmfile.mjs'],
    },
    {
      name: 'a .npmrc global-pnpmfile in the tree is loaded beside the default (pnpm 10)',
      sources: { npmrc: npmrc({ 'global-pnpmfile': 'hooks/a.cjs' }), packageManager: 'pnpm@10.34.9' },
      want: ['.pnpmfile.cjs', 'hooks/a.cjs'],
    },
    {
      name: 'pnpm-workspace.yaml globalPnpmfile (pnpm 11+)',
      sources: { npmrc: npmrc(), workspace: ws({ globalPnpmfile: 'hooks/a.cjs' }), packageManager: 'pnpm@12.26.0' },
      want: ['.pnpmfile.mjs', 'hooks/a.cjs'],
    },
  ])('$name', ({ sources, want }) => {
    expect(loadedPnpmfiles('', sources, (p) => both.has(p))).toEqual(want);
  });
});

describe('npm v1: CPD020 names the source kept in `version`', () => {
  it.each([
    { dir: 'v1-version-url.v1', source: 'https://evil.example/left-pad-1.3.0.tgz' },
    { dir: 'v1-version-github.v1', source: 'github:evil/left-pad#' },
  ])('$dir', async ({ dir, source }) => {
    const r = await scanDeps(path.join(FIDELITY, AGREEMENT, dir));
    const f = r.findings.find((x) => x.ruleId === 'CPD020');
    expect(f?.message).toContain(`(${source}`);
    expect(String(f?.evidence?.resolved)).toContain(source);
  });
});
