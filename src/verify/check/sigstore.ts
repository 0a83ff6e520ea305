import type { Bundle } from '@sigstore/bundle';
import type { ArtifactInput, PrehashedArtifact } from './prehashed.js';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, Verifier, type SignedEntity, type Signer, type TrustMaterial } from '@sigstore/verify';
import { messageDigestHash } from '../bundle/parse.js';

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
  artifact: ArtifactInput | undefined,
  material: TrustMaterial,
  t: Thresholds,
): SigstoreResult {
  try {
    const entity =
      Buffer.isBuffer(artifact) || artifact === undefined
        ? toSignedEntity(bundle, artifact)
        : overDigest(bundle, artifact);
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

/**
 * The library's entity for a message signature, its signature checked over the artifact's digest: everything else it
 * checks (log entry bodies against the bundle's signature and message digest, inclusion, timestamps, certificate
 * path, SCTs) is the library's own and reads no artifact. The library checks the signature over the artifact hashed
 * with the algorithm of the bundle's message digest (bundle/message.ts `verifySignature`); that digest is the one
 * given here, which verifyParsedBundle has already compared with the bundle's message digest.
 */
function overDigest(bundle: Bundle, artifact: PrehashedArtifact): SignedEntity {
  const entity = toSignedEntity(bundle, undefined);
  if (bundle.content.$case !== 'messageSignature') return entity;
  const own = entity.signature;
  const algorithm = messageDigestHash(HashAlgorithm[bundle.content.messageSignature.messageDigest.algorithm] ?? '');
  const digest = algorithm === undefined ? undefined : artifact.digests[algorithm];
  const signature: SignedEntity['signature'] = {
    signature: own.signature,
    compareSignature: (s) => own.compareSignature(s),
    compareDigest: (d) => own.compareDigest(d),
    compareSignedDigest: (d) => own.compareSignedDigest(d),
    verifySignature: (key) => digest !== undefined && artifact.verify(key, digest, own.signature) === true,
  };
  return { ...entity, signature };
}

/**
 * Sigstore results kept for the scan, so a bundle two stages verify (a model's `<file>.sigstore.json`: its signature
 * to the signatures stage, its build provenance to the provenance stage) is verified once. Only a DSSE bundle's
 * result is kept: @sigstore/verify reads no artifact for one (bundle/index.js `signatureContent`), so its result
 * depends only on the bundle, the trust material and the thresholds, which are the key. Keyed by the parsed bundle
 * object: both stages take it from one parse (bundle/shared.ts).
 */
export class SigstoreResults {
  private readonly byBundle = new WeakMap<Bundle, Map<TrustMaterial, Map<string, SigstoreResult>>>();

  verify(bundle: Bundle, artifact: ArtifactInput | undefined, material: TrustMaterial, t: Thresholds): SigstoreResult {
    if (bundle.content.$case !== 'dsseEnvelope') return verifyWithSigstore(bundle, artifact, material, t);
    let byMaterial = this.byBundle.get(bundle);
    if (!byMaterial) this.byBundle.set(bundle, (byMaterial = new Map<TrustMaterial, Map<string, SigstoreResult>>()));
    let byThresholds = byMaterial.get(material);
    if (!byThresholds) byMaterial.set(material, (byThresholds = new Map<string, SigstoreResult>()));
    const key = `${t.tlogThreshold}/${t.timestampThreshold}`;
    let result = byThresholds.get(key);
    if (!result) byThresholds.set(key, (result = verifyWithSigstore(bundle, artifact, material, t)));
    return result;
  }
}
