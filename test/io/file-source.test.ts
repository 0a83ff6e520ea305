import { mkdtemp, rename, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferFileSource, createFileOpener } from '../../src/io/file-source.js';
import { FileChangedError } from '../../src/io/open-regular.js';

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

describe('a scan’s createFileOpener: a file swapped after the walk is refused, not read', () => {
  async function walked() {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-io-swap-'));
    const abs = path.join(dir, 'model.pkl');
    await writeFile(abs, 'vetted');
    await writeFile(path.join(dir, 'other.pkl'), 'other');
    const st = await stat(abs);
    return { dir, abs, vetted: { dev: st.dev, ino: st.ino } };
  }

  it.each([
    {
      name: 'replaced by a symlink to another file in the root',
      swap: async (dir: string, abs: string) => {
        await rm(abs);
        await symlink(path.join(dir, 'other.pkl'), abs);
      },
    },
    {
      name: 'replaced by a symlink out of the root',
      swap: async (_dir: string, abs: string) => {
        await rm(abs);
        const outside = await mkdtemp(path.join(tmpdir(), 'cp-io-outside-'));
        await writeFile(path.join(outside, 'secret'), 'outside');
        await symlink(path.join(outside, 'secret'), abs);
      },
    },
    {
      name: 'replaced by another regular file (renamed over it)',
      swap: async (dir: string, abs: string) => rename(path.join(dir, 'other.pkl'), abs),
    },
  ])('$name', async ({ swap }) => {
    const { dir, abs, vetted } = await walked();
    await swap(dir, abs);
    const opener = createFileOpener({ refuseSwapped: true });
    const err: unknown = await opener.open(abs, 'model.pkl', vetted).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileChangedError);
    expect((err as FileChangedError).code).toBe('ECHANGED');
    expect(opener.stats().opens).toBe(0);
  });

  it('the same file, and a file opened with no identity (a sidecar), open as before', async () => {
    const { dir, abs, vetted } = await walked();
    const opener = createFileOpener({ refuseSwapped: true });
    const same = await opener.open(abs, 'model.pkl', vetted);
    expect((await same.read(0, 6)).toString()).toBe('vetted');
    await same.close();
    const other = await opener.open(path.join(dir, 'other.pkl'), 'other.pkl');
    expect((await other.read(0, 5)).toString()).toBe('other');
    await other.close();
  });
});
