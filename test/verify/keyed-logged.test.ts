import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyArtifactBundle } from '../../src/verify/artifact.js';
import { pae } from '../../src/verify/bundle/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/verify/bundle/intoto.js';
import type { NamedSigner } from '../../src/verify/policy/signers.js';
import { describeKey } from '../../src/verify/trust/keys.js';
import { parseTrustedRootText, type TrustRoot } from '../../src/verify/trust/root.js';
import { blockNetwork } from './helpers.js';

beforeAll(blockNetwork);

/*
 * A DSSE bundle signed with a managed key and logged: `cosign attest-blob --key --bundle`, sigstore-js `attest` with
 * a key. Its verifiers, `cosign verify-blob-attestation --key` (pkg/signature PublicKeyFromKeyRef, crypto.SHA256) and
 * @sigstore/verify (bundle/dsse.ts DSSESignatureContent.verifySignature: core crypto.verify with no algorithm, which
 * node:crypto reads as SHA-256 for every EC curve), check the PAE signature over SHA-256 whatever the curve.
 *
 * The log is made here: its key signs each entry's inclusion promise (Rekor's SET over the canonical
 * {body, integratedTime, logID, logIndex}), and a trusted root lists it. The signing key is a throwaway P-384 key.
 */
const log = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const logDer = log.publicKey.export({ type: 'spki', format: 'der' });
const logId = createHash('sha256').update(logDer).digest();
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-384' });

const trust: TrustRoot = parseTrustedRootText(
  JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.invalid',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: logDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        logId: { keyId: logId.toString('base64') },
      },
    ],
  }),
  '<test root>',
);
const allowed: NamedSigner[] = [{ name: 'p384', kind: 'key', key: describeKey(p384.publicKey) }];

const artifact = Buffer.from('model weights\n');

function statementOver(data: Buffer): Buffer {
  const sha256 = createHash('sha256').update(data).digest('hex');
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'weights.bin', digest: { sha256 } }],
      predicateType: 'https://example.invalid/predicate/v1',
      predicate: {},
    }),
  );
}

interface Signing {
  /** The hash the PAE is signed over. */
  readonly hash: 'sha256' | 'sha384';
  readonly key?: KeyObject;
  /** What the log entry records as the payload: another artifact's statement for a mislogged bundle. */
  readonly logged?: Buffer;
}

/** A v0.1 bundle (an inclusion promise is all it needs) with one `dsse` 0.0.1 entry, as Rekor v1 logs it. */
function loggedBundle(payload: Buffer, s: Signing): string {
  const signature = sign(s.hash, pae(IN_TOTO_PAYLOAD_TYPE, payload), s.key ?? p384.privateKey);
  const verifier = Buffer.from(p384.publicKey.export({ type: 'spki', format: 'pem' }));
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        payloadHash: {
          algorithm: 'sha256',
          value: createHash('sha256')
            .update(s.logged ?? payload)
            .digest('hex'),
        },
        signatures: [{ signature: signature.toString('base64'), verifier: verifier.toString('base64') }],
      },
    }),
  );
  const integratedTime = 1_750_000_000;
  // Keys in code-point order: the canonical JSON @sigstore/verify rebuilds (tlog/set.ts toVerificationPayload).
  const promised = JSON.stringify({
    body: body.toString('base64'),
    integratedTime,
    logID: logId.toString('hex'),
    logIndex: 7,
  });
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      publicKey: { hint: '' },
      tlogEntries: [
        {
          logIndex: '7',
          logId: { keyId: logId.toString('base64') },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(integratedTime),
          inclusionPromise: {
            signedEntryTimestamp: sign('sha256', Buffer.from(promised), log.privateKey).toString('base64'),
          },
          canonicalizedBody: body.toString('base64'),
        },
      ],
    },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: signature.toString('base64'), keyid: '' }],
    },
  });
}

const verify = (bundle: string) => verifyArtifactBundle({ bundle, artifact, trust, signers: allowed });
const outcome = (v: ReturnType<typeof verify>) => (v.ok ? 'ok' : `${v.code}: ${v.reason}`);

describe('a logged DSSE bundle signed with a P-384 key', () => {
  it('verifies when its PAE is signed over SHA-256, as cosign and sigstore-js sign and check it', () => {
    expect(outcome(verify(loggedBundle(statementOver(artifact), { hash: 'sha256' })))).toBe('ok');
  });

  it('fails when signed over SHA-384: neither cosign --key nor @sigstore/verify accepts that signature', () => {
    const v = verify(loggedBundle(statementOver(artifact), { hash: 'sha384' }));
    expect(v).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('fails when another key signed it', () => {
    const v = verify(loggedBundle(statementOver(artifact), { hash: 'sha256', key: other.privateKey }));
    expect(v).toMatchObject({ ok: false, code: 'invalid' });
  });

  it("fails when its log entry records another artifact's statement", () => {
    const elsewhere = statementOver(Buffer.from('other weights\n'));
    const v = verify(loggedBundle(statementOver(artifact), { hash: 'sha256', logged: elsewhere }));
    expect(v).toMatchObject({ ok: false, code: 'invalid' });
    expect(v.ok ? '' : v.reason).toContain('DSSE payload hash mismatch');
  });

  it('names the artifact it signs: a statement over other bytes is a digest mismatch', () => {
    const v = verify(loggedBundle(statementOver(Buffer.from('other weights\n')), { hash: 'sha256' }));
    expect(v).toMatchObject({ ok: false, code: 'digest-mismatch' });
  });
});
