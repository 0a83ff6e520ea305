import { ASN1Obj } from '@sigstore/core';
import type { Signer } from '@sigstore/verify';
import type { ProvenanceRequirement } from '../../core/policy.js';
import { anchoredRegExp } from '../../trust/policy/patterns.js';
import { compileLinear } from '../../trust/policy/identity-pattern.js';
import type { RE2JS } from 're2js';
import { issuerVouchesFor } from '../provenance/source.js';

/** Who built and signed a provenance attestation, from the Fulcio certificate's extensions. */
export interface BuilderIdentity {
  /** OIDC issuer, e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer?: string;
  /** Certificate SAN: the signing workflow (`https://github.com/o/r/.github/workflows/x.yml@refs/…`) or email. */
  readonly subject?: string;
  /** Source Repository URI (OID 1.3.6.1.4.1.57264.1.12), e.g. `https://github.com/o/r`. */
  readonly sourceRepository?: string;
  /** Build Config URI (1.3.6.1.4.1.57264.1.18): the repository's own workflow that ran, with its ref. */
  readonly workflow?: string;
  /** Source Repository Digest (1.3.6.1.4.1.57264.1.13): the commit built. */
  readonly sourceDigest?: string;
  /** Source Repository Ref (1.3.6.1.4.1.57264.1.14), e.g. `refs/tags/v1`. */
  readonly sourceRef?: string;
}

const OID_SOURCE_REPOSITORY_URI = '1.3.6.1.4.1.57264.1.12';
const OID_BUILD_CONFIG_URI = '1.3.6.1.4.1.57264.1.18';
const OID_SOURCE_REPOSITORY_DIGEST = '1.3.6.1.4.1.57264.1.13';
const OID_SOURCE_REPOSITORY_REF = '1.3.6.1.4.1.57264.1.14';

export function toBuilderIdentity(signer: Signer): BuilderIdentity {
  const id = signer.identity;
  const oid = (wanted: string): string | undefined => {
    const found = id?.oids?.find((o) => o.oid?.id.join('.') === wanted);
    if (!found) return undefined;
    try {
      // Fulcio v2 extensions hold a DER UTF8String.
      return ASN1Obj.parseBuffer(Buffer.from(found.value)).value.toString('utf8');
    } catch {
      return undefined;
    }
  };
  const sourceRepository = oid(OID_SOURCE_REPOSITORY_URI);
  const workflow = oid(OID_BUILD_CONFIG_URI);
  const sourceDigest = oid(OID_SOURCE_REPOSITORY_DIGEST);
  const sourceRef = oid(OID_SOURCE_REPOSITORY_REF);
  return {
    ...(id?.extensions?.issuer !== undefined ? { issuer: id.extensions.issuer } : {}),
    ...(id?.subjectAlternativeName !== undefined ? { subject: id.subjectAlternativeName } : {}),
    ...(sourceRepository !== undefined ? { sourceRepository } : {}),
    ...(workflow !== undefined ? { workflow } : {}),
    ...(sourceDigest !== undefined ? { sourceDigest } : {}),
    ...(sourceRef !== undefined ? { sourceRef } : {}),
  };
}

type AllowedIdentity = ProvenanceRequirement['identities'][number];

/**
 * Every field the policy sets must match the identity in full: patterns are anchored here (`^(?:p)$`) because
 * an unanchored `github.com/acme/app` would also accept `github.com/acme/app-evil`.
 * `workflow` matches the Build Config URI (falling back to the SAN for certificates without it).
 */
export function identityAllowed(identity: BuilderIdentity, allowed: readonly AllowedIdentity[]): boolean {
  if (allowed.length === 0) return true;
  // A Source Repository URI counts only where the certificate's issuer speaks for its host (provenance/source.ts
  // issuerVouchesFor): a Codefresh or CircleCI pipeline can name any github.com repository there.
  const repo = identity.sourceRepository;
  const sourceRepository = repo !== undefined && issuerVouchesFor(identity.issuer, repo) ? repo : undefined;
  return allowed.some(
    (a) =>
      matches(a.issuer, identity.issuer) &&
      matches(a.subject, identity.subject) &&
      matches(a.sourceRepository, sourceRepository) &&
      matches(a.workflow, identity.workflow ?? identity.subject),
  );
}

function matches(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  return matchesAnchored(pattern, value);
}

const compiled = new Map<string, RE2JS>();

/**
 * Does the whole value match a policy identity pattern (`^(?:p)$` implied)? On the linear-time engine, as signer
 * subjects are (trust/policy/identity-pattern.ts): the value comes from a certificate or attestation whoever made it
 * chose, and a backtracking engine would let it stall the scan on a pattern safe-regex2 passes (`(a|aa)+`). Policy
 * loading (validate-semantic.ts checkRegex) has already refused what the engine cannot compile.
 */
export function matchesAnchored(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = compileLinear(anchoredRegExp(pattern).source);
    compiled.set(pattern, re);
  }
  return re.matches(value);
}
