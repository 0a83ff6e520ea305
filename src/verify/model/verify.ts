import { BundleParseError, parseBundle, tryParseBundle } from '../bundle/parse.js';
import { parseStatement, StatementError } from '../bundle/intoto.js';
import { verifyParsedBundle, type BundleCheck } from '../check/verify-bundle.js';
import type { BundleVerdict } from '../check/types.js';
import {
  ManifestError,
  PREDICATE_V01,
  PREDICATE_V1,
  subjectOf,
  toModelManifest,
  type ModelManifest,
} from './manifest.js';
import { compareModel, type ModelFile, type ModelIssue, type WholeFileDigest } from './compare.js';

export interface ModelSignatureRequest extends Omit<BundleCheck, 'artifact'> {
  /** The `model.sig` content. */
  readonly signature: string | Buffer;
  /** Its file name relative to the model folder (usually `model.sig`), excluded from the comparison. */
  readonly signatureFile: string;
  /** Every file under the model folder, paths relative to it. */
  readonly files: readonly ModelFile[];
  /** Paths under the folder that exist but could not be read (symlinks out of root…). */
  readonly unreadable?: readonly string[];
  /** Those of `unreadable` that are symbolic links (out of the scan root, or broken). */
  readonly unreadableLinks?: readonly string[];
  /** Folders under the model folder the scan's walk skipped by name (`node_modules`, `.git`), relative to it. */
  readonly unwalked?: readonly string[];
  /** Paths under the model folder the scan's walk left out by choice (`--exclude`, `--include`), relative to it. */
  readonly leftOut?: readonly string[];
  /** Extra globs (relative to the folder) that are not part of the model. */
  readonly ignore?: readonly string[];
  readonly limit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Whole-file digests from the scan's hasher and its cache; without it files are streamed here. */
  readonly digest?: WholeFileDigest;
  /**
   * The model is this one file of `files` (the `verify` command given a file): model_signing then serializes that
   * file alone, so a single-file signature is compared with it whatever the subject calls it, and a folder signature
   * does not verify it. Absent (a scan): a single-file signature names its file by the subject.
   */
  readonly modelFile?: string;
}

export interface ModelSignatureResult {
  /** The signature and its signer. */
  readonly verdict: BundleVerdict;
  readonly manifest: ModelManifest | undefined;
  /** Per-file problems: changed, missing, extra unsigned, unverifiable. Empty with `verdict.ok` = verified. */
  readonly issues: readonly ModelIssue[];
  /** Signed files (or the single file) checked. */
  readonly checked: number;
}

/**
 * Verify an OpenSSF model signature (sigstore/model-transparency `model_signing`, predicates v1.0 and v0.1) over a
 * folder or a single-file model: the bundle and its signer, the manifest's root digest, then every file hashed with
 * the recorded serialization. A file is only compared after the signature is known not to be forged.
 */
