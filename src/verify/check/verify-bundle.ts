import { X509Certificate, type KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { MESSAGE_DIGEST_HASHES, messageDigestHash, type ParsedBundle } from '../bundle/parse.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  SUBJECT_ALGORITHMS,
  compareSubjects,
  describeConflict,
  parseStatement,
  type Statement,
} from '../bundle/intoto.js';
import { withPublicKey, type TrustRoot } from '../trust/root.js';
import { describeKey, parsePublicKey } from '../trust/keys.js';
import { describeExpected, matchesSigner, type NamedSigner } from '../policy/signers.js';
import { checkChainOrder, verifyChainToAnchors } from './chain.js';
import { verifyContentSignature } from './signature.js';
import { verifyWithSigstore, type SigstoreResults, type Thresholds } from './sigstore.js';
import { fail, type BundleVerdict, type SeenSigner } from './types.js';
import { artifactDigest, digestCurveOf, type ArtifactInput } from './prehashed.js';

export interface BundleCheck extends Thresholds {
  readonly trust: TrustRoot;
  /** Signers allowed here. Empty: any Sigstore identity valid under the trust root (keys and CAs need naming). */
  readonly signers: readonly NamedSigner[];
  /**
   * The artifact's bytes, or its digests when too large to read whole (required for message signatures; DSSE
   * subjects are compared with its digest).
   */
  readonly artifact?: ArtifactInput;
  /** The scan's Sigstore results, when another stage may verify the same parsed bundle (bundle/shared.ts). */
  readonly results?: SigstoreResults;
}

/** A statement may list thousands of subjects; a mismatch names this many. */
const MAX_SUBJECTS_SHOWN = 5;

/** Verify one parsed bundle: signature, signer against the allowed ones, and its binding to the artifact. */
export function verifyParsedBundle(bundle: ParsedBundle, check: BundleCheck): BundleVerdict {
  const { content, material } = bundle;
  if (content.kind === 'message') {
    if (!check.artifact)
      return fail('unverifiable', 'a message signature can only be checked against the artifact it signs');
    const alg = messageDigestHash(content.algorithm);
    if (!alg) {
      // The name is the bundle's: shown bounded, as the statement's subjects are (bindStatement).
      const known = Object.keys(MESSAGE_DIGEST_HASHES).join(', ');
      const name = content.algorithm.slice(0, 64);
      return fail('unverifiable', `unsupported message digest algorithm ${name} (Sigstore verifies ${known})`);
    }
    const actual = artifactDigest(check.artifact, alg);
    if (!actual) return fail('unverifiable', `the artifact's ${alg} digest could not be computed`);
    if (!actual.equals(content.digest))
      return fail(
        'digest-mismatch',
        `the bundle signs ${alg}:${content.digest.toString('hex')}, the artifact is ${alg}:${actual.toString('hex')}`,
      );
  }
  let verdict: BundleVerdict;
  if (material.kind === 'key') verdict = verifyKeyed(bundle, check);
  else if (bundle.tlogEntries === 0 && bundle.strict === undefined) verdict = verifyCertificateChain(bundle, check);
  else if (bundle.strict === undefined)
    return fail('malformed', `not a valid Sigstore bundle: ${bundle.strictError ?? 'unknown error'}`);
  else {
    // @sigstore/verify checks the path, log entries and signature in one call and names no signer when the signature
    // fails: a Fulcio certificate whose key cannot be checked from a digest is said so before it is called.
    const unchecked = undigestableSigner(bundle, check);
    if (unchecked) return fail('unverifiable', unchecked);
    verdict = verifyKeyless(bundle, bundle.strict, check);
  }
  return verdict.ok ? bindStatement(bundle, verdict, check) : verdict;
}

