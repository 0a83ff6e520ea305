import { lstat, readFile } from 'node:fs/promises';
import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile, FsPath } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import type { StageInput } from '../../core/stage.js';
import { bundleReadFailure } from '../artifact.js';
import { BundleParseError, MAX_BUNDLE_BYTES, type ParsedBundle } from '../bundle/parse.js';
import { scanBundles } from '../bundle/shared.js';
import { verifyParsedBundle } from '../check/verify-bundle.js';
import { describeSigner, type BundleVerdict } from '../check/types.js';
import { isProvenanceBundle } from '../provenance/kind.js';
import { DETACHED_BUNDLE } from '../provenance/names.js';
import { readBareEnvelope } from '../provenance/envelope.js';
import { folderCovers, isFolderAttestation } from '../provenance/files.js';
import type { CosignFiles } from './cosign-names.js';
import { errorCode } from './models.js';
import { loadPrehashVerify, type ArtifactInput } from '../check/prehashed.js';
import type { DigestAlgorithm } from '../../hash/algorithms.js';
import { allowedSigners, registryRequirementsOf, signatureRequirementsOf, type SignatureSetup } from './setup.js';
import { emptyPart, markFailed, type PartResult } from './coverage.js';
import { MAX_CANDIDATES, MAX_FILE_BYTES, NearbyArtifacts, bundleClaim, type BundleClaim } from './nearby-artifact.js';
import {
  adviceFor,
  foldUnchecked,
  record,
  requiredVerdictFinding,
  requiredUnverifiable,
  statusOf,
  verdictFinding,
} from './findings.js';

/**
 * Artifacts up to this size are read whole, as @sigstore/verify reads them; a larger one is checked from its digests
 * (the scan's hasher reads it in a worker, once per scan and not again next run: `artifactInput`).
 */
export const MAX_DETACHED_ARTIFACT_BYTES = 512 * 1024 * 1024;

export function artifactOf(bundlePath: string): string {
  return bundlePath.replace(DETACHED_BUNDLE, '');
}

/**
 * Verify each `<file>.sigstore.json` / `<file>.sigstore`, and cosign's `<file>.bundle`, against `<file>`. Registry
 * files use the registry's signers.
 */
export async function checkDetachedBundles(
  input: StageInput,
  ctx: ScanContext,
  setup: SignatureSetup,
  registryFiles: ReadonlySet<string>,
  cosign: CosignFiles,
): Promise<PartResult> {
  const out = emptyPart();
  const byPath = new Map(input.files.map((f) => [f.path, f]));
  const skipped = new Set(input.skipped.map((s) => s.path));
  const bundles = input.files.filter((f) => f.format === 'sigstore-bundle' || cosign.bundles.has(f.path));
  const nearby = new NearbyArtifacts(input.files, (f) => f.format !== 'sigstore-bundle', ctx.digests);
  // The provenance stage judges the attestations next to the models it was given, and only those.
  const models = new Set(input.models.map((m) => m.path));
  await Promise.all(
    bundles.map((b) =>
      ctx.limit(() =>
        checkOne(b, cosign.bundles.get(b.path), byPath, skipped, nearby, ctx, setup, registryFiles, models, out),
      ),
    ),
  );
  // Several bundles may speak of one file (found by digest): the pipeline keeps the worst status, and the first of
  // equal ones, so the order they finished in must not decide which.
  const order = (v: { key: string; detail?: string }) => `${v.key}\0${v.detail ?? ''}`;
  out.verifications.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  // Bundles beside their files, each not checked for one reason (a key the policy does not name, no log entry): one
  // finding. Only unverifiable verdicts and unlogged bundles carry a reason that names no file.
  const unlogged = new Set(
    out.findings
      .filter((f) => f.evidence?.['reason'] !== undefined && !('expectedSigner' in f.evidence))
      .map((f) => f.evidence!['reason']),
  );
  const advice = (reason: string) =>
    unlogged.has(reason)
      ? RESIGN_LOGGED('<file>').replace('the bundle', 'the bundles')
      : adviceFor('unverifiable', reason);
  return { ...out, findings: foldUnchecked(out.findings, ctx.policy.suppressions, 'signature bundles', advice) };
}

