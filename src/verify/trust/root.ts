// The one trusted-root loader lives in trust/sigstore/ (it is trust material, loaded before any stage runs).
export {
  loadTrustedRoot,
  parseTrustedRootText,
  toTrustRoot,
  withPublicKey,
  trustedRootFileReads,
  TrustRootError,
  PUBLIC_GOOD_SOURCE,
  MAX_TRUSTED_ROOT_BYTES,
  type TrustRoot,
} from '../../trust/sigstore/root.js';
