import type { ScanContext } from '../../core/context.js';
import type { Finding } from '../../core/finding.js';
import type { StageInput } from '../../core/stage.js';
import type { Coverage, PartResult } from './coverage.js';
import { emptyPart } from './coverage.js';
import { listedWithMore } from '../../core/plural.js';
import { record } from './findings.js';
import { matchesSigner } from '../policy/signers.js';
import type { NamedSigner } from '../../core/trust-material.js';
import type { Suppression } from '../../core/policy.js';
import { foldUnsignedByFolder } from './unsigned-folders.js';
import {
  policyWhere,
  registryPlace,
  registryWhere,
  type CompiledRegistryRequirement,
  type CompiledRequirement,
  type SignatureSetup,
} from './setup.js';

const isSignatureFile = (format: string) => format === 'model-signature' || format === 'sigstore-bundle';

/**
 * `signatures.require`, and the `signer` of each trusted-registry entry over the entry's files: every covered file
 * must carry a valid signature by one of the requirement's signers. One finding per cause, naming every requirement
 * it breaks: a file with no signature; a signature by a signer some requirement does not allow (one for all the
 * files of a model folder it signs, as model_signing verify refuses the folder once).
 */
export function enforceRequirements(
  input: StageInput,
  setup: SignatureSetup,
  coverage: ReadonlyMap<string, Coverage>,
  /**
   * Signature files known by their content, not their name: cosign's signature, bundle and certificate files beside
   * the files they sign (cosign-names.ts), and the model signatures the stage parsed whole (`findModelSignatures`).
   */
  signatureParts: ReadonlySet<string>,
  suppressions: readonly Suppression[],
): PartResult {
  const out = emptyPart();
  // The CPS003s for files with no signature, by the requirements they break: one per folder (unsigned-folders.ts).
  const unsigned = new Map<Finding, string>();
  // Most scans require no signature: no pass over every file of the repository then.
  if (setup.requirements.length === 0 && setup.registryRequirements.length === 0) return out;
  // Files one signature covers, refused by the same requirements: one cause.
  const wrong = new Map<string, WrongSigner>();
  for (const f of input.files) {
    if (isSignatureFile(f.format) || signatureParts.has(f.path)) continue;
    const required = requirementsAt(setup, f.path);
    if (!required) continue;
    const { policy, registry } = required;
    const c = coverage.get(f.path);
    if (c?.ignored) continue;
    if (!c) {
      const finding = unsignedFinding(f.path, policy, registry);
      unsigned.set(finding, whereOf(policy, registry));
      out.findings.push(finding);
      out.verifications.push(record(f.path, 'failed', 'required signature missing'));
      continue;
    }
    // A failed signature is already a finding where it was checked; here only the signer's name is left.
    if (!c.ok) continue;
    const refusedBy = policy.filter((r) => !meets(setup, c, r));
    const registryRefused = registry.filter((r) => !signedBy(c, r.signer));
    if (refusedBy.length === 0 && registryRefused.length === 0) continue;
    const key = [
      c.signature,
      ...refusedBy.map((r) => r.index),
      '',
      ...registryRefused.map((r) => registryPlace(r.entry)),
    ].join('\0');
    const group = wrong.get(key);
    if (group) group.paths.push(f.path);
    else wrong.set(key, { paths: [f.path], c, policy: refusedBy, registry: registryRefused });
    out.verifications.push(
      record(
        f.path,
        'failed',
        refusedBy.length > 0 ? 'signer not allowed by requirement' : 'signer not the one the trusted registry names',
      ),
    );
  }
  for (const w of wrong.values()) out.findings.push(wrongSignerFinding(w));
  for (const s of input.skipped) {
    // A broken link loads nothing. Any other path the walk could not read (a link out of the scan root, a file it may
    // not read) is what the loader opens all the same: no signature checked it, unless one speaks for it already.
    if (s.reason === 'symlink-broken' || coverage.has(s.path)) continue;
    const required = requirementsAt(setup, s.path);
    if (!required) continue;
    out.findings.push(unsignedFinding(s.path, required.policy, required.registry, s.detail));
    out.verifications.push(record(s.path, 'failed', `required signature missing: ${s.detail}`));
  }
  return unsigned.size < 2 ? out : { ...out, findings: foldUnsignedByFolder(out.findings, unsigned, suppressions) };
}

/** The policy and registry requirements covering a path; undefined when none does. */
function requirementsAt(
  setup: SignatureSetup,
  path: string,
): { policy: CompiledRequirement[]; registry: CompiledRegistryRequirement[] } | undefined {
  const policy = setup.requirements.filter((r) => r.matches(path));
  const registry = setup.registryRequirements.filter((r) => r.matches(path));
  return policy.length === 0 && registry.length === 0 ? undefined : { policy, registry };
}

interface WrongSigner {
  /** In file order. */
  readonly paths: string[];
  readonly c: Coverage;
  readonly policy: readonly CompiledRequirement[];
  readonly registry: readonly CompiledRegistryRequirement[];
}

