import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zip } from '../inspect/formats/build.js';
import { ruleIds, scanModels } from './helpers.js';

/** A `.npy` of four int32s as `np.save` writes it: magic, v1.0, a header padded to 64 bytes, the data. */
function npy(): Buffer {
  const dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }";
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, Buffer.from(header), Buffer.alloc(16)]);
}

/**
 * `np.load` opens any zip as an NpzFile and `NpzFile.__getitem__` reads a member by its name with or without
 * `.npy` (numpy/lib/_npyio_impl.py), so only a zip another loader claims (torch.save's `data.pkl`) is disguised.
 */
const CASES: readonly { name: string; members: { name: string; data: Buffer | string }[]; want: string[] }[] = [
  {
    name: 'npz whose members are all .npy',
    members: [
      { name: 'weights.npy', data: npy() },
      { name: 'bias.npy', data: npy() },
    ],
    want: [],
  },
  {
    name: 'npz with a member named without .npy',
    members: [
      { name: 'weights', data: npy() },
      { name: 'bias.npy', data: npy() },
    ],
    want: [],
  },
  {
    name: 'npz with a member that is not an array',
    members: [{ name: 'notes.txt', data: 'np.load returns these bytes as they are' }],
    want: [],
  },
  {
    name: 'npz that is a torch.save archive',
    members: [
      { name: 'archive/data.pkl', data: '\x80\x02}q\x00.' },
      { name: 'archive/version', data: '3\n' },
    ],
    want: ['CPX005 model.npz'],
  },
];

describe('an .npz is judged by what np.load opens, not by its member names', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-npz-names-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(CASES.map((c, i) => ({ ...c, i })))('$name', async ({ members, want, i }) => {
    const dir = mkdtempSync(path.join(root, `${i}-`));
    writeFileSync(path.join(dir, 'model.npz'), zip(members));
    const r = await scanModels(dir);
    expect(ruleIds(r).filter((id) => id.startsWith('CPX005'))).toEqual(want);
  });
});

/**
 * A `.zip` names the container and nothing more: `zipfile`, `unzip` and `torch.load` (by content) all open a
 * torch.save, TorchScript or .npz archive under that name, and no loader expects anything narrower of it. So its
 * members are judged (the pickle rules) but the name is no disguise, unlike `.npz` above, whose loader np.load never
 * unpickles `data.pkl`.
 */
describe('a .zip holding a zip-based model format is what its name says', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-zip-names-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    { name: 'torch.save archive', members: [{ name: 'archive/data.pkl', data: '\x80\x02}q\x00.' }] },
    { name: 'npz', members: [{ name: 'weights.npy', data: npy() }] },
  ])('$name under a .zip name: no CPX005', async ({ members }) => {
    const dir = mkdtempSync(path.join(root, 'z-'));
    writeFileSync(path.join(dir, 'model.zip'), zip(members));
    const r = await scanModels(dir);
    expect(ruleIds(r).filter((id) => id.startsWith('CPX005'))).toEqual([]);
  });
});
