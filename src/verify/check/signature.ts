import { pae, paeModelSigningCompat } from '../bundle/dsse.js';
import { MESSAGE_DIGEST_HASHES, type BundleContent } from '../bundle/parse.js';
import { verifyHashed, verifyWithKey, type PublicKeyInfo } from '../trust/keys.js';

/**
 * Verify a bundle's signature with a given key, in Node's crypto (no transparency log): DSSE over its PAE, a
 * message signature over the artifact bytes. DSSE hashes follow the curve, so P-384 keys verify with SHA-384 as
 * model_signing signs; a message signature names its hash (verifyMessage). model_signing v0.2 signed its mis-encoded
 * PAE with ECDSA/SHA-256 on any curve; that encoding (prefix `DSSEV1`, Python bytes repr) can never collide with a
 * real PAE, so accepting it adds no forgery.
 */
export function verifyContentSignature(
  content: BundleContent,
  key: PublicKeyInfo,
  artifact: Buffer | undefined,
): boolean {
  if (content.kind === 'message') return artifact !== undefined && verifyMessage(key, content, artifact);
  const real = pae(content.payloadType, content.payload);
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
function verifyMessage(key: PublicKeyInfo, content: BundleContent & { kind: 'message' }, artifact: Buffer): boolean {
  const hash = MESSAGE_DIGEST_HASHES[content.algorithm];
  return hash !== undefined && verifyHashed(key, key.hash === null ? null : hash, artifact, content.signature);
}
