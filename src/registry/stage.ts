import type { ScanContext, ScanOptions } from '../core/context.js';
import type { Policy } from '../core/policy.js';
import type { Finding } from '../core/finding.js';
import type { DependencyGraph, PackageNode } from '../core/records.js';
import { inShard } from '../core/shard.js';
import type { Notification, Stage, StageInput, StageOutput } from '../core/stage.js';
import { berryProjectsOf, npmProjectsOf } from './berry-projects.js';
import { checkPackage, refusedChecks } from './check.js';
import { DEFAULT_FRESH_MS, RegistryClient } from './client.js';
import { loadRegistryConfig, type RegistryConfig, type RegistryConfigSources } from './config.js';
import type { Redactor } from './redact.js';
import { settleVerdicts } from './settle.js';
import { RegistrySources } from './sources.js';
import { DEFAULT_TARBALL_BOUNDS, type TarballBounds } from './tarball.js';
import type { BerryProject } from './yarn-config.js';
import { packageKey } from '../core/package-key.js';

export interface RegistryStageOptions {
  /** Per-attempt request timeout. */
  readonly timeoutMs: number;
  /** Retries after the first attempt (network errors, 5xx), with exponential back-off. */
  readonly retries: number;
  readonly minRetryDelayMs: number;
  readonly maxJsonBytes: number;
  readonly tarballBounds: TarballBounds;
  /** Wall-clock budget for all registry requests of a scan; what is not answered by then is unverifiable. */
  readonly budgetMs: number;
  /** Consecutive registry-level failures after which a registry is not asked again (circuit breaker). */
  readonly breakerThreshold: number;
  /** A cached answer younger than this is used without a request. */
  readonly freshMs: number;
}

/**
 * In-flight registry requests at least (keep-alive sockets are sized to match in the client): at 20 ms a
 * request, 48 in flight keep 1,300 packuments' waiting near 0.6 s; more only adds memory in flight.
 */
export const NETWORK_CONCURRENCY = 48;

