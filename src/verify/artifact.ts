import { BundleParseError, parseBundle } from './bundle/parse.js';
import { verifyParsedBundle, type BundleCheck } from './check/verify-bundle.js';
import type { BundleVerdict } from './check/types.js';

export interface ArtifactBundleRequest extends Omit<BundleCheck, 'tlogThreshold' | 'timestampThreshold'> {
  /** The bundle file's content (`<file>.sigstore.json`, `.sigstore`, cosign `--bundle` output). */
  readonly bundle: string | Buffer;
  readonly tlogThreshold?: number;
  readonly timestampThreshold?: number;
}

/**
 * Verify a detached Sigstore bundle (message signature or DSSE) over an artifact: pure and offline once the trust
 * root and signers are loaded. A bad bundle is a verdict, never a throw.
 */
export function verifyArtifactBundle(req: ArtifactBundleRequest): BundleVerdict {
  let parsed;
  try {
    parsed = parseBundle(req.bundle);
  } catch (err) {
    if (err instanceof BundleParseError) return bundleReadFailure(err);
    throw err;
  }
  return verifyParsedBundle(parsed, {
    trust: req.trust,
    signers: req.signers,
    tlogThreshold: req.tlogThreshold ?? 1,
    timestampThreshold: req.timestampThreshold ?? 1,
    ...(req.artifact !== undefined ? { artifact: req.artifact } : {}),
  });
}

/** The verdict on a bundle that does not parse: the same whether or not its artifact was found. */
export function bundleReadFailure(err: BundleParseError): BundleVerdict & { ok: false } {
  if (err.unverifiable)
    return { ok: false, code: 'unverifiable', reason: `the bundle was not checked: ${err.message}` };
  return { ok: false, code: err.tooDeep ? 'too-deep' : 'malformed', reason: `cannot read the bundle: ${err.message}` };
}
