import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { easyBufferEncode } from 'node-liblzma/wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { decompress, loadLzmaDecoder } from '../../../src/inspect/containers/compression.js';
import { ContainerLimitError } from '../../../src/inspect/containers/errors.js';
import { unlzmaCapped, zipLzmaToAlone } from '../../../src/inspect/containers/lzma.js';

const CASES = join(import.meta.dirname, '../../../fixtures/loader-cases');
const LIMITS = { maxOutput: 1 << 20, maxRatio: 1000 };
const limit = () => new ContainerLimitError('past the cap');

beforeAll(async () => {
  expect(await loadLzmaDecoder()).toBe(true);
});

describe('xz and LZMA_Alone decoding is bounded', () => {
  it('stops an xz bomb at the output cap (4 MiB of zeros, 1 MiB cap)', () => {
    // Preset 0: liblzma's preset 6 spent over a second of CPU encoding 8 MiB in WASM; the bomb is as small.
    const bomb = Buffer.from(easyBufferEncode(new Uint8Array(4 << 20), 0));
    expect(bomb.length).toBeLessThan(4096);
    expect(() => decompress('xz', bomb, LIMITS)).toThrow(ContainerLimitError);
  });

  it('refuses an LZMA_Alone header that claims a 4 GiB dictionary (decoder memory limit)', () => {
    const data = Buffer.from(readFileSync(join(CASES, 'evil_lzma.joblib')));
    data.writeUInt32LE(0xffffffff, 1);
    expect(() => unlzmaCapped(data, 1 << 20, limit)).toThrow(ContainerLimitError);
  });

  it.each([
    { name: 'bytes after the end of the xz stream', data: () => Buffer.concat([xzOf('a'), Buffer.from('garbage')]) },
    { name: 'a truncated xz stream', data: () => xzOf('a'.repeat(1000)).subarray(0, 30) },
  ])('$name is an error, never a partial pass', ({ data }) => {
    expect(() => unlzmaCapped(data(), 1 << 20, limit)).toThrow(/xz\/lzma|liblzma/);
  });

  it('decodes a stream fed to the decoder in several input windows (3 MiB incompressible)', () => {
    const plain = Buffer.alloc(3 << 20);
    let x = 12345;
    for (let i = 0; i < plain.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      plain[i] = x >>> 24;
    }
    const packed = Buffer.from(easyBufferEncode(plain, 0));
    expect(packed.length).toBeGreaterThan(2 << 20);
    expect(unlzmaCapped(packed, 4 << 20, limit).equals(plain)).toBe(true);
  });

  it('decodes a real joblib xz stream to the pickle inside', () => {
    const plain = decompress('xz', readFileSync(join(CASES, 'evil_xz.joblib')), LIMITS);
    expect(plain[0]).toBe(0x80);
  });
});

describe('zip method 14 members as LZMA_Alone', () => {
  it.each([
    { name: 'end-marker flag: unknown size', flags: 0x02, want: 'ffffffffffffffff' },
    { name: 'no end marker: the directory size', flags: 0, want: '2a00000000000000' },
  ])('$name', ({ flags, want }) => {
    const raw = Buffer.from([9, 20, 5, 0, 0x5d, 0, 0, 1, 0, 0xaa, 0xbb]);
    const alone = zipLzmaToAlone(raw, flags, 42);
    expect(alone.subarray(0, 5).toString('hex')).toBe('5d00000100');
    expect(alone.subarray(5, 13).toString('hex')).toBe(want);
    expect(alone.subarray(13).toString('hex')).toBe('aabb');
  });

  it('refuses a properties size other than 5', () => {
    expect(() => zipLzmaToAlone(Buffer.from([9, 20, 4, 0, 0x5d, 0, 0, 1]), 2, 0)).toThrow(/property bytes/);
  });
});

function xzOf(text: string): Buffer {
  return Buffer.from(easyBufferEncode(Buffer.from(text), 6));
}
