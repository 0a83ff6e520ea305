import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
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
    const packed = xzStored(plain);
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

/**
 * An .xz stream whose one block holds `plain` as LZMA2 uncompressed chunks (what liblzma itself emits for
 * incompressible data), built by hand as the xz file format (1.2.1) lays it out: stream header, block header naming
 * the LZMA2 filter, chunks, index, footer; check type None. Encoding 3 MiB of noise in liblzma's WASM spent 1.5 s of
 * CPU to produce the same kind of stream.
 */
function xzStored(plain: Buffer): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    return b;
  };
  const withCrc = (b: Buffer) => Buffer.concat([b, u32(crc32(b))]);
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
    return [...out, n];
  };
  const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const flags = Buffer.from([0, 0]); // check None
  const header = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]), withCrc(flags)]);
  // Block header: size (3 + 1) * 4 = 12, no sizes, one filter: LZMA2 (0x21) with a 1-byte dictionary property.
  const blockHeader = withCrc(Buffer.from([2, 0, 0x21, 1, 0, 0, 0, 0]));
  const chunks: Buffer[] = [];
  for (let at = 0; at < plain.length; at += 0x10000) {
    const part = plain.subarray(at, at + 0x10000);
    // 1: uncompressed chunk resetting the dictionary, 2: uncompressed chunk; then the size - 1, big-endian.
    chunks.push(Buffer.from([at === 0 ? 1 : 2, (part.length - 1) >> 8, (part.length - 1) & 0xff]), part);
  }
  chunks.push(Buffer.from([0])); // end of LZMA2 data
  const data = Buffer.concat(chunks);
  const unpadded = blockHeader.length + data.length;
  const records = Buffer.from([0, ...varint(1), ...varint(unpadded), ...varint(plain.length)]);
  const index = withCrc(Buffer.concat([records, pad4(records.length)]));
  const backward = Buffer.concat([u32(index.length / 4 - 1), flags]);
  const footer = Buffer.concat([u32(crc32(backward)), backward, Buffer.from('YZ')]); // the footer's CRC comes first
  return Buffer.concat([header, blockHeader, data, pad4(data.length), index, footer]);
}
