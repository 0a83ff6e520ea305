import type { FileOpener } from '../core/file-source.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pushAll } from '../core/push-all.js';
import type { ScanContext } from '../core/context.js';
import { MODEL_FORMATS, type DiscoveredFile, type FileFormat } from '../core/files.js';
import type { Finding, Level } from '../core/finding.js';
import type { ModelRecord, VerificationRecord } from '../core/records.js';
import type { Stage, StageInput, StageOutput } from '../core/stage.js';
import { parseHfCachePath, type HfCachePath } from '../discover/hf-cache.js';
import { MAX_POINTER_BYTES, parseLfsPointer } from '../discover/lfs.js';
import type { DigestAlgorithm } from '../hash/algorithms.js';
import {
  checkModelFile,
  extraAlgorithmsFor,
  findMissing,
  indexRegistry,
  type RegistryIndex,
  type SnapshotPlace,
} from '../trust/registry/lookup.js';
import { familiesOf, judgeFormat, npyHeaderHasObjects } from './families.js';
import { tfjsWeightPaths } from './companions.js';
import * as F from './findings.js';
import { extensionMismatch } from './mismatch.js';
import { readHead } from './read-small.js';
import { fileKey } from '../core/package-key.js';

interface ModelFile {
  readonly file: DiscoveredFile;
  readonly format: FileFormat;
  readonly snapshot?: SnapshotPlace;
}

interface Collected {
  findings: Finding[];
  records: ModelRecord[];
  verifications: VerificationRecord[];
  /** Model files no registry entry matches, reported together per folder once every file is checked. */
  unknown: F.Subject[];
}

/**
 * The models stage: every model file (by detected format, plus LFS pointers and tfjs shards named by a manifest)
 * is hashed in the worker pool through the digest cache, recorded, and judged against the trusted registry and
 * the policy's format rules. Hugging Face cache blobs are checked against their own names.
 */
export const modelsStage: Stage = {
  name: 'models',
  run: runModelsStage,
  prefetch: prefetchModelDigests,
};

/** What the stage hashes, worked out once per scan (the prefetch and the run ask for the same list). */
interface HashPlan {
  readonly index: RegistryIndex;
  readonly models: readonly ModelFile[];
  readonly blobs: readonly { file: DiscoveredFile; hf: HfCachePath & { kind: 'blob' } }[];
}
const plans = new WeakMap<ScanContext, { files: readonly DiscoveredFile[]; plan: Promise<HashPlan> }>();

function hashPlan(input: StageInput, ctx: ScanContext): Promise<HashPlan> {
  const known = plans.get(ctx);
  if (known?.files === input.files) return known.plan;
  const plan = (async () => ({
    index: indexRegistry(ctx.registry),
    models: await selectModels(input.files, ctx.files),
    blobs: input.files.flatMap((f) => {
      const hf = parseHfCachePath(f.path);
      return hf?.kind === 'blob' ? [{ file: f, hf }] : [];
    }),
  }))();
  plans.set(ctx, { files: input.files, plan });
  return plan;
}

const algorithmsFor = (index: RegistryIndex, m: ModelFile): DigestAlgorithm[] => [
  'sha256',
  ...extraAlgorithmsFor(index, m.file.path, m.snapshot),
];

/**
 * Start hashing every model file as soon as the walk is done, so the reads run in the workers while the stages
 * before this one (lockfiles, the registry) and the loading of the later ones use the main thread. The run asks
 * the scan's hasher for the same digests and gets these reads.
 */
async function prefetchModelDigests(input: StageInput, ctx: ScanContext): Promise<void> {
  const { index, models, blobs } = await hashPlan(input, ctx);
  for (const m of models)
    if (m.format !== 'lfs-pointer')
      void ctx.digests.hash({ abs: m.file.abs, identity: m.file, algorithms: algorithmsFor(index, m) });
  for (const b of blobs) void ctx.digests.hash({ abs: b.file.abs, identity: b.file, algorithms: [b.hf.algorithm] });
  // The next stages' prefetch compiles their code on this thread: the workers must have the files first.
  await ctx.digests.started();
}

