import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import type { CaseKind } from './sparse-checkpoints.js';
import { HUGE, writeHugeCase } from './sparse-checkpoints.js';

const root = mkdtempSync(path.join(tmpdir(), 'cp-huge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Each container kind at 20 GB (sparse files: the tensor bytes are holes), benign and with a payload. */
const CASES: readonly { kind: CaseKind; member: string }[] = [
  { kind: 'torch-zip', member: 'archive/data.pkl' },
  { kind: 'torch-legacy', member: '' },
  { kind: 'tar', member: 'model.pkl' },
  { kind: 'npz', member: 'o.npy' },
  { kind: 'joblib', member: '' },
  { kind: 'joblib-sidecar', member: '<sidecar model.pkl_01.npy>' },
];

async function scanCase(kind: CaseKind, evil: boolean) {
  const dir = path.join(root, `${kind}-${evil ? 'evil' : 'benign'}`);
  const file = writeHugeCase(dir, kind, evil, HUGE);
  const res = await scanWith(dir, [inspectStage]);
  return { file, res, mine: res.findings.filter((f) => f.location.path === file) };
}

describe('20 GB checkpoints are inspected by ranges, never read whole', () => {
  it.each(CASES)('$kind, benign: no finding, exit 0', async ({ kind }) => {
    const { mine, res } = await scanCase(kind, false);
    expect(mine.map((f) => f.ruleId)).toEqual([]);
    expect(exitCodeForFindings(res, 'error')).toBe(0);
    // The tensor bytes are skipped: a few MiB read at most, never the 20 GB.
    expect(res.io?.bytesRead ?? 0).toBeLessThan(64 << 20);
  });

  it.each(CASES)('$kind, payload: CPI001 at $member, exit 1', async ({ kind, member }) => {
    const { mine, res } = await scanCase(kind, true);
    expect(mine.filter((f) => f.ruleId === 'CPI001').map((f) => f.location.member ?? '')).toEqual([member]);
    expect(mine.map((f) => f.ruleId)).not.toContain('CPI012');
    expect(exitCodeForFindings(res, 'error')).toBe(1);
  });
});
