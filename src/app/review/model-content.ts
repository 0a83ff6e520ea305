import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger, ScanOptions } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { MODEL_FORMATS } from '../../core/files.js';
import type { Finding, ResolvedFinding } from '../../core/finding.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import type { Policy } from '../../core/policy.js';
import type { ModelRecord } from '../../core/records.js';
import type { TrustedRegistry } from '../../core/trusted-registry.js';
import { extensionMismatch } from '../../models/mismatch.js';
import { isReferenceSource } from '../../refs/find.js';
import { scanRepository } from '../scan.js';
import { STAGES } from '../stages.js';
import { hashWorkingFiles, type BlobCache, type SizedEntry, type TreeEntry } from './git.js';
import { MAX_POINTER_BYTES, parseLfsPointer } from '../../discover/lfs.js';
import { DEFAULT_SKIP_DIRS, leftOutBy } from '../../discover/walk.js';
import { isModelPath, isReviewInput } from './snapshot.js';
import { disguisedModels } from './sniff-blobs.js';

/** Blobs a review copies out of git to inspect, per run: past either bound the rest is reported, not read. */
export const MAX_INSPECT_FILES = 2000;
export const MAX_INSPECT_BYTES = 8 * 1024 ** 3;

/** The scan's own model stages: hash and judge against the trusted registry, then inspect the content. */
const CONTENT_STAGES = STAGES.filter((s) => s.name === 'models' || s.name === 'inspect');

export interface ModelContent {
  /** Findings the scan makes on the files the change added or changed, at the head revision. */
  readonly findings: readonly ResolvedFinding[];
  /** Changed paths the scan's content tests call a model (or an LFS pointer, or a model behind another name). */
  readonly models: ReadonlyMap<string, string>;
  /** Changed model paths whose head bytes (or LFS object) match a trusted-registry entry. */
  readonly vouched: ReadonlySet<string>;
  /** CPU017 (bounds) and CPU018 (LFS objects): what the review could not inspect. */
  readonly notInspected: readonly Finding[];
}

