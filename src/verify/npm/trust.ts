import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toTrustMaterial } from '@sigstore/verify';
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
    const found = findKeys(keys, hint, 'attestations');
    // pacote uses the first key of that id (lib/registry.js `manifest`, `attestationRegistryKeys.find`).
    const key = found[0];
    if (!key) throw new Error(`the registry publishes no attestation key ${hint}`);
    return {
      publicKey: sigcrypto.createPublicKey(key.publicKey.export({ format: 'der', type: 'spki' }), 'spki'),
      validFor: (date: Date) => keyValidAt(key, date),
    };
  });
  return new Verifier(material, {
    tlogThreshold: thresholds.tlogThreshold,
    ctlogThreshold: 1,
    timestampThreshold: thresholds.timestampThreshold,
  });
}
