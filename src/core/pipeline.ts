import type { ScanContext } from './context.js';
import type { DiscoveredFile, SkippedFile } from './files.js';
import type { Finding } from './finding.js';
import { applyPolicy } from './apply-policy.js';
import type {
  DependencyGraph,
  ModelRecord,
  ModelReference,
  VerificationRecord,
  VerificationStatus,
} from './records.js';
import { countByLevel, type ScanResult } from './result.js';
import type { Notification, Stage, StageInput } from './stage.js';
import { ChainproofError, errorMessage } from './errors.js';
import { stageFailure } from './stage-failure.js';
import { inShard } from './shard.js';
import { pushAll } from './push-all.js';
import { packageKey, recordShardKey } from './package-key.js';

export interface PipelineInput {
  readonly files: readonly DiscoveredFile[];
  readonly skipped: readonly SkippedFile[];
  readonly findings: readonly Finding[];
  readonly notifications: readonly Notification[];
}

/**
 * Run the stages in order. A stage that throws a ChainproofError stops the job (config/operational);
 * any other throw is an internal error of that stage: it is recorded as a CPX020 error finding listing what the
 * stage would have covered, the later stages still run (so every report can be written), and the result is marked
 * incomplete, which the CLI and the Action turn into exit 4 whatever `--fail-on` says. A crash is never a pass.
 */
export async function runPipeline(
  stages: readonly Stage[],
  start: PipelineInput,
  ctx: ScanContext,
  today: string = new Date().toISOString().slice(0, 10),
): Promise<ScanResult> {
  const findings: Finding[] = pushAll([], start.findings);
  const notifications: Notification[] = pushAll([], start.notifications);
  const graphs: DependencyGraph[] = [];
  const models: ModelRecord[] = [];
  const modelIndex = new Map<string, number>();
  const verifications = new Map<string, VerificationRecord>();
  const references: ModelReference[] = [];
  let complete = true;
  const failClosed: string[] = [];

  // Model files start into the hasher and later stages' code loads while the first stages run.
  const prefetched = prefetchStages(
    stages,
    { files: start.files, skipped: start.skipped, graphs: [], models: [] },
    ctx,
  );
  for (const stage of stages) {
    if (ctx.signal.aborted) throw new ChainproofError('OPERATIONAL', 'scan aborted');
    const input: StageInput = { files: start.files, skipped: start.skipped, graphs, models };
    try {
      const out = await stage.run(input, ctx);
      pushAll(findings, out.findings);
      pushAll(graphs, out.graphs);
      mergeModels(models, modelIndex, out.models ?? []);
      pushAll(notifications, out.notifications);
      for (const v of out.verifications ?? []) mergeVerification(verifications, v);
      for (const r of out.references ?? []) references.push(r);
      if (out.failClosed !== undefined) failClosed.push(out.failClosed);
      ctx.afterStage?.();
    } catch (err) {
      if (err instanceof ChainproofError) throw err;
      complete = false;
      ctx.logger.warn(`stage ${stage.name} failed: ${errorMessage(err)}`);
      const failure = stageFailure(stage, input, err);
      notifications.push({ level: 'error', message: failure.message, ruleId: failure.ruleId });
      findings.push(failure);
    }
  }

  await prefetched;
  const shard = ctx.options.shard;
  const mine = shard ? (f: Finding) => inShard(shardKeyOf(f), shard) : undefined;
  const { findings: resolved, suppressed } = applyPolicy(findings, ctx.policy, today, mine);
  const byLevel = countByLevel(resolved);
  const vs = [...verifications.values()]
    .filter((v) => !shard || inShard(recordShardKey(v.key), shard))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(reported);
  const count = (s: VerificationStatus) => vs.filter((v) => v.status === s).length;
  const sortedModels = [...models]
    .filter((m) => !shard || inShard(m.path, shard))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const sortedGraphs = [...graphs].sort((a, b) => (a.lockfile < b.lockfile ? -1 : a.lockfile > b.lockfile ? 1 : 0));
  // The findings are resolved and sorted: what the stages allocated for them can go before reports are written.
  ctx.afterStage?.(true);

  return {
    findings: resolved,
    suppressed,
    files: start.files,
    skipped: start.skipped,
    graphs: sortedGraphs,
    models: sortedModels,
    verifications: vs,
    ...(references.length > 0
      ? {
          references: references.sort((a, b) =>
            a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column,
          ),
        }
      : {}),
    notifications: sortNotifications(notifications),
    summary: {
      files: shard ? start.files.filter((f) => inShard(f.path, shard)).length : start.files.length,
      lockfiles: sortedGraphs.length,
      packages: sortedGraphs.reduce((n, g) => n + g.packages.length, 0),
      models: sortedModels.length,
      verified: count('verified'),
      failed: count('failed'),
      unverifiable: count('unverifiable'),
      byLevel,
      suppressed: suppressed.length,
    },
    policySource: ctx.policy.source,
    registryFiles: ctx.registry.files,
    ...(ctx.options.shard ? { shard: ctx.options.shard } : {}),
    complete,
    ...(failClosed.length > 0 ? { failClosed } : {}),
  };
}

