import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONTENT_LIMITS } from '../../../src/inspect/content/content.js';
import { sparseZip } from '../content/sparse-checkpoints.js';
import { inspectAtLimits } from '../content/small-limits.js';
import { inspectFolder } from '../pickle/scan-folder.js';
import { buildZip, npy } from './build.js';

/** A protocol-2 pickle calling os.system('id'): hand-written bytes, never loaded. */
const EVIL = Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1');
const OBJECT_ARRAY = npy("'|O'", '(1,)', EVIL);
const PLAIN_ARRAY = npy("'<i4'", '(4,)', Buffer.alloc(16));

const root = mkdtempSync(path.join(tmpdir(), 'cp-npz-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function scanNpz(entries: Parameters<typeof buildZip>[0]): Promise<string[]> {
  const dir = mkdtempSync(path.join(root, 'mem-'));
  writeFileSync(path.join(dir, 'arrays.npz'), buildZip(entries));
  const by = await inspectFolder(dir);
  return [...by.values()].flat().map((f) => `${f.ruleId}:${f.location.member ?? ''}`);
}

/**
 * A name ending in '/' is all `ZipInfo.is_dir` tests; `ZipFile.open` reads such a member's bytes like any other's,
 * and numpy's `NpzFile` takes its keys from `namelist()`, so `dict(np.load(f, allow_pickle=True))` unpickles an
 * object array stored under `x.npy/` (checked with numpy 1.24 on a harmless object array).
 */
describe('an .npz member named like a folder is read when it holds bytes', () => {
  it('an object array under "x.npy/" that calls os.system is judged (CPI001)', async () => {
    expect(await scanNpz([{ name: 'x.npy/', data: OBJECT_ARRAY }])).toContain('CPI001:x.npy/');
  });

  it('a plain array under "x.npy/" and an empty folder entry are no finding', async () => {
    expect(
      await scanNpz([
        { name: 'arrays/', data: Buffer.alloc(0) },
        { name: 'x.npy/', data: PLAIN_ARRAY },
      ]),
    ).toEqual([]);
  });

  // Past the 64 MiB a file is read whole (content/analyser.ts), the zip is read by ranges (zip-ranged.ts): a sparse
  // file whose first member is a 70 MiB float32 array (its bytes a hole) and whose second is the folder-named one.
  it('read by ranges: the object array under "x.npy/" after a 70 MiB array is judged (CPI001)', async () => {
    const dir = mkdtempSync(path.join(root, 'ranged-'));
    const file = path.join(dir, 'arrays.npz');
    const numel = (70 << 20) / 4;
    const header = npy("'<f4'", `(${numel},)`, Buffer.alloc(0));
    sparseZip(file, [
      { name: 'w.npy', size: header.length + numel * 4 },
      { name: 'x.npy/', data: OBJECT_ARRAY },
    ]);
    // The array's header where its data starts: after the 30-byte local header and its name (no zip64 extra).
    const fd = openSync(file, 'r+');
    writeSync(fd, header, 0, header.length, 30 + 'w.npy'.length);
    closeSync(fd);
    const found = await inspectAtLimits(dir, DEFAULT_CONTENT_LIMITS);
    expect(found.map((f) => `${f.ruleId}:${f.location.member ?? ''}`)).toEqual(['CPI001:x.npy/']);
  });
});
