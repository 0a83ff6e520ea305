import picomatch from 'picomatch';
import type { ManifestItem, ModelManifest } from './manifest.js';
import type { DigestAlgorithm } from '../../hash/algorithms.js';
import type { FileIdentity } from '../../hash/types.js';
import { hashFileRange, nodeHashFor } from './hash.js';
import { pushAll } from '../../core/push-all.js';
import type { FsPath } from '../../core/files.js';

/** A file of the model folder as the walk found it; `path` relative to the model root. */
export interface ModelFile {
  readonly path: string;
  readonly abs: FsPath;
  readonly size: number;
  /** What the walk saw (dev, inode, size, times): the digest-cache key. Absent for files listed outside a scan. */
  readonly identity?: FileIdentity;
  /**
   * The outermost symbolic link on the file's way down from the model root (relative to it, `.` for the root
   * itself; the file's own path when only the file is a link). Absent when no link is on the way.
   */
  readonly link?: string;
}

/**
 * Whole-file digests from the scan's hasher (worker pool + digest cache), so a multi-GB weight signed with
 * `model_signing` is not re-hashed on the main thread, nor on the next CI run when it has not changed.
 */
export type WholeFileDigest = (abs: FsPath, identity: FileIdentity, algorithm: DigestAlgorithm) => Promise<string>;

export type ModelIssue =
  | {
      readonly kind: 'changed';
      readonly path: string;
      readonly algorithm: string;
      readonly expected: string;
      readonly actual: string;
      readonly detail?: string;
    }
  /** A signed file that is gone; or, with `files`, a folder every signed file of which is gone (two or more). */
  | { readonly kind: 'missing'; readonly path: string; readonly files?: readonly string[] }
  /**
   * A file no signature item covers; or, with `files`, a folder of the model holding no signed file and at least two
   * unsigned ones (`path` the folder, `files` them, relative to the model root): one cause, one issue.
   */
  | { readonly kind: 'extra'; readonly path: string; readonly files?: readonly string[] }
  /**
   * Signed files that are there, but an ignore list leaves out of the model model_signing verify hashes, so its
   * manifest lacks them and the signature fails ("Signature mismatch"): the signature's own `ignore_paths`,
   * model_signing's default git paths (and the signature file), or the requirement's `ignore` globs (what `verify
   * --ignore-paths` passes). One issue per ignore entry: `path` the first file, `files` all of them.
   */
  | {
      readonly kind: 'excluded';
      readonly path: string;
      readonly by: 'signature' | 'default' | 'requirement';
      readonly entry: string;
      readonly files: readonly string[];
    }
  | { readonly kind: 'symlink'; readonly path: string; readonly files: number }
  /** A folder in the model the scan's walk did not enter (`node_modules`, a `.git` below the root). */
  | { readonly kind: 'unwalked'; readonly path: string }
  /** Files of the model the scan left out by choice (`--exclude`, an `--include` they miss): one issue, the first. */
  | { readonly kind: 'left-out'; readonly path: string; readonly files: number }
  | { readonly kind: 'unverifiable'; readonly path: string; readonly reason: string };

export interface FolderContent {
  readonly files: readonly ModelFile[];
  /** Paths (relative to the model root) the walk saw but could not read, e.g. symlinks out of the scan root. */
  readonly unreadable: readonly string[];
  /** Those of `unreadable` that are symbolic links themselves (out of the scan root, or broken). */
  readonly unreadableLinks?: readonly string[];
  /** Folders (relative to the model root) the walk skipped by name: their files are unknown, not absent. */
  readonly unwalked?: readonly string[];
  /**
   * Paths (relative to the model root) the scan's walk left out by choice (`--exclude`, an `--include` they do not
   * match): there on disk, never listed nor vetted, so never hashed here. Unknown, not absent.
   */
  readonly leftOut?: readonly string[];
  /** The signature file's own path relative to the model root (excluded, as model_signing excludes it). */
  readonly signatureFile: string;
  /** Extra globs to ignore (policy), relative to the model root. */
  readonly ignore: readonly string[];
  /** The scan's hasher; without it (the `verify` command) files are streamed here. */
  readonly digest?: WholeFileDigest;
}

/**
 * model_signing ignores these at the model root by default, and nowhere else: hashing.py `Config.hash` joins them to
 * the model path, and `serialization.should_ignore` is `path.is_relative_to(ignored)`, so `sub/.git/x` is hashed.
 */
const GIT_PATHS = ['.git', '.gitattributes', '.github', '.gitignore'];
type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * The git paths verify leaves out. The CLI's `--ignore-git-paths` (default) makes file.py `Serializer.serialize`
 * leave them out when signing, and a manifest made so never lists one; a manifest that signs a file under one was
 * made with `--no-ignore-git-paths`, and `model_signing verify --no-ignore-git-paths` hashes them as any other file.
 */
