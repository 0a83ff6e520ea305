import { describe, expect, it } from 'vitest';
import { MAX_SPARSE_REBUILD, paxSparse, rebuildSparse } from '../../../src/inspect/containers/tar-sparse.js';

describe('rebuildSparse (tarfile serves chunks at their offsets, zeros between)', () => {
  it('places each stored chunk at its offset', () => {
    const map = {
      chunks: [
        [0, 2],
        [5, 1],
      ] as const,
      realSize: 7,
    };
    expect([...rebuildSparse(map, Buffer.from('abc'))]).toEqual([0x61, 0x62, 0, 0, 0, 0x63, 0]);
  });
  it.each([
    { name: 'a chunk past the real size', chunks: [[6, 4]] as const, realSize: 8, stored: 4, error: 'RangeError' },
    {
      name: 'chunks longer than the stored bytes',
      chunks: [[0, 4]] as const,
      realSize: 8,
      stored: 2,
      error: 'RangeError',
    },
    {
      name: 'a real size past the cap (holes we would allocate)',
      chunks: [] as const,
      realSize: MAX_SPARSE_REBUILD + 1,
      stored: 0,
      error: 'ContainerLimitError',
    },
  ])('refuses $name with a $error', ({ chunks, realSize, stored, error }) => {
    expect(() => rebuildSparse({ chunks, realSize }, Buffer.alloc(stored))).toThrow(
      expect.objectContaining({ name: error }),
    );
  });
});

describe('paxSparse', () => {
  it('is undefined for a member without GNU.sparse records', () => {
    expect(paxSparse({ path: 'a.pkl' }, Buffer.alloc(0))).toBeUndefined();
  });
  it('reads a 0.1 map from GNU.sparse.map', () => {
    const got = paxSparse({ 'GNU.sparse.size': '10', 'GNU.sparse.map': '0,2,8,2' }, Buffer.alloc(4));
    expect(got).toEqual({
      map: {
        chunks: [
          [0, 2],
          [8, 2],
        ],
        realSize: 10,
      },
      dataStart: 0,
    });
  });
  it.each([
    { name: '0.0 (repeated offset records)', pax: { 'GNU.sparse.size': '4', 'GNU.sparse.offset': '0' }, body: '' },
    {
      name: '1.0 with a truncated map',
      pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '4' },
      body: '2\n0\n',
    },
    { name: 'no real size', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' }, body: '' },
  ])('throws for $name', ({ pax, body }) => {
    expect(() => paxSparse(pax, Buffer.from(body))).toThrow();
  });
});
