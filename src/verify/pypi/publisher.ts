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
 * The publisher from the Fulcio certificate, as pypi-attestations' `GitHubPublisher` / `GitLabPublisher` check it:
 * GitHub's Build Config URI is `https://github.com/<repo>/.github/workflows/<workflow>@<ref>`; GitLab's is
 * `https://gitlab.com/<project>//<workflow_filepath>@<ref>`. The Build Config URI (not the SAN, which names a
 * reusable workflow when one signs) is the workflow the publisher was registered with.
 */
export function publisherFromIdentity(id: BuilderIdentity): PypiPublisher {
  const config = id.workflow ?? id.subject ?? '';
  if (id.issuer === GITHUB_ISSUER) {
    const m = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/\.github\/workflows\/([^@]+)@/.exec(config);
    return m ? { kind: 'GitHub', repository: m[1]!, workflow: m[2]! } : { kind: 'GitHub' };
  }
  if (id.issuer === GITLAB_ISSUER) {
    const m = /^https:\/\/gitlab\.com\/(.+?)\/\/(.+)@[^@]*$/.exec(config);
    return m ? { kind: 'GitLab', repository: m[1]!, workflow: m[2]! } : { kind: 'GitLab' };
  }
  if (id.issuer === GOOGLE_ISSUER)
    return { kind: 'Google', ...(id.subject !== undefined ? { email: id.subject } : {}) };
  return { kind: 'unknown', ...(id.subject !== undefined ? { email: id.subject } : {}) };
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

/**
 * The publisher PyPI's Integrity API claims for a bundle (`attestation_bundles[].publisher`), compared with the one
 * the certificate proves: a claim the certificate does not back is not trusted.
 */
export function claimMatches(claim: unknown, proven: PypiPublisher): boolean {
  if (typeof claim !== 'object' || claim === null) return true;
  const c = claim as Record<string, unknown>;
  if (typeof c.kind === 'string' && c.kind !== proven.kind) return false;
  const repo = typeof c.repository === 'string' ? c.repository : undefined;
  if (repo !== undefined && proven.repository !== undefined && repo.toLowerCase() !== proven.repository.toLowerCase())
    return false;
  const wf =
    typeof c.workflow === 'string'
      ? c.workflow
      : typeof c.workflow_filepath === 'string'
        ? c.workflow_filepath
        : undefined;
  return wf === undefined || proven.workflow === undefined || wf === proven.workflow;
}
