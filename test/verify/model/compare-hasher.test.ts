import { createHash } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Hasher } from '../../../src/hash/hasher.js';
import { compareModel, type ModelFile, type WholeFileDigest } from '../../../src/verify/model/compare.js';
import type { ModelManifest } from '../../../src/verify/model/manifest.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function modelFolder(content: Buffer): { dir: string; file: ModelFile } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-compare-'));
  const abs = path.join(dir, 'weights.bin');
  writeFileSync(abs, content);
  const st = statSync(abs);
  return {
    dir,
    file: {
      path: 'weights.bin',
      abs,
      size: st.size,
      identity: { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs },
    },
  };
}

function manifest(digest: string, hashType = 'sha256'): ModelManifest {
  return {
    predicateType: 'https://model_signing/signature/v1.0',
    modelName: 'm',
    method: 'files',
    hashType,
    allowSymlinks: false,
    ignorePaths: [],
    singleFile: false,
    items: [{ name: 'weights.bin', path: 'weights.bin', algorithm: hashType, digest }],
  };
}

/** The scan's hasher as the signatures stage wires it, counting what it was asked. */
function viaHasher(hasher: Hasher, asked: string[]): WholeFileDigest {
  return async (abs, identity, algorithm) => {
    asked.push(`${path.basename(String(abs))}:${algorithm}`);
    const r = await hasher.hash({ abs, identity, algorithms: [algorithm] });
    if (!r.ok || r.digests[algorithm] === undefined) throw new Error('hash failed');
    return r.digests[algorithm];
  };
}

const folder = (file: ModelFile, digest?: WholeFileDigest) => ({
  files: [file],
  unreadable: [],
  signatureFile: 'model.sig',
  ignore: [],
  ...(digest ? { digest } : {}),
});

describe('compareModel hashes whole files through the scan hasher and its cache', () => {
  it.each([
    { name: 'signed digest matches', tamper: false, want: [] as string[] },
    { name: 'one byte changed', tamper: true, want: ['changed weights.bin'] },
  ])('$name', async ({ tamper, want }) => {
    const content = Buffer.alloc(4096, 7);
    const { dir, file } = modelFolder(tamper ? Buffer.concat([content.subarray(1), Buffer.from([8])]) : content);
    const cacheDir = path.join(dir, 'cache');
    const asked: string[] = [];

    const first = await Hasher.create({ cacheDir, workers: 1 });
    const r1 = await compareModel(manifest(sha256(content)), folder(file, viaHasher(first, asked)));
    await first.close();
    expect(r1.issues.map((i) => `${i.kind} ${i.path}`)).toEqual(want);
    expect(first.hashedBytes).toBe(4096);

    // Next run: same verdict, answered from the digest cache, zero bytes hashed.
    const second = await Hasher.create({ cacheDir, workers: 1 });
    const r2 = await compareModel(manifest(sha256(content)), folder(file, viaHasher(second, asked)));
    await second.close();
    expect(r2.issues.map((i) => `${i.kind} ${i.path}`)).toEqual(want);
    expect(second.cacheHits).toBe(1);
    expect(second.hashedBytes).toBe(0);
    expect(asked).toEqual(['weights.bin:sha256', 'weights.bin:sha256']);
  });

  it('without a hasher (the verify command) the file is streamed and still compared', async () => {
    const content = Buffer.from('weights');
    const { file } = modelFolder(content);
    const r = await compareModel(manifest(sha256(Buffer.from('other'))), folder(file));
    expect(r.issues.map((i) => i.kind)).toEqual(['changed']);
  });
});
