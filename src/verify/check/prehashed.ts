import { createHash, type KeyObject } from 'node:crypto';
import type { DigestAlgorithm } from '../../hash/algorithms.js';

/**
 * Whether `signature` is an ECDSA signature over a message whose digest is `digest`; undefined when the key is not an
 * ECDSA key of a NIST curve, whose signature cannot be checked from a digest (Ed25519 signs the bytes themselves).
 */
export type PrehashVerify = (key: KeyObject, digest: Buffer, signature: Buffer) => boolean | undefined;

/**
 * A file too large to read whole: its digests from the scan's hasher (read in a worker, kept in the digest cache),
 * and a check of a signature over one of them. What a message signature signs is the digest of the file
 * (cosign sign-blob signs SHA-256 of the blob with ECDSA), so checking it over the digest is the same check.
 */
export interface PrehashedArtifact {
  readonly digests: Readonly<Partial<Record<DigestAlgorithm, Buffer>>>;
  readonly verify: PrehashVerify;
}

const DIGEST_CURVES = ['prime256v1', 'secp384r1', 'secp521r1'] as const;
type DigestCurve = (typeof DIGEST_CURVES)[number];

/** The NIST curve of an ECDSA key, whose signatures can be checked from a digest; undefined for any other key. */
export function digestCurveOf(key: KeyObject): DigestCurve | undefined {
  const name = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  return DIGEST_CURVES.find((c) => c === name);
}

/** A bundle's artifact: its bytes, or (too large to read whole) its digests. */
export type ArtifactInput = Buffer | PrehashedArtifact;

/** The artifact's digest under `algorithm`, computed from its bytes or taken from the hasher's; undefined if neither. */
export function artifactDigest(artifact: ArtifactInput, algorithm: DigestAlgorithm): Buffer | undefined {
  return Buffer.isBuffer(artifact) ? createHash(algorithm).update(artifact).digest() : artifact.digests[algorithm];
}

/**
 * Node's crypto verifies ECDSA only over the bytes it hashes itself (EVP_DigestVerify), so a signature over a digest
 * needs another verifier: @noble/curves, loaded only when a file this large is signed. `lowS: false`: OpenSSL, Go's
 * crypto/ecdsa (cosign, sigstore-go) and @sigstore/verify accept either s; `prehash: false`: the digest is the
 * message hash, truncated to the curve's order as FIPS 186 says (bits2int).
 */
export async function loadPrehashVerify(): Promise<PrehashVerify> {
  const { p256, p384, p521 } = await import('@noble/curves/nist.js');
  const curves: Record<DigestCurve, typeof p256> = { prime256v1: p256, secp384r1: p384, secp521r1: p521 };
  return (key, digest, signature) => {
    const name = digestCurveOf(key);
    if (name === undefined) return undefined;
    const curve = curves[name];
    const jwk = key.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    try {
      return curve.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
    } catch {
      // A malformed DER signature is one that does not verify, as node:crypto answers.
      return false;
    }
  };
}