function verifyKeyless(bundle: ParsedBundle, strict: Bundle, check: BundleCheck): BundleVerdict {
  if (bundle.material.kind === 'certificate' && bundle.material.certificates.length > 1) {
    const bad = checkChainOrder(bundle.material.certificates);
    if (bad) return fail('invalid', `malformed certificate chain: ${bad}`);
  }
  const result = check.results
    ? check.results.verify(strict, check.artifact, check.trust.material, check)
    : verifyWithSigstore(strict, check.artifact, check.trust.material, check);
  if (!result.ok) return fail('invalid', `Sigstore verification failed: ${result.reason}`);
  const id = result.signer.identity;
  const seen: SeenSigner = {
    kind: 'sigstore',
    subject: id?.subjectAlternativeName ?? '',
    issuer: id?.extensions?.issuer ?? '',
  };
  if (check.signers.length === 0) return { ok: true, signer: seen, signerName: undefined, statement: undefined };
  const match = check.signers.find((s) => matchesSigner(seen, s));
  if (!match)
    return fail(
      'untrusted-signer',
      `signed by ${seen.subject} (issuer ${seen.issuer}); allowed: ${describeExpected(check.signers)}`,
      seen,
    );
  return { ok: true, signer: seen, signerName: match.name, statement: undefined };
}

function verifyKeyed(bundle: ParsedBundle, check: BundleCheck): BundleVerdict {
  const material = bundle.material;
  if (material.kind !== 'key') throw new Error('unreachable');
  const keys = check.signers.filter((s) => s.kind === 'key');
  const claimed = claimedKey(material.embedded);
  const claimedSeen: SeenSigner | undefined = claimed
    ? { kind: 'key', fingerprint: claimed.fingerprint }
    : material.hint
      ? { kind: 'key', fingerprint: `hint ${material.hint}` }
      : undefined;
  if (keys.length === 0) {
    const what = `signed with a public key${claimedSeen ? ` (${claimedSeen.kind === 'key' ? claimedSeen.fingerprint : ''})` : ''}`;
    return check.signers.length === 0
      ? fail('unverifiable', `${what}; the policy names no key to verify it with`, claimedSeen)
      : fail('untrusted-signer', `${what}; allowed: ${describeExpected(check.signers)}`, claimedSeen);
  }
  // A logged bundle is checked by @sigstore/verify below, and its signature hash is the one that library uses
  // (signature.ts sigstoreDsseHash): identifying the key by another would refuse every bundle cosign and sigstore-js
  // make with a P-384 key, and pass to the library ones it then refuses.
  const logged = bundle.strict !== undefined && (bundle.tlogEntries > 0 || hasTimestamp(bundle.strict));
  const by = logged ? 'sigstore' : 'model_signing';
  for (const signer of keys) {
    const seen: SeenSigner = { kind: 'key', fingerprint: signer.key.fingerprint };
    if (!verifyContentSignature(bundle.content, signer.key, check.artifact, by)) continue;
    // The key made this signature. The policy's thresholds hold for it as for a certificate: @sigstore/verify
    // (Verifier.verifyTimestamps, verifyTLogs) counts a keyed bundle's log entries and timestamps against the same
    // tlogThreshold and timestampThreshold, and cosign verify-blob --key wants a log entry unless told
    // --insecure-ignore-tlog. Only a policy that asks for none accepts the key alone (model_signing's key method
    // never logs: policies/examples/keyed-signing.yml sets both to 0).
    const unlogged = unloggedSignature(bundle, check, 'key');
    if (unlogged) return fail('invalid', unlogged, seen);
    if (logged) {
      const result = verifyWithSigstore(
        bundle.strict,
        check.artifact,
        withPublicKey(check.trust, signer.key.key),
        check,
      );
      if (!result.ok) return fail('invalid', `Sigstore verification failed: ${result.reason}`, seen);
    }
    return { ok: true, signer: seen, signerName: signer.name, statement: undefined };
  }
  const unchecked = undigestableKey(bundle, check, keys);
  if (unchecked) return fail('unverifiable', unchecked, claimedSeen);
  // Tell a wrong key from a broken signature: the bundle's own key (if any) is only used for this diagnosis.
  if (
    claimed &&
    !keys.some((k) => k.key.fingerprint === claimed.fingerprint) &&
    verifyContentSignature(bundle.content, claimed, check.artifact, by)
  )
    return fail(
      'untrusted-signer',
      `signed by key ${claimed.fingerprint}; allowed: ${describeExpected(keys)}`,
      claimedSeen,
    );
  if (material.hint && !keys.some((k) => k.key.hints.includes(material.hint)))
    return fail(
      'untrusted-signer',
      `signed by a key with hint ${material.hint}; allowed: ${describeExpected(keys)}`,
      claimedSeen,
    );
  return fail('invalid', `the signature does not verify with ${describeExpected(keys)}`, claimedSeen);
}

