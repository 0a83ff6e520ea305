import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyModelSignature } from '../../src/verify/model/verify.js';
import { loadTrustedRoot } from '../../src/verify/trust/root.js';
import { blockNetwork, listFiles, signers, writeModelSignature } from './helpers.js';

beforeAll(blockNetwork);

/**
 * Sign a folder the way model_signing's shard serialization does (sha256 per `path:start:end`, root digest over
 * the resource digests in name order, DSSE over the in-toto statement, ECDSA P-384/SHA-384, key-hint bundle).
 */
function signShards(dir: string, shardSize: number): void {
  const resources = listFiles(dir)
    .flatMap((f) => {
      const data = readFileSync(f.abs);
      const out = [];
      for (let start = 0; start < data.length; start += shardSize) {
        const end = Math.min(start + shardSize, data.length);
        out.push({
          name: `${f.path}:${start}:${end}`,
          algorithm: 'sha256',
          digest: createHash('sha256').update(data.subarray(start, end)).digest('hex'),
        });
      }
      return out;
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  writeModelSignature(
    dir,
    { method: 'shards', hash_type: 'sha256', shard_size: shardSize, allow_symlinks: false },
    resources,
  );
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function verify() {
  return verifyModelSignature({
    signature: readFileSync(path.join(dir, 'model.sig')),
    signatureFile: 'model.sig',
    files: listFiles(dir),
    trust: await loadTrustedRoot(),
    signers: await signers('ecKey'),
    // model_signing's key method never logs.
    tlogThreshold: 0,
    timestampThreshold: 0,
  });
}

describe('shard serialization', () => {
  it.each([
    { name: 'intact', edit: () => {}, want: [] },
    {
      name: 'a changed byte in the second shard',
      edit: () => writeFileSync(path.join(dir, 'weights.bin'), 'aaaaaaaaaaXaaaaaaaaaaaaa'),
      want: [{ kind: 'changed', path: 'weights.bin', detail: 'shard 10:20' }],
    },
    {
      name: 'a truncated file',
      edit: () => writeFileSync(path.join(dir, 'weights.bin'), 'aaaaaaaaaa'),
      want: [{ kind: 'changed', path: 'weights.bin', detail: 'the file size differs from the signed shards' }],
    },
    {
      name: 'an added file',
      edit: () => writeFileSync(path.join(dir, 'extra.json'), '{}'),
      want: [{ kind: 'extra', path: 'extra.json' }],
    },
    {
      // file_shard.py `Serializer._get_shards` cuts an empty file into no shard: no manifest lists it, so model_signing
      // verify finds the same manifest whether it is there or not.
      name: 'an added empty file',
      edit: () => writeFileSync(path.join(dir, '__init__.py'), ''),
      want: [],
    },
    {
      name: 'an added empty file that then holds bytes',
      edit: () => writeFileSync(path.join(dir, '__init__.py'), 'import os'),
      want: [{ kind: 'extra', path: '__init__.py' }],
    },
  ])('$name', async ({ edit, want }) => {
    dir = mkdtempSync(path.join(tmpdir(), 'cp-shards-'));
    writeFileSync(path.join(dir, 'weights.bin'), 'a'.repeat(24));
    writeFileSync(path.join(dir, 'config.json'), '{"layers":2}');
    signShards(dir, 10);
    edit();
    const r = await verify();
    expect(r.verdict).toMatchObject({ ok: true, signerName: 'ecKey' });
    expect(r.manifest?.method).toBe('shards');
    expect(r.issues).toMatchObject(want);
    expect(r.issues).toHaveLength(want.length);
  });
});

describe('a signed shard layout model_signing never cuts', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const sign = (shards: [number, number][]) =>
    writeModelSignature(
      dir,
      { method: 'shards', hash_type: 'sha256', shard_size: 8, allow_symlinks: false },
      shards.map(([start, end]) => ({
        name: `w.bin:${start}:${end}`,
        algorithm: 'sha256-sharded-8',
        digest: sha('0123456789'.slice(start, end)),
      })),
    );

  it.each([
    {
      // The size is the signed one: manifest.py `Manifest.__eq__` fails on the keys, not on a size change.
      name: 'overlapping shards over the whole file',
      shards: [
        [0, 8],
        [2, 10],
      ] as [number, number][],
      want: {
        expected: 'shards 2:10',
        actual: 'shards 8:10',
        detail: expect.stringContaining('do not cut this 10-byte'),
      },
    },
    {
      name: 'shards of a shorter file',
      shards: [[0, 8]] as [number, number][],
      want: { expected: 'size 8', actual: 'size 10', detail: 'the file size differs from the signed shards' },
    },
  ])('$name', async ({ shards, want }) => {
    dir = mkdtempSync(path.join(tmpdir(), 'cp-shards-'));
    writeFileSync(path.join(dir, 'w.bin'), '0123456789');
    sign(shards);
    const r = await verify();
    expect(r.issues).toEqual([{ kind: 'changed', path: 'w.bin', algorithm: 'sha256-sharded-8', ...want }]);
  });
});
