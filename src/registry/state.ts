import type { Finding, Level } from '../core/finding.js';
import type { DependencyGraph, PackageNode } from '../core/records.js';
import type { UnavailableCause } from './client.js';
import { packageFinding } from './findings.js';

/**
 * Why a package could not be checked when the reason is not the package's own: the registry was offline, down,
 * slow, rate-limited, or serves no signatures. The stage reports each cause once per registry and lockfile.
 */
export interface UnverifiedCause {
  readonly kind:
    | UnavailableCause
    | 'mirror-unsigned'
    | 'scope-unsigned'
    | 'no-keys'
    | 'keys-unusable'
    | 'registry-not-allowed'
    | 'attestations-unserved';
  readonly registry: string;
  /** What was being fetched: the packument, the keys, attestations, a tarball. */
  readonly what: string;
  readonly reason: string;
  /** `scope-unsigned`: the scope (`@corp`, or `unscoped`) the registry serves without signatures. */
  readonly scope?: string;
}

/** Shared state of one package's check: findings so far and notes for the verification record. */
export interface CheckState {
  readonly pkg: PackageNode;
  readonly graph: DependencyGraph;
  readonly registry: string;
  readonly findings: Finding[];
  readonly notes: string[];
  /** The first shared cause that left this package unchecked; the stage turns causes into one finding each. */
  cause: UnverifiedCause | undefined;
  /**
   * The registry publishes keys but this version carries no signature; the stage decides mirror, unsigned scope or
   * package. `signedElsewhere`: other versions of the package carry signatures.
   */
  signatureMissing: { readonly keySource: string; readonly signedElsewhere: boolean } | undefined;
  /** A registry signature was checked and verified. */
  signed: boolean;
  /**
   * The packument lists attestations the registry answered 404 for; whether that is the package's problem or a
   * mirror that serves none is decided across the registry (settleVerdicts), as for signatures.
   */
  attestationsMissing?: { readonly url: string; readonly status: number };
  /** The registry served this version's attestations. */
  attested?: boolean;
  /**
   * Why the package is unverifiable when an offline rule already reports the cause for the entry (CPD002: no
   * integrity in the lockfile): the package counts as unverifiable with this detail, and no CPD130 repeats the cause.
   */
  reportedOffline?: string;
  /** Level for "could not verify": error when the policy is fail-closed. */
  readonly unverifiableLevel: Level | undefined;
}

/**
 * Record that something could not be checked: a finding, never a silent pass. With a shared `cause` (the
 * registry, not the package, is the problem) no per-package finding is made: the stage reports the cause once.
 */
export function unverifiable(
  state: CheckState,
  message: string,
  evidence: Record<string, string>,
  cause?: Omit<UnverifiedCause, 'registry'>,
): void {
  if (cause !== undefined) {
    state.cause ??= { ...cause, registry: state.registry };
    return;
  }
  state.findings.push(packageFinding(state.pkg, 'CPD130', message, evidence, state.unverifiableLevel));
}
