import type { Finding } from '../../core/finding.js';
import type { ModelRecord, VerificationRecord } from '../../core/records.js';
import type { AttestationResult } from './attestation.js';
import type { BundleText } from './files.js';
import { sha } from './judge.js';

export interface Out {
  readonly findings: Finding[];
  readonly models: ModelRecord[];
  readonly verifications: VerificationRecord[];
}

/**
 * Why an attestation was not taken: about other content (CPM021), not verifiable (CPM025), provenance in a format
 * that cannot be verified here (CPM026), or signed but naming two different sources (CPM027).
 */
export interface Failure {
  readonly rule: 'CPM021' | 'CPM025' | 'CPM026' | 'CPM027';
  readonly at: BundleText;
  readonly reason: string;
}

/** The rule a refused attestation is reported under (a plain signature, not provenance, never reaches here). */
export function failureRule(v: AttestationResult & { ok: false }): Failure['rule'] {
  if ('unverifiedFormat' in v) return 'CPM026';
  if ('sourceConflict' in v) return 'CPM027';
  return 'CPM025';
}

const where = (at: BundleText) => `${at.file}${at.line !== undefined ? ` line ${at.line}` : ''}`;
const location = (at: BundleText) => ({ path: at.file, ...(at.line !== undefined ? { line: at.line } : {}) });

const UNVERIFIED_FORMAT_FIX =
  'It is not taken as provenance. Attest the model with actions/attest-build-provenance and commit its Sigstore bundle (gh attestation download), or generate with slsa-github-generator v2 (which writes a .sigstore.json bundle)';

/**
 * A failed attestation next to a model, at the attestation (and its line in a JSON Lines set). `required`: a policy
 * requirement or registry commit covers the model, so unverified provenance (CPM026, a warning alone) is an error.
 */
export function failureFinding(model: ModelRecord, f: Failure, required = false): Finding {
  const message =
    f.rule === 'CPM021'
      ? `The provenance attestation ${where(f.at)} verifies but is not about ${model.path}: ${f.reason}. The file changed after the attested build; restore the attested file or rebuild and attest it.`
      : f.rule === 'CPM026'
        ? `The provenance ${where(f.at)} for ${model.path} is present but in a format chainproof does not verify: ${f.reason}. ${UNVERIFIED_FORMAT_FIX}.`
        : f.rule === 'CPM027'
          ? `The provenance attestation ${where(f.at)} for ${model.path} names two different sources: ${f.reason}. It cannot tie the model to a commit; treat the model as untrusted and rebuild and attest it from the reviewed commit.`
          : `The provenance attestation ${where(f.at)} for ${model.path} could not be verified: ${f.reason}. Download it again from the build (gh attestation download) or rebuild and attest the model; do not trust it until it verifies.`;
  return {
    ruleId: f.rule,
    ...(f.rule === 'CPM026' && required ? { level: 'error' as const } : {}),
    message,
    location: location(f.at),
    artifact: { kind: 'model', path: model.path, ...sha(model) },
    evidence: { reason: f.reason, attestation: f.at.file },
  };
}

/** A bundle in an attestations folder that does not verify: one finding at the bundle, whatever it covers. */
export function folderFailureFinding(f: Failure): Finding {
  return {
    ruleId: f.rule,
    message:
      f.rule === 'CPM027'
        ? `The provenance attestation ${where(f.at)} names two different sources: ${f.reason}. No model file under its folder takes provenance from it; rebuild and attest the models from the reviewed commit.`
        : f.rule === 'CPM026'
          ? `The provenance ${where(f.at)} is in a format chainproof does not verify: ${f.reason}. No model file under its folder takes provenance from it. ${UNVERIFIED_FORMAT_FIX}.`
          : `The provenance attestation ${where(f.at)} could not be verified: ${f.reason}. No model file under its folder takes provenance from it; download it again (gh attestation download) or delete it.`,
    location: location(f.at),
    artifact: { kind: 'file', path: f.at.file },
    evidence: { reason: f.reason, attestation: f.at.file },
  };
}
