import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toTrustMaterial } from '@sigstore/verify';
import { crypto as sigcrypto } from '@sigstore/core';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { embeddedPublicGoodTrustedRoot } from '../embedded.js';
import { findKeys, keyValidAt, type RegistryKey } from './keys.js';

/**
 * The Sigstore trusted root for npm provenance: a custom `trusted_root.json` named by the policy, else the
 * public-good root embedded from @sigstore/tuf (so verification works offline).
 */
export async function loadTrustedRoot(custom: string | undefined, root: string): Promise<TrustedRoot> {
  if (custom === undefined) return TrustedRoot.fromJSON(embeddedPublicGoodTrustedRoot());
  const file = path.resolve(root, custom);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    throw new ConfigError(`cannot read the trusted root ${custom}: ${errorMessage(err)}`, custom, { cause: err });
  }
  try {
    const parsed = TrustedRoot.fromJSON(json);
    if (parsed.certificateAuthorities.length === 0 && parsed.tlogs.length === 0)
      throw new Error('it lists no certificate authorities and no transparency logs');
    return parsed;
  } catch (err) {
    throw new ConfigError(
      `the trusted root ${custom} is not a Sigstore trusted_root.json: ${errorMessage(err)}`,
      custom,
      {
        cause: err,
      },
    );
  }
}

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
    const key = found[0];
    if (!key) throw new Error(`the registry publishes no attestation key ${hint}`);
    return {
      publicKey: sigcrypto.createPublicKey(key.publicKey.export({ format: 'der', type: 'spki' }), 'spki'),
      validFor: (date: Date) => found.some((k) => keyValidAt(k, date)),
    };
  });
  return new Verifier(material, {
    tlogThreshold: thresholds.tlogThreshold,
    ctlogThreshold: 1,
    timestampThreshold: thresholds.timestampThreshold,
  });
}