/**
 * Why a bundle its key or CA verifies falls short of the policy's log and timestamp thresholds, or undefined. Counted
 * as @sigstore/verify counts them: every log entry toward tlogThreshold; log entries with an inclusion promise and
 * RFC 3161 timestamps toward timestampThreshold. The entries themselves are then checked by verifyWithSigstore.
 */
function unloggedSignature(bundle: ParsedBundle, t: Thresholds, by: 'key' | 'certificate'): string | undefined {
  const advice = `a ${by} signature made offline (model_signing sign ${by}) is never logged: to accept it, the policy sets signatures.tlogThreshold and timestampThreshold to 0`;
  if (bundle.tlogEntries < t.tlogThreshold)
    return `the bundle carries ${bundle.tlogEntries} transparency-log entr${bundle.tlogEntries === 1 ? 'y' : 'ies'}, the policy requires ${t.tlogThreshold} (signatures.tlogThreshold); ${advice}`;
  if ((t.tlogThreshold > 0 || t.timestampThreshold > 0) && bundle.strict === undefined)
    return `the bundle is not a valid Sigstore bundle (${bundle.strictError ?? 'unknown error'}), so its log entries and timestamps cannot be verified toward the policy's thresholds`;
  if (t.timestampThreshold > 0 && bundle.tlogEntries === 0 && !hasTimestamp(bundle.strict))
    return `the bundle carries no trusted timestamp, the policy requires ${t.timestampThreshold} (signatures.timestampThreshold); ${advice}`;
  return undefined;
}

function hasTimestamp(strict: Bundle | undefined): boolean {
  return (strict?.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length ?? 0) > 0;
}

function claimedKey(embedded: Buffer | undefined): ReturnType<typeof describeKey> | undefined {
  if (!embedded) return undefined;
  try {
    return parsePublicKey(embedded);
  } catch {
    return undefined;
  }
}

