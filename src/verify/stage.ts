import type { Stage, StageOutput } from '../core/stage.js';
import { signaturesApply } from './stage/applies.js';
import type { Coverage } from './stage/coverage.js';
import { checkDetachedBundles } from './stage/detached.js';
import { enforceRegistrySignature, enforceRequirements } from './stage/enforce.js';
import { checkModelSignatures } from './stage/models.js';
import { signatureSetup } from './stage/setup.js';

/**
 * Signatures: OpenSSF model signatures (`model.sig`) over their folders, detached Sigstore bundles over their
 * artifacts, `signatures.require` and the signed trusted registry. Offline: trust material is embedded or local.
 */
export const signaturesStage: Stage = {
  name: 'signatures',
  async run(input, ctx): Promise<StageOutput> {
    if (!signaturesApply(input, ctx.policy, ctx.trust.registrySigners)) return {};
    const setup = signatureSetup(ctx);
    const registryFiles = new Set(ctx.registry.files);
    const models = await checkModelSignatures(input, ctx, setup);
    const detached = await checkDetachedBundles(input, ctx, setup, registryFiles);
    const coverage = new Map<string, Coverage>([...models.coverage, ...detached.coverage]);
    // A file covered twice keeps the failing outcome: the worst result wins.
    for (const [p, c] of models.coverage) if (!c.ok) coverage.set(p, c);
    const required = enforceRequirements(input, setup, coverage);
    const registry = enforceRegistrySignature(ctx, coverage);
    const parts = [models, detached, required, registry];
    return { findings: parts.flatMap((p) => p.findings), verifications: parts.flatMap((p) => p.verifications) };
  },
};
