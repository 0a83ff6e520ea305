import type { PythonPublisherRequirement } from '../../core/policy.js';
import type { BuilderIdentity } from '../npm/identity.js';
import { matchesAnchored } from '../npm/identity.js';

/** A PEP 740 Trusted Publisher as the signing certificate proves it. */
export interface PypiPublisher {
  readonly kind: 'GitHub' | 'GitLab' | 'Google' | 'unknown';
  /** GitHub `owner/repo`, GitLab `namespace/project`. */
  readonly repository?: string;
  /** GitHub workflow file name (`release.yml`), GitLab `workflow_filepath` (`.gitlab-ci.yml`). */
  readonly workflow?: string;
  /** Google service account, or the SAN of an unknown issuer. */
  readonly email?: string;
}

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const GITLAB_ISSUER = 'https://gitlab.com';
const GOOGLE_ISSUER = 'https://accounts.google.com';

/**
 * The publisher from the Fulcio certificate, as pypi-attestations' `_GitHubTrustedPublisherPolicy` /
 * `_GitLabTrustedPublisherPolicy` verify it: the repository is the Source Repository URI's (`OIDCSourceRepositoryURI`
 * policy: `https://github.com/<repo>`, `https://gitlab.com/<project>`), and the workflow is read from the Build Config
 * URI only when that URI is exactly `<source repository>/.github/workflows/<workflow>@<suffix>` (GitLab:
 * `<source repository>//<workflow_filepath>@<suffix>`), the suffix being the Source Repository Digest or Ref. Each
 * field comes from the extension that proves it: a Build Config URI naming another project (a GitLab pipeline that
 * ran a fork's merge request, whose `project_path` claim is the fork) does not lend that project its name, and a
 * certificate without a Build Config URI has no workflow (the SAN names a reusable workflow when one signs, possibly
 * another repository's).
 */
export function publisherFromIdentity(id: BuilderIdentity): PypiPublisher {
  if (id.issuer === GITHUB_ISSUER) return forgePublisher('GitHub', id, 'https://github.com/', '/.github/workflows/');
  if (id.issuer === GITLAB_ISSUER) return forgePublisher('GitLab', id, 'https://gitlab.com/', '//');
  if (id.issuer === GOOGLE_ISSUER)
    return { kind: 'Google', ...(id.subject !== undefined ? { email: id.subject } : {}) };
  return { kind: 'unknown', ...(id.subject !== undefined ? { email: id.subject } : {}) };
}

function forgePublisher(
  kind: 'GitHub' | 'GitLab',
  id: BuilderIdentity,
  host: string,
  workflowsAt: string,
): PypiPublisher {
  const source = id.sourceRepository;
  if (source === undefined || !source.startsWith(host) || source.length === host.length) return { kind };
  const repository = source.slice(host.length);
  const prefix = `${source}${workflowsAt}`;
  const config = id.workflow;
  if (config === undefined || !config.startsWith(prefix)) return { kind, repository };
  const rest = config.slice(prefix.length);
  // `expected = f"…{workflow}@{suffix}"` for the digest, then the ref: the workflow is what precedes `@<suffix>`.
  for (const suffix of [id.sourceDigest, id.sourceRef]) {
    if (suffix === undefined || !rest.endsWith(`@${suffix}`)) continue;
    const workflow = rest.slice(0, rest.length - suffix.length - 1);
    if (workflow !== '') return { kind, repository, workflow };
  }
  return { kind, repository };
}

/** `GitHub trailofbits/pypi-attestations (release.yml)` for messages. */
export function describePublisher(p: PypiPublisher): string {
  const where = p.repository ?? p.email ?? '?';
  return `${p.kind} ${where}${p.workflow !== undefined ? ` (${p.workflow})` : ''}`;
}

/** Every field a policy publisher sets must match in full (anchored); no publishers listed = any verified one. */
export function publisherAllowed(p: PypiPublisher, allowed: PythonPublisherRequirement['publishers']): boolean {
  if (allowed.length === 0) return true;
  return allowed.some(
    (a) =>
      (a.kind === undefined || a.kind === p.kind) &&
      matches(a.repository, p.repository) &&
      matches(a.workflow, p.workflow) &&
      matches(a.email, p.email),
  );
}

