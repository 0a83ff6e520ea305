import { describe, expect, it } from 'vitest';
import { sniffCompression } from '../../../src/inspect/containers/compression.js';
import { unlz4Capped, unlz4Chunks } from '../../../src/inspect/containers/lz4.js';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
/** An LZ4 frame header: FLG (version 01, flags), BD (64 KiB blocks), HC (not checked by the decoder). */
const header = (flg: number) => Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x40 | flg, 0x40, 0x00]);
const block = (data: Buffer, stored = false) => Buffer.concat([u32(data.length | (stored ? 0x80000000 : 0)), data]);
const END = u32(0);
/** A block of one sequence: `lit` literal bytes, then a match of `len` bytes `offset` back (token, offset LE). */
const seq = (lit: string, offset: number, len: number, tail = '') => {
  const l = Buffer.from(lit, 'latin1');
  const m = len - 4;
  const ext = (n: number) => (n >= 15 ? [...Array<number>(Math.floor((n - 15) / 255)).fill(255), (n - 15) % 255] : []);
  const token = (Math.min(l.length, 15) << 4) | Math.min(m, 15);
  const t = Buffer.from(tail, 'latin1');
  return Buffer.concat([
    Buffer.from([token, ...ext(l.length)]),
    l,
    Buffer.from([offset & 0xff, offset >> 8, ...ext(m)]),
    Buffer.from([t.length << 4]),
    t,
  ]);
};
const cap = (data: Buffer, n = 1 << 20) => unlz4Capped(data, n, () => new Error('cap'));

/** python-lz4's LZ4FrameFile (lz4frame.c LZ4F_decompress), as joblib.load reads compress='lz4' files. */
describe('LZ4 frame decoding', () => {
  it("is sniffed by joblib's _LZ4_PREFIX", () => {
    expect(sniffCompression(header(0x20))).toBe('lz4');
  });

  it('repeats a pattern when the match offset is below its length (and past 255-byte extensions)', () => {
    const out = cap(Buffer.concat([header(0x20), block(seq('ab', 2, 300, 'Z')), END]));
    expect(out.toString('latin1')).toBe('ab'.repeat(151) + 'Z');
  });

  it('lets a linked block reach back into the one before, and reads stored blocks', () => {
    const f = Buffer.concat([
      header(0x00),
      block(Buffer.from('hello world!', 'latin1'), true),
      block(seq('', 12, 12, '.')),
      END,
    ]);
    expect(cap(f).toString('latin1')).toBe('hello world!hello world!.');
  });

  it('refuses a match before the start of an independent block', () => {
    const f = Buffer.concat([header(0x20), block(Buffer.from('abc'), true), block(seq('', 3, 4)), END]);
    expect(() => cap(f)).toThrow(/offset outside the output/);
  });

  it('goes on after a skippable frame into the next frame (concatenated streams)', () => {
    const skippable = Buffer.concat([u32(0x184d2a53), u32(3), Buffer.from('xyz')]);
    const one = Buffer.concat([header(0x20), block(Buffer.from('ab'), true), END]);
    expect(cap(Buffer.concat([one, skippable, one])).toString()).toBe('abab');
  });

  it('stops at the cap, and a cut frame is an error', () => {
    const f = Buffer.concat([header(0x20), block(seq('a', 1, 5000)), END]);
    expect(() => cap(f, 1000)).toThrow('cap');
    expect(() => cap(f.subarray(0, f.length - 4))).toThrow(/ended before the end/);
  });

  it('decodes by chunks as the input arrives', async () => {
    const f = Buffer.concat([header(0x24), block(seq('xy', 2, 40)), END, u32(0)]);
    const parts: Buffer[] = [];
    const pieces = Array.from({ length: Math.ceil(f.length / 3) }, (_, i) => f.subarray(3 * i, 3 * i + 3));
    for await (const c of unlz4Chunks(pieces)) parts.push(c);
    expect(Buffer.concat(parts).toString()).toBe('xy'.repeat(21));
  });
});
