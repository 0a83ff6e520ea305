import { ASN1Obj, X509Certificate } from '@sigstore/core';
import type { Statement } from '../bundle/intoto.js';
import { trimEndRun } from '../../core/linear-text.js';

/** Where a build came from, as one witness (the statement or the certificate) states it. */
export interface SourceClaim {
  /** `https://github.com/org/repo`, normalised (no `git+`, no `.git`, no `@ref`). */
  readonly repository?: string;
  /** Git commit (40 or 64 hex). */
  readonly commit?: string;
  /** `refs/heads/main`, `refs/tags/v1`. */
  readonly ref?: string;
}

/** What a Fulcio certificate says about the workflow that signed. */
export interface CertificateClaim extends SourceClaim {
  /** Build Signer URI: the workflow file at its ref that ran the build (the builder identity). */
  readonly builder?: string;
  /** Certificate SAN, the fallback builder for certificates without Build Signer URI. */
  readonly subject?: string;
  /** The deprecated GitHub Workflow SHA (…1.3), kept to compare with Source Repository Digest (…1.13). */
  readonly legacyCommit?: string;
  /** The OIDC issuer whose token Fulcio turned into these extensions (…1.8, else the deprecated …1.1). */
  readonly issuer?: string;
}

// Fulcio's OID registry (sigstore/fulcio docs/oid-info.md): v2 extensions hold a DER UTF8String.
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_BUILD_SIGNER_URI = '1.3.6.1.4.1.57264.1.9';
const OID_SOURCE_REPOSITORY_URI = '1.3.6.1.4.1.57264.1.12';
const OID_SOURCE_REPOSITORY_DIGEST = '1.3.6.1.4.1.57264.1.13';
const OID_SOURCE_REPOSITORY_REF = '1.3.6.1.4.1.57264.1.14';
// Deprecated v1 extensions (raw bytes, no DER): older certificates carry only these.
const OID_V1_ISSUER = '1.3.6.1.4.1.57264.1.1';
const OID_V1_GITHUB_SHA = '1.3.6.1.4.1.57264.1.3';
const OID_V1_GITHUB_REPOSITORY = '1.3.6.1.4.1.57264.1.5';
const OID_V1_GITHUB_REF = '1.3.6.1.4.1.57264.1.6';

const SLSA_V1 = /^https:\/\/slsa\.dev\/provenance\/v1(\.\d+)?$/;
const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const MAX_DEPENDENCIES = 1000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
// These values reach terminals and reports: a value with control characters (or absurdly long) is not taken.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 && v.length <= 2048 && !UNPRINTABLE.test(v) ? v : undefined;

/** `git+https://github.com/o/r.git@refs/heads/main` → `https://github.com/o/r`; hosts compare case-insensitively. */
export function normaliseRepository(uri: string): string {
  let u = uri.trim().replace(/^git\+/, '');
  const at = u.indexOf('@', u.indexOf('://') + 3);
  if (at > 0) u = u.slice(0, at);
  return trimEndRun(u, '/').replace(/\.git$/, '');
}

export const sameRepository = (a: string, b: string): boolean =>
  normaliseRepository(a).toLowerCase() === normaliseRepository(b).toLowerCase();

/** The ref part of `git+https://…@refs/heads/main`, if any. */
function refOf(uri: string): string | undefined {
  const at = uri.indexOf('@', uri.indexOf('://') + 3);
  return at > 0 ? str(uri.slice(at + 1)) : undefined;
}

/**
 * The source a provenance statement names. SLSA v1 (what `actions/attest-build-provenance` and npm publish write):
 * the git entry of `buildDefinition.resolvedDependencies` with its `gitCommit`, else
 * `externalParameters.workflow.repository` / `ref`. SLSA v0.2: `invocation.configSource`. Signed but
 * attacker-chosen: read field by field, bounded.
 *
 * A build may check out more than its own repository (a second `actions/checkout` of a data or tooling repository),
 * and each checkout can be a git entry of resolvedDependencies. The source is the entry of the repository the build
 * ran from: the one `prefer` names (the certificate's repository and commit, which `gh attestation verify` takes as
 * the source, cli/cli verification.VerifyCertExtensions), else the one of `externalParameters.workflow.repository`
 * (the top-level workflow's repository, which slsa-verifier's TriggerURI reads), else the first. Another checkout
 * listed first is an input of the build, not a second account of its source.
 */
