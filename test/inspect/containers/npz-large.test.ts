import { randomFillSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectFolder } from '../pickle/scan-folder.js';
import { buildZip, npy } from './build.js';

/** A protocol-2 pickle calling os.system('id'): hand-written bytes, never loaded. */
const EVIL = Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1');

async function scanNpz(entries: Parameters<typeof buildZip>[0]): Promise<string[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-npz-large-'));
  writeFileSync(path.join(root, 'arrays.npz'), buildZip(entries));
  const by = await inspectFolder(root);
  return [...by.values()].flat().map((f) => `${f.ruleId}:${f.level}`);
}

describe('large .npz members: a plain array is judged by its header, an object array is read whole', () => {
  // np.load → NpzFile.__getitem__ → format.read_array: only an object dtype unpickles its data.
  const floats = (n: number) => randomFillSync(Buffer.alloc(n * 8));
  it.each([
    { name: 'deflated float64, 8 MiB (np.savez_compressed)', deflate: true, bytes: 1 << 20 },
    {
      name: 'stored float64, 70 MiB: the file is read by ranges, the member by its head',
      deflate: false,
      bytes: 70 << 17,
    },
  ])('$name: no finding', async ({ deflate, bytes }) => {
    expect(await scanNpz([{ name: 'w.npy', data: npy("'<f8'", `(${bytes},)`, floats(bytes)), deflate }])).toEqual([]);
  });

  it('a deflated zero array of 200 MiB (np.savez_compressed of np.zeros) is no limit hit: only its head is inflated', async () => {
    const n = 200 << 17;
    expect(
      await scanNpz([{ name: 'z.npy', data: npy("'<f8'", `(${n},)`, Buffer.alloc(n * 8)), deflate: true }]),
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
