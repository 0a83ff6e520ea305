import { readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import type { StageInput } from '../../core/stage.js';
import { MAX_BUNDLE_BYTES } from '../bundle/parse.js';
import { describeSigner } from '../check/types.js';
import type { ModelIssue, WholeFileDigest } from '../model/compare.js';
import { rawFolderOf } from '../../io/raw-names.js';
import { isModelSignature, signedFolderHint, verifyModelSignature } from '../model/verify.js';
import { allowedSigners, registryRequirementsOf, signatureRequirementsOf, type SignatureSetup } from './setup.js';
import { emptyPart, markFailed, type PartResult } from './coverage.js';
import {
  adviceFor,
  foldUnchecked,
  record,
  requiredUnverifiable,
  requiredVerdictFinding,
  statusOf,
} from './findings.js';
import { listedWithMore } from '../../core/plural.js';
import { leftOutUnder, MAX_LISTED_ENTRIES, type ListingBudget } from './left-out.js';

/** The model signatures of a scan, found by name or by content (`findModelSignatures`). */
export interface ModelSignatureFiles {
  /** Every model signature (a `model.sig` larger than MAX_BUNDLE_BYTES too: it is reported not read). */
  readonly signatures: readonly DiscoveredFile[];
  /**
   * Model signatures under another name than `model.sig`: no `<file>.sigstore.json`, cosign `<file>.bundle` or
   * `<file>.sig` beside a file, whatever its name says. Only these, parsed whole, are signatures by content: a file
   * whose head merely looks like a bundle stays what it is for every other check (`signatures.require` too).
   */
  readonly renamed: ReadonlySet<string>;
  /** Sigstore bundles under no known name, too large to read: whether they are model signatures is unknown. */
  readonly unread: readonly DiscoveredFile[];
  /** Candidates the stage could not read (gone since discovery, a directory now, no permission): with the error code. */
  readonly failed: readonly { readonly path: string; readonly code: string }[];
}

/** A file's bytes, or the error code when it cannot be read now: a file changed since discovery is not a crash. */
async function readOrCode(abs: DiscoveredFile['abs']): Promise<Buffer | string> {
  try {
    return await readFile(abs);
  } catch (err) {
    return errorCode(err);
  }
}

/** The system error code of a failed read (ENOENT, EISDIR…): it names no absolute path, unlike the message. */
export function errorCode(err: unknown): string {
  return typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'EIO';
}

/** A signature file, or a candidate, that could not be read: its model is not checked, said so. */
function unreadableSignature(path: string, code: string): Finding {
  return {
    ruleId: 'CPS007',
    message: `${path} could not be read (${code}; changed since the scan listed it?), so whether it is a model signature, and what it signs, was not checked. Scan again once the tree is still.`,
    location: { path },
    evidence: { code },
  };
}

/**
 * Every `model.sig`, and every Sigstore bundle whose DSSE statement is model_signing's whatever it is called:
 * model_signing writes its signature where `--signature` says (`signature.sig`, `<model>.sig`,
 * `model.sigstore.json`) and `verify` reads it by the path it is given, so the name says nothing. A bundle is read
 * (at most MAX_BUNDLE_BYTES) only when discovery saw a Sigstore bundle's head (`sigstoreHead`), or its name is a
 * bundle's.
 */
export async function findModelSignatures(
  files: readonly DiscoveredFile[],
  cosignBundles: ReadonlySet<string>,
): Promise<ModelSignatureFiles> {
  // Files only: each is read again when checked, so no more than one signature's bytes are held at a time.
  const signatures: DiscoveredFile[] = [];
  const renamed = new Set<string>();
  const unread: DiscoveredFile[] = [];
  const failed: { path: string; code: string }[] = [];
  for (const file of files) {
    if (file.format === 'model-signature' && file.claimed === 'model-signature') {
      signatures.push(file);
      continue;
    }
    if (!file.sigstoreHead && !isDetachedBundle(file, cosignBundles)) continue;
    if (file.size > MAX_BUNDLE_BYTES) {
      // A `.sigstore.json` or cosign bundle too large to read is the detached check's to report.
      if (file.sigstoreHead) unread.push(file);
      continue;
    }
    const bytes = await readOrCode(file.abs);
    // A `<file>.sigstore.json` or cosign bundle that cannot be read is the detached check's to report: it names the
    // file whose signature went unchecked and any requirement over it (one finding for the one cause).
    if (typeof bytes === 'string') {
      if (!isDetachedBundle(file, cosignBundles)) failed.push({ path: file.path, code: bytes });
    } else if (isModelSignature(bytes)) {
      signatures.push(file);
      renamed.add(file.path);
    }
  }
  return { signatures, renamed, unread, failed };
}

/** A file the detached check reads as a signature beside its file: a Sigstore bundle by name, or cosign's. */
function isDetachedBundle(file: DiscoveredFile, cosignBundles: ReadonlySet<string>): boolean {
  return file.format === 'sigstore-bundle' || cosignBundles.has(file.path);
}

/** Verify every model signature over the folder it sits in (or the single file it names). */
export async function checkModelSignatures(
  input: StageInput,
  ctx: ScanContext,
  setup: SignatureSetup,
  found: ModelSignatureFiles,
): Promise<PartResult> {
  const out = emptyPart();
  if (found.unread.length > 0) out.findings.push(unreadCandidates(found.unread));
  for (const f of found.failed) out.findings.push(unreadableSignature(f.path, f.code));
  const sigs = found.signatures;
  if (sigs.length === 0) return out;
  // The scan's hasher and digest cache: a signed multi-GB weight is hashed in a worker once per scan (the models
  // stage already read it), and not again next run.
  const digest: WholeFileDigest = async (abs, identity, algorithm) => {
    const r = await ctx.digests.hash({ abs, identity, algorithms: [algorithm] });
    const hex = r.ok ? r.digests[algorithm] : undefined;
    if (hex === undefined)
      throw Object.assign(new Error(r.ok ? 'no digest' : r.message), { code: r.ok ? 'EHASH' : r.code });
    return hex;
  };
  const budget: ListingBudget = { left: MAX_LISTED_ENTRIES };
  const sigFolders = [...new Set(sigs.map((s) => path.posix.dirname(s.path)))];
  for (const sig of sigs) await checkOne(sig, input, ctx, setup, out, digest, budget, sigFolders);
  // Model folders each signed with a key the policy does not name: one finding. Only the verdict on a signature is
  // folded (it names the signers expected); what a signature says of one file of its model stays that file's.
  const verdict = (f: Finding) => f.evidence !== undefined && 'expectedSigner' in f.evidence;
  const advice = () => adviceFor('unverifiable');
  return {
    ...out,
    findings: foldUnchecked(out.findings, ctx.policy.suppressions, 'model signatures', advice, verdict),
  };
}

async function checkOne(
  sig: DiscoveredFile,
  input: StageInput,
  ctx: ScanContext,
  setup: SignatureSetup,
  out: PartResult,
  digest: WholeFileDigest,
  budget: ListingBudget,
  /** The folders model signatures sit in: a model of its own below this signature's folder is another's. */
  sigFolders: readonly string[],
): Promise<void> {
  const signature = sig.size > MAX_BUNDLE_BYTES ? undefined : await readFile(sig.abs);
  const routed = modelFolderOf(sig.path, signature, input.files);
  if (typeof routed !== 'string') return ambiguousModel(sig.path, routed, input.files, out);
  const folder = routed;
  const prefix = folder === '.' ? '' : `${folder}/`;
  const rel = (p: string) => p.slice(prefix.length);
  const files = input.files
    .filter((f) => f.path.startsWith(prefix))
    .map((f) => ({
      path: rel(f.path),
      abs: f.abs,
      size: f.size,
      identity: { dev: f.dev, ino: f.ino, size: f.size, mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs },
      ...linkInside(f.links, folder, prefix),
    }));
  const skipped = input.skipped.filter((s) => s.path.startsWith(prefix));
  const unreadable = skipped.map((s) => rel(s.path));
  const unreadableLinks = skipped.filter((s) => s.reason.startsWith('symlink-')).map((s) => rel(s.path));
  const unwalkedDirs = (ctx.unwalkedDirs ?? []).filter((d) => d.startsWith(prefix));
  const unwalked = unwalkedDirs.map(rel);
  const fileRepoPaths = files.map((f) => prefix + f.path);
  const repoPaths = [sig.path, folder, ...fileRepoPaths];
  const allowed = allowedSigners(setup, repoPaths);
  const ignore = setup.requirements
    .filter((r) => repoPaths.some((p) => r.matches(p)))
    .flatMap((r) => r.requirement.ignore ?? []);
  if (signature === undefined) {
    out.findings.push({
      ruleId: 'CPS008',
      message: `Model signature ${sig.path} is larger than 16 MiB; it was not read. Regenerate it with model_signing.`,
      location: { path: sig.path },
      evidence: { size: sig.size },
    });
    return;
  }
  const listing = ctx.leftOut
    ? leftOutUnder(modelFolderAbs(sig.abs, sig.path, folder), prefix, ctx.leftOut, new Set(unwalkedDirs), budget)
    : { paths: [], truncated: false };
  const result = await verifyModelSignature({
    signature,
    // Outside the model folder when it sits beside it: then no file of the model is it.
    signatureFile: path.posix.relative(folder, sig.path),
    files,
    unreadable,
    unreadableLinks,
    unwalked,
    leftOut: listing.paths.map(rel),
    ignore,
    trust: setup.trust,
    signers: allowed,
    tlogThreshold: setup.tlogThreshold,
    timestampThreshold: setup.timestampThreshold,
    limit: ctx.limit,
    digest,
  });
  const { verdict, manifest } = result;
  // Past the listing budget, whether the scan left a file of a model folder out is unknown: the whole model is.
  const unlisted: ModelIssue | undefined =
    listing.truncated && manifest !== undefined && !manifest.singleFile
      ? {
          kind: 'unverifiable',
          path: '.',
          reason: `the scan lists at most ${MAX_LISTED_ENTRIES} entries under signed model folders, so whether it left files of this one out (--include, --exclude) is unknown`,
        }
      : undefined;
  const issues = unlisted ? [...result.issues, unlisted] : result.issues;
  const signerSeen = verdict.ok || verdict.signer ? describeSigner(verdict.signer!) : undefined;
  // The files a requirement asks a signature of, but those its `ignore` globs leave out of the model.
  const isIgnored = picomatch(ignore, { dot: true });
  const required = (paths: readonly string[]) =>
    signatureRequirementsOf(
      setup,
      paths.filter((p) => !isIgnored(rel(p))),
    );
  if (!verdict.ok)
    out.findings.push(
      requiredVerdictFinding(
        verdict,
        'Model signature',
        sig.path,
        folder,
        allowed,
        registryRequirementsOf(setup, repoPaths),
        required(fileRepoPaths),
      ),
    );
  const bad = new Map<string, ModelIssue>();
  // A refused link fails the whole model, as model_signing verify does: no file of it counts as verified. A folder
  // the walk skipped leaves the whole model unknown: model_signing compares one manifest of every file.
  let refused: ModelIssue | undefined;
  let unknown: ModelIssue | undefined;
  for (const issue of issues) {
    const p = issue.path === '.' ? folder : prefix + issue.path;
    // The refused link is this signature's failure (CPS004), not a file no signature covers.
    if (issue.kind === 'symlink') {
      refused ??= issue;
      markFailed(out, p, sig.path, signerSeen);
    } else if (
      issue.kind === 'unwalked' ||
      issue.kind === 'left-out' ||
      (issue.kind === 'unverifiable' && issue.path === '.')
    )
      unknown ??= issue;
    // An unsigned folder is one finding; each of its files is failed by it, as a requirement over them asks.
    else if ((issue.kind === 'extra' || issue.kind === 'missing' || issue.kind === 'excluded') && issue.files)
      for (const f of issue.files) bad.set(prefix + f, issue);
    else bad.set(p, issue);
    out.findings.push(requiredUnverifiable(issueFinding(issue, p, sig.path, signerSeen), required([p])));
  }
  const signed = manifest
    ? manifest.singleFile
      ? [prefix + manifest.modelName]
      : [...new Set(manifest.items.map((i) => prefix + i.path))]
    : fileRepoPaths.filter((p) => !inAnotherModel(p, folder, sigFolders));
  for (const p of new Set([...signed, ...bad.keys()])) {
    const issue = bad.get(p) ?? refused ?? unknown;
    const ok = verdict.ok && !issue;
    const status = !verdict.ok
      ? statusOf(verdict.code)
      : issue
        ? issue.kind === 'unverifiable' || issue.kind === 'unwalked' || issue.kind === 'left-out'
          ? 'unverifiable'
          : 'failed'
        : 'verified';
    out.verifications.push(
      record(
        p,
        status,
        ok
          ? `signed by ${signerSeen ?? '?'} (${sig.path})`
          : `${sig.path}: ${issue ? issue.kind : verdict.ok ? '' : verdict.reason}`,
        ok ? verdict.signerName : undefined,
      ),
    );
    out.coverage.set(p, {
      signature: sig.path,
      ok,
      signerName: verdict.ok ? verdict.signerName : undefined,
      signerSeen,
      ...(verdict.ok ? { seen: verdict.signer } : {}),
    });
  }
  if (ignore.length > 0) {
    // Files the walk could not read too: the requirement exempts them as it does the others.
    for (const f of [...files.map((f) => f.path), ...unreadable])
      if (isIgnored(f) && !out.coverage.has(prefix + f))
        out.coverage.set(prefix + f, {
          signature: sig.path,
          ok: false,
          signerName: undefined,
          signerSeen,
          ignored: true,
        });
  }
}

/**
 * Whether `file` sits in a folder below `folder` that holds a model signature of its own: a signature whose manifest
 * cannot be read fails the files of its folder, never those of another model that folder holds.
 */
function inAnotherModel(file: string, folder: string, sigFolders: readonly string[]): boolean {
  const prefix = folder === '.' ? '' : `${folder}/`;
  return sigFolders.some((f) => f !== folder && f.startsWith(prefix) && file.startsWith(`${f}/`));
}

/**
 * Sigstore bundles under names no format claims, too large to read: one finding, as the reason is one. A model
 * signature among them would leave its model unchecked, so they are counted, never passed over in silence.
 */
function unreadCandidates(files: readonly DiscoveredFile[]): Finding {
  const paths = files.map((f) => f.path).sort();
  return {
    ruleId: 'CPS007',
    message: `${
      paths.length > 1
        ? `${paths.length} files that look like Sigstore bundles (${listedWithMore(paths, 3)}) are`
        : `${paths[0]} looks like a Sigstore bundle but is`
    } larger than ${MAX_BUNDLE_BYTES / 1024 / 1024} MiB and ${paths.length > 1 ? 'were' : 'was'} not read, so whether ${paths.length > 1 ? 'any is' : 'it is'} a model signature (model_signing) was not checked. A model signature takes a few hundred bytes per signed file: regenerate it, or remove the file.`,
    location: { path: paths[0]! },
    evidence: { files: paths.length },
    // One cause: with `related` set, its count is a tally, not part of the fingerprint (core/fingerprint.ts).
    related: relatedOf(paths.slice(1)),
  };
}

/** Places one grouped finding also reaches, at most MAX_RELATED (reporters list them; the count says the rest). */
const MAX_RELATED = 50;
const relatedOf = (paths: readonly string[]) => paths.slice(0, MAX_RELATED).map((path) => ({ path }));

/**
 * The folder a model signature is over. model_signing's CLI writes the signature to the working directory by default
 * (`--signature model.sig`), so `model_signing sign models/bert` run at the root leaves it at the root, not in the
 * model folder, and `verify` is then given the model path; a project may also keep its signatures in a folder of
 * their own (`signatures/bert.sig`). When none of the signed files is in the signature's own folder, the folder
 * named as the subject (the model folder's name, serializer `model_name`) that holds some of them is the model: one
 * below the signature's folder, else one anywhere in the scan; with none the signature's own folder is, and with two
 * or more which is the model is unknown (`AmbiguousModel`).
 */
function modelFolderOf(
  sigPath: string,
  signature: Buffer | undefined,
  files: readonly DiscoveredFile[],
): string | AmbiguousModel {
  const own = path.posix.dirname(sigPath);
  const hint = signature === undefined ? undefined : signedFolderHint(signature);
  if (hint === undefined || !/^[^/]+$/.test(hint.name) || hint.name === '..' || hint.name === '.') return own;
  const ownPrefix = own === '.' ? '' : `${own}/`;
  const signed = new Set(hint.paths);
  if (files.some((f) => f.path.startsWith(ownPrefix) && signed.has(f.path.slice(ownPrefix.length)))) return own;
  const below = subjectFolders(files, hint.name, signed, ownPrefix);
  const found = below.size > 0 ? below : subjectFolders(files, hint.name, signed, '');
  if (found.size === 0) return own;
  const folders = [...found].sort();
  return folders.length === 1 ? folders[0]! : { name: hint.name, folders, signed };
}

/** A signature kept apart whose subject names several folders that hold its files: which it signs is unknown. */
interface AmbiguousModel {
  readonly name: string;
  readonly folders: readonly string[];
  readonly signed: ReadonlySet<string>;
}

/**
 * One finding for a signature whose model cannot be told: `model_signing verify` is given the model path, and the
 * scan cannot know which copy that is. Nothing is compared (its own folder is not the model either), and the signed
 * files of every candidate are left unverifiable, not unsigned: a signature does speak for them, unchecked.
 */
function ambiguousModel(sigPath: string, m: AmbiguousModel, files: readonly DiscoveredFile[], out: PartResult): void {
  const shown = listedWithMore(m.folders, 3);
  out.findings.push({
    ruleId: 'CPS007',
    message: `Model signature ${sigPath} names the model "${m.name}", and ${m.folders.length} folders named so hold its files (${shown}): which one it signs is unknown, so it was not checked. Keep the signature in the model folder, or verify each copy with model_signing verify <folder> --signature ${sigPath}.`,
    location: { path: sigPath },
    evidence: { signature: sigPath, model: m.name, candidates: m.folders.join(', ') },
  });
  for (const f of files) {
    const folder = m.folders.find((d) => f.path.startsWith(`${d}/`));
    if (folder === undefined || !m.signed.has(f.path.slice(folder.length + 1))) continue;
    out.verifications.push(record(f.path, 'unverifiable', `${sigPath}: which copy of "${m.name}" it signs is unknown`));
    out.coverage.set(f.path, { signature: sigPath, ok: false, signerName: undefined, signerSeen: undefined });
  }
}

/** Folders under `prefix` named `name` that hold a file the signature lists (by its path below the folder). */
function subjectFolders(
  files: readonly DiscoveredFile[],
  name: string,
  signed: ReadonlySet<string>,
  prefix: string,
): Set<string> {
  const found = new Set<string>();
  for (const f of files) {
    if (!f.path.startsWith(prefix)) continue;
    for (let i = f.path.indexOf('/', prefix.length); i >= 0; i = f.path.indexOf('/', i + 1)) {
      const folder = f.path.slice(0, i);
      if (path.posix.basename(folder) === name && signed.has(f.path.slice(i + 1))) found.add(folder);
    }
  }
  return found;
}

/** The on-disk folder of `folder` (repo path): the signature's own folder, or a folder below it. */
function modelFolderAbs(sigAbs: DiscoveredFile['abs'], sigPath: string, folder: string): DiscoveredFile['abs'] {
  const own = rawFolderOf(sigAbs);
  const sigFolder = path.posix.dirname(sigPath);
  if (folder === sigFolder) return own;
  const rel = path.posix.relative(sigFolder, folder);
  return typeof own === 'string' ? path.join(own, rel) : Buffer.concat([own, Buffer.from(`/${rel}`)]);
}

/**
 * The outermost link on a file's way at or below the model folder, relative to it (`.`: the folder itself is one).
 * Links above the folder do not count: model_signing checks the path from the model root down
 * (`_filesystem.check_path_within_model`).
 */
function linkInside(links: readonly string[] | undefined, folder: string, prefix: string): { link?: string } {
  const link = links?.find((l) => l === folder || l.startsWith(prefix));
  return link === undefined ? {} : { link: link === folder ? '.' : link.slice(prefix.length) };
}

function issueFinding(issue: ModelIssue, p: string, sigPath: string, signerSeen: string | undefined): Finding {
  const base = { location: { path: p }, artifact: { kind: 'model' as const, path: p } };
  const ev = { signature: sigPath, ...(signerSeen ? { signerSeen } : {}) };
  switch (issue.kind) {
    case 'changed':
      return {
        ...base,
        ruleId: 'CPS004',
        message: `${p} does not match its signature ${sigPath}${issue.detail ? ` (${issue.detail})` : ''}: expected ${issue.algorithm}:${issue.expected}, found ${issue.actual}. Restore the signed file or re-sign the model.`,
        evidence: { ...ev, algorithm: issue.algorithm, expected: issue.expected, actual: issue.actual },
      };
    case 'missing':
      if (issue.files)
        return {
          ...base,
          ruleId: 'CPS005',
          message: `${p}/: all ${issue.files.length} files the model signature ${sigPath} lists under it are missing (${listedWithMore(
            issue.files.map((f) => f.slice(issue.path.length + 1)),
            3,
          )}). Restore them or re-sign the model.`,
          evidence: { ...ev, files: issue.files.length },
        };
      return {
        ...base,
        ruleId: 'CPS005',
        message: `${p} is listed in the model signature ${sigPath} but is missing. Restore it or re-sign the model.`,
        evidence: ev,
      };
    case 'extra':
      if (issue.files)
        return {
          ...base,
          ruleId: 'CPS006',
          message: `${p}/ in the signed model folder holds ${issue.files.length} files and none is covered by ${sigPath} (${listedWithMore(
            issue.files.map((f) => f.slice(issue.path.length + 1)),
            3,
          )}). Remove the folder, re-sign the model including it, or list it under the requirement's ignore globs.`,
          evidence: { ...ev, files: issue.files.length },
        };
      return {
        ...base,
        ruleId: 'CPS006',
        message: `${p} is in the signed model folder but not covered by ${sigPath}. Remove it, re-sign the model including it, or list it under the requirement's ignore globs.`,
        evidence: ev,
      };
    case 'excluded': {
      const others = issue.files.length > 1 ? ` and ${issue.files.length - 1} other signed file(s)` : '';
      // The files beside the first: `related`, so one more excluded file keeps the finding's fingerprint.
      const folderPrefix = p.slice(0, p.length - issue.path.length);
      const related = relatedOf(issue.files.slice(1).map((f) => folderPrefix + f));
      const many = issue.files.length > 1;
      if (issue.by === 'signature')
        return {
          ...base,
          ruleId: 'CPS008',
          message: `${p}${others} ${many ? 'are' : 'is'} listed in the model signature ${sigPath}, yet the signature's own ignore_paths entry ${JSON.stringify(issue.entry)} leaves ${many ? 'them' : 'it'} out of the model: model_signing verify hashes the model without ${many ? 'them' : 'it'}, so its manifest never matches and the signature fails, whatever the file holds. The signature contradicts itself; re-sign the model.`,
          evidence: { ...ev, ignorePath: issue.entry, files: issue.files.length },
          related,
        };
      const why =
        issue.by === 'default'
          ? `model_signing verify leaves ${JSON.stringify(issue.entry)} at the model root out of the model by default`
          : `the requirement's ignore glob ${JSON.stringify(issue.entry)} leaves ${many ? 'them' : 'it'} out of the model (model_signing verify --ignore-paths)`;
      return {
        ...base,
        ruleId: 'CPS005',
        message: `${p}${others} ${many ? 'are' : 'is'} signed by ${sigPath} and present, but ${why}: the model it hashes then lacks ${many ? 'them' : 'it'}, and the signature fails. ${issue.by === 'default' ? 'Re-sign the model without it (the default ignores)' : 'Remove the glob from the requirement, or re-sign the model without those files'}.`,
        evidence: { ...ev, ignorePath: issue.entry, files: issue.files.length },
        related,
      };
    }
    case 'symlink':
      return {
        ...base,
        ruleId: 'CPS004',
        message: `${p} in the model signed by ${sigPath} is a symbolic link${issue.files > 1 ? ` (${issue.files} files are reached through it)` : ''}, and the signature was made without allow_symlinks: model_signing verify refuses the model ("Cannot use … because it is a symlink"). Replace the link with the signed content, or re-sign the model with allow_symlinks.`,
        evidence: { ...ev, files: issue.files },
      };
    case 'unwalked':
      return {
        ...base,
        ruleId: 'CPS007',
        message: `${p} is a folder in the model signed by ${sigPath}, and the scan does not enter folders named .git or node_modules; model_signing verify hashes every file in it (only the model root's .git is left out), so the model was not verified. Move the folder out of the model, or list it under the requirement's ignore globs if it is no part of the model.`,
        evidence: ev,
      };
    case 'left-out':
      return {
        ...base,
        ruleId: 'CPS007',
        message: `${p}${issue.files > 1 ? ` and ${issue.files - 1} other file(s)` : ''} in the model signed by ${sigPath} ${issue.files > 1 ? 'were' : 'was'} left out of the scan (--include / --exclude), so the model was not verified: model_signing verify hashes every file of the folder, and a file the scan does not read may be changed or unsigned. Scan the whole model folder, or list the files under the requirement's ignore globs if they are no part of the model.`,
        evidence: { ...ev, files: issue.files },
      };
    case 'unverifiable':
      return {
        ...base,
        ruleId: 'CPS007',
        message: `${p} in the model signed by ${sigPath} could not be checked: ${issue.reason}.`,
        evidence: { ...ev, reason: issue.reason },
      };
  }
}
