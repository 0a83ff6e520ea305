import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { modelsStage } from '../../../src/models/stage.js';
import { scanWith } from '../../helpers/scan.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/loader-cases');

/**
 * torch.save archives whose pickle is `archive/DATA.PKL` (fixtures/loader-cases/generate.py
 * `data_pkl_in_other_case`): `PyTorchStreamReader::getRecordID` looks `data.pkl` up through miniz without
 * MZ_ZIP_FLAG_CASE_SENSITIVE, and Debian's torch 1.13 loads both files. They are torch checkpoints, named so.
 */
describe('a torch.save archive whose data.pkl is named in another case', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-member-case-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const scan = async (fixture: string) => {
    const dir = mkdtempSync(path.join(root, 'case-'));
    copyFileSync(path.join(FIXTURES, fixture), path.join(dir, 'model.pt'));
    return (await scanWith(dir, [modelsStage, inspectStage])).findings;
  };

  it('is recognised as a torch checkpoint, with nothing to report for tensors', async () => {
    const findings = await scan('data_pkl_upper.pt');
    expect(findings.filter((f) => f.ruleId.startsWith('CPX') || f.ruleId.startsWith('CPI'))).toEqual([]);
  });

  it('reports the payload as torch.load reads it, with what its default does', async () => {
    const findings = await scan('data_pkl_upper_evil.pt');
    expect(findings.map((f) => f.ruleId).filter((id) => id.startsWith('CPX') || id.startsWith('CPI'))).toEqual([
      'CPI001',
    ]);
    const f = findings.find((x) => x.ruleId === 'CPI001')!;
    expect(f.location.member).toBe('archive/DATA.PKL');
    expect(f.message).toMatch(/torch\.load refuses this global by default since torch 2\.6/);
  });
});
