import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOctal } from '../../src/discover/formats/tar-head.js';
import { DEFAULT_CONTENT_LIMITS, type ContentContext } from '../../src/inspect/content/content.js';
import { inspectZipByRanges } from '../../src/inspect/content/zip-ranged.js';
import { bufferFileSource } from '../../src/io/file-source.js';
import { inspectStage } from '../../src/inspect/stage.js';
import { scanWith } from '../helpers/scan.js';

/**
 * Red-team round 2 (fixtures/models-cases/redteam-round2, whose README says where each file came from): zips that
 * torch's miniz and Python's zipfile read differently, tar numbers as `tarfile.nti` reads them, legacy tar storage
 * records typed by a `*Tensor` class, Keras configs `json.loads` decodes from UTF-16/32, and concatenated LZMA_Alone
 * streams joblib reads as one. Each case folder is scanned alone (its file's name picks the loader).
 */
const CASES = join(import.meta.dirname, '../../fixtures/models-cases/redteam-round2');

async function findingsOf(dir: string): Promise<string[]> {
  const res = await scanWith(dir, [inspectStage]);
  return [...new Set(res.findings.map((f) => `${f.ruleId}:${f.level}`))].sort();
}

describe('red-team round 2: what the loader runs is judged', () => {
  it.each([
    // torch.load → PyTorchStreamReader → miniz mz_zip_reader_read_central_dir: cdir_ofs absolute, no `concat`.
    { name: 'z1-miniz-concat', want: ['CPI001:error', 'CPI014:warning'] },
    // The same with an untouched torch.save zip behind a blob of nameless local headers.
    { name: 'z2-prepended-nameless', want: ['CPI001:error', 'CPI014:warning'] },
    // torch/serialization.py _legacy_load.legacy_load → tarfile: sizes as tarfile.nti reads them.
    { name: 't2-tar-size-0o', want: ['CPI001:error'] },
    { name: 't2-tar-size-underscore', want: ['CPI001:error'] },
    // legacy_load unpickles every `storages` record; a torch.FloatTensor type is as good as a FloatStorage.
    { name: 't1-legacy-tensortype', want: ['CPI001:error'] },
    // joblib _detect_compressor → lzma.LZMAFile, which reads on into the next LZMA_Alone stream.
    { name: 'j2-concat-pkl', want: ['CPI001:error'] },
    { name: 'j2-concat-bin', want: ['CPI001:error'] },
    { name: 'j2-concat-noext', want: ['CPI001:error'] },
    { name: 'j2-concat-hf', want: ['CPI001:error'] },
    { name: 'j2-concat-joblib', want: ['CPI001:error'] },
  ])('$name is judged', async ({ name, want }) => {
    const got = await findingsOf(join(CASES, name));
    for (const w of want) expect(got).toContain(w);
  });

  it.each(['z1-miniz-concat', 'z2-prepended-nameless'])(
    '%s read by ranges (a checkpoint too large for memory) is judged in miniz’s view too',
    async (name) => {
      const data = readFileSync(join(CASES, name, 'model.pt'));
      const ctx: ContentContext = {
        path: 'model.pt',
        allow: { extra: [] },
        limits: DEFAULT_CONTENT_LIMITS,
        findings: [],
        extracted: 0,
      };
      await inspectZipByRanges(bufferFileSource('model.pt', data), ctx);
      const got = new Set(ctx.findings.map((f) => f.ruleId));
      expect(got).toContain('CPI001');
      expect(got).toContain('CPI014');
    },
  );

  it.each(['utf8bom', 'utf16le', 'utf16bom', 'utf32be'])(
    'a .keras config.json in %s is read as json.loads(bytes) reads it (saving_lib)',
    async (tag) => {
      // The corpus gadget (keras.utils.get_file at load) in UTF-8 gives CPI061: so must every encoding json.loads takes.
      const got = await findingsOf(join(CASES, `k1-keras-${tag}`));
      expect(got).toContain('CPI061:error');
      expect(got.filter((f) => f.startsWith('CPI050'))).toEqual([]);
    },
  );

  it.each(['t2-tar-size-spaces', 't2-tar-size-base256'])(
    '%s (nti forms read before too) stays judged',
    async (name) => {
      expect(await findingsOf(join(CASES, name))).toContain('CPI001:error');
    },
  );

  it.each([
    { name: 'genuine-torch-zip', want: [] },
    { name: 'genuine-torch-legacy', want: [] },
    { name: 'genuine-joblib-lzma', want: [] },
    { name: 'genuine-legacy-tar', want: ['CPI119:note'] },
  ])('$name stays as it is', async ({ name, want }) => {
    expect(await findingsOf(join(CASES, name))).toEqual(want);
  });

  it.each([
    { field: '0o000012000\0', want: 0o12000 },
    { field: '00001_2000\0\0', want: 0o12000 },
    { field: '\0\0\0\0\0\0\0\0\0\0\0', want: 0 },
    { field: '+0o_17\0', want: 0o17 },
  ])('tarfile.nti($field) = $want', ({ field, want }) => {
    expect(parseOctal(Buffer.from(field, 'latin1'))).toBe(want);
  });

  it.each([
    // Forms read alike before and after: guards that following nti rejects what int(s, 8) rejects.
    { field: '0000012000\0', want: 0o12000 },
    { field: '  12000    \0', want: 0o12000 },
    { field: '_17\0', want: undefined },
    { field: '17_\0', want: undefined },
    { field: '1__7\0', want: undefined },
    { field: '0x17\0', want: undefined },
    { field: '9\0', want: undefined },
  ])('tarfile.nti($field) = $want (unchanged)', ({ field, want }) => {
    expect(parseOctal(Buffer.from(field, 'latin1'))).toBe(want);
  });

  it('tarfile.nti reads base-256 only after 0x80 or 0xff', () => {
    expect(parseOctal(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0]))).toBe(0x1400);
    expect(parseOctal(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(-1);
    expect(parseOctal(Buffer.from([0x81, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
  });
});