function verifyCertificateChain(bundle: ParsedBundle, check: BundleCheck): BundleVerdict {
  if (bundle.material.kind !== 'certificate') throw new Error('unreachable');
  const chain = bundle.material.certificates;
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(chain[0]!);
  } catch (err) {
    return fail('malformed', `the signing certificate cannot be parsed (${(err as Error).message})`);
  }
  const seen: SeenSigner = {
    kind: 'certificate',
    subject: leaf.subjectAltName ?? leaf.subject.replace(/\n/g, ', '),
    issuer: leaf.issuer.replace(/\n/g, ', '),
  };
  const cas = check.signers.filter((s) => s.kind === 'certificate');
  if (cas.length === 0)
    return check.signers.length === 0
      ? fail(
          'unverifiable',
          `signed with certificate ${seen.subject} (no transparency log entry); the policy names no CA to verify it with`,
          seen,
        )
      : fail(
          'untrusted-signer',
          `signed with certificate ${seen.subject} issued by ${seen.issuer}; allowed: ${describeExpected(check.signers)}`,
          seen,
        );
  const reasons: string[] = [];
  for (const signer of cas) {
    const result = verifyChainToAnchors(chain, signer.cas);
    if (!result.ok) {
      reasons.push(`${signer.name}: ${result.reason}`);
      continue;
    }
    let key;
    try {
      key = describeKey(result.leaf.publicKey);
    } catch (err) {
      return fail('unverifiable', `the signing certificate's key is not supported (${(err as Error).message})`, seen);
    }
    // The chain holds: the identity is judged before the signature, so a certificate whose key cannot be checked
    // from a large file's digest is "not checked" only when it is one the policy allows here.
    const unchecked = undigestableCertificate(bundle, check, key.key);
    if (unchecked) {
      if (!matchesSigner(seen, signer)) {
        reasons.push(`${signer.name}: subject ${seen.subject} is not ${signer.subject ?? ''}`);
        continue;
      }
      return fail('unverifiable', unchecked, seen);
    }
    // Only bundles with no log entry come here (model_signing sign certificate): model_signing's hash.
    if (!verifyContentSignature(bundle.content, key, check.artifact, 'model_signing'))
      return fail('invalid', `the signature does not verify with the key of certificate ${seen.subject}`, seen);
    if (!matchesSigner(seen, signer)) {
      reasons.push(`${signer.name}: subject ${seen.subject} is not ${signer.subject ?? ''}`);
      continue;
    }
    // Only bundles with no log entry come here: the thresholds hold as for a key (unloggedSignature).
    const unlogged = unloggedSignature(bundle, check, 'certificate');
    if (unlogged) return fail('invalid', unlogged, seen);
    return { ok: true, signer: seen, signerName: signer.name, statement: undefined };
  }
  return fail(
    'untrusted-signer',
    `certificate ${seen.subject} issued by ${seen.issuer} is not allowed (${reasons.join('; ')})`,
    seen,
  );
}

/** Read the in-toto statement of a DSSE bundle and, for a detached artifact, check it names the artifact. */
function bindStatement(bundle: ParsedBundle, verdict: BundleVerdict & { ok: true }, check: BundleCheck): BundleVerdict {
  const content = bundle.content;
  if (content.kind !== 'dsse') return verdict;
  if (content.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return check.artifact
      ? fail(
          'unverifiable',
          `the DSSE payload (${content.payloadType}) is not an in-toto statement, so it names no artifact to compare`,
          verdict.signer,
        )
      : verdict;
  }
  let statement: Statement;
  try {
    statement = parseStatement(content.payloadType, content.payload);
  } catch (err) {
    return fail('malformed', (err as Error).message, verdict.signer);
  }
  if (check.artifact) {
    const artifact = check.artifact;
    // Every SHA-2 digest the subjects carry, each computed once (compareSubjects compares them all).
    const digests: Record<string, string> = {};
    for (const a of SUBJECT_ALGORITHMS)
      if (statement.subjects.some((s) => s.digest[a] !== undefined)) {
        const d = artifactDigest(artifact, a);
        if (d) digests[a] = d.toString('hex');
      }
    const m = compareSubjects(statement, digests);
    if (m.kind === 'conflict') return fail('digest-mismatch', `the statement's ${describeConflict(m)}`, verdict.signer);
    if (m.kind === 'need' && m.agreed)
      return fail(
        'unverifiable',
        `the artifact's ${m.algorithms.join(', ')} digest could not be computed`,
        verdict.signer,
      );
    if (m.kind !== 'match') {
      // The statement is its signer's: bounded like matchSubject's (provenance/attestation.ts), one line per cause.
      const shown = statement.subjects.slice(0, MAX_SUBJECTS_SHOWN).map((s) =>
        Object.entries(s.digest)
          .slice(0, MAX_SUBJECTS_SHOWN)
          .map(([a, h]) => `${a}:${h.slice(0, 128)}`)
          .join(','),
      );
      const more = statement.subjects.length - shown.length;
      const want = `${shown.join(' ')}${more > 0 ? ` and ${more} more` : ''}`;
      const alg = m.kind === 'mismatch' ? m.algorithm : 'sha256';
      const hex = digests[alg] ?? artifactDigest(artifact, alg)?.toString('hex') ?? '';
      return fail(
        'digest-mismatch',
        `the statement's subject is ${want}, the artifact is ${alg}:${hex}`,
        verdict.signer,
      );
    }
  }
  return { ...verdict, statement };
}