function defaultGitPaths(manifest: ModelManifest): readonly string[] {
  const signsGitPath = manifest.items.some((it) => GIT_PATHS.some((g) => it.path === g || it.path.startsWith(`${g}/`)));
  return signsGitPath ? [] : GIT_PATHS;
}

/** Compare the folder with the signed manifest: every file hashed with the recorded serialization. */
export async function compareModel(
  manifest: ModelManifest,
  folder: FolderContent,
  limit: Limit = (fn) => fn(),
): Promise<{ issues: ModelIssue[]; checked: number }> {
  const gitPaths = defaultGitPaths(manifest);
  const ignored = ignoreMatcher([...manifest.ignorePaths, ...gitPaths, folder.signatureFile], folder.ignore);
  const onDisk = new Set([...folder.files.map((f) => f.path), ...folder.unreadable]);
  const byPath = new Map<string, ManifestItem[]>();
  for (const it of manifest.items) byPath.set(it.path, [...(byPath.get(it.path) ?? []), it]);
  const kept = folder.files.filter((f) => !ignored(f.path));
  const unfollowed = (folder.unreadableLinks ?? []).filter((p) => !ignored(p));
  const issues: ModelIssue[] = symlinkIssues(manifest, kept, unfollowed);
  // model_signing hashes every file under these (file.py `Serializer.serialize` walks `model_path.glob("**/*")`);
  // the scan never listed them, so whether they match the signature is unknown: never a pass.
  const unwalked = (folder.unwalked ?? []).filter((p) => !ignored(p));
  const inUnwalked = (p: string) => unwalked.some((d) => p.startsWith(`${d}/`));
  for (const p of unwalked) issues.push({ kind: 'unwalked', path: p });
  // model_signing hashes these as any other file: a signed one may have changed, an unsigned one fails the model. The
  // scan's choice to leave them out does not make them absent (not `missing`) nor part of the signature: the model
  // is not verified, one cause for all of them.
  const leftOut = new Set((folder.leftOut ?? []).filter((p) => !ignored(p) && !inUnwalked(p)));
  const firstLeftOut = [...leftOut].sort()[0];
  if (firstLeftOut !== undefined) issues.push({ kind: 'left-out', path: firstLeftOut, files: leftOut.size });
  const links = new Set(issues.map((i) => i.path));
  // A file reached through a refused link is not hashed: the link is the one cause model_signing reports.
  const linked = new Set(kept.filter((f) => f.link !== undefined && links.has(f.link)).map((f) => f.path));
  const present = new Map(kept.filter((f) => !linked.has(f.path) && !belowFolderLink(f)).map((f) => [f.path, f]));
  const unreadable = new Set(folder.unreadable.filter((p) => !ignored(p) && !links.has(p)));
  // A hash chainproof cannot compute leaves every file unchecked: one cause, one issue for the model.
  const hashable = nodeHashFor(manifest.hashType) !== undefined;
  if (!hashable)
    issues.push({
      kind: 'unverifiable',
      path: '.',
      reason: `the signature hashes its files with ${manifest.hashType}, which chainproof cannot compute, so no file of the model was compared with it`,
    });
  const jobs: Promise<ModelIssue[]>[] = [];
  const missing: string[] = [];
  const excluded = new Map<string, { by: 'signature' | 'default' | 'requirement'; entry: string; files: string[] }>();
  for (const [p, items] of byPath) {
    const file = present.get(p);
    if (linked.has(p) || links.has(p) || inUnwalked(p) || leftOut.has(p)) continue;
    if (file) {
      if (hashable) jobs.push(limit(() => checkFile(file, items, manifest, folder.digest)));
    } else if (unreadable.has(p))
      issues.push({
        kind: 'unverifiable',
        path: p,
        reason: 'the file exists but could not be read (symlink out of the scan root or unreadable)',
      });
    else if (onDisk.has(p) && ignored(p)) {
      const why = exclusionOf(p, manifest.ignorePaths, [...gitPaths, folder.signatureFile], folder.ignore);
      const key = `${why.by}\0${why.entry}`;
      const group = excluded.get(key);
      if (group) group.files.push(p);
      else excluded.set(key, { ...why, files: [p] });
    } else missing.push(p);
  }
  for (const { by, entry, files } of excluded.values()) {
    const sorted = files.sort();
    issues.push({ kind: 'excluded', path: sorted[0]!, by, entry, files: sorted });
  }
  // A signed folder removed whole: one cause.
  const signedIn = countByFolder(byPath.keys());
  const missingIn = countByFolder(missing);
  pushAll(
    issues,
    foldByFolder('missing', missing, (d) => missingIn.get(d) === signedIn.get(d)),
  );
  if (!manifest.singleFile) {
    const extra = [...present].filter(([p, f]) => !byPath.has(p) && !inNoShard(manifest, f)).map(([p]) => p);
    // A folder dropped into the model (a checkpoint, a vendored tokenizer) that holds no signed file: one cause.
    pushAll(
      issues,
      foldByFolder('extra', extra, (d) => !signedIn.has(d)),
    );
    for (const p of unreadable)
      if (!byPath.has(p))
        issues.push({
          kind: 'unverifiable',
          path: p,
          reason: 'an unsigned file that could not be read (symlink out of the scan root or unreadable)',
        });
  }
  for (const r of await Promise.all(jobs)) pushAll(issues, r);
  issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { issues, checked: byPath.size };
}

