import { pae, paeModelSigningCompat } from '../bundle/dsse.js';
import { messageDigestHash, type BundleContent } from '../bundle/parse.js';
import { verifyHashed, verifyWithKey, type PublicKeyInfo } from '../trust/keys.js';
import type { ArtifactInput } from './prehashed.js';

/**
 * Who has the last word on a keyed DSSE signature. A bundle with no log entry or timestamp is model_signing's (the
 * key method never logs): the curve picks the hash. A logged one goes on to @sigstore/verify, which decides.
 */
type DsseVerifier = 'model_signing' | 'sigstore';

/**
 * The hash a logged DSSE signature is checked with: SHA-256 on every ECDSA curve. @sigstore/verify (bundle/dsse.ts
 * `DSSESignatureContent.verifySignature`) calls core `crypto.verify` with no algorithm, which node:crypto reads as
 * SHA-256 for EC keys, and cosign verify-blob(-attestation) --key loads the key with crypto.SHA256 (pkg/signature
 * `PublicKeyFromKeyRef`); both cosign and sigstore-js sign with SHA-256 too. Ed25519 hashes internally.
 */
function sigstoreDsseHash(key: PublicKeyInfo): 'sha256' | null {
  return key.hash === null ? null : 'sha256';
}

/**
 * Verify a bundle's signature with a given key, in Node's crypto (no transparency log): DSSE over its PAE, a
 * message signature over the artifact bytes. For model_signing, DSSE hashes follow the curve, so P-384 keys verify
 * with SHA-384 as it signs; for Sigstore, with SHA-256 (sigstoreDsseHash); a message signature names its hash
 * (verifyMessage). model_signing v0.2 signed its mis-encoded PAE with ECDSA/SHA-256 on any curve; that encoding
 * (prefix `DSSEV1`, Python bytes repr) can never collide with a real PAE, so accepting it adds no forgery.
 */
export function verifyContentSignature(
  content: BundleContent,
  key: PublicKeyInfo,
  artifact: ArtifactInput | undefined,
  by: DsseVerifier,
): boolean {
  if (content.kind === 'message') return artifact !== undefined && verifyMessage(key, content, artifact);
  const real = pae(content.payloadType, content.payload);
  if (by === 'sigstore') return content.signatures.some((s) => verifyHashed(key, sigstoreDsseHash(key), real, s.sig));
  // Built only when the real encoding fails: it is a copy of the payload up to four times its size.
  let compat: Buffer | undefined;
  return content.signatures.some((s) => {
    if (verifyWithKey(key, real, s.sig)) return true;
    compat ??= paeModelSigningCompat(content.payloadType, content.payload);
    return verifyWithKey(key, compat, s.sig) || (key.hash !== null && verifyHashed(key, 'sha256', compat, s.sig));
  });
}

/**
 * A message signature is over the artifact hashed with the algorithm its message digest names, whatever the curve
 * (@sigstore/verify bundle/message.ts `MessageSignatureContent.verifySignature`): the signer picks the hash and says
 * which, so a P-384 key may sign with SHA-256 or SHA3-256. Ed25519 signs the bytes themselves, as before; a bundle
 * with a log entry goes on to @sigstore/verify, which hands Ed25519 a hash that node:crypto refuses.
 */
function verifyMessage(
  key: PublicKeyInfo,
  content: BundleContent & { kind: 'message' },
  artifact: ArtifactInput,
): boolean {
  const hash = messageDigestHash(content.algorithm);
  if (hash === undefined) return false;
  if (Buffer.isBuffer(artifact)) return verifyHashed(key, key.hash === null ? null : hash, artifact, content.signature);
  const digest = artifact.digests[hash];
  return digest !== undefined && artifact.verify(key.key, digest, content.signature) === true;
}