function matches(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  return value !== undefined && matchesAnchored(pattern, value);
}

/** A PEP 740 publisher object as a lockfile records it (pylock.toml `attestation-identities`, PEP 751). */
export type RecordedIdentity = Readonly<Record<string, string>> & { readonly kind: string };

/**
 * The certificate's publisher is the one a lockfile recorded: the same `kind`, and each field the record sets that
 * the certificate proves equal — the repository without regard to case (GitHub and GitLab paths are not
 * case-sensitive, as `claimMatches`), the workflow (GitHub `workflow`, GitLab `workflow_filepath`) and Google `email`
 * exactly. `environment` is not in a Fulcio certificate (pypi-attestations' publisher policies do not check it), so
 * it is not compared. A record whose `kind` chainproof cannot prove from a certificate (neither GitHub, GitLab nor
 * Google) cannot be held against one: it matches any publisher of a kind chainproof does not know either.
 */
export function identityRecords(id: RecordedIdentity, p: PypiPublisher): boolean {
  if (!PROVABLE_KINDS.has(id.kind)) return p.kind === 'unknown';
  if (id.kind !== p.kind) return false;
  const repo = id.repository;
  if (repo !== undefined && repo.toLowerCase() !== p.repository?.toLowerCase()) return false;
  const workflow = p.kind === 'GitLab' ? id.workflow_filepath : id.workflow;
  if (workflow !== undefined && workflow !== p.workflow) return false;
  return id.email === undefined || id.email === p.email;
}

const PROVABLE_KINDS = new Set(['GitHub', 'GitLab', 'Google']);

/** `GitHub pypa/sampleproject (release.yml)` for a recorded identity, as `describePublisher` for a proven one. */
export function describeIdentity(id: RecordedIdentity): string {
  const where = id.repository ?? id.email ?? '?';
  const workflow = id.kind === 'GitLab' ? id.workflow_filepath : id.workflow;
  return `${id.kind} ${where}${workflow !== undefined ? ` (${workflow})` : ''}`;
}

/**
 * The publisher PyPI's Integrity API claims for a bundle (`attestation_bundles[].publisher`), compared with the one
 * the certificate proves: a claim the certificate does not back is not trusted. pypi-attestations verifies each
 * attestation against its bundle's publisher (`Attestation.verify(bundle.publisher, dist)`), a pydantic model whose
 * `kind` picks the fields it requires: GitHub `repository` and `workflow`, GitLab `repository` and
 * `workflow_filepath` (`GitHubPublisher`, `GitLabPublisher`), Google `email`. Each becomes a policy the certificate
 * must satisfy (`_GitHubTrustedPublisherPolicy.verify`: the Source Repository URI, then the Build Config URI at the
 * Source Repository Digest or Ref; `GooglePublisher._as_policy`: the SAN exactly), so a field the claim lacks fails
 * validation and one the certificate does not prove (no Build Config URI, one naming another workflow) fails
 * verification: both are a mismatch here, as is a bundle without a publisher (`AttestationBundle.publisher` is
 * required). A kind chainproof cannot prove from a certificate is held to nothing more than its name.
 */
export function claimMatches(claim: unknown, proven: PypiPublisher): boolean {
  if (typeof claim !== 'object' || claim === null) return false;
  const c = claim as Record<string, unknown>;
  if (c.kind !== proven.kind) return false;
  return CLAIM_FIELDS[proven.kind].every(([field, provenAs]) => {
    const value = c[field];
    const proof = proven[provenAs];
    if (typeof value !== 'string' || proof === undefined) return false;
    // GitHub and GitLab paths are not case-sensitive: the index may keep another spelling of the same repository.
    return provenAs === 'repository' ? value.toLowerCase() === proof.toLowerCase() : value === proof;
  });
}

/** The fields each kind of claimed publisher must carry, and the proven field each must equal. */
const CLAIM_FIELDS: Record<PypiPublisher['kind'], readonly (readonly [string, 'repository' | 'workflow' | 'email'])[]> =
  {
    GitHub: [
      ['repository', 'repository'],
      ['workflow', 'workflow'],
    ],
    GitLab: [
      ['repository', 'repository'],
      ['workflow_filepath', 'workflow'],
    ],
    Google: [['email', 'email']],
    unknown: [],
  };
