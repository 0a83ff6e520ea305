import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomFile } from '../helpers/hash-files.js';
import { HashPool } from '../../src/hash/pool.js';
import { prewarmHashWorker, takePrewarmedWorker } from '../../src/hash/prewarm.js';

describe('the prewarmed hash worker', () => {
  it('is the pool’s first worker, and hashes like any other', async () => {
    const { file, buf } = await randomFile(70_000);
    prewarmHashWorker();
    const pool = new HashPool(1);
    try {
      const r = await pool.hash({ path: file, algorithms: ['sha256'] });
      expect(r).toMatchObject({ ok: true, digests: { sha256: createHash('sha256').update(buf).digest('hex') } });
      // The pool took it: nothing is left to take.
      expect(takePrewarmedWorker()).toBeUndefined();
    } finally {
      await pool.close();
    }
  });

  it('is started once however often it is asked for, and handed out once', async () => {
    prewarmHashWorker();
    prewarmHashWorker();
    const worker = takePrewarmedWorker();
    expect(worker).toBeDefined();
    expect(takePrewarmedWorker()).toBeUndefined();
    await worker!.terminate();
  });
});
