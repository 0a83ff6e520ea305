import { randomFillSync } from 'node:crypto';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FileIdentity } from '../../src/hash/types.js';

/** A file of `size` random bytes in a new temp folder, with the bytes (to digest them another way). */
export async function randomFile(size: number): Promise<{ file: string; buf: Buffer }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-hash-'));
  const buf = randomFillSync(Buffer.alloc(size));
  const file = path.join(dir, `f${size}`);
  await writeFile(file, buf);
  return { file, buf };
}

/** What the walk would record of the file: the digest cache's key and the hasher's changed-file check. */
export async function fileIdentity(file: string): Promise<FileIdentity> {
  const st = await stat(file);
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}