/** Whether the bundle is a message signature over a file read only as its digests (too large to read whole). */
const overDigests = (bundle: ParsedBundle, check: BundleCheck): boolean =>
  bundle.content.kind === 'message' && check.artifact !== undefined && !Buffer.isBuffer(check.artifact);

/**
 * Why a message signature made with `key` over a file read only as its digests cannot be checked, or undefined. Only
 * an ECDSA signature of a NIST curve is checked from a digest (cosign sign-blob, sigstore-python and sigstore-js sign
 * the blob's SHA-256 with one); @sigstore/verify checks any other over the bytes (bundle/message.ts
 * `verifySignature`), which a file this large is not read as.
 */
function undigestableCertificate(bundle: ParsedBundle, check: BundleCheck, key: KeyObject): string | undefined {
  if (!overDigests(bundle, check) || digestCurveOf(key) !== undefined) return undefined;
  const type = `${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trimEnd();
  return tooLargeFor(`is signed with a certificate whose key is ${type}`);
}

/** undigestableCertificate for the leaf of a bundle @sigstore/verify checks (a Fulcio certificate). */
function undigestableSigner(bundle: ParsedBundle, check: BundleCheck): string | undefined {
  if (bundle.material.kind !== 'certificate') return undefined;
  let key: KeyObject;
  try {
    key = new X509Certificate(bundle.material.certificates[0]!).publicKey;
  } catch {
    return undefined; // the verifier reports a certificate that does not parse
  }
  return undigestableCertificate(bundle, check, key);
}

/**
 * A policy key that might have made a message signature over a file read only as its digests, but cannot be tried.
 * Only a key the bundle does not point away from (its embedded key or hint names another) and whose signatures have
 * this one's length: an Ed25519 signature is 64 bytes (RFC 8032), an RSA one as long as the modulus (RFC 8017
 * RSASSA-PSS-VERIFY / RSASSA-PKCS1-V1_5-VERIFY step 1 refuses any other), so node:crypto's `verify`, which
 * @sigstore/verify calls, would refuse a DER ECDSA signature with them. A forged ECDSA signature stays CPS001 whatever
 * other keys the policy names.
 */
function undigestableKey(bundle: ParsedBundle, check: BundleCheck, keys: readonly NamedSigner[]): string | undefined {
  const { content, material } = bundle;
  if (content.kind !== 'message' || material.kind !== 'key' || !overDigests(bundle, check)) return undefined;
  const claimed = claimedKey(material.embedded);
  const other = keys.find(
    (s) =>
      s.kind === 'key' &&
      digestCurveOf(s.key.key) === undefined &&
      signatureFits(s.key.key, content.signature) &&
      (claimed === undefined || claimed.fingerprint === s.key.fingerprint) &&
      (!material.hint || s.key.hints.includes(material.hint)),
  );
  return other?.kind === 'key'
    ? tooLargeFor(`may be signed with ${other.name}, an ${other.key.algorithm} key`)
    : undefined;
}

/** Whether a signature of this length can be one `key` makes (any length for a key of another kind). */
function signatureFits(key: KeyObject, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return signature.length === 64;
  if (type === 'ed448') return signature.length === 114;
  if (type === 'rsa' || type === 'rsa-pss')
    return signature.length === Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  return true;
}

/** The end of every reason a large file's signature gives for not being checked, so its advice can be told apart. */
const TOO_LARGE =
  "for a file too large to read whole chainproof checks only ECDSA signatures (P-256, P-384, P-521), from the file's digest";

const tooLargeFor = (what: string) => `it ${what}, and ${TOO_LARGE}`;

/** Whether an unverifiable verdict's reason is that a large file's signature is of a kind not checked from a digest. */
export const isTooLargeReason = (reason: string): boolean => reason.endsWith(TOO_LARGE);
