import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODEL_FORMATS, entryOf, formatFromName } from '../../discover/catalogue/index.js';
import { MAX_LOCKFILE_BYTES } from '../../deps/read.js';
import { isReferenceSource } from '../../refs/find.js';
import { POLICY_FILE_CANDIDATES } from '../../trust/policy/find.js';
import { listTree, type BlobCache, type SizedEntry, type TreeEntry } from './git.js';
import type { GitObjects } from './objects.js';

/** The kinds of file a review reads at a revision: what the package managers read. */
const REVIEW_KINDS: ReadonlySet<string> = new Set(['lockfile', 'manifest', 'config']);

/**
 * Lockfiles, manifests and package-manager configuration (by the catalogue), the trusted registry, and the policy
 * with what it names (`.chainproof/`): the base's copies judge a change that edits them.
 */
export function isReviewInput(p: string): boolean {
  const f = formatFromName(p);
  return (
    (f !== undefined && REVIEW_KINDS.has(entryOf(f).kind)) ||
    p.startsWith('trusted-registry/') ||
    p.startsWith('.chainproof/') ||
    POLICY_FILE_CANDIDATES.includes(p)
  );
}

export function isModelPath(p: string): boolean {
  const f = formatFromName(p);
  return f !== undefined && MODEL_FORMATS.has(f);
}

/** A revision laid out on disk: only its review inputs, at their repo-relative paths, in a private temp folder. */
export interface Snapshot {
  readonly root: string;
  /** Model-file paths at this revision with their git object ids. */
  readonly models: ReadonlyMap<string, string>;
  /** Submodule paths at this revision with the commit each records. */
  readonly submodules: ReadonlyMap<string, string>;
  /** Symbolic links at this revision with the blob (their target text) each records. */
  readonly symlinks: ReadonlyMap<string, string>;
  /** Every blob under the scan root at this revision, by path (its id: to copy what a change touched). */
  readonly entries: ReadonlyMap<string, TreeEntry>;
  /** Source and config files the model-reference finders read, with their git object ids. */
  readonly sources: ReadonlyMap<string, string>;
  /** The review's blob cache: what the snapshot read is served from it, not read again by another `git`. */
  readonly blobs: BlobCache;
  dispose(): Promise<void>;
}

/** A commit's blobs under the scan root and its submodules, before anything is read. */
export interface Listing {
  readonly entries: readonly TreeEntry[];
  readonly submodules: ReadonlyMap<string, string>;
  readonly symlinks: ReadonlyMap<string, string>;
}

export async function listCommit(git: GitObjects, commit: string): Promise<Listing> {
  const submodules = new Map<string, string>();
  const symlinks = new Map<string, string>();
  return { entries: await listTree(git, commit, submodules, symlinks), submodules, symlinks };
}

/** The blobs snapshotCommit reads: review inputs within the lockfile bound (a caller may read them ahead). */
export async function snapshotReads(blobs: BlobCache, listing: Listing): Promise<SizedEntry[]> {
  const inputs = await blobs.sized(listing.entries.filter((x) => isReviewInput(x.path)));
  return inputs.filter((x) => x.size <= MAX_LOCKFILE_BYTES);
}

/**
 * Write a commit's review inputs into a temp folder so the ordinary parsers read them exactly as `scan` does.
 * Paths come from git and are re-checked: nothing is written outside the folder (`..`, absolute paths).
 */
export async function snapshotCommit(blobs: BlobCache, listing: Listing): Promise<Snapshot> {
  const { entries, submodules, symlinks } = listing;
  const inputs = entries.filter((x) => isReviewInput(x.path));
  // An oversized input is still laid out (empty) so the parser reports it rather than the review skipping it.
  const read = await blobs.read(await snapshotReads(blobs, listing), MAX_LOCKFILE_BYTES);
  const root = await mkdtemp(path.join(tmpdir(), 'chainproof-review-'));
  try {
    for (const e of inputs) await writeEntry(root, e, read.get(e.oid) ?? Buffer.alloc(0));
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return {
    root,
    models: new Map(entries.filter((e) => isModelPath(e.path)).map((e) => [e.path, e.oid])),
    entries: new Map(entries.map((e) => [e.path, e])),
    submodules,
    symlinks,
    blobs,
    sources: new Map(entries.filter((e) => isReferenceSource(e.path)).map((e) => [e.path, e.oid])),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

async function writeEntry(root: string, e: TreeEntry, data: Buffer): Promise<void> {
  const target = path.resolve(root, ...e.path.split('/'));
  if (!target.startsWith(root + path.sep)) return;
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, data, { mode: 0o600 });
}
