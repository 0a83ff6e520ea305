import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferFileSource, createFileOpener } from '../../src/io/file-source.js';

const DATA = Buffer.from('0123456789abcdef');

async function opened() {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-io-source-'));
  const abs = path.join(dir, 'f.bin');
  await writeFile(abs, DATA);
  const opener = createFileOpener();
  return { abs, opener, source: await opener.open(abs, 'f.bin') };
}

describe('FileSource.readInto: positioned reads into the caller’s buffer, counted like read', () => {
  it.each([
    { name: 'a range inside the file', at: 2, offset: 4, length: 5, got: 5, text: '..45678.' },
    { name: 'a range past the end is cut at the end', at: 0, offset: 13, length: 8, got: 3, text: 'def.....' },
    { name: 'an offset past the end reads nothing', at: 0, offset: 40, length: 4, got: 0, text: '........' },
  ])('$name (file and memory agree)', async ({ at, offset, length, got, text }) => {
    const { source, opener } = await opened();
    for (const s of [source, bufferFileSource('f.bin', DATA)]) {
      const target = Buffer.from('........');
      expect(await s.readInto(target, at, offset, length)).toBe(got);
      expect(target.toString()).toBe(text);
    }
    expect(opener.stats().byKind.plugins.bytesRead).toBe(got);
    await source.close();
  });

  it('a read that does not fit the target is refused before anything is read', async () => {
    const { source, opener } = await opened();
    await expect(source.readInto(Buffer.alloc(4), 2, 0, 8)).rejects.toThrow(RangeError);
    expect(opener.stats().byKind.plugins.bytesRead).toBe(0);
    await source.close();
  });

  it('a file that shrank since it was opened throws, never returns stale bytes', async () => {
    const { abs, source } = await opened();
    await truncate(abs, 6);
    await expect(source.readInto(Buffer.alloc(16), 0, 0, 16)).rejects.toThrow(/shrank/);
    await source.close();
  });
});
