import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/loader-cases');

/**
 * Files whose first bytes are a pickle while content detection reads them as a tar, HDF5, GGUF or TFLite file
 * (fixtures/loader-cases/generate.py `leading_pickles`). pickle.load, joblib.load and — except for the tar, which
 * its legacy path opens with tarfile — torch 1.13's torch.load ran each payload on Debian's python3; torch.load ran
 * it too from a torch.save archive whose data.pkl is the tar.
 */
describe('a pickle at the start of a file another format claims', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-leading-pickle-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const scan = async (name: string, data: Buffer) => {
    const dir = mkdtempSync(path.join(root, 'case-'));
    writeFileSync(path.join(dir, name), data);
    return (await scanWith(dir, [inspectStage])).findings;
  };
  const fixture = (f: string) => readFileSync(path.join(FIXTURES, f));
  const payload = (findings: Awaited<ReturnType<typeof scan>>) =>
    findings.filter((f) => f.ruleId === 'CPI001' && f.level !== 'warning').map((f) => f.evidence?.global);

  it.each([
    ['tar whose first member name is the pickle', 'tar_head.pkl', 'model.pkl'],
    ['HDF5 whose user block is the pickle', 'h5_userblock.bin', 'pytorch_model.bin'],
    ['GGUF magic read as BINFLOAT', 'gguf_head.bin', 'pytorch_model.bin'],
    ['TFLite magic inside a string argument', 'tflite_head.bin', 'model.bin'],
  ])('%s: the payload is CPI001', async (_what, file, name) => {
    expect(payload(await scan(name, fixture(file)))).toEqual(['posix.system']);
  });

  it('the same tar gzipped, as joblib.load decompresses and unpickles it', async () => {
    const findings = await scan('model.tar.gz', gzipSync(fixture('tar_head.pkl')));
    expect(payload(findings)).toEqual(['posix.system']);
    expect(findings.find((f) => f.ruleId === 'CPI001')?.message).toMatch(/pickle at the start of a tar archive/);
  });

  it('a torch.save archive whose data.pkl is that tar: torch.load unpickles the member from byte 0', async () => {
    const findings = await scan('model.pt', fixture('tar_data_pkl.pt'));
    expect(payload(findings)).toEqual(['posix.system']);
    expect(findings.find((f) => f.ruleId === 'CPI001')?.location.member).toBe('archive/data.pkl');
  });

  // pickle.load of these bytes ran the payload (Debian's python3): the walk of the first 64 KiB cannot tell.
  it('a payload behind an argument longer than the head walked is still read', async () => {
    const skip = Buffer.concat([Buffer.from('B'), Buffer.alloc(4), Buffer.alloc(100_000)]);
    skip.writeUInt32LE(100_000, 1);
    const head = Buffer.from('GGUF\x03\x00\x00\x00\x00', 'latin1');
    const body = Buffer.from("00cposix\nsystem\n(S'true'\ntR.", 'latin1');
    expect(payload(await scan('pytorch_model.bin', Buffer.concat([head, skip, body])))).toEqual(['posix.system']);
    // The same length of plain bytes with no pickle after it is the GGUF reader's alone.
    const plain = await scan('model.gguf', Buffer.concat([head, skip, Buffer.from('\x00\x00')]));
    expect(plain.filter((f) => f.ruleId === 'CPI003' || f.ruleId === 'CPI001')).toEqual([]);
  });

  it('a plain pickle named .h5 (Keras loads .h5 by name) is reported by the pickle analyser alone', async () => {
    const findings = await scan('weights.h5', Buffer.from("cposix\nsystem\n(S'true'\ntR.", 'latin1'));
    expect(payload(findings)).toEqual(['posix.system']);
  });

  it('the pickle is reported once, not again for the rest of the file read as further pickles', async () => {
    const findings = await scan('pytorch_model.bin', fixture('h5_userblock.bin'));
    expect(findings.filter((f) => f.ruleId.startsWith('CPI0') && f.ruleId !== 'CPI001')).toEqual([]);
  });

  it.each([
    ['a genuine tar', 'tar_head_benign.tar', 'weights.tar'],
    ['an HDF5 file whose user block holds prose', 'h5_userblock_benign.h5', 'model.h5'],
  ])('%s has no pickle finding', async (_what, file, name) => {
    const dir = mkdtempSync(path.join(root, 'control-'));
    copyFileSync(path.join(FIXTURES, file), path.join(dir, name));
    const findings = (await scanWith(dir, [inspectStage])).findings;
    expect(findings.filter((f) => /^CPI(00|10)/.test(f.ruleId))).toEqual([]);
  });
});
