import type { Finding } from '../../core/finding.js';
import type { VerificationRecord } from '../../core/records.js';
import type { SeenSigner } from '../check/types.js';

/** What signature covers a repo path, and whether it held. Requirements and the registry check read this. */
export interface Coverage {
  readonly signature: string;
  readonly ok: boolean;
  readonly signerName: string | undefined;
  readonly signerSeen: string | undefined;
  /** The signer of a signature that verified: a requirement naming another signer that matches it is met too. */
  readonly seen?: SeenSigner;
  /** Excluded from a signed model by the policy's `ignore` globs: exempt from requirements, not signed. */
  readonly ignored?: boolean;
}

export interface PartResult {
  readonly findings: Finding[];
  readonly verifications: VerificationRecord[];
  readonly coverage: Map<string, Coverage>;
}

/** The signature counts as the file's signature, and it failed (reported by whichever stage owns the cause). */
export function markFailed(out: PartResult, target: string, signature: string, signerSeen: string | undefined): void {
  out.coverage.set(target, { signature, ok: false, signerName: undefined, signerSeen });
}

export const emptyPart = (): PartResult => ({ findings: [], verifications: [], coverage: new Map() });
