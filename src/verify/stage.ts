import type { Stage, StageOutput } from '../core/stage.js';
import { signaturesApply } from './stage/applies.js';
import type { Coverage } from './stage/coverage.js';
import { checkCosignSignatures } from './stage/cosign.js';
import { cosignFiles, type CosignFiles } from './stage/cosign-names.js';
import type { StageInput } from '../core/stage.js';
import { checkDetachedBundles } from './stage/detached.js';
import { enforceRegistrySignature, enforceRequirements } from './stage/enforce.js';
import { checkModelSignatures, findModelSignatures } from './stage/models.js';
import { signatureSetup } from './stage/setup.js';

/**
 * Signatures: OpenSSF model signatures (`model.sig`) over their folders, detached Sigstore and cosign bundles over
 * their artifacts (cosign signatures without one reported as not checked), `signatures.require` and the signed trusted registry. Offline: trust material is embedded or local.
 */
export const signaturesStage: Stage = {
  name: 'signatures',
  async run(input, ctx): Promise<StageOutput> {
    const cosign = cosignFiles(input.files);
    if (!signaturesApply(input, ctx.policy, ctx.trust.registrySigners, cosign)) return {};
    const setup = signatureSetup(ctx);
    const registryFiles = new Set(ctx.registry.files);
    const found = await findModelSignatures(input.files, new Set(cosign.bundles.keys()));
    const models = await checkModelSignatures(input, ctx, setup, found);
    // A bundle that is a model signature is judged as one, over its model, and by nothing else.
    const others = withoutModelSignatures(input, cosign, found.renamed);
    const detached = await checkDetachedBundles(others.input, ctx, setup, registryFiles, others.cosign);
    const cosignSigs = await checkCosignSignatures(others.input, setup, others.cosign, ctx.policy.suppressions);
    const coverage = new Map<string, Coverage>([...models.coverage, ...cosignSigs.coverage, ...detached.coverage]);
    // A file covered twice keeps the failing outcome: the worst result wins.
    for (const [p, c] of models.coverage) if (!c.ok) coverage.set(p, c);
    // Only what a name claims, or what was parsed whole as a signature, is exempt from signatures.require.
    const required = enforceRequirements(
      input,
      setup,
      coverage,
      new Set([...cosign.parts, ...found.renamed]),
      ctx.policy.suppressions,
    );
    const registry = enforceRegistrySignature(ctx, coverage);
    const parts = [models, detached, cosignSigs, required, registry];
    return { findings: parts.flatMap((p) => p.findings), verifications: parts.flatMap((p) => p.verifications) };
  },
};

/** The stage's input and cosign's files less the bundles `findModelSignatures` found to be model signatures. */
function withoutModelSignatures(
  input: StageInput,
  cosign: CosignFiles,
  renamed: ReadonlySet<string>,
): { input: StageInput; cosign: CosignFiles } {
  if (renamed.size === 0) return { input, cosign };
  const bundles = new Map([...cosign.bundles].filter(([p]) => !renamed.has(p)));
  const signatures = new Map([...cosign.signatures].filter(([p]) => !renamed.has(p)));
  return {
    input: { ...input, files: input.files.filter((f) => !renamed.has(f.path)) },
    cosign: { ...cosign, bundles, signatures },
  };
}
