import picomatch from 'picomatch';
import type { ScanContext } from '../../core/context.js';
import type { SignatureRequirement } from '../../core/policy.js';
import type { NamedSigner, RegistrySigner, TrustRoot } from '../../core/trust-material.js';
import type { ModelArtifact } from '../../core/trusted-registry.js';
import { trimEndRun } from '../../core/linear-text.js';
import { isDownloadPath } from '../../trust/registry/lookup.js';

/** Trust material and signers for one scan, taken from the context (loaded once, before the scan). */
export interface SignatureSetup {
  readonly trust: TrustRoot;
  readonly signers: readonly NamedSigner[];
  readonly tlogThreshold: number;
  readonly timestampThreshold: number;
  readonly requirements: readonly CompiledRequirement[];
  /** Trusted-registry entries that name a signer: their files must be signed by it. */
  readonly registryRequirements: readonly CompiledRegistryRequirement[];
}

export interface CompiledRequirement {
  readonly index: number;
  readonly requirement: SignatureRequirement;
  readonly matches: (repoPath: string) => boolean;
}

export interface CompiledRegistryRequirement {
  readonly entry: ModelArtifact;
  readonly signer: NamedSigner;
  readonly matches: (repoPath: string) => boolean;
}

/** No I/O: the trusted root and signer keys were read and parsed when trust was loaded (app/trust.ts). */
export function signatureSetup(ctx: ScanContext): SignatureSetup {
  const sig = ctx.trust.policy.signatures;
  return {
    trust: ctx.trust.sigstore,
    signers: ctx.trust.signers,
    tlogThreshold: sig.tlogThreshold,
    timestampThreshold: sig.timestampThreshold,
    requirements: compileRequirements(sig.require),
    registryRequirements: ctx.trust.registrySigners.map(compileRegistryRequirement),
  };
}

/**
 * A registry entry's files as the models stage matches them (trust/registry/lookup.ts `indexRegistry`): a glob by
 * picomatch, any other path exactly. A download URL names no file of the tree.
 */
export function compileRegistryRequirement({ entry, signer }: RegistrySigner): CompiledRegistryRequirement {
  const specs = entry.files.map((f) => f.path).filter((p) => !isDownloadPath(p));
  const globs = specs.filter((p) => picomatch.scan(p).isGlob);
  const exact = new Set(specs.filter((p) => !globs.includes(p)));
  const glob = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
  return { entry, signer, matches: (p) => exact.has(p) || glob(p) };
}

/** Where a registry entry asks for its signer, for messages and evidence: `file:line` of its `signer` field. */
export function registryPlace(entry: ModelArtifact): string {
  return `${entry.file}:${entry.signerAt?.line ?? entry.line ?? 1}`;
}

/** The trusted-registry entries that require a signer of any of these paths, said for a finding. */
export function registryRequirementsOf(setup: SignatureSetup, paths: readonly string[]): string[] {
  return setup.registryRequirements
    .filter((r) => paths.some((p) => r.matches(p)))
    .map((r) => `entry ${r.entry.name}@${r.entry.revision} at ${registryPlace(r.entry)} names signer ${r.signer.name}`);
}

/**
 * Every requirement of a signature over any of these paths, said for a finding: the policy's `signatures.require`
 * entries and the trusted-registry entries naming a signer.
 */
export function signatureRequirementsOf(setup: SignatureSetup, paths: readonly string[]): string[] {
  const policy = setup.requirements.filter((r) => paths.some((p) => r.matches(p))).map(policyWhere);
  return [...policy, ...registryRequirementsOf(setup, paths)];
}

/** A policy requirement, said for a finding: its index and paths. */
export function policyWhere(r: CompiledRequirement): string {
  return `policy signatures.require[${r.index}]: ${r.requirement.paths.join(', ')}`;
}

/** A trusted-registry entry's signer requirement, said for a finding: the entry, where it names its signer, who. */
export function registryWhere(r: CompiledRegistryRequirement): string {
  return `trusted registry entry ${r.entry.name}@${r.entry.revision}, ${registryPlace(r.entry)}: signer ${r.signer.name}`;
}

/**
 * The repo paths a policy requirement's `paths` cover (signatures.require, models.requireProvenance): globs, with a
 * leading `./` ignored, and a glob naming a folder (`models/bert`) covering everything under it.
 */
export function requirementPathMatcher(paths: readonly string[]): (path: string) => boolean {
  const globs = paths.map((p) => p.replace(/^\.\//, ''));
  const m = picomatch(globs, { dot: true });
  return (p: string) => m(p) || globs.some((g) => p.startsWith(`${trimEndRun(g, '/')}/`));
}

export function compileRequirements(reqs: readonly SignatureRequirement[]): CompiledRequirement[] {
  return reqs.map((requirement, index) => ({ index, requirement, matches: requirementPathMatcher(requirement.paths) }));
}

/**
 * Signers allowed for a path: those named by every requirement covering it (a requirement with an empty list
 * allows any policy signer). With no covering requirement, any policy signer; with no policy signers, any
 * identity valid under the trust root. The signer of a trusted-registry entry listing the path is allowed too (and
 * only there): whether each requirement got its own signer is `enforceRequirements`'s to say.
 */
export function allowedSigners(
  setup: SignatureSetup,
  paths: readonly string[],
  names?: readonly string[],
): NamedSigner[] {
  if (names !== undefined && names.length > 0) return setup.signers.filter((s) => names.includes(s.name));
  const covering = setup.requirements.filter((r) => paths.some((p) => r.matches(p)));
  const named = covering.flatMap((r) => r.requirement.signers);
  const policy =
    covering.length === 0 || covering.some((r) => r.requirement.signers.length === 0) || named.length === 0
      ? [...setup.signers]
      : setup.signers.filter((s) => named.includes(s.name));
  const registry = setup.registryRequirements.filter((r) => paths.some((p) => r.matches(p))).map((r) => r.signer);
  // With no policy signer, `policy` is empty (anyone): a registry signer then narrows it to that signer.
  for (const s of registry) if (!policy.some((p) => p.name === s.name)) policy.push(s);
  return policy;
}
