import { pae, paeModelSigningCompat } from '../bundle/dsse.js';
import type { BundleContent } from '../bundle/parse.js';
import { verifyWithKey, type PublicKeyInfo } from '../trust/keys.js';

/**
 * Verify a bundle's signature with a given key, in Node's crypto (no transparency log): DSSE over its PAE (or the
 * model_signing v0.2 encoding), a message signature over the artifact bytes. Hashes follow the curve, so P-384
 * keys verify with SHA-384 as model_signing signs.
 */
export function verifyContentSignature(
  content: BundleContent,
  key: PublicKeyInfo,
  artifact: Buffer | undefined,
): boolean {
  if (content.kind === 'message') return artifact !== undefined && verifyWithKey(key, artifact, content.signature);
  return content.signatures.some(
    (s) =>
      verifyWithKey(key, pae(content.payloadType, content.payload), s.sig) ||
      verifyWithKey(key, paeModelSigningCompat(content.payloadType, content.payload), s.sig),
  );
}