/** A folder signature's files shown in a finding; the rest are counted. */
const MAX_FILES_SHOWN = 5;

/**
 * A policy requirement's signers (empty: any policy signer), one of which must have made the signature. With no
 * policy signer at all (a policy built in code; a policy file is refused so at load), any valid signature, as
 * `allowedSigners` verified it.
 */
function meets(setup: SignatureSetup, c: Coverage, r: CompiledRequirement): boolean {
  const names = r.requirement.signers;
  if (names.length === 0 && setup.signers.length === 0) return true;
  const signers = names.length > 0 ? setup.signers.filter((s) => names.includes(s.name)) : setup.signers;
  return signers.some((s) => signedBy(c, s));
}

/**
 * Whether a verified signature is `signer`'s. The verifier names the first allowed signer that matched
 * (verify-bundle.ts); another allowed one may match the same identity (a pattern and an exact subject, a registry
 * identity and a policy signer), so the identity seen is matched again by the verifier's own rule
 * (`matchesSigner`). A certificate signer is only ever the one whose CA the chain was verified to.
 */
function signedBy(c: Coverage, signer: NamedSigner): boolean {
  if (c.signerName === signer.name) return true;
  return c.seen !== undefined && signer.kind !== 'certificate' && matchesSigner(c.seen, signer);
}

function expectedOf(policy: readonly CompiledRequirement[], registry: readonly CompiledRegistryRequirement[]): string {
  const names = [
    ...policy.flatMap((r) => (r.requirement.signers.length > 0 ? r.requirement.signers : ['any policy signer'])),
    ...registry.map((r) => r.signer.name),
  ];
  return [...new Set(names)].join(', ');
}

function requirementEvidence(
  policy: readonly CompiledRequirement[],
  registry: readonly CompiledRegistryRequirement[],
): Record<string, string | number> {
  return {
    // One index as a number, as a single requirement's findings always gave it.
    ...(policy.length === 1 ? { requirement: policy[0]!.index } : {}),
    ...(policy.length > 1 ? { requirement: policy.map((r) => r.index).join(', ') } : {}),
    ...(registry.length > 0 ? { registryEntry: registry.map((r) => registryPlace(r.entry)).join(', ') } : {}),
  };
}

/** The requirements a file is under, in words. */
const whereOf = (policy: readonly CompiledRequirement[], registry: readonly CompiledRegistryRequirement[]): string =>
  [...policy.map(policyWhere), ...registry.map(registryWhere)].join('; ');

function unsignedFinding(
  path: string,
  policy: readonly CompiledRequirement[],
  registry: readonly CompiledRegistryRequirement[],
  unread?: string,
): Finding {
  const where = whereOf(policy, registry);
  const how = `(model_signing sign for a model folder, cosign sign-blob --bundle ${path}.sigstore.json ${path}) and commit the signature`;
  const message =
    unread === undefined
      ? `${path} must be signed (${where}) but no signature covers it. Sign it ${how}.`
      : `${path} must be signed (${where}) but the scan could not read it (${unread}), so no signature can be checked over it; a loader opens it all the same. Replace it with the file itself, sign that ${how}.`;
  return {
    ruleId: 'CPS003',
    message,
    location: { path },
    artifact: { kind: 'file', path },
    evidence: { ...requirementEvidence(policy, registry), expectedSigner: expectedOf(policy, registry) },
  };
}

function wrongSignerFinding({ paths, c, policy, registry }: WrongSigner): Finding {
  const broken = [
    ...policy.map(
      (r) =>
        `signatures.require[${r.index}] allows only ${r.requirement.signers.length > 0 ? r.requirement.signers.join(', ') : 'policy signers'}`,
    ),
    ...registry.map(
      (r) =>
        `the trusted registry entry ${r.entry.name}@${r.entry.revision} (${registryPlace(r.entry)}) names its signer ${r.signer.name}`,
    ),
  ].join(', and ');
  const advice =
    registry.length > 0
      ? 'Have that signer sign it; if the model legitimately changed hands, review it and correct the entry.'
      : 'Have an allowed signer sign it.';
  // One file: the finding is at it, as always. Several: at the signature that signs them all, the one cause.
  const one = paths.length === 1;
  const path = one ? paths[0]! : c.signature;
  const shown = listedWithMore(paths, MAX_FILES_SHOWN);
  const what = one ? `${path} is signed` : `${paths.length} files (${shown}) are signed`;
  return {
    ruleId: 'CPS002',
    message: `${what} by ${c.signerSeen ?? 'an unknown signer'} (${c.signature}), but ${broken}. ${advice}`,
    location: { path },
    artifact: { kind: 'file', path },
    evidence: {
      signature: c.signature,
      signerSeen: c.signerSeen ?? '',
      expectedSigner: expectedOf(policy, registry),
      ...requirementEvidence(policy, registry),
      ...(one ? {} : { files: paths.length, filesShown: shown }),
    },
  };
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
