import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Stage } from '../../src/core/stage.js';
import { digestIndex, knownDigest, type DigestIndex } from '../../src/hash/index.js';
import { modelsStage } from '../../src/models/stage.js';
import { repoWith } from '../deps/helpers.js';
import { scanWith } from '../helpers/scan.js';

/** A safetensors file: u64 header length, a JSON header, no tensors. */
function safetensors(): Buffer {
  const header = Buffer.from('{"__metadata__":{"made-by":"chainproof test"}}');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header]);
}

describe('a model is hashed once per scan and its digest offered to later stages', () => {
  it('a later stage reads the digest from the records, and no stage opened the model again', async () => {
    const bytes = safetensors();
    const root = await repoWith({ 'model.safetensors': bytes.toString('latin1') });
    let seen: DigestIndex | undefined;
    const later: Stage = {
      name: 'later',
      run: (input) => {
        seen = digestIndex(input.models);
        return Promise.resolve({});
      },
    };
    const r = await scanWith(root, [modelsStage, later], { options: { cacheDir: undefined } });
    const want = createHash('sha256')
      .update(Buffer.from(bytes.toString('latin1'), 'latin1'))
      .digest('hex');
    expect(knownDigest(seen!, 'model.safetensors', 'sha256')).toBe(want);
    // The hash workers read the weights, once (they report it to the I/O edge); no stage opened them again.
    expect(r.io?.byKind.hash).toEqual({ opens: 1, bytesRead: bytes.length });
    expect(r.io?.byKind.plugins.opens).toBe(0);
  });

  it.each([
    { name: 'a hashed model', digests: { sha256: 'ab' }, want: 'ab' },
    { name: 'a model that could not be hashed', digests: {}, want: undefined },
  ])('$name', ({ digests, want }) => {
    const index = digestIndex([{ path: 'm.bin', format: 'pickle', size: 1, digests }]);
    expect(knownDigest(index, 'm.bin', 'sha256')).toBe(want);
    expect(index.has('m.bin')).toBe(want !== undefined);
  });
});