/** Each folder above `p` (`a/b/c` → `a`, `a/b`), outermost first. */
function foldersOf(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i));
  return out;
}

/** How many of `paths` lie under each folder. */
function countByFolder(paths: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of paths) for (const d of foldersOf(p)) counts.set(d, (counts.get(d) ?? 0) + 1);
  return counts;
}

/**
 * File issues of one kind, one per cause: the files under the outermost folder `whole` says they account for
 * entirely are one issue at that folder when they are two or more; any other file is its own issue. model_signing
 * verify fails the model once either way (manifest.py `Manifest.__eq__`).
 */
function foldByFolder(kind: 'extra' | 'missing', paths: readonly string[], whole: (folder: string) => boolean) {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const key = foldersOf(p).find(whole) ?? p;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return [...groups].flatMap(([key, files]): ModelIssue[] =>
    files.length > 1 ? [{ kind, path: key, files: files.sort() }] : files.map((p) => ({ kind, path: p })),
  );
}

// A file the walk reached through a link to a folder in the model. model_signing lists the model with
// `model_path.glob("**/*")` (file.py / file_shard.py `Serializer.serialize`), and pathlib's `**` never descends into a
// linked folder (Python 3.10–3.13): the link itself is listed, `is_file()` is false, and nothing below it is hashed,
// even with `allow_symlinks`. Such a file is no part of the model: signed, it is missing; unsigned, not extra.
function belowFolderLink(file: ModelFile): boolean {
  return file.link !== undefined && file.link !== '.' && file.link !== file.path;
}

/**
 * An empty file under the shard serialization: file_shard.py `Serializer._get_shards` cuts it into no shard, so it is
 * in no manifest, signed or computed, and model_signing verify passes whether it is there or not.
 */
function inNoShard(manifest: ModelManifest, file: ModelFile): boolean {
  return manifest.method === 'shards' && file.size === 0;
}

/**
 * model_signing serializes a folder only when no path in it is a symbolic link, unless the signer passed
 * `allow_symlinks` (recorded in the signature, and used again by `verify`): `_filesystem.check_path_within_model` and
 * `serialization.check_file_or_directory` raise "Cannot use … because it is a symlink", so the model does not verify.
 * One issue per link: a linked folder holding many files is one cause.
 */
function symlinkIssues(
  manifest: ModelManifest,
  files: readonly ModelFile[],
  unfollowed: readonly string[],
): ModelIssue[] {
  if (manifest.allowSymlinks) return [];
  const counts = new Map<string, number>();
  for (const f of files) if (f.link !== undefined) counts.set(f.link, (counts.get(f.link) ?? 0) + 1);
  // A link the walk did not follow (out of the scan root, broken) is refused all the same: it is a link.
  for (const p of unfollowed) counts.set(p, counts.get(p) ?? 1);
  return [...counts].map(([path, files]) => ({ kind: 'symlink', path, files }));
}