export interface ModelContentRequest {
  readonly dir: string;
  /** The review's blob cache (the snapshots' reads): blobs it holds are not read again. */
  readonly blobs: BlobCache;
  readonly base: ReadonlyMap<string, TreeEntry>;
  /** Head blobs of a commit; undefined = the working tree, whose files the head scan walked. */
  readonly head: ReadonlyMap<string, TreeEntry> | undefined;
  readonly headFiles: readonly DiscoveredFile[];
  readonly policy: Policy;
  readonly registry: TrustedRegistry;
  readonly options: ScanOptions;
  /** The review's `include` / `exclude` globs: a changed file they leave out is not inspected, as the walk skips it. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly logger: Logger;
  readonly today?: string;
}

/** A file the scan would treat as a model: by content, by name, or a model hiding behind another name. */
function looksLikeModel(f: DiscoveredFile): boolean {
  return (
    MODEL_FORMATS.has(f.format) ||
    f.format === 'lfs-pointer' ||
    (f.claimed !== undefined && MODEL_FORMATS.has(f.claimed)) ||
    extensionMismatch(f) !== undefined
  );
}

/**
 * What the files a change added or changed ARE, judged by the same models and inspect stages as `scan` (content
 * tests, registry digests, pickle opcodes — never executed). Without this a review compared model paths by git
 * object id only: a pickle under a `.safetensors` name, or a new `pytorch_model.bin`, passed every gate.
 * Commit heads are copied out of git (streamed, bounded); a working-tree head is read in place.
 */
export async function inspectChangedContent(req: ModelContentRequest): Promise<ModelContent> {
  const changed =
    req.head !== undefined
      ? await changedCommitBlobs(req.blobs, req.base, req.head, skippedByWalk(req))
      : await changedWorkingFiles(req);
  const { take, skipped } = bounded(changed);
  const notInspected = skipped.length > 0 ? [notInspectedFinding(skipped)] : [];
  if (take.length === 0) return { findings: [], models: new Map(), vouched: new Set(), notInspected };
  const tmp = req.head !== undefined ? await mkdtemp(path.join(tmpdir(), 'chainproof-review-models-')) : undefined;
  try {
    if (tmp !== undefined) {
      for (const e of take) {
        const target = path.resolve(tmp, ...e.path.split('/'));
        if (!target.startsWith(tmp + path.sep)) continue;
        await mkdir(path.dirname(target), { recursive: true });
        await req.blobs.git.writeBlob(e.oid, target);
      }
    }
    const paths = new Set(take.map((e) => e.path));
    const scan = await scanRepository({
      root: tmp ?? req.dir,
      policy: req.policy,
      registry: req.registry,
      options: req.options,
      // Exact paths, glob characters escaped: only the changed files are walked.
      include: [...paths].map(escapeGlob),
      exclude: [],
      logger: req.logger,
      stages: CONTENT_STAGES,
      ...(req.today !== undefined ? { today: req.today } : {}),
    });
    const ids = new Map(take.map((e) => [e.path, e.oid]));
    const models = new Map<string, string>();
    for (const f of scan.files) if (paths.has(f.path) && looksLikeModel(f)) models.set(f.path, ids.get(f.path) ?? '');
    // Registry entries for files elsewhere are the scan's business, not this change's.
    const findings = scan.findings.filter((f) => paths.has(f.location.path) && models.has(f.location.path));
    const pointers = await unreviewedPointers(req, scan.models, paths);
    const vouched = new Set(scan.models.filter((m) => m.registryEntry !== undefined).map((m) => m.path));
    return { findings, models, vouched, notInspected: [...notInspected, ...pointers] };
  } finally {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }
}

/** The walk's own skipping with the review's globs (the working-tree head's files come from a walk that applied it). */
const skippedByWalk = (req: ModelContentRequest) =>
  leftOutBy({ include: req.include, exclude: req.exclude, skipDirs: DEFAULT_SKIP_DIRS });

/**
 * Head blobs that are new or whose object id moved. Lockfiles, configs and sources (read elsewhere) are taken only
 * when their first bytes are a model: a pickle named `train.py` must be inspected as the working-tree walk would.
 */
async function changedCommitBlobs(
  blobs: BlobCache,
  base: ReadonlyMap<string, TreeEntry>,
  head: ReadonlyMap<string, TreeEntry>,
  skipped: (p: string) => boolean,
): Promise<SizedEntry[]> {
  // What the walk leaves out (node_modules, e.g. a committed `.yarn/unplugged/…/node_modules/`) the scan below would
  // not read either: asked for by name, each one was logged as an include glob that matches no file.
  const walked = (p: string) => !skipped(p);
  const changed = await blobs.sized(
    [...head.values()].filter((e) => base.get(e.path)?.oid !== e.oid && walked(e.path)),
  );
  const out: SizedEntry[] = [];
  const textual: SizedEntry[] = [];
  for (const e of changed) {
    if (!isModelPath(e.path) && (isReviewInput(e.path) || isReferenceSource(e.path))) textual.push(e);
    else out.push(e);
  }
  for (const e of await disguisedModels(blobs, textual)) out.push(e);
  return out;
}

/** Working tree: the files the head walk already sniffed as models, whose would-be object id differs from base. */
async function changedWorkingFiles(req: ModelContentRequest): Promise<SizedEntry[]> {
  const files = req.headFiles.filter(looksLikeModel);
  if (files.length === 0) return [];
  const ids = await hashWorkingFiles(
    req.dir,
    files.map((f) => f.path),
  );
  return files
    .filter((f) => req.base.get(f.path)?.oid !== ids.get(f.path))
    .map((f) => ({ path: f.path, mode: '100644', oid: ids.get(f.path) ?? '', size: f.size }));
}

function bounded(entries: readonly SizedEntry[]): { take: SizedEntry[]; skipped: SizedEntry[] } {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const take: SizedEntry[] = [];
  const skipped: SizedEntry[] = [];
  let bytes = 0;
  for (const e of sorted) {
    if (take.length >= MAX_INSPECT_FILES || bytes + e.size > MAX_INSPECT_BYTES) skipped.push(e);
    else {
      take.push(e);
      bytes += e.size;
    }
  }
  return { take, skipped };
}

function notInspectedFinding(skipped: readonly TreeEntry[]): Finding {
  const list = skipped.map((e) => e.path);
  return {
    ruleId: 'CPU017',
    message: `${list.length} changed file(s) were not inspected: the review reads at most ${MAX_INSPECT_FILES} changed files and ${MAX_INSPECT_BYTES / 1024 ** 3} GiB per run (first: ${list[0] ?? ''}). Scan the head revision with \`chainproof scan\` before merging.`,
    location: { path: list[0] ?? '.' },
    evidence: { count: list.length, files: list.slice(0, 50).join(' ') },
    // The other files are places of the same cause: their count and names stay out of its fingerprint.
    related: list.slice(1, MAX_RELATED + 1).map((p) => ({ path: p })),
  };
}

/** picomatch treats these as glob syntax; a backslash makes each literal (POSIX paths from git never hold one). */
function escapeGlob(p: string): string {
  return p.replace(/[\\*?[\]{}()!+@]/g, '\\$&');
}

/**
 * CPU018: an LFS pointer the change added or moved whose object no trusted-registry entry names. The weights are
 * not in the repository, so their content was not inspected; the pointer digests are compared, and only a registry
 * entry (reviewed by its owners) vouches for the new object.
 */
async function unreviewedPointers(
  req: ModelContentRequest,
  records: readonly ModelRecord[],
  paths: ReadonlySet<string>,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const m of records) {
    if (m.lfs === undefined || !paths.has(m.path) || m.registryEntry !== undefined) continue;
    const at = req.base.get(m.path);
    const [before] = at !== undefined ? await req.blobs.sized([at]) : [];
    const old =
      before !== undefined && before.size <= MAX_POINTER_BYTES
        ? parseLfsPointer(await req.blobs.one(before.oid, MAX_POINTER_BYTES).catch(() => ''))
        : undefined;
    const from =
      old?.ok === true ? `sha256:${old.oid}` : before !== undefined ? 'a file that is not an LFS pointer' : 'nothing';
    out.push({
      ruleId: 'CPU018',
      message: `${m.path} is a Git LFS pointer the change ${before !== undefined ? 'moved' : 'added'} (${from} → sha256:${m.lfs.oid}, ${m.lfs.size} bytes): the weights are not in the repository, so their content was not inspected, and no trusted-registry entry names the new object. Fetch and scan it (\`git lfs pull\`, \`chainproof scan\`), then record it with \`chainproof registry add\`.`,
      location: { path: m.path },
      artifact: { kind: 'model', path: m.path },
      evidence: { before: from, after: `sha256:${m.lfs.oid}`, size: m.lfs.size },
    });
  }
  return out;
}