export function readStatementSource(statement: Statement, prefer: SourceClaim = {}): SourceClaim {
  const p = statement.predicate;
  if (!isObject(p)) return {};
  if (SLSA_V1.test(statement.predicateType)) {
    const def = isObject(p['buildDefinition']) ? p['buildDefinition'] : {};
    const deps = Array.isArray(def['resolvedDependencies'])
      ? def['resolvedDependencies'].slice(0, MAX_DEPENDENCIES)
      : [];
    const gits = deps.filter(
      (d): d is Json => isObject(d) && typeof d['uri'] === 'string' && d['uri'].startsWith('git+'),
    );
    const ext = isObject(def['externalParameters']) ? def['externalParameters'] : {};
    const wf = isObject(ext['workflow']) ? ext['workflow'] : {};
    const git = sourceEntry(gits, prefer.repository ?? str(wf['repository']), prefer.commit);
    const uri = git ? str(git['uri']) : undefined;
    const digest = git && isObject(git['digest']) ? git['digest'] : {};
    const repository = uri ?? str(wf['repository']);
    const commit = str(digest['gitCommit'])?.toLowerCase();
    const ref = (uri ? refOf(uri) : undefined) ?? str(wf['ref']);
    return claim(repository, commit, ref);
  }
  if (statement.predicateType === SLSA_V02) {
    const inv = isObject(p['invocation']) ? p['invocation'] : {};
    const cs = isObject(inv['configSource']) ? inv['configSource'] : {};
    const uri = str(cs['uri']);
    const digest = isObject(cs['digest']) ? cs['digest'] : {};
    return claim(uri, str(digest['sha1'])?.toLowerCase(), uri ? refOf(uri) : undefined);
  }
  return {};
}

/** The git entry of `repository` (at `commit` if one is), else the first: see readStatementSource. */
function sourceEntry(
  gits: readonly Json[],
  repository: string | undefined,
  commit: string | undefined,
): Json | undefined {
  if (repository === undefined) return gits[0];
  const same = gits.filter((g) => sameRepository(String(g['uri']), repository));
  const atCommit = same.find((g) => {
    const digest = isObject(g['digest']) ? g['digest'] : {};
    return commit !== undefined && str(digest['gitCommit'])?.toLowerCase() === commit;
  });
  return atCommit ?? same[0] ?? gits[0];
}

/** The Source Repository URI / Digest / Ref and Build Signer URI extensions of a Fulcio leaf certificate (DER). */
export function readCertificateSource(der: Buffer): CertificateClaim {
  let cert: X509Certificate;
  try {
    cert = X509Certificate.parse(Buffer.from(der));
  } catch {
    return {};
  }
  const v2 = (oid: string): string | undefined => {
    const ext = cert.extension(oid);
    if (!ext) return undefined;
    try {
      return str(ASN1Obj.parseBuffer(Buffer.from(ext.value)).value.toString('utf8'));
    } catch {
      return undefined;
    }
  };
  const v1 = (oid: string): string | undefined => str(cert.extension(oid)?.value.toString('utf8'));
  const v1Repo = v1(OID_V1_GITHUB_REPOSITORY);
  const repository = v2(OID_SOURCE_REPOSITORY_URI) ?? (v1Repo ? `https://github.com/${v1Repo}` : undefined);
  // Source Repository Digest first, the deprecated GitHub Workflow SHA for older certificates: sigstore-go's
  // certificate.ParseExtensions reads both (SourceRepositoryDigest, GithubWorkflowSHA) and `gh attestation verify`
  // matches the former, as sigstore-js prefers the v2 issuer extension (…1.8) over v1 (…1.1).
  const legacyCommit = v1(OID_V1_GITHUB_SHA)?.toLowerCase();
  const commit = (v2(OID_SOURCE_REPOSITORY_DIGEST) ?? legacyCommit)?.toLowerCase();
  const ref = v2(OID_SOURCE_REPOSITORY_REF) ?? v1(OID_V1_GITHUB_REF);
  const builder = v2(OID_BUILD_SIGNER_URI);
  const subject = str(cert.subjectAltName);
  // sigstore-js (@sigstore/verify getSigner) reads the issuer the same way: v2 first, v1 for older certificates.
  const issuer = v2(OID_ISSUER_V2) ?? v1(OID_V1_ISSUER);
  return {
    ...claim(repository, commit, ref),
    ...(builder ? { builder } : {}),
    ...(subject ? { subject } : {}),
    ...(legacyCommit && COMMIT.test(legacyCommit) ? { legacyCommit } : {}),
    ...(issuer ? { issuer } : {}),
  };
}

