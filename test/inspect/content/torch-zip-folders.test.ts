import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectFolder } from '../pickle/scan-folder.js';
import { buildZip } from '../containers/build.js';

/** `os.system('id')`, protocol 2, hand-written. */
const PAYLOAD = Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00idq\x00\x85R.', 'latin1');
/** `{}`, protocol 2: what a torch.save of an empty dict pickles. */
const EMPTY = Buffer.from('\x80\x02}q\x00.', 'latin1');

const root = mkdtempSync(path.join(tmpdir(), 'cp-torch-zip-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Checked with Debian's torch 1.13: torch.load of such a zip (with or without weights_only) raises
// "file in archive is not in a subdirectory h54b-a/: other/data.pkl" from PyTorchStreamReader::getAllRecords.
describe('a torch.save zip with a second top-level folder', () => {
  it('says torch.load refuses it, and judges its pickles without a weights-only verdict', async () => {
    const dir = mkdtempSync(path.join(root, 'two-'));
    writeFileSync(
      path.join(dir, 'model.pt'),
      buildZip([
        { name: 'archive/data.pkl', data: EMPTY },
        { name: 'archive/version', data: Buffer.from('3\n') },
        { name: 'other/data.pkl', data: PAYLOAD },
      ]),
    );
    const found = [...(await inspectFolder(dir)).values()].flat();
    expect(found.map((f) => `${f.ruleId}:${f.location.member ?? ''}`).sort()).toEqual([
      'CPI001:other/data.pkl',
      'CPI014:',
    ]);
    const code = found.find((f) => f.ruleId === 'CPI001')!;
    expect(code.message).toContain('loading it can run code');
    expect(code.message).not.toContain('weights_only');
    expect(found.find((f) => f.ruleId === 'CPI014')!.message).toContain(
      'torch.load refuses this archive: its records are read under "archive/"',
    );
  });

  it('a torch zip in one folder keeps its weights-only verdict and no CPI014', async () => {
    const dir = mkdtempSync(path.join(root, 'one-'));
    writeFileSync(
      path.join(dir, 'model.pt'),
      buildZip([
        { name: 'archive/data.pkl', data: PAYLOAD },
        { name: 'archive/version', data: Buffer.from('3\n') },
      ]),
    );
    const found = [...(await inspectFolder(dir)).values()].flat();
    expect(found.map((f) => f.ruleId)).toEqual(['CPI001']);
    expect(found[0]!.message).toContain('weights_only');
  });
});
