import { readFile } from 'node:fs/promises';
import type { DiscoveredFile } from '../../core/files.js';
import { byCodePoint } from '../../core/order.js';
import type { Finding } from '../../core/finding.js';
import type { StageInput } from '../../core/stage.js';
import { emptyPart, markFailed, type PartResult } from './coverage.js';
import { record, requiredUnverifiable } from './findings.js';
import { signatureRequirementsOf, type SignatureSetup } from './setup.js';
import type { CosignFiles } from './cosign-names.js';

/** cosign writes the signature as one base64 line; anything longer is not one. */
const MAX_SIGNATURE_BYTES = 64 * 1024;

/**
 * A `<file>.sig` (with its certificate) and no bundle carries no transparency-log proof: cosign verify-blob
 * (cmd/cosign/cli/verify/verify_blob.go) then looks the Rekor entry up online, and refuses the signature without one
 * unless told --insecure-ignore-tlog; a Fulcio certificate can only be checked at the entry's time. chainproof is
 * offline: the signature was not checked, and says so (CPS007) rather than calling the file unsigned or signed.
 */
export async function checkCosignSignatures(
  input: StageInput,
  setup: SignatureSetup,
  cosign: CosignFiles,
): Promise<PartResult> {
  const out = emptyPart();
  const byPath = new Map(input.files.map((f) => [f.path, f]));
  for (const [sigPath, { artifact, certificate }] of [...cosign.signatures].sort(([a], [b]) => byCodePoint(a, b))) {
    const sig = byPath.get(sigPath)!;
    const requirements = signatureRequirementsOf(setup, [artifact]);
    const isCosign = await isCosignSignature(sig);
    // Another tool's detached signature (OpenPGP's `.sig`) matters only where a verified signature is required.
    if (!isCosign && requirements.length === 0) continue;
    const why = isCosign ? 'no transparency-log proof to verify offline' : 'not a cosign signature';
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
  return out;
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
