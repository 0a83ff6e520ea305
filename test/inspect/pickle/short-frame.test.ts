import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';

const short = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;

/** `pickle.dumps({'a': 'x' * 40, 'b': [1, 2, 3]}, protocol=4)` as CPython frames it: PROTO 4, one FRAME, the body. */
function framed(): Buffer {
  const body = Buffer.from(
    `}\x94(${short('a')}\x94${short('x'.repeat(40))}\x94${short('b')}\x94]\x94(K\x01K\x02K\x03eu.`,
    'latin1',
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(body.length));
  return Buffer.concat([Buffer.from('\x80\x04\x95', 'latin1'), len, body]);
}

describe('a protocol 4 pickle cut short inside its FRAME', () => {
  const root = mkdtempSync(join(tmpdir(), 'cp-short-frame-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is one finding, the truncation, which also names the FRAME it cut', async () => {
    // A download cut off mid-frame: `_pickle.c` `load_frame` fails reading the frame, `Lib/pickle.py`
    // `_Unframer.read` at the first opcode past the data — one cause either way.
    const whole = framed();
    writeFileSync(join(root, 'cut.pkl'), whole.subarray(0, 40));
    const res = await scanWith(root, [inspectStage]);
    const cpi = res.findings.filter((f) => f.ruleId.startsWith('CPI'));
    expect(cpi.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPI003:warning']);
    expect(cpi[0]!.message).toContain(`its FRAME at byte 2 declares ${whole.length - 11} bytes but only 29 remain`);
    expect(cpi[0]!.evidence).toMatchObject({ problem: 'malformed', pickle: 0 });
  });

  it('says a length past 2^53 as the huge number it is, not as Infinity', async () => {
    // FRAME, BINBYTES8 and BINUNICODE8 each with a u64 length of 2^62 and three NONEs after it.
    const huge = (op: number) => {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(2n ** 62n);
      return Buffer.concat([Buffer.from([0x80, 0x04, op]), len, Buffer.from('NNN')]);
    };
    writeFileSync(join(root, 'frame8.pkl'), huge(0x95));
    writeFileSync(join(root, 'bytes8.pkl'), huge(0x8e));
    writeFileSync(join(root, 'text8.pkl'), huge(0x8d));
    const res = await scanWith(root, [inspectStage]);
    const said = (file: string) => res.findings.find((f) => f.location.path === file && f.ruleId.startsWith('CPI'));
    expect(said('frame8.pkl')?.message).toContain('declares over 9007199254740991 bytes but only 3 remain');
    expect(said('bytes8.pkl')?.message).toContain('truncated (bytes of over 9007199254740991)');
    expect(said('text8.pkl')?.message).toContain('truncated (string of over 9007199254740991 bytes)');
    expect(res.findings.map((f) => f.message).join('\n')).not.toContain('Infinity');
  });
});
