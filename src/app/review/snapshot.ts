import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODEL_FORMATS, entryOf, formatFromName } from '../../discover/catalogue/index.js';
import { MAX_LOCKFILE_BYTES } from '../../deps/read.js';
import { isReferenceSource } from '../../refs/find.js';
import { POLICY_FILE_CANDIDATES } from '../../trust/policy/find.js';
import { listTree, type BlobCache, type SizedEntry, type TreeEntry } from './git.js';
import type { GitObjects } from './objects.js';
import { isPatchFile } from './dependency-patches.js';
import { installNames, isDefaultPnpmfile, readsInstallCommands, isRequirementsName, namedBy } from './named-inputs.js';
import { installTree, type InstallTree } from '../../deps/parsers/python/install-requirements.js';

/** The kinds of file a review reads at a revision: what the package managers read. */
const REVIEW_KINDS: ReadonlySet<string> = new Set(['lockfile', 'manifest', 'config']);

/**
 * Settings the scan stages read beside a lockfile by name, though the catalogue lists no format for them: without
 * them in the snapshot both revisions were scanned as if they were absent. pnpm 10+ takes its build settings,
 * overrides and pnpmfile from pnpm-workspace.yaml (@pnpm/config `getConfig`), Bun its registries from bunfig.toml,
 * Poetry its certificate settings from poetry.toml.
 */
const SETTINGS_BESIDE_LOCKFILES: ReadonlySet<string> = new Set(['pnpm-workspace.yaml', 'bunfig.toml', 'poetry.toml']);

/**
 * Lockfiles, manifests and package-manager configuration (by the catalogue), the trusted registry, and the policy
 * with what it names (`.chainproof/`): the base's copies judge a change that edits them.
 */
export function isReviewInput(p: string): boolean {
  const f = formatFromName(p);
  return (
    (f !== undefined && REVIEW_KINDS.has(entryOf(f).kind)) ||
    (SETTINGS_BESIDE_LOCKFILES.has(p.slice(p.lastIndexOf('/') + 1)) && !p.split('/').includes('node_modules')) ||
    // pnpm requires it on every install (CPD167): the head scan must see one the change adds.
    (isDefaultPnpmfile(p) && !p.split('/').includes('node_modules')) ||
    // The patches pnpm and yarn apply to dependencies: the head scan reads them for added install scripts (CPD024).
    isPatchFile(p) ||
    // Dockerfiles, workflows, scripts and tox/nox files, whose install commands the Python dependency stage reads:
    // the work tree's were read at the head and none at the base, so each `pip install git+…` already there was
    // reported as introduced by every change (and failed every --gate).
    (readsInstallCommands(p) && !p.split('/').includes('node_modules')) ||
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
  const named = await readNamed(blobs, entries, inputs, read);
  inputs.push(...named);
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

/** Bounds on the files inputs name (named-inputs.ts): pip nests includes; nothing real comes near these. */
const MAX_NAMED_FILES = 256;
const MAX_NAMED_DEPTH = 16;

/**
 * The files the inputs name by path under any name — a requirements file's `-r deps/extra.txt`, the pnpmfile
 * `.npmrc` names — and what those name in turn, read into `read`; the entries to lay out besides the inputs.
 */
async function readNamed(
  blobs: BlobCache,
  entries: readonly TreeEntry[],
  inputs: readonly TreeEntry[],
  read: Map<string, Buffer>,
): Promise<TreeEntry[]> {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  let tree: InstallTree | undefined;
  const seen = new Set(inputs.map((e) => e.path));
  const out: TreeEntry[] = [];
  let level = inputs.map((e) => ({ e, requirements: isRequirementsName(e.path) }));
  for (let depth = 0; depth < MAX_NAMED_DEPTH && level.length > 0; depth++) {
    const next: typeof level = [];
    for (const { e, requirements } of level) {
      const bytes = read.get(e.oid);
      if (bytes === undefined) continue;
      const text = bytes.toString('utf8');
      // An install file names its files as the Python dependency stage locates them (also by base name).
      const names = readsInstallCommands(e.path)
        ? installNames(e.path, text, (tree ??= installTree(byPath.keys())))
        : namedBy(e.path, text, requirements);
      for (const n of names) {
        const hit = byPath.get(n.path);
        if (!hit || seen.has(n.path) || out.length >= MAX_NAMED_FILES) continue;
        seen.add(n.path);
        out.push(hit);
        next.push({ e: hit, requirements: n.kind === 'requirements' });
      }
    }
    const sized = (await blobs.sized(next.map((x) => x.e))).filter((x) => x.size <= MAX_LOCKFILE_BYTES);
    for (const [oid, bytes] of await blobs.read(sized, MAX_LOCKFILE_BYTES)) read.set(oid, bytes);
    level = next;
  }
  return out;
}

async function writeEntry(root: string, e: TreeEntry, data: Buffer): Promise<void> {
  const target = path.resolve(root, ...e.path.split('/'));
  if (!target.startsWith(root + path.sep)) return;
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, data, { mode: 0o600 });
}
