import type { Policy } from '../../core/policy.js';
import type { StageInput } from '../../core/stage.js';
import type { RegistrySigner } from '../../core/trust-material.js';
import { cosignFiles, type CosignFiles } from './cosign-names.js';

/**
 * Whether the signatures stage has anything to check: a signature file in the tree, or a policy or trusted-registry
 * entry that requires signatures. Kept apart from the stage so the pipeline can ask without loading Sigstore
 * (src/app/stages.ts). The stage passes the cosign files it found, so they are looked for once.
 */
export function signaturesApply(
  input: Pick<StageInput, 'files'>,
  policy: Policy,
  registrySigners: readonly RegistrySigner[],
  cosign?: CosignFiles,
): boolean {
  const sig = policy.signatures;
  const hasSignatures =
    input.files.some((f) => f.format === 'model-signature' || f.format === 'sigstore-bundle' || f.sigstoreHead) ||
    (cosign !== undefined ? cosign.parts.size > 0 : hasCosignParts(input.files));
  return hasSignatures || sig.require.length > 0 || sig.registry?.required === true || registrySigners.length > 0;
}

/** Whether cosign's signature files are among `files`, the cheap test first. */
function hasCosignParts(files: StageInput['files']): boolean {
  return cosignFiles(files).parts.size > 0;
}