export const DEFAULT_REGISTRY_STAGE_OPTIONS: RegistryStageOptions = {
  timeoutMs: 10_000,
  retries: 2,
  minRetryDelayMs: 500,
  maxJsonBytes: 128 * 1024 * 1024,
  tarballBounds: DEFAULT_TARBALL_BOUNDS,
  budgetMs: 30_000,
  breakerThreshold: 3,
  freshMs: DEFAULT_FRESH_MS,
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

/**
 * The registry configuration (the repository's `.npmrc` may only name registries the policy allows) and the client
 * with the scan's limits and cache: one construction for the registry stage and `review`'s registry questions.
 */
export async function openRegistry(
  root: string,
  options: ScanOptions,
  policy: Policy,
  signal: AbortSignal,
  opts: RegistryStageOptions = DEFAULT_REGISTRY_STAGE_OPTIONS,
  /** The caller awaits `client.close()` when done, which writes the cache as one pack. */
  closes = false,
  /** yarn 2+ lockfiles: their registries come from yarn's configuration (`berryProjects`). */
  berry: readonly BerryProject[] = [],
  /** Lockfiles in subfolders with a `.npmrc` of their own (`npmProjectsOf`). */
  more: Pick<RegistryConfigSources, 'npmProjects'> = {},
): Promise<{ config: RegistryConfig; client: RegistryClient }> {
  const config = await loadRegistryConfig({
    root,
    env: options.env,
    override: options.registry,
    allowed: [...policy.dependencies.allowedRegistries, ...(policy.dependencies.trustedMirrors ?? [])],
    berry,
    ...more,
  });
  const client = new RegistryClient({
    config,
    cacheDir: options.cacheDir,
    offline: options.offline,
    // Registry work waits on the network, not the CPU: size it for latency.
    concurrency: Math.max(options.concurrency, NETWORK_CONCURRENCY),
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    minRetryDelayMs: opts.minRetryDelayMs,
    maxJsonBytes: opts.maxJsonBytes,
    budgetMs: opts.budgetMs,
    breakerThreshold: opts.breakerThreshold,
    freshMs: opts.freshMs,
    packCache: closes,
    signal,
  });
  return { config, client };
}

async function runRegistryStage(input: StageInput, ctx: ScanContext, opts: RegistryStageOptions): Promise<StageOutput> {
  const work = registryPackages(input.graphs, ctx);
  if (work.length === 0) return {};
  const berry = await berryProjectsOf(
    work.map((w) => w.graph),
    input.files,
    ctx.files,
    ctx.options.env,
  );
  const { config, client } = await openRegistry(ctx.root, ctx.options, ctx.policy, ctx.signal, opts, true, berry, {
    npmProjects: npmProjectsOf(
      work.map((w) => w.graph),
      input.files,
    ),
  });
  // Loaded once with the rest of the trust material (app/trust.ts); no config I/O in a stage. Read on first use.
  const trustedRoot = () => ctx.trust.sigstore.root;
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
  let checks;
  try {
    const refusal = client.offlineRefusal();
    checks =
      refusal?.kind === 'unavailable'
        ? tickAll(refusedChecks(work, refusal, config), ctx)
        : await Promise.all(
            work.map(async ({ pkg, graph }) => {
              const c = await checkPackage(pkg, graph, sources, settings);
              ctx.progress.tick();
              return c;
            }),
          );
  } finally {
    await client.close();
  }
  ctx.progress.done();

  const redactor = config.redactor;
  const settled = settleVerdicts(checks, {
    unverifiableLevel: ctx.policy.dependencies.failClosed ? 'error' : undefined,
    trustedMirrors: ctx.policy.dependencies.trustedMirrors ?? [],
  });
  const findings = settled.findings.map((f) => redactFinding(f, redactor));
  // Details repeat across packages (one cause, the same notes): each distinct one is redacted once, and a record
  // is copied only when redaction changed it.
  const redacted = new Map<string, string>();
  const counts = { verified: 0, failed: 0, unverifiable: 0 };
  const verifications = settled.verifications.map((v) => {
    counts[v.status]++;
    if (v.detail === undefined) return v;
    let detail = redacted.get(v.detail);
    if (detail === undefined) redacted.set(v.detail, (detail = redactor.redact(v.detail)));
    return detail === v.detail ? v : { ...v, detail };
  });
  ctx.logger.debug(
    `registry: ${counts.verified} verified, ${counts.failed} failed, ${counts.unverifiable} unverifiable (${client.requests} requests)`,
  );
  // Fail-closed fails the run (exit 3), but only after the scan finished and every report was written: the
  // unreachable packages are already findings (at error) above, so the reports say what was not verified.
  const failClosed =
    ctx.policy.dependencies.failClosed && settled.unreachable > 0
      ? redactor.redact(
          `${settled.unreachable} package(s) could not be verified because ${[...settled.unreachableRegistries].sort().join(', ')} could not be reached${ctx.options.offline ? ' (offline, no cached answer)' : ''}, and the policy is fail-closed (dependencies.failClosed).`,
        )
      : undefined;
  // A cache never changes a verdict silently: say what it answered and how old that is.
  const notifications: Notification[] = config.notices.map((message) => ({ level: 'warning', message }));
  if (failClosed !== undefined) notifications.push({ level: 'error', message: failClosed });
  if (client.cacheUse.answers > 0)
    notifications.push({
      level: 'note',
      message: `${client.cacheUse.answers} registry answer(s) came from the cache${ctx.options.offline ? ' (offline)' : ''}; the oldest is ${formatAge(client.cacheUse.oldestMs)} old.`,
    });
  const bundled = coveredByParent(input.graphs);
  if (bundled > 0)
    notifications.push({
      level: 'note',
      message: `${bundled} bundled package(s) without their own resolved URL and integrity are covered by their parent's tarball (checked with --verify-tarballs), not by the registry.`,
    });
  return { findings, verifications, notifications, ...(failClosed !== undefined ? { failClosed } : {}) };
}

function tickAll<T>(done: T[], ctx: ScanContext): T[] {
  ctx.progress.tick(done.length);
  return done;
}

function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/**
 * Registry packages only (links, workspaces, files, git are other stages' business) that the frozen install
 * installs, within this shard. A bundled
 * package that carries its own `resolved` and `integrity` (npm writes them when `npm ci` fetches it) is checked like
 * the rest; one without them arrives inside its parent's tarball, whose integrity covers it.
 */
function registryPackages(
  graphs: readonly DependencyGraph[],
  ctx: ScanContext,
): { pkg: PackageNode; graph: DependencyGraph }[] {
  const shard = ctx.options.shard;
  return graphs.flatMap((graph) => {
    // Entries nothing the project declares reaches never install (deps/checks/unreached.ts, CPD171): asked about
    // online, they got findings an offline scan folds away.
    const notInstalled = new Set(graph.notInstalled);
    return (
      graph.packages
        .filter((pkg) => pkg.source === 'registry' && (pkg.bundled !== true || checkableBundle(pkg)))
        .filter((pkg) => !notInstalled.has(pkg.line))
        // Offline, checking costs no request, so every shard checks every package: a cause finding (one per
        // lockfile, kept by the shard that owns the lockfile) then lists them all, as the unsharded scan does.
        .filter((pkg) => !shard || ctx.options.offline || inShard(packageKey('npm', pkg.name, pkg.version), shard))
        .map((pkg) => ({ pkg, graph }))
    );
  });
}

function checkableBundle(pkg: PackageNode): boolean {
  return pkg.resolved !== undefined && /^https?:/i.test(pkg.resolved) && pkg.integrity !== undefined;
}

/** Bundled packages left to their parent's tarball: counted, so "not checked" is never silent. */
function coveredByParent(graphs: readonly DependencyGraph[]): number {
  return graphs.reduce(
    (n, g) => n + g.packages.filter((p) => p.source === 'registry' && p.bundled === true && !checkableBundle(p)).length,
    0,
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