export async function runModelsStage(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
  const out: Collected = { findings: [], records: [], verifications: [], unknown: [] };
  for (const f of input.files) {
    const m = extensionMismatch(f);
    if (m) out.findings.push(m);
  }
  const { index, models, blobs } = await hashPlan(input, ctx);
  ctx.progress.start('models', models.length + blobs.length);
  try {
    await Promise.all([
      ...models.map(async (m) => {
        await checkModel(m, index, ctx, out);
        ctx.progress.tick();
      }),
      ...blobs.map(async (b) => {
        await checkBlob(b.file, b.hf, ctx, out);
        ctx.progress.tick();
      }),
    ]);
  } finally {
    ctx.progress.done();
  }
  const level = ctx.policy.models.unknownModel;
  if (level !== 'off')
    pushAll(out.findings, unknownModelFindings(out.unknown, level, ctx.registry.models.length === 0));
  const snapshotDirs = new Map<string, string[]>();
  for (const f of input.files) {
    const hf = parseHfCachePath(f.path);
    if (hf?.kind !== 'snapshot') continue;
    const key = `${hf.repoId}@${hf.revision}`;
    const list = snapshotDirs.get(key) ?? [];
    if (!list.includes(hf.snapshotDir)) list.push(hf.snapshotDir);
    snapshotDirs.set(key, list);
  }
  // A listed file the walk left out by choice (--exclude, --include, node_modules) or could not read (its own CPX
  // finding says why) is not missing.
  const unscanned = new Set(input.skipped.map((s) => s.path));
  for (const { artifact, spec } of findMissing(
    index,
    input.files.map((f) => f.path),
    snapshotDirs,
  ))
    if (!unscanned.has(spec.path) && ctx.leftOut?.(spec.path) !== true)
      out.findings.push(F.missingFile(artifact, spec));
  return { findings: out.findings, models: out.records, verifications: out.verifications };
}

/** Model files by detected format, LFS pointers, and raw weight shards a tfjs manifest names. HF blobs are excluded:
 *  their snapshot links are the paths a loader opens, and the blobs are checked against their own names. */
async function selectModels(files: readonly DiscoveredFile[], opener: FileOpener): Promise<ModelFile[]> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const shards = new Set<string>();
  for (const f of files) {
    if (f.format !== 'tfjs-manifest') continue;
    for (const p of await tfjsWeightPaths(opener, f)) if (byPath.get(p)?.format === 'other') shards.add(p);
  }
  const out: ModelFile[] = [];
  for (const f of files) {
    const format: FileFormat = shards.has(f.path) ? 'tfjs-weights' : f.format;
    if (!MODEL_FORMATS.has(format) && format !== 'lfs-pointer') continue;
    const hf = parseHfCachePath(f.path);
    if (hf?.kind === 'blob') continue;
    const snapshot = hf?.kind === 'snapshot' ? { repoId: hf.repoId, revision: hf.revision, file: hf.file } : undefined;
    out.push({ file: f, format, ...(snapshot ? { snapshot } : {}) });
  }
  return out;
}

async function checkModel(m: ModelFile, index: RegistryIndex, ctx: ScanContext, out: Collected): Promise<void> {
  const { file } = m;
  const subject = { path: file.path, format: m.format };
  if (m.format === 'lfs-pointer') return checkPointer(m, index, ctx, out);

  const res = await ctx.digests.hash({ abs: file.abs, identity: file, algorithms: algorithmsFor(index, m) });
  if (!res.ok) {
    out.findings.push(F.notHashed(subject, res.code));
    out.records.push({ path: file.path, format: m.format, size: file.size, digests: {} });
    out.verifications.push({ key: fileKey(file.path), status: 'unverifiable', detail: `not hashed: ${res.code}` });
    return;
  }
  const sha256 = res.digests.sha256!;
  const s = { ...subject, sha256 };
  const objectArrays =
    m.format === 'numpy'
      ? npyHeaderHasObjects(await readHead(ctx.files, file, 4096).catch(() => Buffer.alloc(0)))
      : false;
  judgePolicy(s, familiesOf(m.format, { objectArrays }), ctx, out);
  const verdict = checkModelFile(index, {
    path: file.path,
    size: file.size,
    sha256,
    ...(res.digests.sha512 !== undefined ? { sha512: res.digests.sha512 } : {}),
    ...(m.snapshot ? { snapshot: m.snapshot } : {}),
  });
  const digests: Record<string, string> = { ...res.digests };
  record(verdict, s, file.size, digests, undefined, out, false);
}

