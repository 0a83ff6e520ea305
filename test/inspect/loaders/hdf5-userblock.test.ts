import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hdf5SignatureOffsets } from '../../../src/discover/formats/hdf5-head.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';

const root = mkdtempSync(join(tmpdir(), 'cp-h5-userblock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('HDF5 superblock after a user block of any power-of-two size (H5FD_locate_signature)', () => {
  it('searches 0, 512, 1024, … inside the file', () => {
    expect(hdf5SignatureOffsets(70_000)).toEqual([0, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);
  });
  it.each([0, 512, 4096, 65536])('a Lambda-layer Keras .h5 behind a %i-byte user block is still CPI060', async (ub) => {
    const dir = join(root, `ub${ub}`);
    mkdirSync(dir);
    const h5 = readFileSync(corpusPath('models', 'keras_legacy_lambda_layout.h5'));
    writeFileSync(join(dir, 'model.h5'), Buffer.concat([Buffer.alloc(ub), h5]));
    const res = await scanWith(dir, [inspectStage]);
    expect(res.findings.map((f) => f.ruleId)).toContain('CPI060');
  });
  // The user block is the writer's to fill: a GGUF head there makes content detection say GGUF, but Keras hands
  // the .h5 path to h5py all the same.
  it('a Lambda-layer Keras .h5 whose user block starts with a GGUF head is still CPI060', async () => {
    const dir = join(root, 'gguf-head');
    mkdirSync(dir);
    const h5 = readFileSync(corpusPath('models', 'keras_legacy_lambda_layout.h5'));
    const head = Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(504)]);
    writeFileSync(join(dir, 'model.h5'), Buffer.concat([head, h5]));
    const res = await scanWith(dir, [inspectStage]);
    expect(res.findings.map((f) => f.ruleId)).toContain('CPI060');
  });
});
