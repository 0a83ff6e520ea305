import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { modelsStage } from '../../../src/models/stage.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = join(import.meta.dirname, '../../../fixtures/loader-cases');
const root = mkdtempSync(join(tmpdir(), 'cp-codecs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Files written by Debian's python3 joblib/zipfile (fixtures/loader-cases/generate.py), scanned one per folder. */
describe('compressed joblib files and zip members, as the real libraries write them', () => {
  it.each([
    { file: 'logreg_zlib.joblib', want: [], exit: 0 },
    { file: 'logreg_gzip.joblib', want: [], exit: 0 },
    { file: 'logreg_bz2.joblib', want: [], exit: 0 },
    { file: 'evil_zlib.joblib', want: ['CPI001:error'], exit: 1 },
    { file: 'evil_gzip.joblib', want: ['CPI001:error'], exit: 1 },
    { file: 'evil_bz2.joblib', want: ['CPI001:error'], exit: 1 },
    { file: 'logreg_xz.joblib', want: [], exit: 0 },
    { file: 'logreg_lzma.joblib', want: [], exit: 0 },
    { file: 'evil_xz.joblib', want: ['CPI001:error'], exit: 1 },
    { file: 'evil_lzma.joblib', want: ['CPI001:error'], exit: 1 },
    { file: 'logreg_lz4.joblib', want: [], exit: 0 },
    { file: 'evil_lz4.joblib', want: ['CPI001:error'], exit: 1 },
    { file: 'bzip2_benign.zip', want: [], exit: 0 },
    { file: 'bzip2_members.zip', want: ['CPI001:error'], exit: 1 },
    { file: 'lzma_benign.zip', want: [], exit: 0 },
    { file: 'lzma_members.zip', want: ['CPI001:error'], exit: 1 },
  ])('$file', async ({ file, want, exit }) => {
    const dir = join(root, file);
    mkdirSync(dir);
    cpSync(join(CASES, file), join(dir, file));
    const res = await scanWith(dir, [inspectStage]);
    expect([...new Set(res.findings.map((f) => `${f.ruleId}:${f.level}`))].sort()).toEqual(want);
    expect(exitCodeForFindings(res, 'error')).toBe(exit);
  });
});

describe('joblib.dump(…, "model.pkl", compress=codec): the codec joblib.load reads by its magic, under a .pkl name', () => {
  // sklearn's model-persistence docs save with joblib under .pkl; joblib.load (`_detect_compressor`) reads bz2, xz,
  // LZMA_Alone and LZ4 whatever the name, so such a file is joblib's own output, not a disguise (no CPX005).
  it.each(['zlib', 'gzip', 'bz2', 'xz', 'lzma', 'lz4'])('%s', async (codec) => {
    const dir = join(root, `as-pkl-${codec}`);
    mkdirSync(dir);
    cpSync(join(CASES, `logreg_${codec}.joblib`), join(dir, 'model.pkl'));
    cpSync(join(CASES, `evil_${codec}.joblib`), join(dir, 'evil.pickle'));
    const res = await scanWith(dir, [modelsStage, inspectStage]);
    const found = res.findings.filter((f) => f.ruleId !== 'CPM001'); // no trusted registry in the test: its note
    expect(found.map((f) => `${f.ruleId}:${f.location?.path}`).sort()).toEqual(['CPI001:evil.pickle']);
  });
});