/**
 * Does the certificate's OIDC issuer speak for the host of its Source Repository URI? Fulcio copies the URI from a
 * token claim, and only the forge's own CI vouches for a repository there: GitHub Actions
 * (`https://token.actions.githubusercontent.com`, and its per-enterprise `…/<slug>` issuers) for `github.com`,
 * `token.actions.<tenant>.ghe.com` for `<tenant>.ghe.com`, a GitLab instance for its own host. Other CI providers
 * fill it from what their pipeline was configured with (sigstore/fulcio config/identity/config.yaml: Codefresh
 * `source-repository-uri: "scm_repo_url"`, CircleCI `vcs-origin`), so anyone with an account there can name any
 * repository. `gh attestation verify` likewise requires the GitHub Actions issuer by default (cli/cli
 * verification.VerifyCertExtensions: "OIDC Issuer must match").
 */
export function issuerVouchesFor(issuer: string | undefined, repository: string): boolean {
  if (issuer === undefined) return false;
  let repoHost: string;
  let issuerUrl: URL;
  try {
    repoHost = new URL(normaliseRepository(repository)).hostname.toLowerCase();
    issuerUrl = new URL(issuer);
  } catch {
    return false;
  }
  if (issuerUrl.protocol !== 'https:') return false;
  const issuerHost = issuerUrl.hostname.toLowerCase();
  if (repoHost === 'github.com') return issuerHost === 'token.actions.githubusercontent.com';
  const tenant = /^([a-z0-9-]+)\.ghe\.com$/.exec(repoHost);
  if (tenant) return issuerHost === `token.actions.${tenant[1]!}.ghe.com`;
  return issuerHost === repoHost;
}

function claim(repository: string | undefined, commit: string | undefined, ref: string | undefined): SourceClaim {
  return {
    ...(repository ? { repository: normaliseRepository(repository) } : {}),
    ...(commit && COMMIT.test(commit) ? { commit } : {}),
    ...(ref ? { ref } : {}),
  };
}

/**
 * Where the statement and the certificate, or the certificate's two commit extensions, disagree. Fulcio fills both
 * extensions from the token's one `sha` claim, and the statement is the same build's account, so a disagreement
 * means a tampered or misissued attestation: it names two commits and cannot tie the model to either.
 */
export function contradiction(statement: SourceClaim, cert: CertificateClaim): string | undefined {
  if (cert.commit && cert.legacyCommit && cert.commit !== cert.legacyCommit)
    return `the certificate's Source Repository Digest (${OID_SOURCE_REPOSITORY_DIGEST}) is ${cert.commit}, its deprecated GitHub Workflow SHA (${OID_V1_GITHUB_SHA}) ${cert.legacyCommit}`;
  if (statement.repository && cert.repository && !sameRepository(statement.repository, cert.repository))
    return `the statement names repository ${statement.repository}, the certificate ${cert.repository}`;
  if (statement.commit && cert.commit && statement.commit !== cert.commit)
    return `the statement names commit ${statement.commit}, the certificate ${cert.commit}`;
  return undefined;
}