/** Notifications in report order: by path (none first), then message. */
export function sortNotifications(notifications: readonly Notification[]): Notification[] {
  return [...notifications].sort((a, b) =>
    (a.path ?? '') < (b.path ?? '') ? -1 : (a.path ?? '') > (b.path ?? '') ? 1 : a.message < b.message ? -1 : 1,
  );
}

/** Later stages may enrich a model record (e.g. add a digest); merge by path. An index keeps this linear. */
function mergeModels(into: ModelRecord[], index: Map<string, number>, add: readonly ModelRecord[]): void {
  for (const m of add) {
    const i = index.get(m.path);
    if (i === undefined) {
      index.set(m.path, into.length);
      into.push(m);
    } else {
      const old = into[i]!;
      into[i] = { ...old, ...m, digests: { ...old.digests, ...m.digests } };
    }
  }
}

const STATUS_RANK: Record<VerificationStatus, number> = { verified: 0, unverifiable: 1, failed: 2 };

/**
 * Worst outcome wins: failed > unverifiable > verified. A fallback record (no check applied) yields to a signature
 * by a signer the policy names (`signerPinned`): a model file the registry does not list but such a signer signed
 * is verified, not unverifiable. A signature any identity could have made is no such check: worst wins.
 */
function mergeVerification(into: Map<string, VerificationRecord>, v: VerificationRecord): void {
  const old = into.get(v.key);
  if (old === undefined || (old.fallback && v.signerPinned)) into.set(v.key, v);
  else if (v.fallback && old.signerPinned) return;
  else if (STATUS_RANK[v.status] > STATUS_RANK[old.status]) into.set(v.key, v);
}

/** The record as reports show it: `fallback` and `signerPinned` are the merge's, no part of the output's shape. */
const reported = (v: VerificationRecord): VerificationRecord =>
  v.fallback || v.signerPinned
    ? { key: v.key, status: v.status, ...(v.detail === undefined ? {} : { detail: v.detail }) }
    : v;

/**
 * Sharding partitions results, not the walk: every job sees the whole tree (a signature over a folder or a
 * lockfile needs all of it), and each finding belongs to exactly one shard by a content key. Stages may skip work
 * for keys outside `ctx.options.shard` as an optimisation, using the same keys.
 */
export /** Each stage's prefetch in stage order, so the earliest stage's slow work starts first; never rejects. */
async function prefetchStages(stages: readonly Stage[], input: StageInput, ctx: ScanContext): Promise<void> {
  for (const stage of stages) {
    if (ctx.signal.aborted) return;
    await stage.prefetch?.(input, ctx).catch((err: unknown) => {
      ctx.logger.debug(`stage ${stage.name}: prefetch failed, the stage does the work itself: ${errorMessage(err)}`);
    });
  }
}

function shardKeyOf(f: Finding): string {
  if (f.artifact?.kind === 'package') return packageKey(f.artifact.ecosystem, f.artifact.name, f.artifact.version);
  return f.location.path;
}
