/**
 * The names of files the provenance stage reads, kept free of imports so the pipeline can test for them without
 * loading the stage (src/app/stages.ts).
 */

/** `<file>.intoto.jsonl`: one bundle a line, what SLSA generators name their provenance. */
export const INTOTO_JSONL = '.intoto.jsonl';

/** `<file>.sigstore.json` / `<file>.sigstore`: a detached bundle about `<file>` (`artifactOf` in stage/detached.ts). */
export const DETACHED_BUNDLE = /\.sigstore(\.json)?$/i;

/** A file in an `attestations/` folder: what `gh attestation download` writes, or bundles saved there. */
export const FOLDER_FILE = /(^|\/)attestations\/(?:[^/]+\/)*[^/]+\.(jsonl|json|sigstore)$/;

/** Cheap and conservative: could this file be an attestation about a model? */
export function mayBeAttestation(p: string): boolean {
  return p.endsWith(INTOTO_JSONL) || DETACHED_BUNDLE.test(p) || FOLDER_FILE.test(p);
}
