/**
 * Kept free of Sigstore imports, as applies.ts is: the pipeline asks whether the signatures stage has work without
 * loading it.
 */
import type { DiscoveredFile } from '../../core/files.js';

/**
 * The files `cosign sign-blob` writes beside a blob, by the names its documentation gives them: `--bundle
 * <file>.bundle`, `--output-signature <file>.sig`, `--output-certificate <file>.pem` (`.crt`, `.cert`). Known by
 * name only beside the file they are named for: a `.bundle` or `.sig` with no such file is not taken for one.
 */
export interface CosignFiles {
  /** `<file>.bundle` → `<file>`: read as a bundle (cosign's own format or a Sigstore bundle). */
  readonly bundles: ReadonlyMap<string, string>;
  /** `<file>.sig` with no bundle beside it → `<file>` and the certificate written with it, if any. */
  readonly signatures: ReadonlyMap<string, { readonly artifact: string; readonly certificate: string | undefined }>;
  /** Every one of these files, certificates too: parts of a signature, not files a requirement asks a signature of. */
  readonly parts: ReadonlySet<string>;
}

const CERTIFICATE_SUFFIXES = ['.pem', '.crt', '.cert'];
/** cosign's own bundle name, and the Sigstore bundle names chainproof reads (provenance/names.ts DETACHED_BUNDLE). */
const BUNDLE_SUFFIXES = ['.bundle', '.sigstore.json', '.sigstore'];

/**
 * Whether cosignFiles may find a part: only a `.sig` or a `.bundle` file makes one (a certificate alone never does),
 * so a scan without either is answered without building the set of every path.
 */
function mayHaveCosignParts(files: readonly Pick<DiscoveredFile, 'path'>[]): boolean {
  return files.some((f) => f.path.endsWith('.sig') || f.path.endsWith('.bundle'));
}

/** Find cosign's signature files among the scanned ones (`model.sig` and Sigstore bundles are other formats). */
export function cosignFiles(files: readonly Pick<DiscoveredFile, 'path' | 'format' | 'claimed'>[]): CosignFiles {
  const bundles = new Map<string, string>();
  const signatures = new Map<string, { artifact: string; certificate: string | undefined }>();
  const parts = new Set<string>();
  if (!mayHaveCosignParts(files)) return { bundles, signatures, parts };
  const paths = new Set(files.map((f) => f.path));
  // A Sigstore bundle found by content (`sigstoreHead`, no name claims it) may still be cosign's `--bundle`
  // output: the stage tells a model signature from it by its statement (models.ts `findModelSignatures`).
  const artifactOf = (f: Pick<DiscoveredFile, 'path' | 'format' | 'claimed'>, suffix: string) => {
    if (f.claimed === 'model-signature' || f.format === 'sigstore-bundle' || !f.path.endsWith(suffix)) return undefined;
    const artifact = f.path.slice(0, -suffix.length);
    return artifact !== '' && !artifact.endsWith('/') && paths.has(artifact) ? artifact : undefined;
  };
  const certificateOf = (artifact: string) => CERTIFICATE_SUFFIXES.map((s) => artifact + s).find((p) => paths.has(p));
  for (const f of files) {
    const artifact = artifactOf(f, '.bundle');
    if (artifact !== undefined) bundles.set(f.path, artifact);
  }
  for (const f of files) {
    const artifact = artifactOf(f, '.sig');
    if (artifact === undefined) continue;
    const certificate = certificateOf(artifact);
    parts.add(f.path);
    if (certificate !== undefined) parts.add(certificate);
    // Written beside a bundle (--bundle with --output-signature), the signature is a copy of the bundle's, and the
    // bundle, which carries the log proof, is what verify-blob --bundle checks.
    if (!BUNDLE_SUFFIXES.some((s) => paths.has(artifact + s))) signatures.set(f.path, { artifact, certificate });
  }
  for (const [bundle, artifact] of bundles) {
    parts.add(bundle);
    const certificate = certificateOf(artifact);
    if (certificate !== undefined) parts.add(certificate);
  }
  return { bundles, signatures, parts };
}