export async function verifyModelSignature(req: ModelSignatureRequest): Promise<ModelSignatureResult> {
  const none = (verdict: BundleVerdict): ModelSignatureResult => ({
    verdict,
    manifest: undefined,
    issues: [],
    checked: 0,
  });
  let parsed;
  try {
    parsed = parseBundle(req.signature);
  } catch (err) {
    if (err instanceof BundleParseError)
      return none({
        ok: false,
        code: err.tooDeep ? 'too-deep' : 'malformed',
        reason: `cannot read the signature: ${err.message}`,
      });
    throw err;
  }
  if (parsed.content.kind !== 'dsse')
    return none({ ok: false, code: 'malformed', reason: 'a model signature must hold a DSSE envelope' });
  const verdict = verifyParsedBundle(parsed, req);
  // A forged or unreadable signature says nothing about the files; a valid one by the wrong signer still does.
  if (!verdict.ok && (verdict.code === 'invalid' || verdict.code === 'malformed')) return none(verdict);
  let manifest: ModelManifest;
  try {
    manifest = toModelManifest(parseStatement(parsed.content.payloadType, parsed.content.payload));
  } catch (err) {
    if (err instanceof StatementError || err instanceof ManifestError)
      return none({
        ok: false,
        code: err instanceof StatementError && err.tooDeep ? 'too-deep' : 'malformed',
        reason: err.message,
        ...(verdict.ok || verdict.signer ? { signer: verdict.signer! } : {}),
      });
    throw err;
  }
  const folder = {
    unreadable: req.unreadable ?? [],
    unreadableLinks: req.unreadableLinks ?? [],
    unwalked: req.unwalked ?? [],
    leftOut: req.leftOut ?? [],
    signatureFile: req.signatureFile,
    ignore: req.ignore ?? [],
    ...(req.digest !== undefined ? { digest: req.digest } : {}),
  };
  if (req.modelFile !== undefined && !manifest.singleFile) {
    // model_signing `verify(model_path=<file>)` builds a one-item manifest (`.`) for a file, which never equals a
    // folder's: "Signature mismatch". Passing here would vouch for a file the signature may exclude (ignore_paths).
    const issue: ModelIssue = {
      kind: 'unverifiable',
      path: req.modelFile,
      reason: `the signature is over a model folder (${manifest.items.length} signed items), not over this one file; verify the folder`,
    };
    return { verdict, manifest, issues: [issue], checked: 0 };
  }
  let files = req.files;
  // The name the single file goes by: the one the caller gave, else the subject (only informative to model_signing:
  // manifest.py `Manifest.__eq__` compares the items alone, so a renamed model still verifies).
  const name = req.modelFile ?? manifest.modelName;
  if (manifest.singleFile) {
    // A single-file model's one resource is `.`.
    const file = /^[^/]+$/.test(name) && name !== '..' ? req.files.find((f) => f.path === name) : undefined;
    // model_signing given a file checks that file alone for a link (its `model_root`), not the folders above it.
    files = file ? [{ ...withoutLink(file), path: '.', ...(file.link === name ? { link: '.' } : {}) }] : [];
    if (!file && (req.unreadable ?? []).includes(name)) folder.unreadable = ['.'];
    folder.unreadableLinks = !file && (req.unreadableLinks ?? []).includes(name) ? ['.'] : [];
    // model_signing given a file hashes that file alone: no folder or file beside it is part of the model.
    folder.unwalked = [];
    folder.leftOut = !file && (req.leftOut ?? []).includes(name) ? ['.'] : [];
  }
  const { issues, checked } = await compareModel(manifest, { ...folder, files }, req.limit);
  const named = manifest.singleFile ? issues.map((i) => ({ ...i, path: name || i.path })) : issues;
  return { verdict, manifest, issues: named, checked };
}

function withoutLink(file: ModelFile): ModelFile {
  const { link: _link, ...rest } = file;
  return rest;
}

/**
 * Is this an OpenSSF model signature, whatever its file is called? model_signing writes it wherever `--signature`
 * says (`model.sig` by default), and its DSSE statement has a model_signing predicate. Routing only: the statement
 * is unverified here, and whichever verification follows checks the signature.
 */
export function isModelSignature(input: string | Buffer): boolean {
  const parsed = tryParseBundle(input);
  if (parsed instanceof BundleParseError || parsed.content.kind !== 'dsse') return false;
  try {
    const { predicateType } = parseStatement(parsed.content.payloadType, parsed.content.payload);
    return predicateType === PREDICATE_V1 || predicateType === PREDICATE_V01;
  } catch (err) {
    if (err instanceof StatementError) return false;
    throw err;
  }
}

/**
 * The model a signature is over, read without verifying it (routing only: which folder to compare): the subject's
 * name (the model folder's name when signed, manifest.py `model_name`) and the signed paths. Undefined for a
 * signature that is not a readable model signature or is over a single file.
 */
export function signedFolderHint(input: string | Buffer): { name: string; paths: string[] } | undefined {
  const parsed = tryParseBundle(input);
  if (parsed instanceof BundleParseError || parsed.content.kind !== 'dsse') return undefined;
  try {
    // Lenient (`subjectOf`): a signature whose hashes model_signing refuses is still routed to the model it names.
    const subject = subjectOf(parseStatement(parsed.content.payloadType, parsed.content.payload));
    return subject === undefined || subject.paths.length === 0 ? undefined : subject;
  } catch (err) {
    if (err instanceof StatementError) return undefined;
    throw err;
  }
}
