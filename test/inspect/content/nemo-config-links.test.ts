import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
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
async function scanNemo(members: readonly TarMember[], pack = (tar: Buffer) => tar): Promise<string[]> {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'model.nemo'), pack(buildTar(members)));
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

/**
 * `_unpack_nemo_file` extracts every member in order, so a link to a link finds that link already written:
 * tarfile `makelink` hard-links it (`os.link` follows a symlink), and `open` follows a symlink chain.
 */
describe('a .nemo whose model_config.yaml reaches the config through a chain of links', () => {
  it.each([
    { kind: 'hard → hard', first: '1', second: '1' },
    { kind: 'symlink → hard', first: '1', second: '2' },
    { kind: 'hard → symlink', first: '2', second: '1' },
    { kind: 'symlink → symlink', first: '2', second: '2' },
  ])('$kind: the member at the end of the chain is judged (CPI122)', async ({ first, second }) => {
    expect(
      await scanNemo([
        { name: 'weights/notes.txt', data: CONFIG },
        { name: 'l1', type: first, linkName: 'weights/notes.txt' },
        { name: 'model_config.yaml', type: second, linkName: 'l1' },
      ]),
    ).toEqual(['CPI122:weights/notes.txt']);
  });

  // The OS resolves each folder of the path when OmegaConf.load opens it: `d` is a symlink to `sub`.
  it.each([
    { kind: 'a symlinked folder', links: [{ name: 'd', type: '2', linkName: 'sub' }], target: 'd/real.yaml' },
    {
      kind: 'two symlinked folders, one relative to its own folder',
      links: [
        { name: 'x/e', type: '2', linkName: '../sub' },
        { name: 'd', type: '2', linkName: 'x/e' },
      ],
      target: './d/./real.yaml',
    },
    {
      kind: 'a symlinked folder then ..',
      links: [{ name: 'd', type: '2', linkName: 'sub/inner' }],
      target: 'd/../real.yaml',
    },
  ])('a symlink through $kind reaches the config (CPI122)', async ({ links, target }) => {
    expect(
      await scanNemo([
        { name: 'sub/real.yaml', data: CONFIG },
        { name: 'sub/inner/keep', data: BENIGN },
        ...links,
        { name: 'model_config.yaml', type: '2', linkName: target },
      ]),
    ).toEqual(['CPI122:sub/real.yaml']);
  });

  it('a symlinked folder loop ends (ELOOP for NeMo): nothing to judge', async () => {
    expect(
      await scanNemo([
        { name: 'a', type: '2', linkName: 'b' },
        { name: 'b', type: '2', linkName: 'a' },
        { name: 'model_config.yaml', type: '2', linkName: 'a/real.yaml' },
      ]),
    ).toEqual([]);
  });

  it('a symlink loop ends (ELOOP for NeMo): nothing to judge', async () => {
    expect(
      await scanNemo([
        { name: 'a', type: '2', linkName: 'model_config.yaml' },
        { name: 'model_config.yaml', type: '2', linkName: 'a' },
      ]),
    ).toEqual([]);
  });
});

/**
 * A gzipped .nemo is read as it decompresses (content/tar-stream.ts), and a member over 8 MiB is not kept: when it
 * is the config (or what the config links to) that is said, as for any config past the 4 MiB limit.
 */
describe('a streamed .nemo whose config is too large to keep', () => {
  const big = Buffer.concat([CONFIG, Buffer.from(`${'#'.repeat(9 << 20)}\n`)]);

  it.each([
    { kind: 'named model_config.yaml', members: [{ name: 'model_config.yaml', data: big }], at: 'model_config.yaml' },
    {
      kind: 'linked from model_config.yaml',
      members: [
        { name: 'weights/notes.txt', data: big },
        { name: 'model_config.yaml', type: '1', linkName: 'weights/notes.txt' },
      ],
      at: 'weights/notes.txt',
    },
  ])('$kind: CPI015 names the member', async ({ members, at }) => {
    expect(await scanNemo(members, gzipSync)).toEqual([`CPI015:<gzip>!${at}`]);
  });
});
