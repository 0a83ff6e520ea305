import type { DiscoveredFile } from '../../core/files.js';
import {
  SUBJECT_ALGORITHMS,
  compareSubjects,
  type Statement,
  type SubjectAlgorithm,
  type SubjectComparison,
} from '../bundle/intoto.js';
import { BundleParseError, tryParseBundle, type ParsedBundle } from '../bundle/parse.js';
import type { SigstoreResults } from '../check/sigstore.js';
import { verifyParsedBundle } from '../check/verify-bundle.js';
import type { TrustRoot } from '../trust/root.js';
import { readBareEnvelope } from './envelope.js';
import { isProvenanceBundle } from './kind.js';
import { contradiction, issuerVouchesFor, readCertificateSource, readStatementSource } from './source.js';

/** A provenance attestation whose signature held, with the build facts it carries. */
export interface VerifiedAttestation {
  readonly ok: true;
  readonly statement: Statement;
  readonly repository: string;
  readonly commit: string;
  readonly ref?: string;
  readonly builder: string;
}

export type AttestationResult =
  | VerifiedAttestation
  | { readonly ok: false; readonly reason: string }
  /** A signature that states no build (a message signature, a person's signed statement): not provenance at all. */
  | {
      readonly ok: false;
      readonly notProvenance: true;
      readonly reason: string;
      /** An SLSA statement signed with a public key: provenance in form, a signature only (kind.ts). */
      readonly keyed?: true;
    }
  /** Provenance in a shape that cannot be verified offline (a bare DSSE envelope): present, never verified. */
  | { readonly ok: false; readonly unverifiedFormat: true; readonly reason: string }
  /** Signed, but its statement and certificate (or the certificate's two commit extensions) name different sources. */
  | { readonly ok: false; readonly sourceConflict: true; readonly reason: string };

export interface TrustCheck {
  readonly trust: TrustRoot;
  readonly tlogThreshold: number;
  readonly timestampThreshold: number;
}

/**
 * Verify one Sigstore bundle as build provenance: the signature with the existing verifier (any identity valid
 * under the trust root: the builder is judged against policy afterwards, anchored), then the source it names.
 * The artifact is not passed: its subject is compared with the scan's digests by the caller, never re-hashed here.
 * The certificate's Source Repository extensions come from the OIDC token Fulcio checked; the statement is the
 * builder's own account. Both are signed, so when they disagree the attestation is not trusted.
 */
export function verifyAttestation(bundle: Buffer | string, check: TrustCheck): AttestationResult {
  return verifyParsedAttestation(tryParseBundle(bundle), bundle, check);
}

/**
 * `verifyAttestation` over a bundle already parsed (`bundle` is its text, read again only when it does not parse),
 * with the scan's Sigstore results when another stage verifies the same parse (bundle/shared.ts).
 */
export function verifyParsedAttestation(
  parsed: ParsedBundle | BundleParseError,
  bundle: Buffer | string,
  check: TrustCheck,
  results?: SigstoreResults,
): AttestationResult {
  if (parsed instanceof BundleParseError) {
    // A cosign bundle chainproof does not verify (no Rekor entry, an old entry kind) is a signature the signatures
    // stage reports as not checked (CPS007): one finding for the one cause.
    if (parsed.unverifiable) return { ok: false, notProvenance: true, reason: parsed.message };
    const envelope = readBareEnvelope(typeof bundle === 'string' ? bundle : bundle.toString('utf8'));
    if (envelope)
      return {
        ok: false,
        unverifiedFormat: true,
        reason: `it is a bare DSSE envelope${envelope.predicateType ? ` (${envelope.predicateType})` : ''} with no certificate or transparency-log proof in it (slsa-github-generator's .intoto.jsonl, which slsa-verifier checks by searching Rekor online)`,
      };
    return { ok: false, reason: `cannot read the bundle: ${parsed.message}` };
  }
  // The same split the signatures stage makes (stage/detached.ts), so each bundle is judged by one stage.
  if (!isProvenanceBundle(parsed))
    return parsed.material.kind === 'key' && parsed.content.kind === 'dsse'
      ? {
          ok: false,
          notProvenance: true,
          keyed: true,
          reason:
            "it is signed with a public key, not a CI's Sigstore certificate, so it names no builder or source repository (a key vouches for the bytes only)",
        }
      : { ok: false, notProvenance: true, reason: 'the bundle is a signature, not build provenance' };
  // Provenance is only ever verified the Sigstore way (Fulcio certificate, log or timestamp), so the bundle must be
  // one @sigstore/bundle's bundleFromJSON accepts for its media type: v0.1 entries need inclusionPromise, v0.2+ an
  // inclusionProof, v0.3 a single certificate (assertBundleLatest refuses x509CertificateChain). The lenient
  // certificate-chain path of verifyParsedBundle is for model_signing's private-CA signatures, not for provenance.
  if (parsed.strict === undefined)
    return {
      ok: false,
      reason: `not a valid ${parsed.mediaType} Sigstore bundle: ${parsed.strictError ?? 'unknown error'}`,
    };
  const verdict = verifyParsedBundle(parsed, { ...check, signers: [], ...(results ? { results } : {}) });
  if (!verdict.ok) return { ok: false, reason: verdict.reason };
  if (!verdict.statement) return { ok: false, reason: 'the bundle carries no in-toto statement' };
  const leaf = parsed.material.kind === 'certificate' ? parsed.material.certificates[0] : undefined;
  return attestedSource(verdict.statement, leaf);
}