const RESIGN_LOGGED = (target: string) =>
  `Re-sign with the transparency log (cosign sign-blob --bundle ${target}.sigstore.json) and commit the bundle.`;

async function checkOne(
  bundle: DiscoveredFile,
  /** The file a cosign `<file>.bundle` is named for (always in the scan); undefined for a Sigstore bundle. */
  cosignArtifact: string | undefined,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  skipped: ReadonlySet<string>,
  nearby: NearbyArtifacts,
  ctx: ScanContext,
  setup: SignatureSetup,
  registryFiles: ReadonlySet<string>,
  models: ReadonlySet<string>,
  out: PartResult,
): Promise<void> {
  let target = cosignArtifact ?? artifactOf(bundle.path);
  const what = cosignArtifact === undefined ? 'Sigstore bundle' : 'cosign bundle';
  let artifact = byPath.get(target);
  // Found by the digest the bundle signs, not by its name (nearby-artifact.ts): it vouches for the bytes, not for
  // the file's place, so it counts as no file's signature for the policy's `signatures.require`.
  let byDigest = false;
  // Read and parsed at most once: for the digest it signs when its name points at nothing, to verify it, and to tell
  // build provenance (the provenance stage's) from a signature.
  // The scan's store: the provenance stage reads, parses and verifies a model's bundle through it too.
  const shared = scanBundles(ctx);
  const readBundle = () => shared.read(bundle);
  const parseBundleOnce = () => shared.parse(bundle);
  // Its file is there but the scan left it out by choice (--include / --exclude): not read, so neither missing nor
  // to be looked for elsewhere by digest.
  const leftOut =
    !artifact &&
    !skipped.has(target) &&
    ctx.leftOut?.(target) === true &&
    (await lstat(artifactAbs(bundle, target)).then(
      () => true,
      () => false,
    ));
  // Removed, or swapped since the walk (the I/O edge refuses it): this bundle is not checked, the others still are.
  const unread = bundle.size <= MAX_BUNDLE_BYTES ? await readBundle().then(() => undefined, errorCode) : undefined;
  let claim: BundleClaim | undefined;
  if (!artifact && !skipped.has(target) && !leftOut && unread === undefined && bundle.size <= MAX_BUNDLE_BYTES) {
    claim = bundleClaim(await parseBundleOnce());
    const found = await nearby.find(bundle.path, claim.digests);
    if (found) {
      artifact = found;
      target = found.path;
      byDigest = true;
    }
  }
  // Found by digest, the bundle is no file's signature for a requirement (CPS003 says the file is unsigned).
  const requirements = byDigest ? [] : signatureRequirementsOf(setup, [target]);
  /** `reason`: why, in words that name no file, when other bundles may fail to be checked for the same one. */
  const unverifiable = (message: string, reason?: string) => {
    const finding: Finding = {
      ruleId: 'CPS007',
      message,
      location: { path: bundle.path },
      artifact: { kind: 'file', path: target },
      ...(reason === undefined ? {} : { evidence: { reason } }),
    };
    out.verifications.push(record(target, 'unverifiable', message));
    out.findings.push(requiredUnverifiable(finding, requirements));
    // Beside its file the bundle is the file's signature, one not checked: this finding says so, not a CPS003 too.
    if (!byDigest) markFailed(out, target, bundle.path, undefined);
  };
  if (unread !== undefined)
    return unverifiable(
      `${bundle.path} could not be read (${unread}; changed since the scan listed it?), so the signature over ${target} was not checked. Scan again once the tree is still.`,
    );
  if (!artifact) {
    if (skipped.has(target))
      return unverifiable(
        `${target}, signed by ${bundle.path}, could not be read (symlink out of the scan root or unreadable), so the signature was not checked.`,
      );
    if (leftOut)
      return unverifiable(
        `${target}, signed by ${bundle.path}, was left out of the scan (--include / --exclude), so the signature was not checked.`,
      );
    // A bundle that does not parse signs nothing chainproof can name: it is malformed (CPS008), as it is beside its
    // file, and the message says the file is missing too.
    if (claim?.unreadable) {
      const verdict = bundleReadFailure(claim.unreadable);
      const finding = verdictFinding(
        verdict,
        'Sigstore bundle',
        bundle.path,
        target,
        allowedSigners(setup, [target, bundle.path]),
      );
      out.findings.push({ ...finding, message: `${finding.message} Its file, ${target}, does not exist either.` });
      out.verifications.push(record(target, 'failed', `${bundle.path}: ${verdict.reason}`));
      return;
    }
    const searched =
      claim && claim.digests.size === 0
        ? 'and the bundle names no digest to find it by elsewhere (chainproof searches by the message digests Sigstore verifies and by SHA-2 in-toto subjects; this bundle has neither)'
        : `and no file near it has the digest it signs (chainproof hashed up to ${MAX_CANDIDATES} files of at most ${MAX_FILE_BYTES / 1024 / 1024} MiB in its folder and the folders above)`;
    out.findings.push({
      ruleId: 'CPS005',
      message: `${bundle.path} signs ${target}, which does not exist, ${searched}. Restore the artifact or delete the stale bundle.`,
      location: { path: bundle.path },
      artifact: { kind: 'file', path: target },
    });
    out.verifications.push(record(target, 'failed', 'signed artifact missing'));
    return;
  }
  if (bundle.size > MAX_BUNDLE_BYTES) {
    // Next to a model, the provenance stage reads the same file and reports it not read (CPM025): one finding.
    if (!byDigest && models.has(target)) return markFailed(out, target, bundle.path, undefined);
    return unverifiable(`${bundle.path} is larger than 16 MiB and was not read.`);
  }
  const registry = ctx.policy.signatures.registry;
  const allowed =
    registryFiles.has(target) && registry
      ? allowedSigners(setup, [target], registry.signers)
      : allowedSigners(setup, [target, bundle.path]);
  const parsedBundle = await parseBundleOnce();
  // A `<file>.bundle` is cosign's only when it reads as a bundle of either format: another program's file of that
  // name is no signature, and the file it is named for is as signed as it was without it.
  if (cosignArtifact !== undefined && parsedBundle instanceof BundleParseError && parsedBundle.notBundle) return;
  // Well formed but never logged (cosign sign-blob --tlog-upload=false): not checked, which no signer named would change.
  if (parsedBundle instanceof BundleParseError && parsedBundle.unverifiable)
    return unverifiable(
      `${bundle.path} over ${target} was not checked: ${parsedBundle.message}. ${RESIGN_LOGGED(target)}`,
      parsedBundle.message,
    );
  const how = byDigest ? `, which names no file but signs this one's digest` : '';
  // verify/artifact.ts `verifyArtifactBundle`, over the bundle parsed once.
  let verdict: BundleVerdict;
  if (parsedBundle instanceof BundleParseError) verdict = bundleReadFailure(parsedBundle);
  else {
    const bytes = await artifactInput(artifact, parsedBundle, ctx);
    if (typeof bytes === 'string')
      return unverifiable(
        `${target} could not be hashed (${bytes}); its detached bundle ${bundle.path} was not checked.`,
      );
    verdict = verifyParsedBundle(parsedBundle, {
      artifact: bytes,
      trust: setup.trust,
      signers: allowed,
      tlogThreshold: setup.tlogThreshold,
      timestampThreshold: setup.timestampThreshold,
      results: shared.results,
    });
  }
  if (!verdict.ok) {
    // Build provenance next to a model is judged by the provenance stage (CPM021 changed file, CPM025 bad bundle):
    // one finding per cause. Only whom the policy allows to sign stays here, and every other file's bundle; the
    // bundle still counts as the file's signature.
    // The provenance stage reads a bundle by its name (next to the model) or in an attestations/ folder above it; one
    // named for no file and found here by digest is not among those, and its failure must not vanish.
    // It reads no cosign `.bundle`.
    const provenanceReads =
      cosignArtifact === undefined &&
      (!byDigest || (isFolderAttestation(bundle.path) && folderCovers(bundle.path, target)));
    const owned =
      verdict.code !== 'untrusted-signer' && models.has(target) && provenanceReads && provenanceOwns(parsedBundle);
    if (!owned) {
      const registryEntries = byDigest ? [] : registryRequirementsOf(setup, [target]);
      out.findings.push(
        requiredVerdictFinding(verdict, what, bundle.path, target, allowed, registryEntries, requirements),
      );
      out.verifications.push(record(target, statusOf(verdict.code), `${bundle.path}${how}: ${verdict.reason}`));
    }
    // A bare DSSE envelope is no signature a Sigstore verifier reads (the provenance stage reports it, CPM026, a
    // warning where no provenance is required): the file is left unsigned for signatures.require (CPS003).
    const bare = owned && parsedBundle instanceof BundleParseError && isBareEnvelope(await readBundle());
    if (!byDigest && !bare)
      markFailed(out, target, bundle.path, verdict.signer ? describeSigner(verdict.signer) : undefined);
    return;
  }
  const seen = describeSigner(verdict.signer);
  out.verifications.push(record(target, 'verified', `signed by ${seen} (${bundle.path}${how})`, verdict.signerName));
  if (!byDigest)
    out.coverage.set(target, {
      signature: bundle.path,
      ok: true,
      signerName: verdict.signerName,
      signerSeen: seen,
      seen: verdict.signer,
    });
}

