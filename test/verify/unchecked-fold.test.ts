import { createHash, createPrivateKey, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, KEYS, signFiles as signModel, SPECS } from './helpers.js';

beforeAll(blockNetwork);

/*
 * One finding per cause: detached bundles each not checked for one reason — signed with a key the policy does not
 * name, or by cosign sign-blob without the transparency log — are one CPS007 with a count, as log-less cosign `.sig`
 * files are (cosign.ts). Bundles are made here with model_signing's test key.
 */
const key = createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')));

function keyedBundle(data: Buffer): string {
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(data).digest('base64') },
      signature: sign('sha256', data, key).toString('base64'),
    },
  });
}

/** What cosign sign-blob --bundle --tlog-upload=false writes: a signature and no Rekor entry. */
const unloggedCosign = (data: Buffer) =>
  JSON.stringify({ base64Signature: sign('sha256', data, key).toString('base64') });

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cp-unchecked-fold-'));
  mkdirSync(path.join(root, 'w'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function signFiles(count: number, bundleName: (file: string) => string, bundle: (data: Buffer) => string): void {
  for (let i = 0; i < count; i++) {
    const data = Buffer.from(`weights ${i}\n`);
    writeFileSync(path.join(root, `w/f${i}.bin`), data);
    writeFileSync(path.join(root, bundleName(`w/f${i}.bin`)), bundle(data));
  }
}

const scan = (policy?: Policy) => scanWith(root, [signaturesStage], policy ? { policy } : {});

describe('detached bundles each not checked for one reason', () => {
  it('signed with a key the policy does not name, are one CPS007 with the count', async () => {
    signFiles(4, (f) => `${f}.sigstore.json`, keyedBundle);
    const r = await scan();
    expect(r.findings).toHaveLength(1);
    const [f] = r.findings;
    expect(f).toMatchObject({ ruleId: 'CPS007', location: { path: 'w/f0.bin.sigstore.json' } });
    expect(f!.message).toMatch(
      /^4 signature bundles were not checked, all for one reason: signed with a public key; the policy names no key to verify it with\. They are w\/f0\.bin\.sigstore\.json, w\/f1\.bin\.sigstore\.json, w\/f2\.bin\.sigstore\.json and 1 more\. Name the key/,
    );
    expect(f!.members).toHaveLength(4);
    expect(f!.related?.map((l) => l.path)).toEqual([
      'w/f1.bin.sigstore.json',
      'w/f2.bin.sigstore.json',
      'w/f3.bin.sigstore.json',
    ]);
    // Each file still has its own record.
    expect(r.verifications.filter((v) => v.status === 'unverifiable')).toHaveLength(4);
    // SARIF and JSON readers see the finding on the first file, and what all of them share.
    expect(f!.artifact).toEqual({ kind: 'file', path: 'w/f0.bin' });
    expect(f!.evidence).toMatchObject({ artifacts: 'w/f0.bin w/f1.bin w/f2.bin', expectedSigner: expect.any(String) });
    expect(f!.evidence!['expectedSigner']).toBe(f!.members![0]!.evidence!['expectedSigner']);
  });

  it('signed by cosign without the transparency log, are one CPS007 saying to re-sign with it', async () => {
    signFiles(3, (f) => `${f}.bundle`, unloggedCosign);
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS007 w/f0.bin.bundle']);
    expect(r.findings[0]!.message).toContain(
      '3 signature bundles were not checked, all for one reason: it is a cosign bundle with no Rekor entry',
    );
    expect(r.findings[0]!.message).toContain('Re-sign with the transparency log');
  });

  it('where a requirement covers each file, stay one error per file', async () => {
    signFiles(2, (f) => `${f}.bundle`, unloggedCosign);
    const policy: Policy = {
      ...DEFAULT_POLICY,
      source: '<test>',
      signatures: {
        ...DEFAULT_POLICY.signatures,
        signers: { ecKey: SPECS.ecKey },
        require: [{ paths: ['w/**'], signers: ['ecKey'] }],
      },
    };
    const r = await scan(policy);
    expect(r.findings.map((f) => `${f.ruleId} ${f.level} ${f.location.path}`)).toEqual([
      'CPS007 error w/f0.bin.bundle',
      'CPS007 error w/f1.bin.bundle',
    ]);
  });

  it('alone, is its own finding', async () => {
    signFiles(1, (f) => `${f}.sigstore.json`, keyedBundle);
    const r = await scan();
    expect(r.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^Sigstore bundle w\/f0\.bin\.sigstore\.json does not verify: signed with a public key/),
    ]);
  });
});

describe('model signatures each not checked for one reason', () => {
  const signModels = (count: number) => {
    for (let i = 0; i < count; i++) {
      const dir = path.join(root, `m${i}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'weights.bin'), `weights ${i}\n`);
      signModel(dir, ['weights.bin'], false);
    }
  };

  it('signed with a key the policy does not name, are one CPS007 with the count', async () => {
    signModels(3);
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS007 m0/model.sig']);
    expect(r.findings[0]!.message).toMatch(
      /^3 model signatures were not checked, all for one reason: signed with a public key; the policy names no key to verify it with\. They are m0\/model\.sig, m1\/model\.sig, m2\/model\.sig\./,
    );
    expect(r.findings[0]!.members).toHaveLength(3);
  });

  it('alone, is its own finding', async () => {
    signModels(1);
    const r = await scan();
    expect(r.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^Model signature m0\/model\.sig does not verify/),
    ]);
  });
});
