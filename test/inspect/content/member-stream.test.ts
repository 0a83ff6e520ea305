import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { joblibUint8Pickle, noOpPadding, SYSTEM_OPS } from '../pickle/joblib-wrapper.js';
import { sparseZip } from './sparse-checkpoints.js';
import { exitAtError, inspectAtLimits, ROOMY_LIMITS, ruleAtMember } from './small-limits.js';

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
  // pickle.load of a member that holds a joblib NumpyArrayWrapper runs the bytes after it as opcodes, however far out:
  // the member is inflated again from its start for that reading (pickles.ts addPlainLoad, PickleTarget.reopen).
  it.each([
    { name: 'os.system behind 9 MiB of no-op opcodes', evil: true, want: ['CPI001:model.pkl'] },
    { name: '9 MiB of plain array bytes', evil: false, want: [] },
  ])('zip, deflated model.pkl with a joblib wrapper: $name', async ({ evil, want }) => {
    const dir = path.join(root, `joblib-${evil}`);
    mkdirSync(dir, { recursive: true });
    const data = evil ? Buffer.concat([noOpPadding(9 * MiB), SYSTEM_OPS]) : Buffer.alloc(9 * MiB, 0xff);
    const pickle = joblibUint8Pickle(data);
    sparseZip(path.join(dir, 'models.zip'), [
      { name: 'model.pkl', method: 8, data: deflateRawSync(pickle, { level: 1 }), size: pickle.length },
      { name: 'hole.bin', size: 100 * MiB },
    ]);
    // The 100 MiB hole (what makes the zip read by ranges) is a member too large to hold: its own CPI012.
    const found = (await inspectAtLimits(dir, ROOMY_LIMITS)).map(ruleAtMember);
    expect(found.filter((r) => r !== 'CPI012:hole.bin')).toEqual(want);
  });

  // Past what a member was once inflated whole into (maxInMemory: a CPI012 error, benign or not); the zip is past
  // 64 MiB (a 100 MiB storage hole), so it is read by ranges. At limits scaled to MiBs: a 12 MiB data.pkl, past the
  // 6 MiB held in memory and the 8 MiB from which a member is streamed (zip-ranged.ts), within the 16 MiB budget of
  // ROOMY_LIMITS (the pickle's bytes are charged to it). `npm run bench` (scripts/bench/large-streams.mjs) scans 200 MiB at the defaults.
  it.each([
    // torch.load's default weights_only=True has no BINBYTES8 ("Unsupported operand"): the one note, a CPI119.
    { name: 'benign', evil: false, want: ['CPI119:archive/data.pkl'] },
    { name: 'payload after 12 MiB', evil: true, want: ['CPI001:archive/data.pkl'] },
  ])('torch zip, deflated data.pkl of 12 MiB, $name', async ({ evil, want }) => {
    const dir = path.join(root, String(evil));
    mkdirSync(dir, { recursive: true });
    const pickle = bigBytesPickle(12 * MiB, evil);
    sparseZip(path.join(dir, 'model.pt'), [
      { name: 'archive/data.pkl', method: 8, data: deflateRawSync(pickle, { level: 1 }), size: pickle.length },
      { name: 'archive/data/0', size: 100 * MiB },
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]);
    const found = await inspectAtLimits(dir, ROOMY_LIMITS);
    expect(found.map(ruleAtMember)).toEqual(want);
    expect(exitAtError(found)).toBe(evil ? 1 : 0);
  });
});
