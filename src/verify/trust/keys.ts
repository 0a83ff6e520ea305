// The one key parser lives in trust/sigstore/ (keys are parsed once, when trust is loaded).
export {
  parsePublicKey,
  describeKey,
  verifyHashed,
  verifyWithKey,
  KeyError,
  type PublicKeyInfo,
} from '../../trust/sigstore/keys.js';
