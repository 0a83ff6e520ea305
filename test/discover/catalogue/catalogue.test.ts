import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  FORMAT_IDS,
  LOCKFILE_FORMATS,
  MODEL_FORMATS,
  PICKLE_CLAIMS,
  POLICY_FORMAT_NAMES,
  formatFromName,
  formatsReadBy,
  formatsTable,
  isFileFormat,
} from '../../../src/discover/catalogue/index.js';
import type { ModelAnalyser } from '../../../src/inspect/analyser.js';
import { LOCKFILE_PARSERS } from '../../../src/deps/index.js';
import { ANALYSERS } from '../../../src/inspect/analysers.js';
import * as analyserFiles from '../../../src/inspect/formats/index.js';
import { pickleAnalyser } from '../../../src/inspect/content/analyser.js';

describe('the format catalogue', () => {
  it('names every format once', () => {
    expect(new Set(FORMAT_IDS).size).toBe(FORMAT_IDS.length);
  });

  it('only refers to formats it declares', () => {
    for (const e of CATALOGUE) for (const c of e.compatible ?? []) expect(isFileFormat(c), `${e.id} → ${c}`).toBe(true);
  });

  it.each([
    { name: 'package-lock.json', want: 'npm-lockfile' },
    { name: 'a/npm-shrinkwrap.json', want: 'npm-lockfile' },
    { name: 'yarn.lock', want: 'yarn-lockfile' },
    { name: 'sub/pnpm-lock.yaml', want: 'pnpm-lockfile' },
    { name: 'bun.lock', want: 'bun-lockfile' },
    { name: 'bun.lockb', want: 'bun-lockfile' },
    { name: 'm/variables/variables.data-00000-of-00001', want: 'savedmodel' },
    { name: 'variables.index', want: undefined },
    { name: 'group1-shard1of2.bin', want: 'tfjs-weights' },
    { name: 'x.intoto.sigstore.json', want: 'sigstore-bundle' },
    { name: 'MODEL.PT', want: 'pytorch-zip' },
    { name: 'notes.txt', want: undefined },
  ])('$name is claimed as $want', ({ name, want }) => {
    expect(formatFromName(name)).toBe(want);
  });

  it('derives the sets the stages use', () => {
    expect([...LOCKFILE_FORMATS].sort()).toEqual(['bun-lockfile', 'npm-lockfile', 'pnpm-lockfile', 'yarn-lockfile']);
    expect([...PICKLE_CLAIMS].sort()).toEqual([
      'joblib',
      'pickle',
      'pytorch-legacy',
      'pytorch-zip',
      'torch-package',
      'torchscript',
    ]);
    expect(MODEL_FORMATS.has('tfjs-manifest')).toBe(false);
    expect(MODEL_FORMATS.has('tfjs-weights')).toBe(true);
    expect(POLICY_FORMAT_NAMES).toEqual(expect.arrayContaining(['pickle', 'pytorch', 'tensorflow', 'tfjs', 'hdf5']));
  });

  it.each(['README.md', 'CONTRIBUTING.md'])('%s shows the table as the catalogue renders it', (file) => {
    const doc = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
    const shown = /<!-- formats-table[^>]*-->\n([\s\S]*?)\n<!-- \/formats-table -->/.exec(doc)?.[1];
    expect(shown).toBe(formatsTable());
  });

  it('renders the docs table with one row per named format', () => {
    const rows = formatsTable().split('\n').slice(2);
    expect(rows).toHaveLength(CATALOGUE.length - 1);
    expect(rows.find((r) => r.startsWith('| `bun-lockfile`'))).toContain('`bun.lock`');
  });
});

describe('plugins are routed by the catalogue', () => {
  it('every lockfile format has a parser and every parser a format', () => {
    for (const f of LOCKFILE_FORMATS) expect(formatsReadByAny(f), f).not.toEqual([]);
    for (const p of LOCKFILE_PARSERS) expect(formatsReadBy(p.name), p.name).not.toEqual([]);
  });

  // The analyser files still state `formats`; until those lines go, they must say what the catalogue says.
  const own: ModelAnalyser[] = [pickleAnalyser, ...Object.values(analyserFiles).filter(isAnalyser)];
  it.each(own.map((a) => ({ name: a.name, a })))('$name reads what the catalogue routes to it', ({ name, a }) => {
    const routed = ANALYSERS.find((x) => x.name === name);
    expect(routed?.formats).toEqual(formatsReadBy(name));
    expect([...a.formats].sort()).toEqual([...formatsReadBy(name)].sort());
  });
});

function formatsReadByAny(format: string): readonly string[] {
  return CATALOGUE.find((e) => e.id === format)?.readBy ?? [];
}

function isAnalyser(v: unknown): v is ModelAnalyser {
  return typeof v === 'object' && v !== null && 'formats' in v && 'analyze' in v;
}