/** Where the bundle's own name says its file is: the bundle's path without its (ASCII) `.sigstore[.json]` suffix. */
function artifactAbs(bundle: DiscoveredFile, target: string): FsPath {
  const suffix = bundle.path.length - target.length;
  return typeof bundle.abs === 'string'
    ? bundle.abs.slice(0, bundle.abs.length - suffix)
    : bundle.abs.subarray(0, bundle.abs.length - suffix);
}

/**
 * What a bundle is checked against: the artifact's bytes, or past MAX_DETACHED_ARTIFACT_BYTES its digests — the one
 * a message signature signs, or those the statement's subjects name (SHA-256 when they name none chainproof reads) —
 * with a verifier of ECDSA over a digest. A string says why the file could not be hashed.
 */
async function artifactInput(
  artifact: DiscoveredFile,
  bundle: ParsedBundle,
  ctx: ScanContext,
): Promise<ArtifactInput | string> {
  if (artifact.size <= MAX_DETACHED_ARTIFACT_BYTES) return readFile(artifact.abs);
  const claimed = [...bundleClaim(bundle).digests].map((d) => d.slice(0, d.indexOf(':')) as DigestAlgorithm);
  const algorithms = claimed.length > 0 ? [...new Set(claimed)] : (['sha256'] as const);
  const [r, verify] = await Promise.all([
    ctx.digests.hash({ abs: artifact.abs, identity: artifact, algorithms }),
    loadPrehashVerify(),
  ]);
  if (!r.ok) return r.message;
  const digests: Partial<Record<DigestAlgorithm, Buffer>> = {};
  for (const a of algorithms) if (r.digests[a] !== undefined) digests[a] = Buffer.from(r.digests[a], 'hex');
  return { digests, verify };
}

function isBareEnvelope(bytes: Buffer): boolean {
  return readBareEnvelope(bytes.toString('utf8')) !== undefined;
}

function provenanceOwns(parsed: ParsedBundle | BundleParseError): boolean {
  // Unreadable as a bundle: the provenance stage reads every `<model>.sigstore.json` too, and reports one that does
  // not parse (CPM025, or CPM026 for a bare DSSE envelope) naming the model and any provenance it requires; a CPS008
  // beside it would be a second finding for the one cause.
  if (parsed instanceof BundleParseError) return true;
  return isProvenanceBundle(parsed);
}
