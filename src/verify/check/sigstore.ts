import type { Bundle } from '@sigstore/bundle';
import { toSignedEntity, Verifier, type Signer, type TrustMaterial } from '@sigstore/verify';

export interface Thresholds {
  readonly tlogThreshold: number;
  readonly timestampThreshold: number;
}

export type SigstoreResult =
  { readonly ok: true; readonly signer: Signer } | { readonly ok: false; readonly reason: string };

/**
 * Full Sigstore verification (certificate path to the trust root's CAs, SCTs, transparency-log inclusion incl. Rekor
 * v2 checkpoints, timestamps, signature) by @sigstore/verify. No identity policy is passed: identities are matched
 * by chainproof itself, anchored (see policy/signers.ts). Pure and offline: the trust material is in memory.
 */
export function verifyWithSigstore(
  bundle: Bundle,
  artifact: Buffer | undefined,
  material: TrustMaterial,
  t: Thresholds,
): SigstoreResult {
  try {
    const entity = toSignedEntity(bundle, artifact);
    const verifier = new Verifier(material, {
      tlogThreshold: t.tlogThreshold,
      timestampThreshold: t.timestampThreshold,
      ctlogThreshold: 1,
    });
    return { ok: true, signer: verifier.verify(entity) };
  } catch (err) {
    // Any throw is a verification failure: the library also throws TypeErrors on some malformed bundles.
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
