import path from 'node:path';
import type { DependencyGraph } from '../../core/records.js';
import type { Logger, ScanOptions } from '../../core/context.js';
import type { Finding, ResolvedFinding } from '../../core/finding.js';
import { applyPolicy } from '../../core/apply-policy.js';
import { UsageError } from '../../core/errors.js';
import type { Policy } from '../../core/policy.js';
import { pushAll } from '../../core/push-all.js';
import { countByLevel, type ScanResult } from '../../core/result.js';
import type { TrustedRegistry } from '../../core/trusted-registry.js';
import { pythonDepsStage } from '../../deps/parsers/python/stage.js';
import { depsStage } from '../../deps/stage.js';
import { scanRepository } from '../scan.js';
import { aliasRetargets } from './aliases.js';
import { cacheArchiveFindings } from './cache-archives.js';
import { movedCacheKeys } from './cache-keys.js';
import { enabledBuilds, withoutEnabledScripts } from './enabled-builds.js';
import { droppedHashes } from './hashes-dropped.js';
import { linkToRegistry, registryToLink } from './workspace-swaps.js';
import { withoutNewScriptFindings, withoutUnstatedScripts } from './unstated-scripts.js';
import { withoutRepointedIndexes } from './repointed-indexes.js';
import { askRegistry } from './ask-registry.js';
import { indexBuildQuestions, unnamedPins } from './ask-index.js';
import { groupByCause } from './causes.js';
import type { LockfileChanges } from './diff.js';
import { diffGraphs } from './diff.js';
import { findCommit, revisionOf } from './fetch.js';
import { dedupeSorted, unreadable, workingTreeModels } from './finish.js';
import type { GateKind, GateVerdict } from './gate.js';
import { judgeGate } from './gate.js';
import { BlobCache, run, submodulesAt, type SizedEntry, type TreeEntry } from './git.js';
import { GitObjects } from './objects.js';
import { isReferenceSource, maxSourceBytes } from '../../refs/find.js';
import { MAX_LOCKFILE_BYTES } from '../../deps/read.js';
import { addedToGroups, introducedAlone } from './grouped.js';
import { injectionQuestions } from './injection.js';
import { lookalikeRenames } from './lookalike-renames.js';
import { foldIntoInjections, foldMovesIntoDisallowedHosts, withoutMovedSourceWarnings } from './moved-entries.js';
import { withoutOutOfSyncDeclarations } from './declared-sources.js';
import { installChangeFindings } from './install-changes.js';
import { pickJudges } from './judges.js';
import { inspectChangedContent } from './model-content.js';
import type { ModelChange } from './models.js';
import { diffModels, modelQuestions } from './models.js';
import { notCompared } from './not-compared.js';
import type { RegistryLookup } from './online.js';
import { lockfileQuestions } from './questions.js';
import { scriptsAllowedBy, sourceBuildsIn } from './new-scripts.js';
import { blobReader, fileReader, referenceChanges, workingTreeSources, type ReferenceChange } from './references.js';
import { removedLockfiles } from './removed-lockfiles.js';
import { atHeadPaths, findingsAtHeadPaths, movedLockfiles } from './renames.js';
import { listCommit, snapshotCommit, snapshotReads, type Listing, type Snapshot } from './snapshot.js';
import { diffSubmodules, submoduleFindings } from './submodules.js';
import { trustChangeFindings } from './trust-changes.js';

export interface ReviewRequest {
  /** Scan root inside a git work tree. */
  readonly dir: string;
  readonly base: string;
  /** Head revision; undefined = the working tree. */
  readonly head?: string;
  /**
   * The scan's `include` / `exclude` globs (the Action's inputs), relative to `dir`: lockfiles and changed files they
   * leave out are not read, compared nor asked about, as the scan's walk leaves them out. Absent: every file.
   */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly policy: Policy;
  /** The head's trusted registry (already loaded by the caller, as for `scan`). */
  readonly registry: TrustedRegistry;
  readonly options: ScanOptions;
  readonly logger: Logger;
  readonly gate?: GateKind;
  readonly minReleaseAgeHours?: number;
  readonly now?: Date;
  readonly today?: string;
  /** Tests inject a loopback lookup; otherwise built from `.npmrc` and the scan options. */
  readonly lookup?: RegistryLookup;
}

