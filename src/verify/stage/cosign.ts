import { readFile } from 'node:fs/promises';
import type { DiscoveredFile } from '../../core/files.js';
import { byCodePoint } from '../../core/order.js';
import type { Finding } from '../../core/finding.js';
import { groupCauses, MAX_RELATED } from '../../core/group-causes.js';
import { suppresses } from '../../core/apply-policy.js';
import { listedWithMore } from '../../core/plural.js';
import type { Suppression } from '../../core/policy.js';
import type { StageInput } from '../../core/stage.js';
import { emptyPart, markFailed, type PartResult } from './coverage.js';
import { record, requiredUnverifiable } from './findings.js';
import { signatureRequirementsOf, type SignatureSetup } from './setup.js';
import type { CosignFiles } from './cosign-names.js';

/** cosign writes the signature as one base64 line; anything longer is not one. */
const MAX_SIGNATURE_BYTES = 64 * 1024;

const NO_TLOG = 'no transparency-log proof to verify offline';

/** Signature files named in a folded finding's message; the rest are counted and in `related`. */
const SHOWN = 3;

/**
 * A `<file>.sig` (with its certificate) and no bundle carries no transparency-log proof: cosign verify-blob
 * (cmd/cosign/cli/verify/verify_blob.go) then looks the Rekor entry up online, and refuses the signature without one
 * unless told --insecure-ignore-tlog; a Fulcio certificate can only be checked at the entry's time. chainproof is
 * offline: the signature was not checked, and says so (CPS007) rather than calling the file unsigned or signed.
 * Each artifact keeps its own 'unverifiable' record; the warnings of several such files are one finding
 * (`foldUnlogged`).
 */
export async function checkCosignSignatures(
  input: StageInput,
  setup: SignatureSetup,
  cosign: CosignFiles,
  suppressions: readonly Suppression[],
): Promise<PartResult> {
  const out = emptyPart();
  const byPath = new Map(input.files.map((f) => [f.path, f]));
  for (const [sigPath, { artifact, certificate }] of [...cosign.signatures].sort(([a], [b]) => byCodePoint(a, b))) {
    const sig = byPath.get(sigPath)!;
    const requirements = signatureRequirementsOf(setup, [artifact]);
    const isCosign = await isCosignSignature(sig);
    // Another tool's detached signature (OpenPGP's `.sig`) matters only where a verified signature is required.
    if (!isCosign && requirements.length === 0) continue;
    const why = isCosign ? NO_TLOG : 'not a cosign signature';
    const message = isCosign
      ? `${sigPath} is a cosign signature of ${artifact}${certificate ? ` (certificate ${certificate})` : ''} with no transparency-log proof: cosign verify-blob looks its Rekor entry up online and refuses it without one (unless told --insecure-ignore-tlog), and chainproof verifies offline only, so the signature was not checked. Sign with cosign sign-blob --bundle ${artifact}.sigstore.json (cosign 2.x: with --new-bundle-format) and commit the bundle.`
      : `${sigPath} signs ${artifact} in a format chainproof does not verify (not a cosign base64 signature; an OpenPGP signature, perhaps), so the signature was not checked. Sign with cosign sign-blob --bundle ${artifact}.sigstore.json and commit the bundle.`;
    const finding: Finding = {
      ruleId: 'CPS007',
      message,
      location: { path: sigPath },
      artifact: { kind: 'file', path: artifact },
      evidence: { signature: sigPath, reason: why, ...(certificate ? { certificate } : {}) },
    };
    out.findings.push(requiredUnverifiable(finding, requirements));
    out.verifications.push(record(artifact, 'unverifiable', `${sigPath}: ${why}`));
    markFailed(out, artifact, sigPath, undefined);
  }
  return { ...out, findings: foldUnlogged(out.findings, suppressions) };
}

/**
 * One finding per cause: a folder of files signed with `cosign sign-blob --output-signature` and no bundle gave one
 * CPS007 per file (3,000 files, 3,000 warnings) for one fact, that this way of signing leaves nothing to check
 * offline. From two files on, those warnings are one CPS007 at the first signature (path order), with the count, the
 * first files named, the others in `related` and each file's own finding in `members`. A finding a requirement made
 * an error stays its own (each file fails its own requirement), as does one a policy suppression names (a
 * suppression goes by path: grouping would hide the other files with it or keep it from being suppressed).
 */
function foldUnlogged(findings: Finding[], suppressions: readonly Suppression[]): Finding[] {
  const causeOf = (f: Finding) =>
    f.level === undefined && f.evidence?.reason === NO_TLOG && !suppressions.some((s) => suppresses(s, f))
      ? NO_TLOG
      : undefined;
  return groupCauses(findings, causeOf, () => 2, summariseUnlogged) ?? findings;
}

function summariseUnlogged(list: readonly Finding[]): Finding {
  const first = list[0]!;
  const sigs = list.map((f) => f.location.path);
  return {
    ruleId: 'CPS007',
    message: `${list.length} cosign signatures have no transparency-log proof: ${listedWithMore(sigs, SHOWN)}. cosign verify-blob looks each one's Rekor entry up online and refuses it without one (unless told --insecure-ignore-tlog), and chainproof verifies offline only, so none of them was checked. Sign with cosign sign-blob --bundle <file>.sigstore.json (cosign 2.x: with --new-bundle-format) and commit the bundles.`,
    location: first.location,
    evidence: { reason: NO_TLOG, count: list.length, files: sigs.slice(0, SHOWN).join(' ') },
    related: list.slice(1, MAX_RELATED + 1).map((f) => f.location),
    members: list,
  };
}

/** What cosign sign-blob --output-signature writes: the signature in standard base64 (a trailing newline allowed). */
async function isCosignSignature(sig: DiscoveredFile): Promise<boolean> {
  if (sig.size > MAX_SIGNATURE_BYTES) return false;
  // Gone or unreadable since the walk listed it: not a signature that can be read, so none to call cosign's.
  const bytes = await readFile(sig.abs).catch(() => undefined);
  if (bytes === undefined) return false;
  const text = bytes.toString('latin1').trim();
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}
