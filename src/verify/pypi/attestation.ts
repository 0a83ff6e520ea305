import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, type Verifier } from '@sigstore/verify';
import { errorMessage } from '../../core/errors.js';
import type { BuilderIdentity } from '../npm/identity.js';
import { toBuilderIdentity } from '../npm/identity.js';
import type { PypiPublisher } from './publisher.js';
import { publisherFromIdentity } from './publisher.js';
import { ultranormalizeDistFilename } from './dist-filename.js';

export const PYPI_PUBLISH_PREDICATE = 'https://docs.pypi.org/attestations/publish/v1';
/** pypi-attestations' `AttestationType`: the only predicates `Attestation.verify` accepts. */
const ATTESTATION_TYPES = new Set([PYPI_PUBLISH_PREDICATE, 'https://slsa.dev/provenance/v1']);

/** The distribution an attestation must be about: its file name and sha256 (PEP 740 subject). */
export interface AttestedFile {
  readonly filename: string;
  readonly sha256: string;
}

export type AttestationProblem = 'malformed' | 'signature' | 'subject-name' | 'subject-digest';

export type PypiAttestationVerdict =
  | {
      readonly ok: true;
      readonly predicateType: string;
      readonly identity: BuilderIdentity;
      readonly publisher: PypiPublisher;
    }
  | { readonly ok: false; readonly problem: AttestationProblem; readonly reason: string };

const MAX_SUBJECTS = 64;

/**
 * Verify one PEP 740 attestation object (`version`, `verification_material` {certificate, transparency_entries},
 * `envelope` {statement, signature}) as pypi-attestations' `Attestation.verify` does: rebuild the Sigstore bundle
 * (`Attestation.to_bundle`), verify it (certificate to the trust root, transparency log, signature over the DSSE
 * PAE), then check — which @sigstore/verify does not — that the in-toto subject names this file with its sha256.
 * Attacker-controlled JSON: every field is checked before use.
 */
export function verifyPypiAttestation(att: unknown, file: AttestedFile, verifier: Verifier): PypiAttestationVerdict {
  const bad = (problem: AttestationProblem, reason: string): PypiAttestationVerdict => ({ ok: false, problem, reason });
  if (!isRecord(att) || att.version !== 1) return bad('malformed', 'not a PEP 740 attestation (version 1)');
  const vm = att.verification_material;
  const env = att.envelope;
  if (!isRecord(vm) || !isRecord(env)) return bad('malformed', 'verification_material or envelope missing');
  if (typeof vm.certificate !== 'string' || typeof env.statement !== 'string' || typeof env.signature !== 'string')
    return bad('malformed', 'certificate, statement or signature is not a string');
  // `VerificationMaterial.transparency_entries` is a list of at least one entry, and `Attestation.to_bundle` builds
  // the bundle from `transparency_entries[0]` alone: later entries are never read, so they cannot fail it either.
  if (!Array.isArray(vm.transparency_entries) || vm.transparency_entries.length === 0)
    return bad('malformed', 'verification_material.transparency_entries is not a list of at least one entry');
  const entries = (vm.transparency_entries as unknown[]).slice(0, 1);
  let bundle;
  try {
    bundle = bundleFromJSON({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { certificate: { rawBytes: vm.certificate }, tlogEntries: entries },
      dsseEnvelope: {
        payload: env.statement,
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ sig: env.signature, keyid: '' }],
      },
    });
  } catch (err) {
    return bad('malformed', `cannot form a Sigstore bundle: ${errorMessage(err)}`);
  }
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(env.statement, 'base64').toString('utf8')) as unknown;
  } catch {
    return bad('malformed', 'the statement is not JSON');
  }
  let identity: BuilderIdentity;
  try {
    identity = toBuilderIdentity(verifier.verify(toSignedEntity(bundle)));
  } catch (err) {
    return bad('signature', errorMessage(err));
  }
  if (!isRecord(statement) || statement._type !== 'https://in-toto.io/Statement/v1')
    return bad('malformed', 'the statement is not an in-toto v1 statement');
  const subjects = Array.isArray(statement.subject) ? (statement.subject as unknown[]).slice(0, MAX_SUBJECTS) : [];
  // PEP 740: exactly one subject, the distribution's file name (both ultranormalized) with its sha256.
  if (subjects.length !== 1 || !isRecord(subjects[0]))
    return bad('subject-name', `${subjects.length} subjects, expected 1`);
  const subject = subjects[0];
  const nameProblem = subjectNameProblem(subject.name, file.filename);
  if (nameProblem !== undefined) return bad('subject-name', nameProblem);
  // `digest != dist.digest` in `Attestation.verify`: the subject's hex as written, the file's as hashlib writes it.
  const digest = isRecord(subject.digest) ? subject.digest.sha256 : undefined;
  if (typeof digest !== 'string' || digest !== file.sha256.toLowerCase())
    return bad('subject-digest', `the subject sha256 is ${String(digest)}, the file is ${file.sha256}`);
  const predicateType = typeof statement.predicateType === 'string' ? statement.predicateType : '';
  if (!ATTESTATION_TYPES.has(predicateType))
    return bad('malformed', `unknown attestation type ${predicateType.slice(0, 200) || '(none)'}`);
  return { ok: true, predicateType, identity, publisher: publisherFromIdentity(identity) };
}

/**
 * `Attestation.verify`'s name check: the subject and the distribution's file name are both ultranormalized
 * (`_ultranormalize_dist_filename`; `Distribution` does it on construction) and must then be equal. The signer
 * ultranormalizes, the index keeps the uploaded spelling: a manylinux wheel's `manylinux_2_17_x86_64.manylinux2014_x86_64`
 * is signed as `manylinux2014_x86_64.manylinux_2_17_x86_64`, the same file.
 */
function subjectNameProblem(name: unknown, filename: string): string | undefined {
  if (typeof name !== 'string' || name === '') return 'the subject has no name';
  const shown = name.slice(0, 200);
  const subject = ultranormalizeDistFilename(name);
  if (subject === undefined) return `the subject ${shown} is not a wheel or sdist file name`;
  const dist = ultranormalizeDistFilename(filename);
  if (dist === undefined) return `${filename} is not a wheel or sdist file name an attestation can name`;
  return subject === dist ? undefined : `the subject is ${shown}, not ${filename}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