async function checkFile(
  file: ModelFile,
  items: readonly ManifestItem[],
  manifest: ModelManifest,
  digest: WholeFileDigest | undefined,
): Promise<ModelIssue[]> {
  // Every item is in the manifest's hash (manifest.ts refuses any other), and compareModel checks it is computable.
  const algorithm = nodeHashFor(manifest.hashType)!;
  try {
    if (manifest.method === 'files') {
      const cacheable = HASHER_ALGORITHMS[algorithm];
      const actual =
        digest !== undefined && file.identity !== undefined && cacheable !== undefined
          ? await digest(file.abs, file.identity, cacheable)
          : await hashFileRange(file.abs, algorithm);
      const expected = items[0]!.digest;
      return actual === expected
        ? []
        : [{ kind: 'changed', path: file.path, algorithm: items[0]!.algorithm, expected, actual }];
    }
    // Shards must tile the file exactly as the signer cut it; any other layout means the size changed.
    const size = manifest.shardSize!;
    const layout = shardLayoutIssue(file, items, size);
    if (layout) return [layout];
    const out: ModelIssue[] = [];
    for (const it of [...items].sort((a, b) => a.start! - b.start!)) {
      const actual = await hashFileRange(file.abs, algorithm, { start: it.start!, end: it.end! });
      if (actual !== it.digest)
        out.push({
          kind: 'changed',
          path: file.path,
          algorithm: it.algorithm,
          expected: it.digest,
          actual,
          detail: `shard ${it.start}:${it.end}`,
        });
    }
    return out;
  } catch (err) {
    return [
      {
        kind: 'unverifiable',
        path: file.path,
        reason: `cannot read the file (${(err as { code?: string }).code ?? String(err)})`,
      },
    ];
  }
}

/** `[start, end)` keys of file_shard.py `Serializer._get_shards`: consecutive `size`-byte pieces of `length` bytes. */
function cutShards(length: number, size: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < length; start += size) out.push(`${start}:${Math.min(start + size, length)}`);
  return out;
}

/**
 * The signed shards of a file against the shards model_signing cuts it into now (manifest.py `Manifest.__eq__`
 * compares `path:start:end` keys). Signed shards that cut a file of another size mean the file's size changed; a
 * signed layout no file is cut into (overlapping or missing shards, another size) is named as such, so the finding
 * does not claim a size change for a file whose size is the signed one.
 */
function shardLayoutIssue(file: ModelFile, items: readonly ManifestItem[], size: number): ModelIssue | undefined {
  const signed = new Set(items.map((it) => `${it.start}:${it.end}`));
  const cut = cutShards(file.size, size);
  if (cut.length === signed.size && cut.every((k) => signed.has(k))) return undefined;
  const algorithm = items[0]!.algorithm;
  const signedSize = Math.max(0, ...items.map((it) => it.end ?? 0));
  const signedCut = cutShards(signedSize, size);
  if (signedSize !== file.size && signedCut.length === signed.size && signedCut.every((k) => signed.has(k)))
    return {
      kind: 'changed',
      path: file.path,
      algorithm,
      expected: `size ${signedSize}`,
      actual: `size ${file.size}`,
      detail: 'the file size differs from the signed shards',
    };
  const cutSet = new Set(cut);
  const list = (keys: string[]) =>
    keys.length === 0 ? 'none' : keys.slice(0, 3).join(', ') + (keys.length > 3 ? ` and ${keys.length - 3} more` : '');
  return {
    kind: 'changed',
    path: file.path,
    algorithm,
    expected: `shards ${list([...signed].filter((k) => !cutSet.has(k)))}`,
    actual: `shards ${list(cut.filter((k) => !signed.has(k)))}`,
    detail: `the signed shards do not cut this ${file.size}-byte file into ${size}-byte shards as model_signing does`,
  };
}

/** Node digest names the hasher computes (BLAKE2b is streamed here: the hasher's workers do not offer it). */
const HASHER_ALGORITHMS: Readonly<Record<string, DigestAlgorithm>> = {
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};

/** Which ignore list leaves `p` out of the model, and its entry that does (the first that matches, as `ignored`). */
function exclusionOf(
  p: string,
  own: readonly string[],
  defaults: readonly string[],
  globs: readonly string[],
): { by: 'signature' | 'default' | 'requirement'; entry: string } {
  const under = (i: string) => i === '.' || p === i || p.startsWith(`${i}/`);
  const entry = own.find(under);
  if (entry !== undefined) return { by: 'signature', entry };
  const byDefault = defaults.find(under);
  if (byDefault !== undefined) return { by: 'default', entry: byDefault };
  return { by: 'requirement', entry: globs.find((g) => picomatch(g, { dot: true })(p)) ?? globs[0]! };
}

/**
 * Paths excluded from the model. An ignore path of `.` (or `""`, `./`) is the model itself to model_signing:
 * hashing.py `add_ignored_paths` joins it to the model path (`os.path.join(model, ".")`, which pathlib reads as the
 * model), and `should_ignore`'s `is_relative_to` then holds for every file: nothing is hashed, and no signed file
 * can match.
 */
function ignoreMatcher(paths: readonly string[], globs: readonly string[]): (p: string) => boolean {
  const globMatch = globs.length > 0 ? picomatch([...globs], { dot: true }) : () => false;
  return (p) => paths.some((i) => i === '.' || p === i || p.startsWith(`${i}/`)) || globMatch(p);
}
