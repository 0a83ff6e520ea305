import type { KeyObject, X509Certificate } from 'node:crypto';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { TrustMaterial as SigstoreTrustMaterial } from '@sigstore/verify';
import type { Policy } from './policy.js';
import type { ModelArtifact, TrustedRegistry } from './trusted-registry.js';

/** A Sigstore trust root (Fulcio CAs, Rekor logs, CT logs, TSAs) loaded once and frozen. */
export interface TrustRoot {
  /** File it came from, or the embedded public-good name. */
  readonly source: string;
  readonly root: TrustedRoot;
  readonly material: SigstoreTrustMaterial;
}

/** A public key chainproof accepts: ECDSA on P-256/P-384/P-521 or Ed25519, with the hash its curve is used with. */
export interface PublicKeyInfo {
  readonly key: KeyObject;
  readonly algorithm: 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'ed25519';
  /** Hash for ECDSA (curve-matched, as Sigstore and model_signing sign); null for Ed25519 (hashes internally). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** `SHA256:<base64>` of the DER SubjectPublicKeyInfo, for messages. */
  readonly fingerprint: string;
  /** Hints a bundle may name this key by: hex SHA-256 of the SPKI PEM (model_signing), base64 of the DER's. */
  readonly hints: readonly string[];
}

/** A policy signer with its key or CA material parsed (once, when trust is loaded). */
export type NamedSigner =
  | {
      readonly name: string;
      readonly kind: 'sigstore';
      readonly issuer: string;
      readonly subject?: string;
      readonly subjectPattern?: RegExp;
    }
  | { readonly name: string; readonly kind: 'key'; readonly key: PublicKeyInfo }
  | {
      readonly name: string;
      readonly kind: 'certificate';
      readonly cas: readonly X509Certificate[];
      readonly subject?: string;
    };

/** A trusted-registry model entry's `signer`, resolved against the policy: the entry's files must be signed by it. */
export interface RegistrySigner {
  readonly entry: ModelArtifact;
  /** The policy signer the entry names, or the Sigstore identity it writes (named by its text, never a policy name). */
  readonly signer: NamedSigner;
}

/**
 * Everything a scan trusts, loaded and validated once before the first stage runs (sigstore-js: "load trust once,
 * verify synchronously"). Stages read it from the context and do no configuration I/O.
 */
export interface TrustMaterial {
  readonly policy: Policy;
  readonly registry: TrustedRegistry;
  /**
   * The policy's `signatures.trustedRoot`, else the embedded Sigstore public-good root. The embedded root is built on
   * first read, and its code is loaded by `prepareSigstore`: await that before reading this (a read before it throws).
   */
  readonly sigstore: TrustRoot;
  /**
   * Load what `sigstore` needs, so an empty or lockfile-only scan never loads Sigstore. Stages that read `sigstore`
   * are prepared by the pipeline (src/app/stages.ts); absent when `sigstore` is always ready.
   */
  readonly prepareSigstore?: () => Promise<void>;
  /** `signatures.signers`, sorted by name, keys and CAs parsed. */
  readonly signers: readonly NamedSigner[];
  /** The registry's model entries that name a signer, each resolved (in registry order). */
  readonly registrySigners: readonly RegistrySigner[];
  /**
   * The npm configuration from every `.npmrc` in scope. The `signal` branch builds it; until then stages read
   * `.npmrc` themselves and this slot stays undefined.
   */
  readonly npmConfig?: unknown;
}