export interface ReviewResult {
  readonly base: { readonly ref: string; readonly commit: string };
  readonly head: { readonly ref: string; readonly commit?: string };
  readonly lockfiles: readonly LockfileChanges[];
  readonly models: readonly ModelChange[];
  /** Model references the change added or re-pinned (in the files it touched). */
  readonly references: readonly ReferenceChange[];
  readonly findings: readonly ResolvedFinding[];
  readonly gate?: GateVerdict;
  /** Whether the registry questions were asked (false offline). */
  readonly online: boolean;
  /** The head scan carrying only the findings this change introduced: what SARIF and the job summary show. */
  readonly scan: ScanResult;
  /** A revision that could not be read (CPU022): nothing was compared; the CLI exits 2 once the reports are written. */
  readonly notCompared?: { readonly side: 'base' | 'head'; readonly ref: string; readonly why: string };
}

/**
 * `chainproof review`: what did this change bring in? Both revisions are read from git objects (the head may be
 * the working tree), parsed by the same parsers as `scan`, and compared package by package; each change is then
 * asked the reviewer's questions (lockfile-only offline, registry too online). Only findings the change introduced
 * are reported, located at the head lockfile's lines.
 */
export async function reviewChange(req: ReviewRequest): Promise<ReviewResult> {
  const dir = path.resolve(req.dir);
  try {
    return await reviewIn(req, dir, false);
  } catch (err) {
    // A bare repository, or a folder inside `.git`, has no work tree: git refuses the scan root's `<commit>:./`. Two
    // commits compare as `git diff A B` does there, whole trees; the work tree as head does not exist.
    if (!(err instanceof UsageError) || (await hasWorkTree(dir))) throw err;
    if (req.head === undefined)
      throw new UsageError(
        `${req.dir} is a git repository without a work tree (bare, or inside .git): there is no working tree to review. Give --head <revision> to compare two commits, or run review in the work tree.`,
        { cause: err },
      );
    return reviewIn(req, dir, true);
  }
}

async function reviewIn(req: ReviewRequest, dir: string, bare: boolean): Promise<ReviewResult> {
  // Every object of the review comes from one long-lived `git cat-file` (objects.ts), closed when the review ends.
  const git = new GitObjects(dir, true, bare);
  try {
    return await reviewWith(req, dir, git, bare);
  } finally {
    await git.close();
  }
}

/** Whether `dir` is in a git work tree; true when git cannot tell (the caller's own error then stands). */
async function hasWorkTree(dir: string): Promise<boolean> {
  const out = await run(dir, ['rev-parse', '--is-inside-work-tree']).catch(() => undefined);
  return out?.toString('utf8').trim() !== 'false';
}

