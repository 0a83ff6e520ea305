import { verify as cryptoVerify } from 'node:crypto';
import { pae, paeModelSigningCompat } from '../bundle/dsse.js';
import type { BundleContent } from '../bundle/parse.js';
import { verifyWithKey, type PublicKeyInfo } from '../trust/keys.js';

/**
 * Verify a bundle's signature with a given key, in Node's crypto (no transparency log): DSSE over its PAE, a
 * message signature over the artifact bytes. Hashes follow the curve, so P-384 keys verify with SHA-384 as
 * model_signing signs. model_signing v0.2 signed its mis-encoded PAE with ECDSA/SHA-256 on any curve; that
 * encoding (prefix `DSSEV1`, Python bytes repr) can never collide with a real PAE, so accepting it adds no forgery.
 */
export function verifyContentSignature(
  content: BundleContent,
  key: PublicKeyInfo,
  artifact: Buffer | undefined,
): boolean {
  if (content.kind === 'message') return artifact !== undefined && verifyWithKey(key, artifact, content.signature);
  const real = pae(content.payloadType, content.payload);
  // Built only when the real encoding fails: it is a copy of the payload up to four times its size.
  let compat: Buffer | undefined;
  return content.signatures.some((s) => {
    if (verifyWithKey(key, real, s.sig)) return true;
    compat ??= paeModelSigningCompat(content.payloadType, content.payload);
    return verifyWithKey(key, compat, s.sig) || (key.hash !== null && verifySha256(key, compat, s.sig));
  });
}

function verifySha256(key: PublicKeyInfo, data: Buffer, sig: Buffer): boolean {
  try {
    return cryptoVerify('sha256', data, key.key, sig);
  } catch {
    return false;
  }
}
