import type { Bundle } from '@sigstore/bundle';
import { toSignedEntity, Verifier, type SignedEntity, type Signer, type TrustMaterial } from '@sigstore/verify';

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
    // With a threshold of 1 or more the library says so itself ("expected 1 timestamps, got 0").
    const untimed = t.timestampThreshold === 0 ? untimedCertificate(entity) : undefined;
    if (untimed) return { ok: false, reason: untimed };
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

/**
 * A Fulcio certificate lives ten minutes: it can only be checked at a time something trusted vouches for (a log
 * entry's inclusion promise, an RFC 3161 timestamp). With `timestampThreshold: 0` and no such time, @sigstore/verify
 * (key/index.js `verifyCertificate`) builds no certificate path and throws a TypeError ("Cannot read properties of
 * undefined"); this says why instead. Still a failure, as in sigstore-go, which then checks the certificate at the
 * current time, long after it expired.
 */
function untimedCertificate(entity: SignedEntity): string | undefined {
  if (entity.key.$case !== 'certificate') return undefined;
  // Verifier.verifyTimestamps counts a log entry only with an inclusion promise (timestamp/index.js getTLogTimestamp).
  const timed = entity.timestamps.some(
    (t) => t.$case === 'timestamp-authority' || t.tlogEntry.inclusionPromise !== undefined,
  );
  if (timed) return undefined;
  return 'the bundle carries no trusted time (no transparency-log entry with an inclusion promise, no RFC 3161 timestamp), so its short-lived signing certificate cannot be checked';
}
