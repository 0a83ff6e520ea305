import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, type Verifier } from '@sigstore/verify';
import { errorMessage } from '../../core/errors.js';
import { toBuilderIdentity, type BuilderIdentity } from './identity.js';
import { isRecord } from './keys.js';
import { sha512Hex, type Sri } from './sri.js';

export const PUBLISH_PREDICATE = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const SLSA_PREDICATE = /^https:\/\/slsa\.dev\/provenance\/v\d+(\.\d+)?$/;
const MAX_ATTESTATIONS = 16;

export interface AttestedVersion {
  readonly name: string;
  readonly version: string;
  /** The version's integrity (registry `dist.integrity`): the subject's sha512 must equal it. */
  readonly integrity: Sri;
}

export type AttestationKind = 'publish' | 'provenance' | 'other';

export type AttestationCheck =
  | {
      readonly ok: true;
      readonly kind: AttestationKind;
      readonly predicateType: string;
      readonly identity?: BuilderIdentity;
    }
  | {
      readonly ok: false;
      readonly kind: AttestationKind;
      readonly predicateType: string;
      readonly problem: 'signature' | 'subject';
      readonly reason: string;
    };

export interface ProvenanceReport {
  readonly checks: readonly AttestationCheck[];
  /** Builder identity of the verified SLSA provenance, if one verified. */
  readonly provenance?: BuilderIdentity;
  /** Set when the response itself is not an attestation list. */
  readonly malformed?: string;
}

/**
 * Verify every attestation the registry serves for a version (`/-/npm/v1/attestations/<name>@<version>`): the
 * Sigstore bundle against the trust material, and — which @sigstore/verify does not do — that the in-toto
 * statement is about this package: subject `pkg:npm/<name>@<version>` with sha512 equal to the integrity.
 * Attacker-controlled JSON: every field is checked before use.
 */
export function verifyAttestations(json: unknown, target: AttestedVersion, verifier: Verifier): ProvenanceReport {
  if (!isRecord(json) || !Array.isArray(json.attestations)) return { checks: [], malformed: 'no attestations list' };
  const list = json.attestations as unknown[];
  if (list.length === 0) return { checks: [], malformed: 'empty attestations list' };
  if (list.length > MAX_ATTESTATIONS)
    return { checks: [], malformed: `${list.length} attestations (limit ${MAX_ATTESTATIONS})` };
  const checks = list.map((a) => checkOne(a, target, verifier));
  const provenance = checks.find((c) => c.ok && c.kind === 'provenance');
  return { checks, ...(provenance?.ok && provenance.identity ? { provenance: provenance.identity } : {}) };
}

function checkOne(a: unknown, target: AttestedVersion, verifier: Verifier): AttestationCheck {
  const predicateType = isRecord(a) && typeof a.predicateType === 'string' ? a.predicateType : '<none>';
  const kind: AttestationKind =
    predicateType === PUBLISH_PREDICATE ? 'publish' : SLSA_PREDICATE.test(predicateType) ? 'provenance' : 'other';
  const fail = (problem: 'signature' | 'subject', reason: string): AttestationCheck => ({
    ok: false,
    kind,
    predicateType,
    problem,
    reason,
  });
  if (!isRecord(a)) return fail('signature', 'attestation is not an object');
  let bundle;
  try {
    bundle = bundleFromJSON(a.bundle);
  } catch (err) {
    return fail('signature', `malformed Sigstore bundle: ${errorMessage(err)}`);
  }
  if (bundle.content.$case !== 'dsseEnvelope') return fail('signature', 'bundle holds no DSSE envelope');
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== 'application/vnd.in-toto+json')
    return fail('subject', `payload type ${envelope.payloadType}`);
  let statement: unknown;
  try {
    statement = JSON.parse(envelope.payload.toString('utf8')) as unknown;
  } catch {
    return fail('subject', 'DSSE payload is not JSON');
  }
  const subjectProblem = checkStatement(statement, predicateType, target);
  let identity: BuilderIdentity | undefined;
  try {
    const signer = verifier.verify(toSignedEntity(bundle));
    if (kind === 'provenance') identity = toBuilderIdentity(signer);
  } catch (err) {
    return fail('signature', errorMessage(err));
  }
  if (subjectProblem !== undefined) return fail('subject', subjectProblem);
  return { ok: true, kind, predicateType, ...(identity ? { identity } : {}) };
}

/**
 * The statement's predicate type and subject, compared with the attestation label and the package. The subject is
 * judged as pacote does (lib/registry.js `manifest`, `verifyAttestations`): only the FIRST subject counts, its name
 * must be exactly npm-package-arg's `toPurl` of the version and its sha512 exactly the integrity's hex digest. A
 * statement listing this package second, under an unescaped scope or with upper-case hex fails there
 * (EATTESTATIONSUBJECT), so it fails here.
 */
function checkStatement(statement: unknown, predicateType: string, target: AttestedVersion): string | undefined {
  if (!isRecord(statement)) return 'statement is not an object';
  if (statement.predicateType !== predicateType)
    return `statement predicate ${String(statement.predicateType)} differs from the attestation label ${predicateType}`;
  const want = sha512Hex(target.integrity);
  if (want === undefined) return 'the version has no sha512 integrity to bind the attestation to';
  const first: unknown = Array.isArray(statement.subject) ? (statement.subject as unknown[])[0] : undefined;
  const name = isRecord(first) && typeof first.name === 'string' ? first.name : undefined;
  const expected = purl(target.name, target.version);
  if (name !== expected) return `the first subject is ${name?.slice(0, 200) ?? 'absent'}, not ${expected}`;
  const digest = isRecord(first) && isRecord(first.digest) ? first.digest.sha512 : undefined;
  return digest === want ? undefined : `subject sha512 differs from the integrity of ${target.name}@${target.version}`;
}

/** npm-package-arg's `toPurl`: the leading `@` of a scope is percent-encoded. */
export function purl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;
}
