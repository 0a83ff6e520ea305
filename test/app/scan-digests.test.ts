import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIdentity, randomFile } from '../helpers/hash-files.js';
import { ScanHasher } from '../../src/app/scan-digests.js';

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
    expect(await hasher.stats()).toEqual({ hashedBytes: 0, cacheHits: 0 });
    await hasher.close();
  });
});
