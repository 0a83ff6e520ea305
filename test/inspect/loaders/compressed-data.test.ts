import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { runCliAsync } from '../../helpers/cli.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = join(import.meta.dirname, '../../../fixtures/compressed-data');
const root = mkdtempSync(join(tmpdir(), 'cp-compressed-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * joblib.load decompresses any gzip/bz2/xz/lzma file and pickle.load reads what comes out; _pickle.c load() stops
 * with "invalid load key" at a first byte that is no opcode. So data behind compression is data (no finding), a pickle
 * behind it is judged whatever the file is called, and a name that promises a pickle is held to it.
 */
describe('compressed data is not a pickle; a compressed pickle is (fixtures/compressed-data, Debian python3)', () => {
  it.each([
    { file: 'data/train.csv.gz', at: 'data/train.csv.gz', want: [] },
    { file: 'data/values.csv.bz2', at: 'data/values.csv.bz2', want: [] },
    { file: 'data/records.json.xz', at: 'data/records.json.xz', want: [] },
    { file: 'data/notes.txt.gz', at: 'data/notes.txt.gz', want: [] },
    { file: 'yarn/install-state.gz', at: '.yarn/install-state.gz', want: [] },
    { file: 'evil/weights.gz', at: 'weights.gz', want: ['CPI001:error'] },
    { file: 'evil/state.bz2', at: 'state.bz2', want: ['CPI001:error'] },
    { file: 'evil/model.pkl.xz', at: 'model.pkl.xz', want: ['CPI001:error'] },
    { file: 'broken/model.pkl.gz', at: 'model.pkl.gz', want: ['CPI003:warning'] },
  ])('$at', async ({ file, at, want }) => {
    const dir = join(root, file.replace(/[/.]/g, '_'));
    mkdirSync(dirname(join(dir, at)), { recursive: true });
    cpSync(join(CASES, file), join(dir, at));
    const res = await scanWith(dir, [inspectStage]);
    const got = [
      ...new Set(res.findings.filter((f) => f.ruleId.startsWith('CPI')).map((f) => `${f.ruleId}:${f.level}`)),
    ];
    expect(got.sort()).toEqual(want);
  });

  it('the bundled CLI decodes bzip2 without a Buffer() deprecation warning on stderr', async () => {
    const dir = join(root, 'cli');
    cpSync(join(CASES, 'data'), join(dir, 'data'), { recursive: true });
    cpSync(join(CASES, 'evil/state.bz2'), join(dir, 'state.bz2'));
    const run = await runCliAsync(['scan', dir, '--offline', '--no-progress', '--format', 'json']);
    expect(run.stderr).not.toMatch(/DeprecationWarning|DEP0005/);
    const result = JSON.parse(run.stdout) as { findings: { ruleId: string; location: { path: string } }[] };
    const inspected = result.findings.filter((f) => f.ruleId.startsWith('CPI'));
    expect(inspected.map((f) => `${f.ruleId}@${f.location.path}`)).toEqual(['CPI001@state.bz2']);
    expect(run.code).toBe(1);
  });
});
