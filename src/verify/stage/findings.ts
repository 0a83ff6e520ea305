import type { Evidence, Finding } from '../../core/finding.js';
import { byCodePoint } from '../../core/order.js';
import type { VerificationRecord } from '../../core/records.js';
import { describeSigner, type BundleVerdict, type FailureCode } from '../check/types.js';
import { isTooLargeReason } from '../check/verify-bundle.js';
import { describeExpected, type NamedSigner } from '../policy/signers.js';
import { fileKey } from '../../core/package-key.js';
import { groupCauses, MAX_RELATED } from '../../core/group-causes.js';
import { suppresses } from '../../core/apply-policy.js';
import { listedWithMore } from '../../core/plural.js';
import type { Suppression } from '../../core/policy.js';

/** Signature files named in a folded finding's message; the rest are counted and in `related`. */
const SHOWN = 3;

const RULE_FOR: Record<FailureCode, string> = {
  invalid: 'CPS001',
  'untrusted-signer': 'CPS002',
  'digest-mismatch': 'CPS009',
  unverifiable: 'CPS007',
  malformed: 'CPS008',
  'too-deep': 'CPX021',
};

const ADVICE: Record<FailureCode, string> = {
  invalid: 'Do not trust it; re-sign with an allowed signer and commit the new signature.',
  'untrusted-signer':
    'If that signer is legitimate add it to signatures.signers in the policy; otherwise replace the artifact.',
  'digest-mismatch': 'Restore the signed content, or sign the current content and commit the new bundle.',
  unverifiable: 'Name the key or CA in signatures.signers so it can be checked.',
  malformed: 'Regenerate the signature with the signing tool.',
  'too-deep': 'No real signature nests this deep; treat the file as hostile and regenerate it with the signing tool.',
};

export function ruleFor(code: FailureCode): string {
  return RULE_FOR[code];
}

/** A failed verdict as a finding at the signature file, with the signer seen and the signers expected. */
export function verdictFinding(
  verdict: BundleVerdict & { ok: false },
  what: string,
  sigPath: string,
  artifactPath: string,
  allowed: readonly NamedSigner[],
  registryEntries: readonly string[] = [],
): Finding {
  const evidence: Record<string, string> = { reason: verdict.reason, expectedSigner: describeExpected(allowed) };
  if (verdict.signer) evidence['signerSeen'] = describeSigner(verdict.signer);
  // A signer a trusted-registry entry asks for is allowed here because of that entry: say where it is written.
  const registry =
    registryEntries.length > 0 ? ` Required by the trusted registry: ${registryEntries.join('; ')}.` : '';
  if (registryEntries.length > 0) evidence['registryEntry'] = registryEntries.join('; ');
  return {
    ruleId: RULE_FOR[verdict.code],
    message: `${what} ${sigPath} does not verify: ${verdict.reason}.${registry} ${adviceFor(verdict.code, verdict.reason)}`,
    location: { path: sigPath },
    artifact: { kind: 'file', path: artifactPath },
    evidence: evidence,
  };
}

/**
 * A signature that could not be checked (CPS007, a warning where nothing requires one) over a file the policy or the
 * trusted registry requires to be signed: the requirement is not met, an error as CPS003 is for no signature at all.
 * Otherwise any file could dodge a requirement by carrying a bundle chainproof cannot check (a message digest labelled
 * with an algorithm chainproof does not compute), or by a part of a signed model the scan could not read, which
 * model_signing verify hashes: what is not verified does not meet "must be signed".
 */
export function requiredUnverifiable(finding: Finding, requirements: readonly string[]): Finding {
  if (finding.ruleId !== RULE_FOR.unverifiable || requirements.length === 0) return finding;
  return {
    ...finding,
    level: 'error',
    message: `${finding.message} A signature that verifies is required here (${requirements.join('; ')}): one that cannot be checked does not meet the requirement.`,
    evidence: { ...finding.evidence, requiredBy: requirements.join('; ') },
  };
}

/**
 * A failed verdict over files some requirements cover (`requirements`, as `signatureRequirementsOf` says them): a
 * CPS007 says each of them once, in `requiredUnverifiable`'s sentence, so the registry entries among them are not
 * said again as the verdict's "Required by the trusted registry".
 */
export function requiredVerdictFinding(
  verdict: BundleVerdict & { ok: false },
  what: string,
  sigPath: string,
  artifactPath: string,
  allowed: readonly NamedSigner[],
  registryEntries: readonly string[],
  requirements: readonly string[],
): Finding {
  const said =
    verdict.code === 'unverifiable' ? registryEntries.filter((e) => !requirements.includes(e)) : registryEntries;
  return requiredUnverifiable(verdictFinding(verdict, what, sigPath, artifactPath, allowed, said), requirements);
}

