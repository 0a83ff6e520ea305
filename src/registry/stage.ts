import type { ScanContext } from '../core/context.js';
import { OperationalError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { DependencyGraph, PackageNode, VerificationRecord } from '../core/records.js';
import { inShard } from '../core/shard.js';
import type { Stage, StageInput, StageOutput } from '../core/stage.js';
import { checkPackage, type PackageVerdict } from './check.js';
import { RegistryClient } from './client.js';
import { loadRegistryConfig, registryForPackage } from './config.js';
import type { Redactor } from './redact.js';
import { RegistrySources } from './sources.js';
import { DEFAULT_TARBALL_BOUNDS, type TarballBounds } from './tarball.js';
import { pushAll } from '../core/push-all.js';

export interface RegistryStageOptions {
  /** Per-attempt request timeout. */
  readonly timeoutMs: number;
  /** Retries after the first attempt (network errors, 5xx), with exponential back-off. */
  readonly retries: number;
  readonly minRetryDelayMs: number;
  readonly maxJsonBytes: number;
  readonly tarballBounds: TarballBounds;
}

export const DEFAULT_REGISTRY_STAGE_OPTIONS: RegistryStageOptions = {
  timeoutMs: 30_000,
  retries: 2,
  minRetryDelayMs: 500,
  maxJsonBytes: 128 * 1024 * 1024,
  tarballBounds: DEFAULT_TARBALL_BOUNDS,
};

/**
 * Verify every registry package of every lockfile against its registry. Tests pass short timeouts; the CLI uses
 * `registryStage`.
 */
export function createRegistryStage(overrides: Partial<RegistryStageOptions> = {}): Stage {
  const opts = { ...DEFAULT_REGISTRY_STAGE_OPTIONS, ...overrides };
  return { name: 'registry', run: (input, ctx) => runRegistryStage(input, ctx, opts) };
}

export const registryStage: Stage = createRegistryStage();

async function runRegistryStage(input: StageInput, ctx: ScanContext, opts: RegistryStageOptions): Promise<StageOutput> {
  const work = registryPackages(input.graphs, ctx);
  if (work.length === 0) return {};
  const config = await loadRegistryConfig({ root: ctx.root, env: ctx.options.env, override: ctx.options.registry });
  // Loaded once with the rest of the trust material (app/trust.ts); no config I/O in a stage.
  const trustedRoot = ctx.trust.sigstore.root;
  const client = new RegistryClient({
    config,
    cacheDir: ctx.options.cacheDir,
    offline: ctx.options.offline,
    concurrency: ctx.options.concurrency,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    minRetryDelayMs: opts.minRetryDelayMs,
    maxJsonBytes: opts.maxJsonBytes,
    signal: ctx.signal,
  });
  const sources = new RegistrySources(
    client,
    trustedRoot,
    {
      tlogThreshold: ctx.policy.signatures.tlogThreshold,
      timestampThreshold: ctx.policy.signatures.timestampThreshold,
    },
    opts.tarballBounds,
  );
  const settings = { config, policy: ctx.policy, verifyTarballs: ctx.options.verifyTarballs };

  ctx.progress.start('registry', work.length);
  const verdicts = await Promise.all(
    work.map(async ({ pkg, graph }) => {
      const v = await checkPackage(pkg, graph, sources, settings);
      ctx.progress.tick();
      return { pkg, v };
    }),
  );
  ctx.progress.done();

  const redactor = config.redactor;
  const findings: Finding[] = [];
  const verifications: VerificationRecord[] = [];
  const unreachable = new Set<string>();
  for (const { pkg, v } of verdicts) {
    pushAll(
      findings,
      v.findings.map((f) => redactFinding(f, redactor)),
    );
    verifications.push({ key: `pkg:${pkg.name}@${pkg.version}`, status: v.status, detail: redactor.redact(v.detail) });
    if (v.unreachable) unreachable.add(registryForPackage(pkg.name, config));
  }
  ctx.logger.debug(`registry: ${summarise(verdicts.map((x) => x.v))} (${client.requests} requests)`);
  if (ctx.policy.dependencies.failClosed && unreachable.size > 0) {
    const count = verdicts.filter((x) => x.v.unreachable).length;
    throw new OperationalError(
      redactor.redact(
        `${count} package(s) could not be verified because ${[...unreachable].sort().join(', ')} could not be reached${ctx.options.offline ? ' (offline, no cached answer)' : ''}, and the policy is fail-closed (dependencies.failClosed).`,
      ),
    );
  }
  return { findings, verifications };
}

/**
 * Registry packages only (links, workspaces, files, git are other stages' business), within this shard. Bundled
 * packages are not fetched from the registry: they arrive inside their parent's tarball, whose integrity covers
 * them (checked with --verify-tarballs).
 */
function registryPackages(
  graphs: readonly DependencyGraph[],
  ctx: ScanContext,
): { pkg: PackageNode; graph: DependencyGraph }[] {
  const shard = ctx.options.shard;
  return graphs.flatMap((graph) =>
    graph.packages
      .filter((pkg) => pkg.source === 'registry' && pkg.bundled !== true)
      .filter((pkg) => !shard || inShard(`pkg:${pkg.name}@${pkg.version}`, shard))
      .map((pkg) => ({ pkg, graph })),
  );
}

function redactFinding(f: Finding, redactor: Redactor): Finding {
  const evidence = f.evidence
    ? Object.fromEntries(
        Object.entries(f.evidence).map(([k, v]) => [k, typeof v === 'string' ? redactor.redact(v) : v]),
      )
    : undefined;
  return { ...f, message: redactor.redact(f.message), ...(evidence ? { evidence } : {}) };
}

function summarise(vs: readonly PackageVerdict[]): string {
  const n = (s: string) => vs.filter((v) => v.status === s).length;
  return `${n('verified')} verified, ${n('failed')} failed, ${n('unverifiable')} unverifiable`;
}
