import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTar, type TarMember } from '../../hostile/helpers/tar.js';
import { inspectFolder } from '../pickle/scan-folder.js';

const CONFIG = Buffer.from(
  'target: nemo.collections.asr.models.EncDecCTCModel\nencoder:\n  _target_: os.system\n  command: id\n',
);
const BENIGN = Buffer.from('target: nemo.collections.asr.models.EncDecCTCModel\nsample_rate: 16000\n');

const root = mkdtempSync(path.join(tmpdir(), 'cp-nemo-links-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `ruleId:member` of every finding of a `.nemo` made of these members. */
async function scanNemo(members: readonly TarMember[]): Promise<string[]> {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'model.nemo'), buildTar(members));
  const by = await inspectFolder(dir);
  return [...by.values()].flat().map((f) => `${f.ruleId}:${f.location.member ?? ''}`);
}

/**
 * `SaveRestoreConnector._unpack_nemo_file` extracts with `tar.extractall`, then `OmegaConf.load` reads
 * `<folder>/model_config.yaml`. Extracted with Debian python3.11's tarfile, a hard link of that name holds its
 * target's bytes and a symlink of that name is followed: the config NeMo builds is the linked member's text.
 */
describe('a .nemo whose model_config.yaml is a link to another member', () => {
  it.each([
    { kind: 'hard link', type: '1', target: 'weights/notes.txt' },
    { kind: 'symlink', type: '2', target: 'weights/notes.txt' },
    { kind: 'symlink through ..', type: '2', target: 'weights/../weights/notes.txt' },
  ])('$kind: the linked member is judged as the config (CPI122)', async ({ type, target }) => {
    expect(
      await scanNemo([
        { name: 'weights/notes.txt', data: CONFIG },
        { name: 'model_config.yaml', type, linkName: target },
      ]),
    ).toEqual(['CPI122:weights/notes.txt']);
  });

  it('a symlink in a folder resolves from that folder; the last member of the path is the one read', async () => {
    expect(
      await scanNemo([
        { name: 'sub/cfg.txt', data: BENIGN },
        { name: 'sub/cfg.txt', data: CONFIG },
        { name: 'sub/model_config.yaml', data: BENIGN },
        { name: './model_config.yaml', type: '2', linkName: 'sub/cfg.txt' },
      ]),
    ).toEqual(['CPI122:sub/cfg.txt']);
  });

  it('a link to a benign config is no finding, and a member merely linked elsewhere is not a config', async () => {
    expect(
      await scanNemo([
        { name: 'weights/notes.txt', data: BENIGN },
        { name: 'model_config.yaml', type: '1', linkName: 'weights/notes.txt' },
        { name: 'other.txt', data: CONFIG },
        { name: 'other-link.yaml', type: '2', linkName: 'other.txt' },
      ]),
    ).toEqual([]);
  });
});
