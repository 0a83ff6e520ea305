import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { sparseZip } from './sparse-checkpoints.js';

const root = mkdtempSync(path.join(tmpdir(), 'cp-member-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1 << 20;
const EVAL = Buffer.from('\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R0', 'latin1');

/** A pickle holding one `bytes` value of `n` zeros (BINBYTES8, as numpy arrays pickle inline), payload after it. */
function bigBytesPickle(n: number, evil: boolean): Buffer {
  const head = Buffer.alloc(11);
  head.write('\x80\x05\x8e', 0, 'latin1');
  head.writeBigUInt64LE(BigInt(n), 3);
  return Buffer.concat([
    head,
    Buffer.alloc(n),
    Buffer.from('0', 'latin1'),
    evil ? EVAL : Buffer.alloc(0),
    Buffer.from('N.'),
  ]);
}

describe('deflated pickle members of a zip read by ranges are inflated as the pickle reader goes', () => {
  // Past the 192 MiB a member was once inflated whole into (a CPI012 error, benign or not); the zip is past 64 MiB
  // (a 100 MiB storage hole), so it is read by ranges.
  it.each([
    { name: 'benign', evil: false, want: [] as string[] },
    { name: 'payload after 200 MiB', evil: true, want: ['CPI001:archive/data.pkl'] },
  ])('torch zip, deflated data.pkl of 200 MiB, $name', async ({ evil, want }) => {
    const dir = path.join(root, String(evil));
    mkdirSync(dir, { recursive: true });
    const pickle = bigBytesPickle(200 * MiB, evil);
    sparseZip(path.join(dir, 'model.pt'), [
      { name: 'archive/data.pkl', method: 8, data: deflateRawSync(pickle, { level: 1 }), size: pickle.length },
      { name: 'archive/data/0', size: 100 * MiB },
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]);
    const res = await scanWith(dir, [inspectStage]);
    expect(res.findings.map((f) => `${f.ruleId}:${f.location.member ?? ''}`)).toEqual(want);
    expect(exitCodeForFindings(res, 'error')).toBe(evil ? 1 : 0);
  });
});
