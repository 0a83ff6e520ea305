import type { ScanOptions } from '../../core/context.js';
import type { Finding } from '../../core/finding.js';
import type { Policy } from '../../core/policy.js';
import type { ScanResult } from '../../core/result.js';
import type { LockfileChanges, VersionMove } from './diff.js';
import type { OnlineOutcome, RegistryLookup } from './online.js';
import { onlineTargets, registryQuestions } from './online.js';
import type { ScriptsAllowed } from './new-scripts.js';
import type { DependencyGraph } from '../../core/records.js';
import { indexBuildQuestions, indexPages, unnamedPins } from './ask-index.js';
import { unansweredByCause } from './unanswered.js';

export interface AskRegistryRequest {
  readonly lockfiles: readonly LockfileChanges[];
  /** The base revision's graphs (at head paths): a build some base lockfile already ran is not new. */
  readonly baseGraphs: readonly DependencyGraph[];
  /** The head's files on disk (a snapshot, or the work tree): its `.npmrc` / `.yarnrc.yml` pick the registries. */
  readonly root: string;
  readonly head: ScanResult;
  readonly policy: Policy;
  /** The policy's `dependencies.allowInstallScripts`, compiled once per review (new-scripts.ts `scriptsAllowedBy`). */
  readonly scriptsAllowed: ScriptsAllowed;
  readonly options: ScanOptions;
  readonly now: Date;
  readonly minReleaseAgeHours: number;
  /** Tests inject a loopback lookup; otherwise built from the head's registry settings. */
  readonly lookup?: RegistryLookup;
}

/**
 * The registry questions of a review (online only): for the packages the change moved or added, as the head's
 * package manager would fetch them. What could not be asked is one finding per cause (CPD130), and packages whose
 * registry the policy refuses are reported as `scan` reports them (CPD154).
 */
export async function askRegistry(req: AskRegistryRequest): Promise<Finding[]> {
  // The npm registry answers for npm's lockfiles only: a Python name there is another party's package.
  const npm = req.lockfiles.filter((lf) => lf.ecosystem === 'npm');
  const moves = npm.flatMap((lf) => lf.changes.filter((c): c is VersionMove => 'type' in c));
  const added = npm.flatMap((lf) => lf.changes.flatMap((c) => (c.kind === 'added' ? [c.head] : [])));
  const pins = unnamedPins(req.lockfiles, req.baseGraphs, req.policy);
  const builds = indexBuildQuestions(
    pins,
    pins.length === 0 ? undefined : await indexPages(req.options, req.policy, new AbortController().signal),
  );
  const lookup = req.lookup ?? (await registryLookup(req.root, req.options, req.head, req.policy));
  const asked = await registryQuestions(onlineTargets(moves, added), lookup, {
    now: req.now,
    minReleaseAgeHours: req.minReleaseAgeHours,
    scriptsAllowed: req.scriptsAllowed,
  });
  return [
    ...asked.findings,
    ...unansweredByCause(
      asked.unanswered,
      (count, reason) =>
        `${count} changed package(s) could not be checked against the registry: ${reason}. Their registry questions (age, deprecation, install scripts, provenance) were not asked.`,
    ),
    ...(await refusedByRegistry(asked.refused, req.policy)),
    ...(await builds),
  ];
}

async function registryLookup(
  root: string,
  options: ScanOptions,
  head: ScanResult,
  policy: Policy,
): Promise<RegistryLookup> {
  const [{ registryLookup: make }, { berryProjectsOf, npmProjectsOf }, { createFileOpener }] = await Promise.all([
    import('./lookup.js'),
    import('../../registry/berry-projects.js'),
    import('../../io/file-source.js'),
  ]);
  // yarn 2+ lockfiles: their registries come from the head's `.yarnrc.yml` files, as the scan's registry stage reads them.
  const berry = await berryProjectsOf(head.graphs, head.files, createFileOpener(), options.env);
  // Lockfiles in subfolders ask the registries of their own .npmrc, as the scan does.
  return make(root, options, policy, new AbortController().signal, berry, npmProjectsOf(head.graphs, head.files));
}

/** CPD154, as `scan` reports it: one finding per refused registry and lockfile, the packages in evidence. */
async function refusedByRegistry(list: OnlineOutcome['refused'], policy: Policy): Promise<Finding[]> {
  if (list.length === 0) return [];
  const { causeFindings } = await import('../../registry/causes.js');
  const level = policy.dependencies.failClosed ? 'error' : undefined;
  return causeFindings(
    list.map(({ pkg, registry, setBy }) => ({
      pkg,
      cause: { kind: 'registry-not-allowed', registry, what: 'packument', reason: `set by ${setBy}` },
    })),
    level,
  );
}
