import type { ScanContext } from '../../core/context.js';
import type { Finding } from '../../core/finding.js';
import type { StageInput } from '../../core/stage.js';
import type { Coverage, PartResult } from './coverage.js';
import { emptyPart } from './coverage.js';
import { record } from './findings.js';
import type { SignatureSetup } from './setup.js';

const isSignatureFile = (format: string) => format === 'model-signature' || format === 'sigstore-bundle';

/** `signatures.require`: every covered file must carry a valid signature by one of the requirement's signers. */
export function enforceRequirements(
  input: StageInput,
  setup: SignatureSetup,
  coverage: ReadonlyMap<string, Coverage>,
): PartResult {
  const out = emptyPart();
  for (const r of setup.requirements) {
    const names = r.requirement.signers;
    for (const f of input.files) {
      if (isSignatureFile(f.format) || !r.matches(f.path)) continue;
      const c = coverage.get(f.path);
      if (c?.ignored) continue;
      if (!c) {
        out.findings.push({
          ruleId: 'CPS003',
          message: `${f.path} must be signed (policy signatures.require[${r.index}]: ${r.requirement.paths.join(', ')}) but no signature covers it. Sign it (model_signing sign for a model folder, cosign sign-blob --bundle ${f.path}.sigstore.json ${f.path}) and commit the signature.`,
          location: { path: f.path },
          artifact: { kind: 'file', path: f.path },
          evidence: { requirement: r.index, expectedSigner: names.length ? names.join(', ') : 'any policy signer' },
        });
        out.verifications.push(record(f.path, 'failed', 'required signature missing'));
        continue;
      }
      // A failed signature is already a finding where it was checked; here only the signer's name is left.
      if (c.ok && names.length > 0 && (c.signerName === undefined || !names.includes(c.signerName))) {
        out.findings.push({
          ruleId: 'CPS002',
          message: `${f.path} is signed by ${c.signerSeen ?? 'an unknown signer'} (${c.signature}), but signatures.require[${r.index}] allows only ${names.join(', ')}. Have an allowed signer sign it.`,
          location: { path: f.path },
          artifact: { kind: 'file', path: f.path },
          evidence: { signature: c.signature, signerSeen: c.signerSeen ?? '', expectedSigner: names.join(', ') },
        });
        out.verifications.push(record(f.path, 'failed', 'signer not allowed by requirement'));
      }
    }
  }
  return out;
}

/** `signatures.registry`: each trusted-registry file needs a valid bundle by an allowed signer over its content. */
export function enforceRegistrySignature(ctx: ScanContext, coverage: ReadonlyMap<string, Coverage>): PartResult {
  const out = emptyPart();
  const policy = ctx.policy.signatures.registry;
  if (!policy?.required) return out;
  for (const file of ctx.registry.files) {
    const found = coverage.get(file);
    const c = found?.ignored ? undefined : found;
    const problem = !c
      ? `has no signature (${file}.sigstore.json)`
      : !c.ok
        ? `has a signature (${c.signature}) that does not verify over its current content`
        : policy.signers.length > 0 && (c.signerName === undefined || !policy.signers.includes(c.signerName))
          ? `is signed by ${c.signerSeen ?? '?'}, who is not an allowed registry signer`
          : undefined;
    if (problem === undefined) continue;
    const f: Finding = {
      ruleId: 'CPS010',
      message: `Trusted registry ${file} ${problem}; the policy requires it to be signed by ${policy.signers.join(', ') || 'a policy signer'}. Review the registry change, then have an allowed signer run: cosign sign-blob --bundle ${file}.sigstore.json ${file}`,
      location: { path: file },
      artifact: { kind: 'file', path: file },
      evidence: {
        expectedSigner: policy.signers.join(', '),
        ...(c ? { signature: c.signature, signerSeen: c.signerSeen ?? '' } : {}),
      },
    };
    out.findings.push(f);
    out.verifications.push(record(file, 'failed', problem));
  }
  return out;
}
