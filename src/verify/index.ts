/** The verification API other code and the CLI use. Load trust once (async), then verify. */
export { verifyArtifactBundle, type ArtifactBundleRequest } from './artifact.js';
export {
  isModelSignature,
  verifyModelSignature,
  type ModelSignatureRequest,
  type ModelSignatureResult,
} from './model/verify.js';
export { loadTrustedRoot, toTrustRoot, PUBLIC_GOOD_SOURCE, type TrustRoot } from './trust/root.js';
export { parsePublicKey, KeyError, type PublicKeyInfo } from './trust/keys.js';
export { resolveSigners, matchesSigner, describeExpected, type NamedSigner } from './policy/signers.js';
export { describeSigner, type BundleVerdict, type FailureCode, type SeenSigner } from './check/types.js';
export type { ModelIssue, ModelFile } from './model/compare.js';
export type { ModelManifest } from './model/manifest.js';
