// Moved to trust/: trust material is loaded before any stage runs. Kept so existing imports keep working.
export { embeddedPublicGoodTrustedRoot, embeddedTufTarget } from '../trust/sigstore/embedded.js';
