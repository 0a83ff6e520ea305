import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { zip } from '../formats/build.js';

const root = mkdtempSync(join(tmpdir(), 'cp-zip-links-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A zip whose members named in `links` are Unix symbolic links, as `zip --symlinks` (Info-ZIP) writes them: made on
 * Unix (version-made-by host 3) with S_IFLNK | 0777 in the high half of the external attributes, the target as data.
 */
function zipWithLinks(members: { name: string; data: string }[], links: ReadonlySet<string>): Buffer {
  const bytes = zip(members);
  for (let p = bytes.indexOf('PK\x01\x02', 0, 'latin1'); p >= 0; p = bytes.indexOf('PK\x01\x02', p + 4, 'latin1')) {
    const nameLen = bytes.readUInt16LE(p + 28);
    const name = bytes.toString('utf8', p + 46, p + 46 + nameLen);
    if (!links.has(name)) continue;
    bytes[p + 5] = 3;
    bytes.writeUInt32LE(((0o120000 | 0o777) << 16) >>> 0, p + 38);
  }
  return bytes;
}

async function scanZip(name: string, bytes: Buffer) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bundle.zip'), bytes);
  return (await scanWith(dir, [inspectStage])).findings.filter((f) => f.ruleId === 'CPX025');
}

describe('symbolic link members in a zip (unzip creates them; zipfile writes the target text)', () => {
  it('links out of the archive are one CPX025 naming them', async () => {
    const got = await scanZip(
      'out',
      zipWithLinks(
        [
          { name: 'data.pkl', data: '../../../etc/passwd' },
          { name: 'cfg', data: '/etc' },
          { name: 'inside', data: 'readme.txt' },
          { name: 'readme.txt', data: 'x' },
        ],
        new Set(['data.pkl', 'cfg', 'inside']),
      ),
    );
    expect(got.map((f) => f.message)).toEqual([
      'bundle.zip: 2 link members point outside the archive ("data.pkl" -> "../../../etc/passwd"; "cfg" -> "/etc"); do not extract it.',
    ]);
  });

  it('a link that stays inside, and the same text in a regular member, are not reported', async () => {
    const inside = zipWithLinks(
      [
        { name: 'a/latest', data: '../a/v1.bin' },
        { name: 'a/v1.bin', data: 'x' },
      ],
      new Set(['a/latest']),
    );
    expect(await scanZip('inside', inside)).toEqual([]);
    expect(await scanZip('plain', zip([{ name: 'notes.txt', data: '/etc' }]))).toEqual([]);
  });
});