/**
 * The build facts of a verified statement. The source repository is the signing certificate's (Source Repository
 * URI, from the CI's OIDC token Fulcio checked), as `gh attestation verify` takes it (cli/cli
 * verification.VerifyCertExtensions matches --owner/--repo against the certificate only): a person or a service
 * account can sign an SLSA statement whose resolvedDependencies name any repository and commit. The statement's
 * account is used to corroborate (a disagreement is a conflict) and, under a CI certificate, to fill in a ref or a
 * commit the certificate lacks.
 */
export function attestedSource(statement: Statement, leaf: Buffer | undefined): AttestationResult {
  const cert = leaf ? readCertificateSource(leaf) : {};
  const stated = readStatementSource(statement, cert);
  if (!cert.repository && !stated.repository)
    return { ok: false, reason: 'the provenance and its certificate name no source repository' };
  if (!cert.repository)
    return {
      ok: false,
      reason: `the signing certificate names no source repository (signer ${cert.subject ?? 'unknown'}); the statement's ${stated.repository ?? ''} is only its signer's word`,
    };
  if (!issuerVouchesFor(cert.issuer, cert.repository))
    return {
      ok: false,
      reason: `the signing certificate's Source Repository URI ${cert.repository} was issued on the word of ${cert.issuer ?? 'no OIDC issuer'}, which does not speak for that host (only the forge's own CI does, e.g. GitHub Actions for github.com); a pipeline there can name any repository`,
    };
  const conflict = contradiction(stated, cert);
  if (conflict) return { ok: false, sourceConflict: true, reason: conflict };
  const repository = cert.repository;
  const commit = cert.commit ?? stated.commit;
  const builder = cert.builder ?? cert.subject;
  if (!repository || !commit || !builder)
    return {
      ok: false,
      reason: `the attestation names no ${!commit ? 'source commit' : 'builder identity'} (predicate ${statement.predicateType})`,
    };
  const ref = cert.ref ?? stated.ref;
  return { ok: true, statement, repository, commit, ...(ref ? { ref } : {}), builder };
}

export type SubjectMatch = SubjectComparison;

/** A file's digests under these algorithms, by the caller's hasher; undefined when it cannot be read. */
export type DigestsOf = (
  file: DiscoveredFile,
  algorithms: SubjectAlgorithm[],
) => Promise<Readonly<Partial<Record<string, string>>> | undefined>;

/**
 * Does a subject carry the file's digests (bundle/intoto.ts `compareSubjects`: every SHA-2 digest it carries, so a
 * wrong one beside a right one is no match)? Like `gh attestation verify`, the subject is found by digest; its name
 * (a file name, a purl) is not the file's repo path and is not compared.
 */
export function matchSubject(statement: Statement, digests: Readonly<Record<string, string>>): SubjectMatch {
  return compareSubjects(statement, digests);
}

/**
 * `matchSubject`, with the digests a subject carries beyond the scan's (SHA-512 of npm provenance, or beside the
 * SHA-256 that matched) computed when the caller can hash the file (`hash`; undefined for an LFS pointer or content
 * not at hand): `digests` keeps them. A subject that agrees with every digest there is and carries others that cannot
 * be computed (an LFS pointer names its object by SHA-256 alone) is a match on those.
 */
export async function matchSubjectHashing(
  statement: Statement,
  digests: Record<string, string>,
  hash: ((algorithms: SubjectAlgorithm[]) => ReturnType<DigestsOf>) | undefined,
): Promise<SubjectMatch> {
  const m = matchSubject(statement, digests);
  if (m.kind !== 'need') return m;
  const computed = hash && (await hash(m.algorithms));
  const added = m.algorithms.filter((a) => computed?.[a] !== undefined);
  for (const a of added) digests[a] = computed![a]!;
  if (added.length > 0) return matchSubjectHashing(statement, digests, hash);
  return m.agreed ? agreedOn(statement, digests) : m;
}

/** The strongest algorithm under which a subject agrees with the digests at hand (`need` with `agreed`). */
function agreedOn(statement: Statement, digests: Readonly<Record<string, string>>): SubjectMatch {
  const known = Object.fromEntries(
    SUBJECT_ALGORITHMS.filter((a) => digests[a] !== undefined).map((a) => [a, digests[a]!]),
  );
  // Judged again over a statement stripped of the digests that cannot be computed.
  const stripped: Statement = {
    ...statement,
    subjects: statement.subjects.map((s) => ({
      name: s.name,
      digest: Object.fromEntries(Object.entries(s.digest).filter(([a]) => a in known)),
    })),
  };
  return compareSubjects(stripped, known);
}
