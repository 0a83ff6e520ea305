import picomatch from 'picomatch';
import type { ScanContext } from '../../core/context.js';
import type { SignatureRequirement } from '../../core/policy.js';
import type { NamedSigner, TrustRoot } from '../../core/trust-material.js';
import { trimEndRun } from '../../core/linear-text.js';

/** Trust material and signers for one scan, taken from the context (loaded once, before the scan). */
export interface SignatureSetup {
  readonly trust: TrustRoot;
  readonly signers: readonly NamedSigner[];
  readonly tlogThreshold: number;
  readonly timestampThreshold: number;
  readonly requirements: readonly CompiledRequirement[];
}

export interface CompiledRequirement {
  readonly index: number;
  readonly requirement: SignatureRequirement;
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
  };
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
 * identity valid under the trust root.
 */
export function allowedSigners(
  setup: SignatureSetup,
  paths: readonly string[],
  names?: readonly string[],
): NamedSigner[] {
  if (names !== undefined && names.length > 0) return setup.signers.filter((s) => names.includes(s.name));
  const covering = setup.requirements.filter((r) => paths.some((p) => r.matches(p)));
  const named = covering.flatMap((r) => r.requirement.signers);
  if (covering.length === 0 || covering.some((r) => r.requirement.signers.length === 0) || named.length === 0)
    return [...setup.signers];
  return setup.signers.filter((s) => named.includes(s.name));
}
