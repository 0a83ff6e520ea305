import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import { pae } from '../../src/verify/bundle/dsse.js';
import type { RegistryKey } from '../../src/verify/npm/keys.js';
import { PUBLISH_PREDICATE, verifyAttestations } from '../../src/verify/npm/provenance.js';
import { parseSri } from '../../src/verify/npm/sri.js';
import { createAttestationVerifier } from '../../src/verify/npm/trust.js';
import { readFixtureJson } from '../helpers/npm-endpoints-server.js';

/*
 * Publish attestations made here with a registry key of our own (no log entry; thresholds 0), so the statement can
 * say anything and still verify: only pacote's subject rules (lib/registry.js `manifest`, verifyAttestations) decide.
 */
const KEYID = 'SHA256:chainproof-test';
const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const key: RegistryKey = { keyid: KEYID, publicKey: pair.publicKey, usages: new Set(['attestations']) };
const verifier = createAttestationVerifier(
  TrustedRoot.fromJSON(readFixtureJson('sigstore/public-good/trusted_root.json')),
  [key],
  { tlogThreshold: 0, timestampThreshold: 0 },
);

const TARBALL = Buffer.from('the tarball');
const HEX = createHash('sha512').update(TARBALL).digest('hex');
const target = (name: string) => ({
  name,
  version: '1.0.0',
  integrity: parseSri(`sha512-${createHash('sha512').update(TARBALL).digest('base64')}`),
});

function attestation(subject: unknown[]): unknown {
  const payload = Buffer.from(
    JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject, predicateType: PUBLISH_PREDICATE }),
  );
  const type = 'application/vnd.in-toto+json';
  const sig = sign('sha256', pae(type, payload), pair.privateKey);
  return {
    attestations: [
      {
        predicateType: PUBLISH_PREDICATE,
        bundle: {
          mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
          verificationMaterial: { publicKey: { hint: KEYID }, tlogEntries: [] },
          dsseEnvelope: {
            payload: payload.toString('base64'),
            payloadType: type,
            signatures: [{ keyid: KEYID, sig: sig.toString('base64') }],
          },
        },
      },
    ],
  };
}

const subject = (name: string, sha512 = HEX) => ({ name, digest: { sha512 } });

describe('npm attestation subjects are judged as pacote judges them', () => {
  it.each([
    { name: 'the package as the only subject', pkg: 'left-pad', subjects: [subject('pkg:npm/left-pad@1.0.0')] },
    {
      name: 'a scoped package, scope escaped (npa.toPurl)',
      pkg: '@acme/pad',
      subjects: [subject('pkg:npm/%40acme/pad@1.0.0')],
    },
  ])('verifies $name', ({ pkg, subjects }) => {
    expect(verifyAttestations(attestation(subjects), target(pkg), verifier).checks[0]).toMatchObject({ ok: true });
  });

  it.each([
    {
      name: 'the package listed second, after another package',
      pkg: 'left-pad',
      subjects: [subject('pkg:npm/right-pad@1.0.0'), subject('pkg:npm/left-pad@1.0.0')],
    },
    {
      name: 'the package listed second, after itself with other bytes',
      pkg: 'left-pad',
      subjects: [subject('pkg:npm/left-pad@1.0.0', '00'.repeat(64)), subject('pkg:npm/left-pad@1.0.0')],
    },
    {
      name: 'a scoped package with its scope unescaped',
      pkg: '@acme/pad',
      subjects: [subject('pkg:npm/@acme/pad@1.0.0')],
    },
    {
      name: 'the sha512 in upper-case hex',
      pkg: 'left-pad',
      subjects: [subject('pkg:npm/left-pad@1.0.0', HEX.toUpperCase())],
    },
  ])('fails the subject check for $name (pacote EATTESTATIONSUBJECT)', ({ pkg, subjects }) => {
    expect(verifyAttestations(attestation(subjects), target(pkg), verifier).checks[0]).toMatchObject({
      ok: false,
      problem: 'subject',
    });
  });
});
