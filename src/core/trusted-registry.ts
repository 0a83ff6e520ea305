/** The trusted registry a security team maintains, after load and validation (frozen). */
export interface RegistryFile {
  /** Repo-relative path or glob (`*` within a segment, `**` across). */
  readonly path: string;
  readonly size?: number;
  readonly sha256?: string;
  readonly sha512?: string;
}

export interface ModelArtifact {
  readonly name: string;
  readonly revision: string;
  readonly source: string;
  readonly license?: string;
  readonly files: readonly RegistryFile[];
  /**
   * Expected signer of the entry's files: a name in the policy's `signatures.signers`, or a Sigstore identity written
   * `SUBJECT (issuer URL)`. The signatures stage requires it (trust/registry/signers.ts resolves it).
   */
  readonly signer?: string;
  /** Where `signer` is written, for messages. */
  readonly signerAt?: { readonly line: number; readonly col: number };
  /** Git commit the artifact was built from: a verified provenance attestation must name it. */
  readonly sourceCommit?: string;
  /** The repository `sourceCommit` is in: a verified provenance attestation must name it too. */
  readonly sourceRepository?: string;
  /** Where the entry is written, for messages. */
  readonly file: string;
  readonly line?: number;
}

export interface RevokedArtifact {
  readonly name?: string;
  readonly sha256: string;
  readonly reason: string;
  readonly file: string;
  readonly line?: number;
}

export interface PinnedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  readonly file: string;
}

/** An OSV record (https://ossf.github.io/osv-schema/) narrowed to what chainproof reads. */
export interface MaliciousPackage {
  readonly id: string;
  readonly summary?: string;
  readonly name: string;
  /** semver ranges (`introduced`/`fixed` events turned into ranges) or exact versions. */
  readonly ranges: readonly string[];
  readonly versions: readonly string[];
  readonly file: string;
}

export interface TrustedRegistry {
  /** Files it was read from, repo-relative. */
  readonly files: readonly string[];
  readonly models: readonly ModelArtifact[];
  readonly revoked: readonly RevokedArtifact[];
  readonly packages: readonly PinnedPackage[];
  readonly malicious: readonly MaliciousPackage[];
  /** Known-malicious PyPI releases (OSV records of the PyPI ecosystem); absent = none. */
  readonly pypiMalicious?: readonly PypiMaliciousPackage[];
}

/** An OSV record's PyPI package: PEP 440 event ranges (compared by PEP 440, not semver) and exact versions. */
export interface PypiMaliciousPackage {
  readonly id: string;
  readonly summary?: string;
  /** PEP 503 normalised. */
  readonly name: string;
  /** `introduced` '0' = from the first version; `fixed` exclusive, `lastAffected` inclusive, neither = open. */
  readonly ranges: readonly { readonly introduced: string; readonly fixed?: string; readonly lastAffected?: string }[];
  readonly versions: readonly string[];
  readonly file: string;
}

export const EMPTY_REGISTRY: TrustedRegistry = Object.freeze({
  files: [],
  models: [],
  revoked: [],
  packages: [],
  malicious: [],
});