async function reviewWith(req: ReviewRequest, dir: string, git: GitObjects, bare: boolean): Promise<ReviewResult> {
  const mayFetch = !req.options.offline;
  // Both commits from the one cat-file when they are all there; else each is looked up (and fetched).
  const quick = await git.commits([req.base, ...(req.head !== undefined ? [req.head] : [])].map(revisionOf));
  const found = (commit: string | undefined) => ({ kind: 'found' as const, commit: commit! });
  const base = quick ? found(quick[0]) : await findCommit(dir, req.base, mayFetch, req.options.env);
  if (base.kind === 'missing') return notCompared(req, 'base', base.why);
  const baseCommit = base.commit;
  // A `--head` commit of a pull request from a fork may be missing too: fetched the same way.
  const head =
    req.head === undefined
      ? undefined
      : quick
        ? found(quick[1])
        : await findCommit(dir, req.head, mayFetch, req.options.env);
  if (head?.kind === 'missing') return notCompared(req, 'head', head.why);
  const headCommit = head?.commit;
  const snaps: Snapshot[] = [];
  try {
    const blobs = new BlobCache(git);
    const [baseList, headList] = await Promise.all([
      listCommit(git, baseCommit),
      headCommit !== undefined ? listCommit(git, headCommit) : undefined,
    ]);
    // What both snapshots and the later readers take, in one `git cat-file --batch` (within the cache's bound).
    await blobs.prefetch(
      [
        ...(await snapshotReads(blobs, baseList)),
        ...(headList
          ? [...(await snapshotReads(blobs, headList)), ...(await changedSources(blobs, baseList, headList))]
          : []),
      ],
      MAX_LOCKFILE_BYTES,
    );
    const baseSnap = await snapshotCommit(blobs, baseList);
    snaps.push(baseSnap);
    const headSnap = headList ? await snapshotCommit(blobs, headList) : undefined;
    if (headSnap) snaps.push(headSnap);
    const offlineParse = { ...req.options, offline: true, cacheDir: undefined, shard: undefined };
    const judges = await pickJudges(dir, baseSnap, headSnap, req, bare);
    const { policy, headRegistry } = judges;
    const scanAt = (root: string, registry: TrustedRegistry) =>
      scanRepository({
        root,
        policy,
        registry,
        options: offlineParse,
        include: req.include ?? [],
        exclude: req.exclude ?? [],
        logger: req.logger,
        // The Python lockfiles are lockfiles too: a uv.lock or requirements update is compared like a package-lock.
        stages: [depsStage, pythonDepsStage],
        ...(req.today !== undefined ? { today: req.today } : {}),
      });
    const [baseScan, headScan] = await Promise.all([
      scanAt(baseSnap.root, judges.baseRegistry),
      scanAt(headSnap?.root ?? dir, headRegistry),
    ]);

    const moves = movedLockfiles(baseScan.graphs, headScan.graphs);
    const baseGraphs = atHeadPaths(baseScan.graphs, moves);
    const baseFindings = findingsAtHeadPaths(baseScan.findings, moves);
    const movedFrom = new Map([...moves].map(([from, to]) => [to, from]));
    const kindAt = (gs: readonly DependencyGraph[], p: string) => gs.find((g) => g.lockfile === p)?.kind;
    const lockfiles = diffGraphs(baseGraphs, headScan.graphs).map((lf) => {
      const from = movedFrom.get(lf.lockfile);
      if (from === undefined) return lf;
      const migrated = kindAt(baseScan.graphs, from) !== kindAt(headScan.graphs, lf.lockfile);
      return { ...lf, movedFrom: from, ...(migrated ? { migrated: true as const } : {}) };
    });
    // The policy's install-script globs, compiled once for every question that asks them.
    const scriptsAllowed = scriptsAllowedBy(policy);
    const enabled = enabledBuilds(baseGraphs, headScan.graphs, scriptsAllowed);
    // A head finding whose content fingerprint the base already had is not this change's doing. One finding per
    // changed entry: an injection the head scan found takes in the review's questions of that entry.
    const entries = foldIntoInjections(
      [
        ...lockfileQuestions(lockfiles, baseGraphs, headScan.graphs, scriptsAllowed, sourceBuildsIn(headScan.findings)),
        ...injectionQuestions(lockfiles, baseGraphs, headScan.graphs),
        ...aliasRetargets(baseGraphs, headScan.graphs),
      ],
      withoutEnabledScripts(
        withoutUnstatedScripts(introducedAlone(baseFindings, headScan.findings), baseGraphs),
        enabled,
      ),
    );
    const introduced = entries.introduced;
    const raw: Finding[] = [
      ...groupByCause(entries.questions),
      ...lookalikeRenames(lockfiles, baseGraphs, headScan.graphs),
      ...registryToLink(baseGraphs, headScan.graphs),
      ...linkToRegistry(baseGraphs, headScan.graphs),
      ...enabled.findings,
      ...droppedHashes(baseGraphs, headScan.graphs, rulePaths(headScan, 'CPP011')),
      ...movedCacheKeys(baseGraphs, headScan.graphs),
      ...removedLockfiles(baseScan.files, headScan.files, baseScan.graphs, moves),
      ...unreadable(baseScan, 'base'),
      ...unreadable(headScan, 'head'),
      ...submoduleFindings(
        diffSubmodules(baseSnap.submodules, headSnap?.submodules ?? (await submodulesAt(git, 'HEAD'))),
      ),
      ...trustChangeFindings(judges.trustChanges, judges.judgedBy),
      ...(await installChangeFindings(
        dir,
        baseSnap,
        headSnap,
        policy,
        headScan.graphs,
        newScriptPatches(baseScan, headScan),
        req.options.env,
      )),
      ...(await cacheArchiveFindings({
        dir,
        baseCommit,
        base: baseSnap,
        head: headSnap,
        headRoot: headSnap?.root ?? dir,
        headGraphs: headScan.graphs,
        blobs,
      })),
    ];

    const content = await inspectChangedContent({
      dir,
      blobs,
      base: baseSnap.entries,
      head: headSnap?.entries,
      headFiles: headScan.files,
      policy,
      registry: headRegistry,
      options: offlineParse,
      include: req.include ?? [],
      exclude: req.exclude ?? [],
      logger: req.logger,
      ...(req.today !== undefined ? { today: req.today } : {}),
    });
    pushAll(raw, content.notInspected);
    const headModels = new Map(headSnap?.models ?? (await workingTreeModels(dir, headScan)));
    const baseModels = new Map(baseSnap.models);
    // Files the content tests call models whatever their names (a new pytorch_model.bin, a pickle behind a .png).
    for (const [p, oid] of content.models) {
      headModels.set(p, oid);
      const before = baseSnap.entries.get(p);
      if (before) baseModels.set(p, before.oid);
    }
    const models = diffModels(baseModels, headModels);
    pushAll(raw, modelQuestions(models, judges.baseRegistry, judges.writtenRegistry, content.vouched));

    const headSources =
      headSnap?.sources ??
      (await workingTreeSources(
        dir,
        headScan.files.map((f) => f.path),
      ));
    const known = new Set(headScan.files.map((f) => f.path));
    const refs = await referenceChanges({
      base: baseSnap.sources,
      head: headSources,
      readBase: blobReader(blobs, baseSnap.sources),
      readHead: headSnap ? blobReader(blobs, headSnap.sources) : fileReader(dir),
      existsLocally: (p) => known.has(p.replace(/^\.\//, '')),
    });
    pushAll(raw, groupByCause(refs.findings));

    const online = !req.options.offline;
    if (online) {
      const asked = await askRegistry({
        lockfiles,
        baseGraphs,
        root: headSnap?.root ?? dir,
        head: headScan,
        policy,
        scriptsAllowed,
        options: req.options,
        now: req.now ?? new Date(),
        minReleaseAgeHours: req.minReleaseAgeHours ?? 24,
        ...(req.lookup !== undefined ? { lookup: req.lookup } : {}),
      });
      pushAll(raw, asked);
    } else {
      pushAll(raw, await indexBuildQuestions(unnamedPins(lockfiles, baseGraphs, policy), undefined));
    }

    const today = req.today ?? new Date().toISOString().slice(0, 10);
    pushAll(raw, addedToGroups(baseFindings, headScan.findings));
    const own = applyPolicy(raw, policy, today);
    // One finding per cause: a head finding the review's own says goes, and a moved entry's CPU002 folds into the
    // head scan's refusal of its new host.
    const findings = dedupeSorted([
      ...foldMovesIntoDisallowedHosts([
        ...own.findings,
        ...withoutOutOfSyncDeclarations(
          withoutMovedSourceWarnings(
            withoutRepointedIndexes(withoutNewScriptFindings(introduced, own.findings), own.findings),
            own.findings,
          ),
          own.findings,
        ),
      ]),
      ...content.findings,
    ]);
    const byLevel = countByLevel(findings);
    const gate = req.gate !== undefined ? judgeGate(req.gate, lockfiles, models, findings, refs.changes) : undefined;
    return {
      base: { ref: req.base, commit: baseCommit },
      head: { ref: req.head ?? 'working tree', ...(headCommit !== undefined ? { commit: headCommit } : {}) },
      lockfiles,
      models,
      references: refs.changes,
      findings,
      ...(gate ? { gate } : {}),
      online,
      scan: {
        ...headScan,
        findings,
        suppressed: own.suppressed,
        summary: { ...headScan.summary, byLevel, suppressed: own.suppressed.length },
      },
    };
  } finally {
    await Promise.all(snaps.map((s) => s.dispose()));
  }
}

/** The paths a scan reports `ruleId` at. */
function rulePaths(scan: ScanResult, ruleId: string): Set<string> {
  return new Set(scan.findings.filter((f) => f.ruleId === ruleId).map((f) => f.location.path));
}

/** Patch files the head scan says add an install script (CPD024) and the base scan did not: the change's doing. */
function newScriptPatches(base: ScanResult, head: ScanResult): Set<string> {
  const before = rulePaths(base, 'CPD024');
  return new Set([...rulePaths(head, 'CPD024')].filter((p) => !before.has(p)));
}

/**
 * The reference sources a commit-to-commit change touched, at both revisions: the head's are sniffed for models and
 * both are searched for references — read ahead in one `git cat-file --batch` rather than one `git` per file.
 */
async function changedSources(blobs: BlobCache, base: Listing, head: Listing): Promise<SizedEntry[]> {
  const sources = (l: Listing) => new Map(l.entries.filter((e) => isReferenceSource(e.path)).map((e) => [e.path, e]));
  const [before, after] = [sources(base), sources(head)];
  const out: TreeEntry[] = [];
  for (const [p, e] of after) if (before.get(p)?.oid !== e.oid) out.push(e);
  for (const [p, e] of before) if (after.get(p)?.oid !== e.oid) out.push(e);
  return (await blobs.sized(out)).filter((e) => e.size <= maxSourceBytes(e.path));
}
