import { createHash, createPrivateKey, createSign, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import {
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignerSpec } from '../../src/core/policy.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { MAX_DETACHED_ARTIFACT_BYTES } from '../../src/verify/stage/detached.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, KEYS, policyRequiring, SPECS } from './helpers.js';

beforeAll(blockNetwork);

/*
 * A detached bundle over a file larger than the verifier reads whole (cosign sign-blob over multi-GB weights) is
 * checked from the file's digest, as cosign signs it: ECDSA over SHA-256 of the blob. The file here is sparse (one
 * marker at its end); the bundle is keyed, made with model_signing's test key (P-384), and carries no log entry, so
 * the signature over the digest is the only thing that vouches for the file.
 */
const SIZE = MAX_DETACHED_ARTIFACT_BYTES + 1024;
const key = createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')));

let root: string;
const weights = () => path.join(root, 'models/weights.bin');

/** The file's SHA-256 and a signature over its bytes, both fed in chunks: the test never holds the file whole. */
function digestAndSignature(file: string): { digest: Buffer; signature: Buffer } {
  const hash = createHash('sha256');
  const signer = createSign('sha256');
  const chunk = Buffer.alloc(64 * 1024 * 1024);
  const fd = openSync(file, 'r');
  try {
    for (let at = 0, n: number; (n = readSync(fd, chunk, 0, chunk.length, at)) > 0; at += n) {
      hash.update(chunk.subarray(0, n));
      signer.update(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return { digest: hash.digest(), signature: signer.sign(key) };
}

/** A keyed bundle, or one carrying `certificate` (PEM) as its chain. */
function writeBundle(digest: Buffer, signature: Buffer, certificate?: string): void {
  const material = certificate
    ? {
        x509CertificateChain: { certificates: [{ rawBytes: new X509Certificate(certificate).raw.toString('base64') }] },
      }
    : { publicKey: { hint: '' } };
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { ...material, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
      signature: signature.toString('base64'),
    },
  };
  writeFileSync(`${weights()}.sigstore.json`, JSON.stringify(bundle));
}

/** Write `bytes` at `offset` of the sparse file, making it SIZE bytes long. */
function writeAt(offset: number, bytes: Buffer): void {
  const fd = openSync(weights(), 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

const policyWith = (signers: Readonly<Record<string, SignerSpec>>) =>
  policyRequiring(signers, [{ paths: ['models/**'], signers: Object.keys(signers) }]);
const POLICY = policyWith({ ecKey: SPECS.ecKey });

const scan = async (policy = POLICY) => {
  const r = await scanWith(root, [signaturesStage], { policy });
  return {
    findings: r.findings.map((f) => `${f.ruleId} ${f.level} ${f.location.path}: ${f.message}`),
    weights: r.verifications.find((v) => v.key === 'file:models/weights.bin'),
  };
};

let signed: { digest: Buffer; signature: Buffer };
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cp-large-artifact-'));
  mkdirSync(path.join(root, 'models'));
  writeFileSync(weights(), '');
  writeAt(SIZE - 16, Buffer.from('end of weights.\n'));
  signed = digestAndSignature(weights());
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a detached bundle over a file too large to read whole', () => {
  it('verifies from the file digest, meeting the requirement', async () => {
    writeBundle(signed.digest, signed.signature);
    const r = await scan();
    expect(r.findings).toEqual([]);
    expect(r.weights).toMatchObject({ status: 'verified' });
  });

  it('with a signature over other bytes, does not verify (CPS001)', async () => {
    writeBundle(signed.digest, sign('sha256', Buffer.from('other weights'), key));
    const r = await scan();
    expect(r.findings).toEqual([expect.stringMatching(/^CPS001 error models\/weights\.bin\.sigstore\.json: /)]);
    expect(r.weights).toMatchObject({ status: 'failed' });
  });

  it('over a changed file, is a digest mismatch (CPS009)', async () => {
    writeBundle(signed.digest, signed.signature);
    writeAt(0, Buffer.from('x'));
    try {
      const r = await scan();
      expect(r.findings).toEqual([expect.stringMatching(/^CPS009 error models\/weights\.bin\.sigstore\.json: /)]);
    } finally {
      writeAt(0, Buffer.alloc(1));
    }
  });

  /** A policy naming the ECDSA test key and a fresh Ed25519 key, and the Ed25519 private key. */
  function withEd25519Key() {
    const pair = generateKeyPairSync('ed25519');
    writeFileSync(path.join(root, 'ed25519.pub'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const policy = policyWith({ ecKey: SPECS.ecKey, edKey: { kind: 'key', key: path.join(root, 'ed25519.pub') } });
    return { policy, edPrivate: pair.privateKey };
  }

  it('where an Ed25519 policy key may have made its Ed25519-sized signature, is not checked (CPS007)', async () => {
    const { policy, edPrivate } = withEd25519Key();
    writeBundle(signed.digest, sign(null, Buffer.from('other weights'), edPrivate));
    const r = await scan(policy);
    expect(r.findings).toEqual([expect.stringMatching(/^CPS007 error models\/weights\.bin\.sigstore\.json: /)]);
    expect(r.findings[0]).toContain('edKey, an ed25519 key');
    expect(r.findings[0]).toContain('chainproof checks only ECDSA signatures');
    // The key is named already: the advice is to sign so that the digest can be checked.
    expect(r.findings[0]).not.toContain('Name the key');
    expect(r.findings[0]).toContain('Re-sign the file with an ECDSA key');
  });

  it('two files each with an Ed25519-sized signature are one CPS007 with the re-signing advice', async () => {
    const { policy, edPrivate } = withEd25519Key();
    const second = path.join(root, 'models/weights-2.bin');
    cpSync(weights(), second);
    try {
      writeBundle(signed.digest, sign(null, Buffer.from('other weights'), edPrivate));
      writeFileSync(`${second}.sigstore.json`, readFileSync(`${weights()}.sigstore.json`));
      const r = await scan({ ...policy, signatures: { ...policy.signatures, require: [] } });
      expect(r.findings).toEqual([expect.stringMatching(/^CPS007 warning models\/weights-2\.bin\.sigstore\.json: 2 /)]);
      expect(r.findings[0]).not.toContain('Name the key');
      expect(r.findings[0]).toContain('Re-sign the file with an ECDSA key');
    } finally {
      rmSync(second);
      rmSync(`${second}.sigstore.json`);
    }
  });

  it('with a forged ECDSA signature, does not verify (CPS001) though the policy also names an Ed25519 key', async () => {
    // A DER ECDSA signature is no Ed25519 signature (64 raw bytes): no named key could have made it.
    const { policy } = withEd25519Key();
    writeBundle(signed.digest, sign('sha256', Buffer.from('other weights'), key));
    const r = await scan(policy);
    expect(r.findings).toEqual([expect.stringMatching(/^CPS001 error models\/weights\.bin\.sigstore\.json: /)]);
  });

  it('signed with an RSA certificate no allowed CA issued, is an untrusted signer (CPS002)', async () => {
    // As over a small file: the chain is judged before the signature, which an RSA key cannot have made from a digest.
    const rsa = readFileSync('fixtures/certificate-chains/rsa-self-signed.pem', 'utf8');
    writeBundle(signed.digest, Buffer.alloc(256, 1), rsa);
    const r = await scan(policyWith({ ca: SPECS.ca }));
    expect(r.findings).toEqual([expect.stringMatching(/^CPS002 error models\/weights\.bin\.sigstore\.json: /)]);
    expect(r.findings[0]).toContain('mallory@rsa.example');
  });
});
