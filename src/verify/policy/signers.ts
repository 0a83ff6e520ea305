import type { NamedSigner } from '../../core/trust-material.js';
import { matchesLinear } from '../../trust/policy/identity-pattern.js';
import type { SeenSigner } from '../check/types.js';

export type { NamedSigner } from '../../core/trust-material.js';
/** Signers are loaded with the rest of the trust material (trust/sigstore/signers.ts); `verify` reuses it. */
export { loadSigners as resolveSigners } from '../../trust/sigstore/signers.js';

/** Does a Sigstore identity satisfy a signer: issuer exactly, subject exactly or by the anchored pattern. */
export function matchesSigner(seen: SeenSigner, signer: NamedSigner): boolean {
  switch (signer.kind) {
    case 'sigstore':
      if (seen.kind !== 'sigstore' || seen.issuer !== signer.issuer) return false;
      if (signer.subject !== undefined && seen.subject === signer.subject) return true;
      // Linear time: the subject is the certificate's, chosen by whoever made it (trust/policy/identity-pattern.ts).
      return signer.subjectPattern !== undefined && matchesLinear(signer.subjectPattern, seen.subject);
    case 'key':
      return seen.kind === 'key' && seen.fingerprint === signer.key.fingerprint;
    case 'certificate':
      // Chain verification already established the CA; only an optional subject is left to compare.
      return seen.kind === 'certificate' && (signer.subject === undefined || seen.subject === signer.subject);
  }
}

export function describeExpected(signers: readonly NamedSigner[]): string {
  if (signers.length === 0) return 'any valid signer';
  return signers
    .map((s) => {
      switch (s.kind) {
        case 'sigstore': {
          const id = `${s.subject ?? `/${s.subjectPattern?.source ?? ''}/`} (issuer ${s.issuer})`;
          // A trusted-registry entry's identity is named by its own text (trust/registry/signers.ts).
          return s.name === id ? id : `${s.name}: ${id}`;
        }
        case 'key':
          return `${s.name}: key ${s.key.fingerprint}`;
        case 'certificate':
          return `${s.name}: certificate chain to ${s.cas.map((c) => c.subject.replace(/\n/g, ', ')).join(' | ')}`;
      }
    })
    .join('; ');
}
