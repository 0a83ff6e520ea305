import path from 'node:path';
import picomatch from 'picomatch';
import type { ScanContext } from '../../core/context.js';
import type { SignatureRequirement } from '../../core/policy.js';
import { loadTrustedRoot, type TrustRoot } from '../trust/root.js';
import { resolveSigners, type NamedSigner } from '../policy/signers.js';

/** Trust material and signers for one scan, loaded once before any verification. */
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

/** Relative key and trust-root paths in the policy are relative to the policy file (the scan root for the default). */
export function policyDir(ctx: ScanContext): string {
  const src = ctx.policy.source;
  return src.startsWith('<') ? ctx.root : path.dirname(path.resolve(ctx.root, src));
}

export async function loadSignatureSetup(ctx: ScanContext): Promise<SignatureSetup> {
  const sig = ctx.policy.signatures;
  const base = policyDir(ctx);
  const trust = await loadTrustedRoot(sig.trustedRoot !== undefined ? path.resolve(base, sig.trustedRoot) : undefined);
  const signers = await resolveSigners(sig.signers, base, ctx.policy.source);
  return {
    trust,
    signers,
    tlogThreshold: sig.tlogThreshold,
    timestampThreshold: sig.timestampThreshold,
    requirements: compileRequirements(sig.require),
  };
}

export function compileRequirements(reqs: readonly SignatureRequirement[]): CompiledRequirement[] {
  return reqs.map((requirement, index) => {
    const globs = requirement.paths.map((p) => p.replace(/^\.\//, ''));
    const m = picomatch(globs, { dot: true });
    // A glob naming a folder (`models/bert`) covers everything under it.
    return {
      index,
      requirement,
      matches: (p: string) => m(p) || globs.some((g) => p.startsWith(`${g.replace(/\/+$/, '')}/`)),
    };
  });
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