/** `signerName`: the policy signer a verified signature matched (`signerPinned`, pipeline.ts mergeVerification). */
export function record(
  path: string,
  status: VerificationRecord['status'],
  detail: string,
  signerName?: string,
): VerificationRecord {
  return { key: fileKey(path), status, detail, ...(signerName !== undefined ? { signerPinned: true as const } : {}) };
}

export function statusOf(code: FailureCode): VerificationRecord['status'] {
  return code === 'unverifiable' ? 'unverifiable' : 'failed';
}

/**
 * One finding per cause: signatures not checked for one reason, the same for each (a key the policy does not name,
 * bundles signed without the transparency log), gave one CPS007 per signed file. From two on, those warnings are one
 * CPS007 at the first signature (path order), with the count, the first ones named, the others in `related` and
 * each one's own finding in `members`. The reason is the finding's `evidence.reason`, which names no file. A finding a
 * requirement made an error stays its own (each file fails its own requirement), as does one a suppression names.
 */
export function foldUnchecked(
  findings: Finding[],
  suppressions: readonly Suppression[],
  what: string,
  advice: (reason: string) => string,
  /** Which findings speak of a signature as a whole (a model signature's findings on one file of it do not). */
  whole: (f: Finding) => boolean = () => true,
): Finding[] {
  const causeOf = (f: Finding) => {
    const reason = f.evidence?.['reason'];
    return f.ruleId === RULE_FOR.unverifiable &&
      whole(f) &&
      f.level === undefined &&
      typeof reason === 'string' &&
      !suppressions.some((s) => suppresses(s, f))
      ? reason
      : undefined;
  };
  const summarise = (list: readonly Finding[]): Finding => {
    const first = list[0]!;
    const reason = causeOf(first)!;
    const sigs = list.map((f) => f.location.path);
    const artifacts = list.flatMap((f) => (f.artifact?.kind === 'file' ? [f.artifact.path] : []));
    return {
      ruleId: RULE_FOR.unverifiable,
      message: `${list.length} ${what} were not checked, all for one reason: ${reason}. They are ${listedWithMore(sigs, SHOWN)}. ${advice(reason)}`,
      location: first.location,
      // The first signature's file, as the location is the first signature: SARIF and JSON readers see the finding
      // on a file. A suppression cannot hide the others through it: one naming any signature (path) takes that one
      // out of the fold (causeOf), so the folded finding is only ever matched by a suppression matching all of it.
      ...(first.artifact ? { artifact: first.artifact } : {}),
      evidence: {
        reason,
        count: list.length,
        files: sigs.slice(0, SHOWN).join(' '),
        ...(artifacts.length > 0 ? { artifacts: artifacts.slice(0, SHOWN).join(' ') } : {}),
        ...agreedEvidence(list, ['expectedSigner', 'signerSeen']),
      },
      related: list.slice(1, MAX_RELATED + 1).map((f) => f.location),
      members: list,
    };
  };
  const ordered = [...findings].sort((a, b) => byCodePoint(a.location.path, b.location.path));
  return groupCauses(ordered, causeOf, () => 2, summarise) ?? findings;
}

/**
 * A signature over a file too large to read whole, made with a key whose signatures chainproof checks only over the
 * bytes (Ed25519, RSA): the signer is already named, so naming it again changes nothing; a signature checked from
 * the digest does.
 */
const TOO_LARGE_ADVICE =
  "Re-sign the file with an ECDSA key (P-256, P-384 or P-521), as cosign sign-blob does, or sign an in-toto statement whose subject is the file's digest (a DSSE bundle), and commit the new bundle.";

/** The evidence `keys` every finding of `list` gives the same value: what the folded finding can say of them all. */
function agreedEvidence(list: readonly Finding[], keys: readonly string[]): Evidence {
  const agreed: Record<string, Evidence[string]> = {};
  for (const key of keys) {
    const value = list[0]?.evidence?.[key];
    if (value !== undefined && list.every((f) => f.evidence?.[key] === value)) agreed[key] = value;
  }
  return agreed;
}

/** The advice a single finding for this failure gives; `reason`, the verdict's, picks the one for its cause. */
export function adviceFor(code: FailureCode, reason = ''): string {
  return code === 'unverifiable' && isTooLargeReason(reason) ? TOO_LARGE_ADVICE : ADVICE[code];
}
