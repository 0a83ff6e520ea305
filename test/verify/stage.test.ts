import { createHash, createPrivateKey, sign } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import type { ScanResult } from '../../src/core/result.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { BEACON, blockNetwork, KEYS, MS, SPECS } from './helpers.js';
import { corpusPath } from '../helpers/corpus.js';

beforeAll(blockNetwork);

const CONF = corpusPath('sigstore', 'conformance', 'bundle-verify');
const REGISTRY = 'trusted-registry/models.json';

/** A key-signed message-signature bundle (as cosign sign-blob --key --bundle writes, without a log entry). */
function keySignedBundle(data: Buffer): string {
  const key = createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')));
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_384', digest: createHash('sha384').update(data).digest('base64') },
      signature: sign('sha384', data, key).toString('base64'),
    },
  });
}

function policy(sig: Partial<Policy['signatures']>): Policy {
  return { ...DEFAULT_POLICY, source: '<test>', signatures: { ...DEFAULT_POLICY.signatures, ...sig } };
}

async function scan(root: string, p: Policy): Promise<ScanResult> {
  return scanWith(root, [signaturesStage], {
    policy: p,
    registry: { ...EMPTY_REGISTRY, files: [REGISTRY] },
    today: '2025-06-01',
  });
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cp-sig-stage-'));
  cpSync(path.join(MS, 'v1.0.1-sigstore'), path.join(root, 'models/bert'), { recursive: true });
  cpSync(path.join(MS, 'v1.0.0-elliptic-key'), path.join(root, 'models/keyed'), { recursive: true });
  mkdirSync(path.join(root, 'models/unsigned'), { recursive: true });
  writeFileSync(path.join(root, 'models/unsigned/weights.safetensors'), 'x');
  mkdirSync(path.join(root, 'artifacts'));
  cpSync(path.join(CONF, 'a.txt'), path.join(root, 'artifacts/a.txt'));
  cpSync(path.join(CONF, 'happy-path-v0.3/bundle.sigstore.json'), path.join(root, 'artifacts/a.txt.sigstore.json'));
  mkdirSync(path.join(root, 'trusted-registry'));
  const registry = Buffer.from('{"models":[]}\n');
  writeFileSync(path.join(root, REGISTRY), registry);
  writeFileSync(path.join(root, `${REGISTRY}.sigstore.json`), keySignedBundle(registry));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Keyless and keyed signers together: model_signing's key method never logs, so the thresholds are 0 as in
// policies/examples/keyed-signing.yml (keyless bundles still have their entries and timestamps verified).
const base = policy({
  tlogThreshold: 0,
  timestampThreshold: 0,
  signers: { ibm: SPECS.ibm, ecKey: SPECS.ecKey, beacon: BEACON },
  require: [
    { paths: ['models/bert/**'], signers: ['ibm'], ignore: ['ignore-me'] },
    { paths: ['models/keyed/**'], signers: ['ecKey'] },
    { paths: ['models/unsigned'], signers: ['ibm'] },
    { paths: ['artifacts/*.txt'], signers: ['beacon'] },
  ],
  registry: { required: true, signers: ['ecKey'] },
});

const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort();

describe('signaturesStage', () => {
  it('verifies signed models, detached bundles and the signed registry; flags the unsigned required file', async () => {
    const r = await scan(root, base);
    expect(ids(r)).toEqual(['CPS003 models/unsigned/weights.safetensors']);
    const v = Object.fromEntries(r.verifications.map((x) => [x.key, x.status]));
    expect(v).toMatchObject({
      'file:models/bert/signme-1': 'verified',
      'file:models/bert/signme-2': 'verified',
      'file:models/keyed/signme-1': 'verified',
      'file:artifacts/a.txt': 'verified',
      [`file:${REGISTRY}`]: 'verified',
      'file:models/unsigned/weights.safetensors': 'failed',
    });
  });

  it.each([
    {
      name: 'a changed model file',
      edit: () => writeFileSync(path.join(root, 'models/bert/signme-2'), 'changed'),
      want: 'CPS004 models/bert/signme-2',
    },
    {
      name: 'an added model file',
      edit: () => writeFileSync(path.join(root, 'models/bert/extra.pkl'), 'x'),
      want: 'CPS006 models/bert/extra.pkl',
    },
    {
      name: 'a removed model file',
      edit: () => rmSync(path.join(root, 'models/keyed/signme-1')),
      want: 'CPS005 models/keyed/signme-1',
    },
    {
      name: 'a changed artifact',
      edit: () => writeFileSync(path.join(root, 'artifacts/a.txt'), 'other'),
      want: 'CPS009 artifacts/a.txt.sigstore.json',
    },
    {
      name: 'a registry edit without a new signature',
      edit: () => writeFileSync(path.join(root, REGISTRY), '{"models":[1]}\n'),
      want: `CPS010 ${REGISTRY}`,
    },
  ])('flags $name', async ({ edit, want }) => {
    const dir = root;
    const saved = mkdtempSync(path.join(tmpdir(), 'cp-sig-save-'));
    cpSync(dir, saved, { recursive: true });
    try {
      edit();
      const r = await scan(dir, base);
      expect(ids(r)).toContain(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      cpSync(saved, dir, { recursive: true });
      rmSync(saved, { recursive: true, force: true });
    }
  });

  it('flags a signer the requirement does not allow, with the signer seen', async () => {
    const r = await scan(
      root,
      policy({
        ...base.signatures,
        signers: { ...base.signatures.signers, other: SPECS.other },
        require: [{ paths: ['models/bert/**'], signers: ['other'], ignore: ['ignore-me'] }],
      }),
    );
    const f = r.findings.find((x) => x.ruleId === 'CPS002');
    expect(f?.location.path).toBe('models/bert/model.sig');
    expect(f?.evidence?.['signerSeen']).toContain('stefanb@us.ibm.com');
  });

  it('a folder signature by a signer one requirement refuses is one CPS002, at the signature, not one per file', async () => {
    // The verifier accepts `ibm` (require[0] allows it), require[1] does not: the folder's one signature is the cause.
    const r = await scan(
      root,
      policy({
        ...base.signatures,
        signers: { ...base.signatures.signers, other: SPECS.other },
        require: [
          { paths: ['models/bert/**'], signers: ['ibm'], ignore: ['ignore-me'] },
          { paths: ['models/bert/**'], signers: ['other'], ignore: ['ignore-me'] },
        ],
      }),
    );
    const wrong = r.findings.filter((f) => f.ruleId === 'CPS002');
    expect(wrong.map((f) => f.location.path)).toEqual(['models/bert/model.sig']);
    expect(wrong[0]!.message).toContain(
      '2 files (models/bert/signme-1, models/bert/signme-2) are signed by stefanb@us.ibm.com',
    );
    expect(wrong[0]!.message).toContain('signatures.require[1] allows only other');
    expect(wrong[0]!.evidence).toMatchObject({ files: 2, requirement: 1 });
    // Each file is still recorded as failed.
    const v = Object.fromEntries(r.verifications.map((x) => [x.key, x.status]));
    expect(v).toMatchObject({ 'file:models/bert/signme-1': 'failed', 'file:models/bert/signme-2': 'failed' });
  });

  it('passes a signature two overlapping signers match, under requirements naming one each', async () => {
    // `ibm` (exact subject) and `ibmPattern` both match stefanb@us.ibm.com; the verifier names the first it tries.
    const r = await scan(
      root,
      policy({
        ...base.signatures,
        signers: { ...base.signatures.signers, ibmPattern: SPECS.ibmPattern },
        require: [
          { paths: ['models/bert/**'], signers: ['ibmPattern'], ignore: ['ignore-me'] },
          { paths: ['models/bert/signme-1'], signers: ['ibm'] },
        ],
      }),
    );
    expect(ids(r).filter((id) => id.includes('models/bert'))).toEqual([]);
  });

  it('refuses a keyed model signature with no log entry under the default thresholds (CPS001, once)', async () => {
    const r = await scan(
      root,
      policy({
        signers: { ecKey: SPECS.ecKey },
        require: [{ paths: ['models/keyed/**'], signers: ['ecKey'] }],
      }),
    );
    const keyed = r.findings.filter((f) => f.location.path.startsWith('models/keyed/'));
    expect(keyed.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS001 models/keyed/model.sig']);
    expect(keyed[0]!.message).toContain('signatures.tlogThreshold');
  });

  it('reports a keyed model signature as unverifiable when the policy names no key', async () => {
    const r = await scan(root, policy({ signers: {}, require: [] }));
    expect(ids(r)).toContain('CPS007 models/keyed/model.sig');
    expect(ids(r)).toContain('CPS006 models/bert/ignore-me');
  });
});
