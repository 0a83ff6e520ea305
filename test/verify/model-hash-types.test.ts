import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, writeModelSignature } from './helpers.js';

beforeAll(blockNetwork);

/**
 * The hash a model signature names, as model_signing verify uses it: verifying.py `_guess_hashing_config` builds
 * one hasher from `serialization.hash_type` (hashing.py `_build_stream_hasher`: `sha256`, `blake2`, `blake3`; any
 * other name, `blake2b` its own BLAKE2 hasher records among them, raises "Unsupported hashing method"), hashes every file with it and compares `Digest(algorithm, value)` pairs
 * (manifest.py `Manifest.__eq__`). A hash chainproof cannot compute leaves the model not checked, never passed.
 */
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const FILES = { 'weights.bin': 'AAAA', 'config.json': '{}', 'tokenizer.json': '[]' };

function signedModel(hashType: string, digestOf: (body: string) => string, algorithm = hashType): void {
  root = mkdtempSync(path.join(tmpdir(), 'cp-ms-hash-'));
  const dir = path.join(root, 'models/m');
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(FILES)) writeFileSync(path.join(dir, name), body);
  const resources = Object.entries(FILES)
    .map(([name, body]) => ({ name, algorithm, digest: digestOf(body) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  writeModelSignature(dir, { method: 'files', hash_type: hashType, allow_symlinks: false }, resources);
}

const scan = () => scanWith(root, [signaturesStage], { policy: modelsSignedBy(['ecKey'], []), today: '2025-06-01' });
const findingsOf = (r: Awaited<ReturnType<typeof scan>>) => r.findings.map((f) => `${f.ruleId} ${f.location.path}`);
const statuses = (r: Awaited<ReturnType<typeof scan>>) =>
  Object.keys(FILES).map((f) => r.verifications.find((v) => v.key === `file:models/m/${f}`)?.status);

describe('the hash a model signature names', () => {
  it('BLAKE2b, whose recorded name model_signing verify has no hasher for, is refused, never verified', async () => {
    // model_signing signs with BLAKE2 and records `blake2b` (memory.py `BLAKE2.digest_name`); verify hands that name to
    // hashing.py `_build_stream_hasher`, which knows `blake2` only: "Unsupported hashing method blake2b".
    signedModel('blake2b', (b) => createHash('blake2b512').update(b).digest('hex'));
    const r = await scan();
    expect(findingsOf(r)).toEqual(['CPS008 models/m/model.sig']);
    expect(r.findings[0]!.message).toContain('"blake2b" is not a hash model_signing verify can hash the model with');
    expect(statuses(r)).not.toContain('verified');
  });

  it('BLAKE3, which chainproof cannot compute: one CPS007 for the model, every file unverifiable', async () => {
    signedModel('blake3', (b) => createHash('sha256').update(b).digest('hex'));
    const r = await scan();
    expect(findingsOf(r)).toEqual(['CPS007 models/m']);
    expect(r.findings[0]!.message).toContain('hashes its files with blake3, which chainproof cannot compute');
    expect(statuses(r)).toEqual(['unverifiable', 'unverifiable', 'unverifiable']);
  });

  it('a hash model_signing has no hasher for (sha512) is refused as model_signing refuses it, not verified', async () => {
    signedModel('sha512', (b) => createHash('sha512').update(b).digest('hex'));
    const r = await scan();
    expect(findingsOf(r)).toEqual(['CPS008 models/m/model.sig']);
    expect(r.findings[0]!.message).toContain('is not a hash model_signing verify can hash the model with');
    expect(statuses(r)).not.toContain('verified');
  });

  it('an item recorded under another algorithm than hash_type never matches there, and is refused', async () => {
    signedModel('sha256', (b) => createHash('blake2b512').update(b).digest('hex'), 'blake2b');
    const r = await scan();
    expect(findingsOf(r)).toEqual(['CPS008 models/m/model.sig']);
    expect(r.findings[0]!.message).toContain('is recorded as blake2b, but the manifest hashes every file with sha256');
    expect(statuses(r)).not.toContain('verified');
  });
});

/**
 * A signature kept beside its folder (`models/m.sig`) whose manifest model_signing refuses still names its model: the
 * failure is that model's, and another model in the same parent folder, verified by its own signature, stays verified.
 */
describe('a refused manifest beside its model folder', () => {
  function twoModels(mSerialization: Record<string, unknown>, digestOf: (b: string) => string): void {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-hash-'));
    for (const name of ['m', 'n']) {
      mkdirSync(path.join(root, 'models', name), { recursive: true });
      for (const [file, body] of Object.entries(FILES)) writeFileSync(path.join(root, 'models', name, file), body);
    }
    const sha256 = (b: string) => createHash('sha256').update(b).digest('hex');
    const resources = (algorithm: string, of: (b: string) => string) =>
      Object.entries(FILES)
        .map(([name, body]) => ({ name, algorithm, digest: of(body) }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    const n = path.join(root, 'models/n');
    writeModelSignature(
      n,
      { method: 'files', hash_type: 'sha256', allow_symlinks: false },
      resources('sha256', sha256),
    );
    const m = path.join(root, 'models/m');
    const algorithm = String(mSerialization['hash_type']);
    writeModelSignature(m, mSerialization, resources(algorithm, digestOf), path.join(root, 'models/m.sig'));
  }
  const statusAt = (r: Awaited<ReturnType<typeof scan>>, file: string) =>
    r.verifications.find((v) => v.key === `file:${file}`)?.status;

  it('fails only its own model (sha512), never the files of models/n', async () => {
    twoModels({ method: 'files', hash_type: 'sha512', allow_symlinks: false }, (b) =>
      createHash('sha512').update(b).digest('hex'),
    );
    const r = await scan();
    expect(findingsOf(r)).toEqual(['CPS008 models/m.sig']);
    expect(statusAt(r, 'models/n/weights.bin')).toBe('verified');
    expect(statusAt(r, 'models/n/model.sig')).toBeUndefined();
    expect(statusAt(r, 'models/m/weights.bin')).toBe('failed');
  });

  it('an unreadable model.sig over the parent folder fails its files, not those of the model signed below it', async () => {
    twoModels({ method: 'files', hash_type: 'sha256', allow_symlinks: false }, (b) =>
      createHash('sha256').update(b).digest('hex'),
    );
    writeFileSync(path.join(root, 'models/model.sig'), '{}');
    writeFileSync(path.join(root, 'models/README.md'), 'x');
    const r = await scan();
    expect(findingsOf(r)).toEqual(['CPS008 models/model.sig']);
    expect(statusAt(r, 'models/n/weights.bin')).toBe('verified');
    expect(statusAt(r, 'models/README.md')).toBe('failed');
  });
});
