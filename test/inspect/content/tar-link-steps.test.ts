import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The member readers a scan registers, as in a scan, whatever ran before this file in the worker (isolate: false).
import '../../../src/inspect/analysers.js';
import { buildTar, type TarMember } from '../../hostile/helpers/tar.js';
import { inspectAtLimits, ROOMY_LIMITS, ruleAtMember } from './small-limits.js';
import { writeSparse } from './sparse-checkpoints.js';

const MiB = 1 << 20;
const root = mkdtempSync(path.join(tmpdir(), 'cp-tar-link-steps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const link = (name: string, linkName: string): TarMember => ({ name, type: '2', linkName });

/**
 * Symlinks that cost about 2,000 path steps to follow: 20 links with 100-component targets (each walked once), and
 * one through them. None leaves the folder.
 */
const costly = (under: string): TarMember[] => [
  ...Array.from({ length: 20 }, (_, i) => link(`${under}l${i}`, Array.from({ length: 100 }, () => 'd').join('/'))),
  link(`${under}z`, 'l0/x'),
];

const ruleIds = async (dir: string, maxLinkSteps: number): Promise<string[]> =>
  (await inspectAtLimits(dir, { ...ROOMY_LIMITS, maxLinkSteps })).map(ruleAtMember).sort();

describe('one budget for following the symlinks of a file', () => {
  it('two nested tars of 2,000 steps each spend a budget of 3,000: one CPI013, for the tar that spent it', async () => {
    const dir = mkdtempSync(path.join(root, 'nested-'));
    const inner = buildTar(costly(''));
    writeFileSync(
      path.join(dir, 'model.tar'),
      buildTar([
        { name: 'a.tar', data: inner },
        { name: 'b.tar', data: inner },
      ]),
    );
    expect(await ruleIds(dir, 3_000)).toEqual(['CPI013:b.tar']);
    expect(await ruleIds(dir, 5_000)).toEqual([]);
  });

  // The stream walk looks at the image it keeps (a NeMo config behind a symlink) without following every link; the
  // in-memory reader's readTar follows them once. Followed twice, 2,000 steps would spend a budget of 3,000. (The
  // config's own way is looked up by both, from the config look-up budget: tar-link-steps' NeMo cases.)
  it("a tar read by ranges spends the file budget on readTar's links once, not again in the walk", async () => {
    const dir = mkdtempSync(path.join(root, 'by-ranges-'));
    const members = [
      ...costly(''),
      { name: 'config.yaml', data: Buffer.from('name: m\n') },
      link('model_config.yaml', 'config.yaml'),
    ];
    // Past the 64 MiB from which a plain tar is read by ranges (analyser.ts): a raw member left unread, a hole.
    const head = buildTar([...members, { name: 'weights.bin', data: Buffer.alloc(0) }]);
    const file = path.join(dir, 'model.tar');
    const at = head.length - 1024 - 512;
    const header = buildTar([{ name: 'weights.bin', data: Buffer.alloc(70 * MiB) }]).subarray(0, 512);
    writeSparse(
      file,
      [
        { at: 0, data: head.subarray(0, at) },
        { at, data: header },
      ],
      at + 512 + 70 * MiB + 1024,
    );
    expect(await ruleIds(dir, 3_000)).toEqual([]);
    // The same file with less than the steps it needs: the budget is the one its reading spends.
    expect(await ruleIds(dir, 1_500)).toEqual(['CPI013:']);
  });
});

describe('a NeMo config behind symlinks when the step budget runs out', () => {
  // readTar follows every link once; the look-up of `model_config.yaml` follows the links on its way again, from a
  // budget of its own (no larger than the file's), so readTar spending the file's does not leave the config unjudged.
  const deep = Array.from({ length: 44 }, () => 'd').join('/');
  const members = [
    ...Array.from({ length: 20 }, (_, i) => link(`l${i}`, deep)),
    { name: `${deep}/config.yaml`, data: Buffer.from('target: os.system\n') },
    link('model_config.yaml', 'l0/config.yaml'),
  ];
  const nemo = (): string => {
    const dir = mkdtempSync(path.join(root, 'nemo-'));
    writeFileSync(path.join(dir, 'model.nemo'), buildTar(members));
    return dir;
  };
  it('judges the config when readTar spent the file budget the look-up needed (20 links of 44 steps, then 46)', async () => {
    // About 930 steps for readTar's links, 46 more for the config's way: 970 used to leave the config unfollowed.
    expect(await ruleIds(nemo(), 970)).toEqual([`CPI122:${deep}/config.yaml`]);
    expect(await ruleIds(nemo(), 1_000)).toEqual([`CPI122:${deep}/config.yaml`]);
  });
  it('says the config link was not followed (CPI013) when its own budget runs out too, never passes it', async () => {
    const found = await inspectAtLimits(nemo(), { ...ROOMY_LIMITS, maxLinkSteps: 30 });
    expect(found.map(ruleAtMember)).toEqual(['CPI013:']);
    expect(found[0]!.message).toContain('"model_config.yaml" is a symlink that was not followed');
  });
});
