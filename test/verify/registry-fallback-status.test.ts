import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelsStage } from '../../src/models/stage.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { record } from '../../src/verify/stage/findings.js';
import type { Stage } from '../../src/core/stage.js';
import { corpusPath } from '../helpers/corpus.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, signFiles } from './helpers.js';

beforeAll(blockNetwork);

/**
 * A model file the trusted registry does not list has nothing to be checked against there (CPM001, a note); a
 * signature by an allowed signer that verifies it is a check. The file's verification is that signature's outcome,
 * not "unverifiable: no trusted-registry entry", and a failed signature still fails it.
 */
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const SAFETENSORS = corpusPath('models', 'real-safetensors', 'model2vec-test-model-int8.safetensors');

function signedModel(): string {
  root = mkdtempSync(path.join(tmpdir(), 'cp-registry-fallback-'));
  const dir = path.join(root, 'models/m');
  mkdirSync(dir, { recursive: true });
  copyFileSync(SAFETENSORS, path.join(dir, 'model.safetensors'));
  writeFileSync(path.join(dir, 'config.json'), '{}');
  signFiles(dir, ['config.json', 'model.safetensors'], false);
  return dir;
}

const scan = () =>
  scanWith(root, [modelsStage, signaturesStage], { policy: modelsSignedBy(['ecKey'], []), today: '2025-06-01' });
const statusOf = (r: Awaited<ReturnType<typeof scan>>, p: string) => r.verifications.find((v) => v.key === `file:${p}`);

describe('a signed model file the trusted registry does not list', () => {
  it('is verified by its signature; CPM001 still says its origin is unrecorded', async () => {
    signedModel();
    const r = await scan();
    expect(r.findings.map((f) => f.ruleId)).toEqual(['CPM001']);
    expect(statusOf(r, 'models/m/model.safetensors')).toEqual({
      key: 'file:models/m/model.safetensors',
      status: 'verified',
      detail: expect.stringContaining('models/m/model.sig') as string,
    });
    expect(r.summary).toMatchObject({ verified: 2, unverifiable: 0, failed: 0 });
  });

  it('a changed file still fails', async () => {
    const dir = signedModel();
    writeFileSync(path.join(dir, 'model.safetensors'), 'changed');
    const r = await scan();
    expect(statusOf(r, 'models/m/model.safetensors')?.status).toBe('failed');
  });

  it('unsigned, it stays unverifiable with no trusted-registry entry, and the output has no merge marker', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-registry-fallback-'));
    mkdirSync(path.join(root, 'models'));
    copyFileSync(SAFETENSORS, path.join(root, 'models/model.safetensors'));
    const r = await scanWith(root, [modelsStage], { today: '2025-06-01' });
    expect(r.verifications).toEqual([
      { key: 'file:models/model.safetensors', status: 'unverifiable', detail: 'no trusted-registry entry' },
    ]);
  });

  /**
   * With no signers in the policy any identity Fulcio issued verifies (verify-bundle.ts `verifyKeyless`): a
   * throwaway identity's signature is no check against anything the user trusts, so the file stays unverifiable.
   * Only a signature whose signer the policy names (`signerName`) replaces the fallback.
   */
  it.each([
    ['a signer the policy does not name', undefined, { status: 'unverifiable', detail: 'no trusted-registry entry' }],
    ['a signer the policy names', 'ecKey', { status: 'verified', detail: 'signed by someone (model.sig)' }],
  ])('signed by %s', async (_what, signerName, expected) => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-registry-fallback-'));
    mkdirSync(path.join(root, 'models'));
    copyFileSync(SAFETENSORS, path.join(root, 'models/model.safetensors'));
    const signature: Stage = {
      name: 'signatures',
      run: () =>
        Promise.resolve({
          verifications: [record('models/model.safetensors', 'verified', 'signed by someone (model.sig)', signerName)],
        }),
    };
    for (const stages of [
      [modelsStage, signature],
      [signature, modelsStage],
    ]) {
      const r = await scanWith(root, stages, { today: '2025-06-01' });
      expect(r.verifications).toEqual([{ key: 'file:models/model.safetensors', ...expected }]);
    }
  });
});
