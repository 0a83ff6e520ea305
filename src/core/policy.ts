import type { Level } from './finding.js';
import type { Ecosystem } from './package-key.js';

/** `off` silences a rule; the others set its level. */
export type RuleSetting = Level | 'off';

/** Who may sign: a Sigstore identity, a public key, or a certificate chain to a CA. */
export type SignerSpec =
  | {
      readonly kind: 'sigstore';
      readonly issuer: string;
      /** Exact subject (SAN: email or URI). */
      readonly subject?: string;
      /** Anchored regular expression over the subject; `^…$` is implied. */
      readonly subjectPattern?: string;
    }
  | { readonly kind: 'key'; /** PEM text or a path relative to the policy file. */ readonly key: string }
  | {
      readonly kind: 'certificate';
      /** CA certificate(s) PEM or path. */ readonly ca: string;
      readonly subject?: string;
    };

export interface SignatureRequirement {
  /** Globs over repo-relative paths (model folders, artifacts) this requirement covers. */
  readonly paths: readonly string[];
  /** Names in `signatures.signers`; empty = any signer defined there (policy loading refuses a requirement when none is). */
  readonly signers: readonly string[];
  /** Globs, relative to a signed model folder, of files that are not part of the model (not flagged as unsigned). */
  readonly ignore?: readonly string[];
}

export interface ProvenanceRequirement {
  /** Package names or scope globs, e.g. `@acme/*`, `sigstore`. */
  readonly packages: readonly string[];
  /** Builder identities allowed; each field an anchored pattern. Empty = any valid provenance. */
  readonly identities: readonly {
    readonly issuer?: string;
    readonly sourceRepository?: string;
    readonly workflow?: string;
    readonly subject?: string;
  }[];
}

/** A PEP 740 Trusted Publisher allowed for some PyPI projects; each given field is an anchored pattern. */
export interface PythonPublisherRequirement {
  /** PEP 503 project names or globs. */
  readonly packages: readonly string[];
  /** Allowed publishers; empty = any verified attestation. */
  readonly publishers: readonly {
    readonly kind?: 'GitHub' | 'GitLab' | 'Google';
    /** GitHub `owner/repo`, GitLab `namespace/project`. */
    readonly repository?: string;
    /** GitHub workflow file name, GitLab `workflow_filepath`. */
    readonly workflow?: string;
    /** Google service-account email. */
    readonly email?: string;
  }[];
}

export interface PythonDependencyPolicy {
  /** Every Python package must carry a hash (pip `--require-hashes` for the whole repository). */
  readonly requireHashes?: boolean;
  /** Index URL prefixes (trailing slash) Python packages may come from besides PyPI; npm never reads them. */
  readonly indexes?: readonly string[];
  readonly requireProvenance?: readonly PythonPublisherRequirement[];
}

/** `models.requireProvenance`: model files that must carry a verified build provenance attestation. */
export interface ModelProvenanceRequirement {
  /** Globs over repo-relative model paths (a folder covers everything under it). */
  readonly paths: readonly string[];
  /** Allowed builder identities (the signing workflow's Build Signer URI), anchored patterns. Empty = any builder. */
  readonly builders: readonly string[];
  /** Required (validate-semantic.ts): the source repository the model must be built from, e.g. `https://github.com/org/repo`. */
  readonly sourceRepository?: string;
}

export interface Suppression {
  readonly rule: string;
  readonly path?: string;
  /** Name or glob, optionally `@version` (a purl in the policy file is read into this and `ecosystem`). */
  readonly package?: string;
  /**
   * The ecosystem `package` names. Absent (an older policy): it names a package of whichever ecosystem has one, and
   * when a scan has matching findings in both it hides none (apply-policy.ts `ambiguousSuppressions`).
   */
  readonly ecosystem?: Ecosystem;
  readonly reason: string;
  /** ISO date (YYYY-MM-DD). After it the suppression stops working and is itself a finding. */
  readonly expires: string;
  /** Where it was written, for messages. */
  readonly line?: number;
}

export interface Policy {
  /** File it came from (repo-relative or `<embedded default>`). */
  readonly source: string;
  readonly dependencies: {
    /** Registry URL prefixes packages may resolve from; the repo's `.npmrc` registries are added. */
    readonly allowedRegistries: readonly string[];
    /** Scopes that are private: resolving one from a public registry is dependency confusion. */
    readonly privateScopes: readonly string[];
    /** Packages (names or globs) allowed to run install scripts. */
    readonly allowInstallScripts: readonly string[];
    /** Level for non-registry sources. */
    readonly sources: { readonly git: RuleSetting; readonly tarball: RuleSetting; readonly file: RuleSetting };
    readonly requireProvenance: readonly ProvenanceRequirement[];
    /** Verify registry signatures when online. */
    readonly verifySignatures: boolean;
    /** Treat unverifiable packages as failures (exit 3 when the registry cannot be reached). */
    readonly failClosed: boolean;
    /** Python (PyPI) dependencies; absent = defaults (no required hashes, no required provenance). */
    readonly python?: PythonDependencyPolicy;
    /** Registry URL prefixes (mirrors) whose metadata is trusted without registry signatures. */
    readonly trustedMirrors?: readonly string[];
  };
  readonly models: {
    /** Formats allowed; empty = all. */
    readonly allowedFormats: readonly string[];
    /** Formats forbidden outright (e.g. `pickle` forbids every pickle-based format). */
    readonly forbiddenFormats: readonly string[];
    /** Level for a model file that matches no trusted-registry entry. */
    readonly unknownModel: RuleSetting;
    /** Pickle globals allowed beyond the built-in safe list: `module.name` or `module.*`. */
    readonly allowedGlobals: readonly string[];
    /** Model files that must carry verified build provenance (absent = none required). */
    readonly requireProvenance?: readonly ModelProvenanceRequirement[];
    /** Model references in code must pin a commit: CPR001 becomes an error. */
    readonly requirePinnedRevision?: boolean;
  };
  readonly signatures: {
    /** Path to a custom `trusted_root.json`; absent = the embedded Sigstore public-good root. */
    readonly trustedRoot?: string;
    readonly tlogThreshold: number;
    readonly timestampThreshold: number;
    readonly signers: Readonly<Record<string, SignerSpec>>;
    readonly require: readonly SignatureRequirement[];
    /** The trusted registry itself must be signed by one of these signers. */
    readonly registry?: { readonly required: boolean; readonly signers: readonly string[] };
  };
  readonly rules: Readonly<Record<string, RuleSetting>>;
  readonly suppressions: readonly Suppression[];
}
