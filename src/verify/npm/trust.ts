import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toTrustMaterial, type SignedEntity, type Signer, type VerificationPolicy } from '@sigstore/verify';
import { crypto as sigcrypto } from '@sigstore/core';
import { findKeys, keyValidAt, type RegistryKey } from './keys.js';

// The trusted root for npm provenance is part of the scan's trust material (ctx.trust.sigstore, loaded once by
// trust/sigstore/root.ts); this file only builds verifiers from it.

export interface VerifierThresholds {
  readonly tlogThreshold: number;
  readonly timestampThreshold: number;
}

/**
 * A verifier for one registry's attestations: Fulcio certificates for provenance, the registry's
 * `npm:attestations` keys (valid at the log's integrated time) for publish attestations.
 */
export function createAttestationVerifier(
  root: TrustedRoot,
  keys: readonly RegistryKey[],
  thresholds: VerifierThresholds,
): Verifier {
  const material = toTrustMaterial(root, (hint: string) => {
    const key = attestationKey(keys, hint);
    if (!key) throw new Error(`the registry publishes no attestation key ${hint}`);
    return {
      publicKey: sigcrypto.createPublicKey(key.publicKey.export({ format: 'der', type: 'spki' }), 'spki'),
      validFor: (date: Date) => keyValidAt(key, date),
    };
  });
  return new AttestationVerifier(keys, material, {
    tlogThreshold: thresholds.tlogThreshold,
    ctlogThreshold: 1,
    timestampThreshold: thresholds.timestampThreshold,
  });
}

/**
 * @sigstore/verify asks a key whether it was valid only at the times it verified (Verifier.verifySigningKey: log
 * entries with an inclusion promise, RFC 3161 timestamps), so a bundle whose entry carries only an inclusion proof,
 * under `timestampThreshold: 0`, would never have its key's expiry read. pacote reads it before verifying
 * (lib/registry.js `manifest`: `!publicKey.expires || integratedTime < Date.parse(publicKey.expires)`, the time being
 * `bundle.verificationMaterial.tlogEntries[0].integratedTime`).
 */
class AttestationVerifier extends Verifier {
  constructor(
    private readonly keys: readonly RegistryKey[],
    ...rest: ConstructorParameters<typeof Verifier>
  ) {
    super(...rest);
  }

  override verify(entity: SignedEntity, policy?: VerificationPolicy): Signer {
    const expired =
      entity.key.$case === 'public-key' ? keyExpiredAtLogTime(entity, entity.key.hint, this.keys) : undefined;
    if (expired !== undefined) throw new Error(expired);
    return super.verify(entity, policy);
  }
}

/** Why the registry key `hint` was not valid at the bundle's first log entry's time, as pacote judges it, if it was not. */
function keyExpiredAtLogTime(entity: SignedEntity, hint: string, keys: readonly RegistryKey[]): string | undefined {
  // An unknown key is left to the trust material, which refuses it.
  const key = attestationKey(keys, hint);
  if (!key) return undefined;
  // pacote reads the first entry unconditionally (and throws without one); with no time, only a key that never expires
  // is valid (keyValidAt), so a keyed bundle with no log entry cannot outlive its key.
  const entry = entity.tlogEntries[0];
  const logged = entry ? new Date(Number(entry.integratedTime) * 1000) : undefined;
  if (keyValidAt(key, logged)) return undefined;
  const when = (d: Date | undefined) => (d && !Number.isNaN(d.getTime()) ? d.toISOString() : 'unreadable');
  return logged
    ? `the registry's attestation key ${key.keyid} expired (${when(key.end)}) before the bundle's log time (${when(logged)})`
    : `the registry's attestation key ${key.keyid} expires (${when(key.end)}) and the bundle carries no log entry to date it by`;
}

/** The registry's attestation key `hint`: pacote uses the first key of that id (lib/registry.js `manifest`). */
function attestationKey(keys: readonly RegistryKey[], hint: string): RegistryKey | undefined {
  return findKeys(keys, hint, 'attestations')[0];
}
