import { randomFillSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTENT_LIMITS } from '../../../src/inspect/content/content.js';
import { writeHugeCase } from '../content/sparse-checkpoints.js';
import { inspectAtLimits, ROOMY_LIMITS } from '../content/small-limits.js';
import { inspectFolder } from '../pickle/scan-folder.js';
import { buildZip, npy } from './build.js';

/** A protocol-2 pickle calling os.system('id'): hand-written bytes, never loaded. */
const EVIL = Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1');

const newRoot = (): string => mkdtempSync(path.join(tmpdir(), 'cp-npz-large-'));

async function scanNpz(entries: Parameters<typeof buildZip>[0]): Promise<string[]> {
  const root = newRoot();
  writeFileSync(path.join(root, 'arrays.npz'), buildZip(entries));
  const by = await inspectFolder(root);
  return [...by.values()].flat().map((f) => `${f.ruleId}:${f.level}`);
}

/** The same, through the inspect stage's per-file path at limits scaled to MiBs (6 MiB held in memory). */
async function scanNpzAtSmallLimits(entries: Parameters<typeof buildZip>[0]): Promise<string[]> {
  const root = newRoot();
  writeFileSync(path.join(root, 'arrays.npz'), buildZip(entries));
  return (await inspectAtLimits(root, ROOMY_LIMITS)).map((f) => `${f.ruleId}:${f.level}`);
}

describe('large .npz members: a plain array is judged by its header, an object array is read whole', () => {
  // np.load → NpzFile.__getitem__ → format.read_array: only an object dtype unpickles its data.
  const floats = (n: number) => randomFillSync(Buffer.alloc(n * 8));
  it('deflated float64, 8 MiB (np.savez_compressed), past the 6 MiB held in memory: no finding', async () => {
    const bytes = 1 << 20;
    expect(
      await scanNpzAtSmallLimits([{ name: 'w.npy', data: npy("'<f8'", `(${bytes},)`, floats(bytes)), deflate: true }]),
    ).toEqual([]);
  });

  // Past the 64 MiB a file is read whole (content/analyser.ts): a sparse file, the array bytes a hole, as np.savez
  // writes a float32 array with a small second member.
  it('stored float32, 70 MiB: the file is read by ranges, the member by its head: no finding', async () => {
    const root = newRoot();
    writeHugeCase(root, 'npz', false, 70 << 20);
    expect((await inspectAtLimits(root, DEFAULT_CONTENT_LIMITS)).map((f) => `${f.ruleId}:${f.level}`)).toEqual([]);
  });

  // At the default limits the same holds for 200 MiB of zeros (192 MiB held in memory): `npm run bench`
  // (scripts/bench/large-streams.mjs) scans that one.
  it('a deflated zero array of 12 MiB (np.savez_compressed of np.zeros), past the 6 MiB held in memory, is no limit hit: only its head is inflated', async () => {
    const n = 12 << 17;
    expect(
      await scanNpzAtSmallLimits([
        { name: 'z.npy', data: npy("'<f8'", `(${n},)`, Buffer.alloc(n * 8)), deflate: true },
      ]),
    ).toEqual([]);
  });

  it('a deflated object array past the head size is still read and its pickle judged', async () => {
    const padded = Buffer.concat([
      EVIL.subarray(0, -1),
      Buffer.from('0'.repeat(100_000).replace(/0/g, 'N0'), 'latin1'),
      Buffer.from('.'),
    ]);
    expect(await scanNpz([{ name: 'o.npy', data: npy("'|O'", '(1,)', padded), deflate: true }])).toContain(
      'CPI001:error',
    );
  });

  it('a header that declares more data than the member holds is truncated (CPI013)', async () => {
    expect(
      await scanNpz([{ name: 'w.npy', data: npy("'<f8'", '(200000,)', floats(100_000)), deflate: true }]),
    ).toContain('CPI013:warning');
  });
});