async function checkPointer(m: ModelFile, index: RegistryIndex, ctx: ScanContext, out: Collected): Promise<void> {
  const { file } = m;
  let bytes: Buffer;
  try {
    bytes = await ctx.limit(() => readHead(ctx.files, file, MAX_POINTER_BYTES + 1));
  } catch (err) {
    out.findings.push(F.notHashed({ path: file.path, format: m.format }, errCode(err)));
    out.records.push({ path: file.path, format: m.format, size: file.size, digests: {} });
    return;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const s = { path: file.path, format: m.format, sha256 };
  const ptr = parseLfsPointer(bytes);
  if (!ptr.ok) {
    out.findings.push(F.malformedPointer(s, ptr.reason));
    out.records.push({ path: file.path, format: m.format, size: file.size, digests: { sha256 } });
    out.verifications.push({ key: fileKey(file.path), status: 'unverifiable', detail: 'malformed LFS pointer' });
    return;
  }
  // The pointer stands for the file it names: policy judges the format the name claims.
  if (file.claimed !== undefined && MODEL_FORMATS.has(file.claimed))
    judgePolicy({ ...s, format: file.claimed }, familiesOf(file.claimed), ctx, out);
  const verdict = checkModelFile(index, {
    path: file.path,
    size: ptr.size,
    sha256: ptr.oid,
    ...(m.snapshot ? { snapshot: m.snapshot } : {}),
  });
  record(verdict, { ...s, sha256: ptr.oid }, file.size, { sha256 }, { oid: ptr.oid, size: ptr.size }, out, true);
}

function record(
  verdict: ReturnType<typeof checkModelFile>,
  s: F.Subject & { sha256: string },
  size: number,
  digests: Record<string, string>,
  lfs: { oid: string; size: number } | undefined,
  out: Collected,
  isPointer: boolean,
): void {
  const key = fileKey(s.path);
  let registryEntry: string | undefined;
  switch (verdict.kind) {
    case 'revoked':
      out.findings.push(F.revokedModel(s, verdict.entry));
      out.verifications.push({ key, status: 'failed', detail: 'revoked' });
      break;
    case 'match':
      registryEntry = `${verdict.artifact.name}@${verdict.artifact.revision}`;
      out.verifications.push({ key, status: 'verified', detail: `trusted registry: ${registryEntry}` });
      break;
    case 'mismatch':
      out.findings.push(
        F.digestMismatch(
          s,
          verdict.artifact,
          verdict.spec,
          verdict.field,
          verdict.expected,
          verdict.actual,
          isPointer,
          lfs?.size ?? size,
        ),
      );
      out.verifications.push({ key, status: 'failed', detail: `${verdict.field} mismatch` });
      break;
    case 'unknown': {
      out.unknown.push(s);
      // Nothing to check the file against: a signature that verifies it says more (pipeline.ts mergeVerification).
      out.verifications.push({ key, status: 'unverifiable', detail: 'no trusted-registry entry', fallback: true });
      break;
    }
  }
  out.records.push({
    path: s.path,
    format: isPointer ? 'lfs-pointer' : s.format,
    size,
    digests,
    ...(registryEntry !== undefined ? { registryEntry } : {}),
    ...(lfs ? { lfs } : {}),
  });
}

/**
 * CPM001 once per cause: unknown model files that share a folder are one finding at the folder (a 300-shard
 * checkpoint gave 300 notes, 1,200 lines of text output around the one finding that mattered); a file alone in its
 * folder, or at the repository root, keeps its own. With no model entry in the trusted registry at all, every model
 * file is unknown for that one reason: one finding with the count (27 notes, one per file of a folder of unrelated
 * models, said the same thing 27 times).
 */
function unknownModelFindings(unknown: readonly F.Subject[], level: Level, noEntries: boolean): Finding[] {
  const sorted = [...unknown].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (noEntries && sorted.length > 1) return [F.unknownModelsWithoutRegistry(sorted, level)];
  const byFolder = new Map<string, F.Subject[]>();
  for (const s of sorted) {
    const folder = path.posix.dirname(s.path);
    const list = byFolder.get(folder);
    if (list) list.push(s);
    else byFolder.set(folder, [s]);
  }
  return [...byFolder].flatMap(([folder, files]) =>
    folder === '.' || files.length < 2
      ? files.map((s) => F.unknownModel(s, level))
      : [F.unknownModelsInFolder(folder, files, level)],
  );
}

function judgePolicy(s: F.Subject, families: readonly string[], ctx: ScanContext, out: Collected): void {
  const { allowedFormats, forbiddenFormats } = ctx.policy.models;
  const v = judgeFormat(families, allowedFormats, forbiddenFormats);
  if (!v.allowed) out.findings.push(F.forbiddenFormat(s, v.why, v.rule));
}

async function checkBlob(
  file: DiscoveredFile,
  hf: HfCachePath & { kind: 'blob' },
  ctx: ScanContext,
  out: Collected,
): Promise<void> {
  const res = await ctx.digests.hash({ abs: file.abs, identity: file, algorithms: [hf.algorithm] });
  const subject = { path: file.path, format: file.format };
  if (!res.ok) {
    out.findings.push(F.notHashed(subject, res.code));
    return;
  }
  const actual = res.digests[hf.algorithm]!;
  if (actual !== hf.hash)
    out.findings.push(
      F.blobMismatch(
        { ...subject, ...(hf.algorithm === 'sha256' ? { sha256: actual } : {}) },
        hf.algorithm,
        hf.hash,
        actual,
      ),
    );
}

function errCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'EIO';
}
