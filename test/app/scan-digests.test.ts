import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIdentity, randomFile } from '../helpers/hash-files.js';
import { ScanHasher } from '../../src/app/scan-digests.js';
import type { DiscoveredFile } from '../../src/core/files.js';

describe('the scan hasher: one read per file for every stage that asks', () => {
  it('a read started with more algorithms answers a later ask for fewer; a new algorithm reads again', async () => {
    const { file, buf } = await randomFile(300_000);
    const id = await fileIdentity(file);
    const hasher = new ScanHasher({ cacheDir: undefined });
    try {
      // The models stage's prefetch, then model signatures asking for sha256 alone while the read is in flight.
      void hasher.hash({ abs: file, identity: id, algorithms: ['sha256', 'sha512'] });
      const one = hasher.hash({ abs: file, identity: id, algorithms: ['sha256'] });
      expect(await one).toMatchObject({
        ok: true,
        digests: { sha256: createHash('sha256').update(buf).digest('hex') },
      });
      expect((await hasher.stats()).hashedBytes).toBe(buf.length);
      await hasher.hash({ abs: file, identity: id, algorithms: ['git-sha1'] });
      expect((await hasher.stats()).hashedBytes).toBe(2 * buf.length);
    } finally {
      await hasher.close();
    }
  });

  it('a scan that hashes nothing starts no worker and reads no cache', async () => {
    const hasher = new ScanHasher({ cacheDir: path.join(tmpdir(), 'cp-never-made') });
    expect(await hasher.stats()).toEqual({ hashedBytes: 0, cacheHits: 0, workers: 0 });
    await hasher.close();
  });

  it.each([
    {
      name: 'a model file: one worker boots before any stage asks',
      format: 'safetensors',
      path: 'm.safetensors',
      want: 1,
    },
    { name: 'a Hugging Face cache blob', format: 'other', path: 'models--o--r/blobs/' + 'a'.repeat(64), want: 1 },
    { name: 'an LFS pointer is never read whole', format: 'lfs-pointer', path: 'm.bin', want: 0 },
    { name: 'a large file of no model format', format: 'other', path: 'data.csv', want: 0 },
  ] as const)('warm: $name', async ({ format, path: rel, want }) => {
    const { file } = await randomFile(1000);
    const walked: DiscoveredFile = { path: rel, abs: file, format, ...(await fileIdentity(file)) };
    const hasher = new ScanHasher({ cacheDir: undefined });
    try {
      hasher.warm([walked]);
      expect((await hasher.stats()).workers).toBe(want);
    } finally {
      await hasher.close();
    }
  });

  it('warm boots no worker on a re-scan whose digests the cache holds', async () => {
    const { file } = await randomFile(1000);
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'cp-cache-'));
    const walked: DiscoveredFile = { path: 'm.gguf', abs: file, format: 'gguf', ...(await fileIdentity(file)) };
    const first = new ScanHasher({ cacheDir });
    await first.hash({ abs: file, identity: walked, algorithms: ['sha256'] });
    await first.close();
    const again = new ScanHasher({ cacheDir });
    try {
      again.warm([walked]);
      expect(await again.stats()).toEqual({ hashedBytes: 0, cacheHits: 0, workers: 0 });
      expect(await again.hash({ abs: file, identity: walked, algorithms: ['sha256'] })).toMatchObject({ cached: true });
    } finally {
      await again.close();
    }
  });
});
