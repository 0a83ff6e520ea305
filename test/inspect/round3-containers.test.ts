import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTENT_LIMITS, type ContentContext } from '../../src/inspect/content/content.js';
import { inspectZipByRanges } from '../../src/inspect/content/zip-ranged.js';
import { inspectStage } from '../../src/inspect/stage.js';
import { bufferFileSource } from '../../src/io/file-source.js';
import { scanWith } from '../helpers/scan.js';

/**
 * Red-team round 3 on containers (fixtures/models-cases/redteam-round3-containers, whose README says how each file was
 * made): zip end records torch's miniz and Python's zipfile read differently. Each case folder is scanned alone.
 */
const CASES = join(import.meta.dirname, '../../fixtures/models-cases/redteam-round3-containers');

async function findingsOf(dir: string): Promise<string[]> {
  const res = await scanWith(dir, [inspectStage]);
  return [...new Set(res.findings.map((f) => `${f.ruleId}:${f.level}`))].sort();
}

async function rangedFindings(name: string): Promise<ContentContext['findings']> {
  const ctx: ContentContext = {
    path: 'model.pt',
    allow: { extra: [] },
    limits: DEFAULT_CONTENT_LIMITS,
    findings: [],
    extracted: 0,
  };
  await inspectZipByRanges(bufferFileSource('model.pt', readFileSync(join(CASES, name, 'model.pt'))), ctx);
  return ctx.findings;
}

describe('red-team round 3: the zip64 end record torch.load reads is the one judged', () => {
  // torch.load → PyTorchStreamReader → miniz mz_zip_reader_read_central_dir: the zip64 record where the locator
  // points (else the end record's 32-bit fields); zipfile._EndRecData64 (before CVE-2025-8291): the one before it.
  it.each(['z3-zip64-twin-records', 'z4-zip64-locator-elsewhere'])('%s is judged in miniz’s view', async (name) => {
    expect(await findingsOf(join(CASES, name))).toEqual(['CPI001:error', 'CPI014:warning']);
  });

  it.each(['z3-zip64-twin-records', 'z4-zip64-locator-elsewhere'])(
    '%s read by ranges (a checkpoint too large for memory) is judged in miniz’s view too',
    async (name) => {
      const findings = await rangedFindings(name);
      expect(findings.find((f) => f.ruleId === 'CPI001')?.location.member).toBe('<miniz>!archive/data.pkl');
      const crafted = findings.find((f) => f.ruleId === 'CPI014');
      expect(crafted?.message).toMatch(/zip64/);
    },
  );

  it('the message names the zip64 record miniz followed', async () => {
    const crafted = (await rangedFindings('z3-zip64-twin-records')).find((f) => f.ruleId === 'CPI014');
    expect(crafted?.message).toMatch(/zip64 end record where the zip64 locator points \(byte \d+\)/);
  });

  it('a zip64 torch.save archive whose locator names the record before it stays clean', async () => {
    expect(await findingsOf(join(CASES, 'genuine-zip64-torch'))).toEqual([]);
    expect(await rangedFindings('genuine-zip64-torch')).toEqual([]);
  });

  // zipfile ZipInfo._decodeExtra and miniz mz_zip_file_stat_internal: the first zip64 extra field names the member.
  it('z5-zip64-extra-twice: the payload the first zip64 extra names is judged, in memory and by ranges', async () => {
    expect(await findingsOf(join(CASES, 'z5-zip64-extra-twice'))).toContain('CPI001:error');
    const ranged = await rangedFindings('z5-zip64-extra-twice');
    expect(ranged.find((f) => f.ruleId === 'CPI001')?.location.member).toBe('archive/data.pkl');
  });

  it('z5-zip64-extra-twice-in-storage: a payload inside a storage member is never passed', async () => {
    // In memory the member overlaps archive/data/0 and is refused unread (CPI012); by ranges the storage is not
    // read, so nothing overlaps and the payload itself is judged.
    expect(await findingsOf(join(CASES, 'z5-zip64-extra-twice-in-storage'))).toContain('CPI012:error');
    const ranged = await rangedFindings('z5-zip64-extra-twice-in-storage');
    expect(ranged.find((f) => f.ruleId === 'CPI001')?.location.member).toBe('archive/data.pkl');
  });
});

describe('red-team round 3: the member Python 3.12+ opens by its Unicode Path name is judged', () => {
  // zipfile ZipInfo._decodeExtra (3.12+): an 0x7075 field whose CRC matches the stored name renames the member;
  // keras saving_lib then reads `config.json` / picks its weights store by those names.
  it('k2: a gadget config renamed to config.json is judged beside the stored one', async () => {
    const got = await findingsOf(join(CASES, 'k2-keras-unicode-path-config'));
    expect(got).toContain('CPI061:error');
    expect(got).toContain('CPI050:warning');
  });

  it('k3: weights renamed so Python 3.12+ takes the NpzIOStore branch are judged', async () => {
    expect(await findingsOf(join(CASES, 'k3-keras-unicode-path-weights'))).toContain('CPI001:error');
  });

  it('a Keras archive whose Unicode Path fields repeat the stored names stays clean', async () => {
    expect(await findingsOf(join(CASES, 'genuine-keras-unicode-path'))).toEqual([]);
  });
});

describe("red-team round 3: joblib's ZF files are read where read_zfile finds the zlib data", () => {
  // joblib.load → _detect_compressor ('ZF' → 'compat') → load_compatibility → numpy_pickle_compat.read_zfile.
  it.each(['j3-zf-space', 'j3-zf-no0x', 'j3-zf-lead', 'j3-zf-under'])('%s is judged', async (name) => {
    expect(await findingsOf(join(CASES, name))).toContain('CPI001:error');
  });

  it.each(['genuine-zf', 'genuine-zf-space'])('%s stays clean', async (name) => {
    expect(await findingsOf(join(CASES, name))).toEqual([]);
  });
});
