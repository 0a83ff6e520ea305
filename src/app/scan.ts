import path from 'node:path';
import pLimit from 'p-limit';
import picomatch from 'picomatch';
import type { Logger, Progress, ScanContext, ScanOptions } from '../core/context.js';
import { noProgress } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { Policy } from '../core/policy.js';
import type { ScanResult } from '../core/result.js';
import type { Notification, Stage } from '../core/stage.js';
import type { TrustMaterial } from '../core/trust-material.js';
import type { TrustedRegistry } from '../core/trusted-registry.js';
import { runPipeline, sortNotifications } from '../core/pipeline.js';
import { listedWithMore, plural } from '../core/plural.js';
import { DEFAULT_SKIP_DIRS, leftOutBy, walkTree } from '../discover/walk.js';
import { LOCKFILE_FORMATS } from '../discover/catalogue/index.js';
import { ScanHasher } from './scan-digests.js';
import { createFileOpener } from '../io/file-source.js';
import { stageHeapTrimmer } from '../io/heap.js';
import { ownReferenceSources } from '../refs/sources.js';
import { STAGES } from './stages.js';
import { buildTrustMaterial } from './trust.js';

/** The trust material from `loadTrust`, or (tests, embedders) a policy and registry it is built from. */
export type ScanTrust =
  | { readonly trust: TrustMaterial }
  | { readonly trust?: undefined; readonly policy: Policy; readonly registry: TrustedRegistry };

export type ScanRequest = ScanTrust & ScanRequestBase;

interface ScanRequestBase {
  readonly root: string;
  readonly options: ScanOptions;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly logger: Logger;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  readonly stages?: readonly Stage[];
  /** YYYY-MM-DD used for suppression expiry; tests pin it. */
  readonly today?: string;
}

/** Walk the tree and run every stage: the whole scan, shared by the CLI and the Action. */
export async function scanRepository(req: ScanRequest): Promise<ScanResult> {
  const root = path.resolve(req.root);
  // Trust first: a bad policy or key file stops the scan before any file is read.
  const trust = req.trust ?? (await buildTrustMaterial(req.policy, req.registry, root));
  // STAGES load the Sigstore root only for a stage that reads it; a caller's own stages may read it anywhere.
  if (req.stages) await trust.prepareSigstore?.();
  // The refs stage reads every source file whole: small ones are kept from the walk's own read.
  const walkOptions = {
    include: req.include,
    exclude: req.exclude,
    skipDirs: DEFAULT_SKIP_DIRS,
    ...(req.options.references === false ? {} : { content: ownReferenceSources }),
  };
  const walk = await walkTree(root, walkOptions).catch((err: unknown) => {
    throw new UsageError(`cannot scan ${req.root}: ${(err as { code?: string }).code ?? String(err)}`, {
      cause: err,
    });
  });
  for (const glob of unmatchedIncludes(req.include, walk)) {
    // A plain path is most likely a folder meant as "everything in it".
    const hint = /[*?[\]{}()!]/.test(glob)
      ? ''
      : ` (globs match whole paths: a folder's files are "${glob.replace(/\/+$/, '')}/**")`;
    req.logger.warn(`include glob "${glob}" matches no file in the scan root, so it selected nothing to scan${hint}`);
  }
  const limit = pLimit(Math.max(1, req.options.concurrency));
  // Files are read only while they are still the ones the walk vetted (a swap since is refused, not followed).
  const files = createFileOpener({ refuseSwapped: true });
  const digests = new ScanHasher({ cacheDir: req.options.cacheDir, io: files });
  // The hash workers boot while the pipeline loads the stages that come before the models stage.
  digests.warm(walk.files);
  const ctx: ScanContext = {
    root,
    leftOut: leftOutBy(walkOptions),
    unwalkedDirs: walk.pruned,
    trust,
    policy: trust.policy,
    registry: trust.registry,
    options: req.options,
    logger: req.logger,
    progress: req.progress ?? noProgress,
    signal: req.signal ?? new AbortController().signal,
    limit: (fn) => limit(fn),
    files,
    digests,
    afterStage: stageHeapTrimmer(),
  };
  try {
    const result = await runPipeline(
      req.stages ?? STAGES,
      {
        files: walk.files,
        skipped: walk.skipped,
        findings: walk.findings,
        notifications: [
          ...walk.skipped.map((s) => ({
            level: 'warning' as const,
            message: `${s.path} not scanned: ${s.reason} (${s.detail})`,
            path: s.path,
          })),
        ],
      },
      ctx,
      req.today,
    );
    const { hashedBytes, cacheHits } = await digests.stats();
    ctx.logger.debug(`hash: ${hashedBytes} bytes read, ${cacheHits} digests from the digest cache`);
    // The folders the walk skipped by name (DEFAULT_SKIP_DIRS) that no scanned lockfile installs: a committed
    // `node_modules` of 30,000 files was left out without a word, and the report read as if the repository were
    // scanned whole. `.git` (git's own store; the working tree it tracks is walked) is the usual case and not listed.
    // Loaded only for a tree that has a node_modules (it reads lockfile paths with the deps stage's helpers).
    const unwalked = walk.pruned.some((p) => path.posix.basename(p) === 'node_modules')
      ? (await import('../deps/install-folders.js')).nodeModulesNoLockfileInstalls(
          walk.pruned,
          walk.files.filter((f) => LOCKFILE_FORMATS.has(f.format)).map((f) => f.path),
          result.graphs,
        )
      : [];
    return {
      ...result,
      notifications: sortNotifications([...result.notifications, ...unwalkedNotice(unwalked)]),
      ...(unwalked.length > 0 ? { unwalked } : {}),
      io: ctx.files.stats(),
    };
  } finally {
    // Saves the digest cache: also after a stage stopped the scan, so reads already done are kept.
    await digests.close();
  }
}

/**
 * The include globs no walked file matched. picomatch matches whole paths, so `models` or `models/` selects no file
 * (only `models/**` does), and neither does a typo: the scan then read nothing, reported nothing and passed, and a
 * workflow's `include: models` looked like a clean result.
 */
export function unmatchedIncludes(
  include: readonly string[],
  walk: { readonly files: readonly { path: string }[]; readonly skipped: readonly { path: string }[] },
): string[] {
  return include.filter((glob) => {
    const matches = picomatch(glob, { dot: true });
    return !walk.files.some((f) => matches(f.path)) && !walk.skipped.some((f) => matches(f.path));
  });
}

/** One notification for every folder `nodeModulesNoLockfileInstalls` gives, with how to scan them. */
function unwalkedNotice(unwalked: readonly string[]): Notification[] {
  if (unwalked.length === 0) return [];
  return [
    {
      level: 'warning',
      message: `${plural(unwalked.length, 'node_modules folder')} that no lockfile describes ${unwalked.length === 1 ? 'was' : 'were'} not scanned (skipped by name): ${listedWithMore(unwalked, UNWALKED_LISTED)}. Include one to scan it (--include '<folder>/**'), or add the lockfile that installed it.`,
    },
  ];
}

/** Folders a notification names before it counts the rest. */
const UNWALKED_LISTED = 20;
