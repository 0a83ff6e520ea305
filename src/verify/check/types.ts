import type { Statement } from '../bundle/intoto.js';

/** The signer a verified signature shows. */
export type SeenSigner =
  | { readonly kind: 'sigstore'; readonly subject: string; readonly issuer: string }
  | { readonly kind: 'key'; readonly fingerprint: string }
  | { readonly kind: 'certificate'; readonly subject: string; readonly issuer: string };

/** Why a signature did not pass; each maps to one rule. */
export type FailureCode =
  | 'invalid'
  | 'untrusted-signer'
  | 'digest-mismatch'
  | 'unverifiable'
  | 'malformed'
  /** Nested deeper than any real signature: a crash attempt, reported as CPX021. */
  | 'too-deep';

export type BundleVerdict =
  | {
      readonly ok: true;
      readonly signer: SeenSigner;
      /** Name of the policy signer that matched, when one did. */
      readonly signerName: string | undefined;
      readonly statement: Statement | undefined;
    }
  | { readonly ok: false; readonly code: FailureCode; readonly reason: string; readonly signer?: SeenSigner };

export function describeSigner(s: SeenSigner): string {
  switch (s.kind) {
    case 'sigstore':
      return `${s.subject} (issuer ${s.issuer})`;
    case 'key':
      return `key ${s.fingerprint}`;
    case 'certificate':
      return `certificate ${s.subject} (issued by ${s.issuer})`;
  }
}

export const fail = (code: FailureCode, reason: string, signer?: SeenSigner): BundleVerdict =>
  signer ? { ok: false, code, reason, signer } : { ok: false, code, reason };
