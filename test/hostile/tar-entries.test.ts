import { describe, expect, it } from 'vitest';
import type { FileSource } from '../../src/core/file-source.js';
import { readTar } from '../../src/inspect/containers/tar.js';
import { walkTarStream } from '../../src/inspect/content/tar-stream.js';
import { linkSteps } from '../../src/inspect/containers/tar-links.js';
import { buildTar } from './helpers/tar.js';

/** A FileSource over bytes in memory that counts how far it was read. */
function memorySource(data: Buffer): FileSource & { furthest: number } {
  const src = {
    path: 'many.tar',
    size: data.length,
    furthest: 0,
    read(offset: number, length: number) {
      src.furthest = Math.max(src.furthest, Math.min(data.length, offset + length));
      return Promise.resolve(data.subarray(offset, offset + length));
    },
    readInto: () => Promise.reject(new Error('not used')),
    chunks: () => {
      throw new Error('not used');
    },
    close: () => Promise.resolve(),
  };
  return src;
}

describe('a streamed tar of many empty members', () => {
  it('is walked only to one member past the entry bound, where the in-memory reader stops', async () => {
    // A few compressed kilobytes of empty members are a 512-byte header each: walking them all only grew the image.
    const members = Array.from({ length: 1_000 }, (_, i) => ({ name: `f${i}` }));
    const src = memorySource(buildTar([{ name: 'L', type: 'L', data: Buffer.from('long/name\0') }, ...members]));
    const target = {
      path: 'many.tar',
      allow: { extra: [] },
      member: undefined,
      maxImage: 1 << 20,
      maxEntries: 10,
      linkSteps: linkSteps(),
    };
    const image = await walkTarStream(src, target, []);
    expect(image).toBeDefined();
    // The GNU long-name record is no member of its own: 11 members and it.
    expect(src.furthest).toBe(13 * 512);
    expect(() => readTar(image!, 10)).toThrow('tar has more than 10 entries');
  });
});
