import type { ParsedBundle } from '../bundle/parse.js';
import { parseStatement, StatementError } from '../bundle/intoto.js';
import { readCertificateSource, readStatementSource } from './source.js';

/**
 * SLSA provenance of any version (what actions/attest-build-provenance, npm and slsa-github-generator write), the
 * whole predicate type: verifiers compare it exactly (`gh attestation verify --predicate-type`, default
 * `https://slsa.dev/provenance/v1`; slsa-verifier's `ProvenanceV02Type` / `ProvenanceV1Type`), so a type that only
 * begins like one (`…/provenance/v1-scan`, `…/provenance/v1/sbom`) is another claim, as npm's `SLSA_PREDICATE` reads it.
 */
const SLSA_PROVENANCE = /^https:\/\/slsa\.dev\/provenance\/v\d+(\.\d+)?$/;

/** Whether a statement's predicate is build provenance (SLSA, any version) rather than another claim (an SBOM, a scan). */
export const isBuildProvenance = (predicateType: string): boolean => SLSA_PROVENANCE.test(predicateType);

/**
 * Is this bundle build provenance, owned by the provenance stage, rather than a plain signature the signatures
 * stage reports on? One answer for both stages, so a changed file or a bad signature is one finding, not two.
 * Decided before any signature check, from the DSSE payload (an in-toto statement with an SLSA predicate or a
 * statement naming its source) or the certificate's Source Repository extension (GitHub Actions attestations of any
 * predicate type). The payload is unverified here: this only routes the bundle; the stage that owns it verifies it.
 */
export function isProvenanceBundle(parsed: ParsedBundle): boolean {
  // A bundle signed with a public key (cosign attest-blob --key, in-toto with a key) names no build: the builder and
  // source of provenance come from a CI's Fulcio certificate (attestation.ts `attestedSource`), and the provenance
  // stage verifies only those. It is a signature over its subjects, checked against the policy's keys by the
  // signatures stage; judged here, it was "unverifiable: the policy names no key" even where the policy named it.
  if (parsed.content.kind !== 'dsse' || parsed.material.kind === 'key') return false;
  let predicateType: string;
  try {
    const statement = parseStatement(parsed.content.payloadType, parsed.content.payload);
    predicateType = statement.predicateType;
    if (isBuildProvenance(predicateType) || readStatementSource(statement).repository) return true;
  } catch (err) {
    // Not an in-toto statement: a signature over something else, for the signatures stage.
    if (err instanceof StatementError) return false;
    throw err;
  }
  const leaf = parsed.material.kind === 'certificate' ? parsed.material.certificates[0] : undefined;
  return leaf !== undefined && readCertificateSource(leaf).repository !== undefined;
}
