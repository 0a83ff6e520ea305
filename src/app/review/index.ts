import path from 'node:path';
import type { Logger, ScanOptions } from '../../core/context.js';
import type { Finding, ResolvedFinding } from '../../core/finding.js';
import { applyPolicy } from '../../core/apply-policy.js';
import type { Policy } from '../../core/policy.js';
import type { ScanResult } from '../../core/result.js';
import type { TrustedRegistry } from '../../core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../core/trusted-registry.js';
import { depsStage } from '../../deps/stage.js';
import { loadTrustedRegistry } from '../../trust/registry/load.js';
import { scanRepository } from '../scan.js';
import type { LockfileChanges, VersionMove } from './diff.js';
import { diffGraphs } from './diff.js';
import type { GateKind, GateVerdict } from './gate.js';
import { judgeGate } from './gate.js';
import { hashWorkingFiles, repoPrefix, submodulesAt } from './git.js';
import { findCommit } from './fetch.js';
import { diffSubmodules, submoduleFindings } from './submodules.js';
import { notCompared } from './not-compared.js';
import type { ModelChange } from './models.js';
import { diffModels, modelQuestions } from './models.js';
import type { OnlineOutcome, RegistryLookup } from './online.js';
import { onlineTargets, registryQuestions } from './online.js';
import { lockfileQuestions } from './questions.js';
import { injectionQuestions } from './injection.js';
import { aliasRetargets } from './aliases.js';
import { groupByCause } from './causes.js';
import { atHeadPaths, findingsAtHeadPaths, movedLockfiles } from './renames.js';
import { blobReader, fileReader, referenceChanges, workingTreeSources, type ReferenceChange } from './references.js';
import { isModelPath, snapshotCommit, type Snapshot } from './snapshot.js';
import { inspectChangedContent } from './model-content.js';
import { policyAt } from './base-policy.js';
import { policyPaths, trustChangeFindings, trustFileChanges, workingTrustIds } from './trust-changes.js';
import { listRegistryFiles } from '../../trust/registry/files.js';
import { pushAll } from '../../core/push-all.js';
import { addedToGroups, introducedAlone } from './grouped.js';

export interface ReviewRequest {
  /** Scan root inside a git work tree. */
  readonly dir: string;
  readonly base: string;
  /** Head revision; undefined = the working tree. */
  readonly head?: string;
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
}

/**
 * `chainproof review`: what did this change bring in? Both revisions are read from git objects (the head may be
 * the working tree), parsed by the same parsers as `scan`, and compared package by package; each change is then
 * asked the reviewer's questions (lockfile-only offline, registry too online). Only findings the change introduced
 * are reported, located at the head lockfile's lines.
 */
export async function reviewChange(req: ReviewRequest): Promise<ReviewResult> {
  const dir = path.resolve(req.dir);
  const mayFetch = !req.options.offline;
  const base = await findCommit(dir, req.base, mayFetch, req.options.env);
  if (base.kind === 'missing') return notCompared(req, 'base', base.why);
  const baseCommit = base.commit;
  // A `--head` commit of a pull request from a fork may be missing too: fetched the same way.
  const head = req.head !== undefined ? await findCommit(dir, req.head, mayFetch, req.options.env) : undefined;
  if (head?.kind === 'missing') return notCompared(req, 'head', head.why);
  const headCommit = head?.commit;
  const snaps: Snapshot[] = [];
  try {
    const prefix = await repoPrefix(dir);
    const baseSnap = await snapshotCommit(dir, baseCommit, prefix);
    snaps.push(baseSnap);
    const headSnap = headCommit !== undefined ? await snapshotCommit(dir, headCommit, prefix) : undefined;
    if (headSnap) snaps.push(headSnap);
    const offlineParse = { ...req.options, offline: true, cacheDir: undefined, shard: undefined };
    const policyFiles = policyPaths(req.policy);
    const headTrustIds = headSnap
      ? new Map([...headSnap.entries].map(([p, e]) => [p, e.oid]))
      : await workingTrustIds(dir, policyFiles, await listRegistryFiles(dir));
    const trustChanges = trustFileChanges(baseSnap.entries, headTrustIds, policyFiles);
    const policyChanged = trustChanges.some((c) => c.kind === 'policy');
    const registryChanged = trustChanges.some((c) => c.kind === 'registry');
    // A change is judged by the base revision's policy and registry when it edits them (trust-changes.ts).
    const basePolicy = policyChanged ? await policyAt(dir, baseSnap, req.policy, policyFiles) : undefined;
    const policy = basePolicy?.policy ?? req.policy;
    const scanAt = (root: string, registry: TrustedRegistry) =>
      scanRepository({
        root,
        policy,
        registry,
        options: offlineParse,
        include: [],
        exclude: [],
        logger: req.logger,
        stages: [depsStage],
        ...(req.today !== undefined ? { today: req.today } : {}),
      });
    const baseRegistry = await loadTrustedRegistry(baseSnap.root).catch(() => EMPTY_REGISTRY);
    const writtenRegistry = headSnap
      ? await loadTrustedRegistry(headSnap.root).catch(() => EMPTY_REGISTRY)
      : req.registry;
    const headRegistry = registryChanged ? baseRegistry : writtenRegistry;
    const [baseScan, headScan] = await Promise.all([
      scanAt(baseSnap.root, baseRegistry),
      scanAt(headSnap?.root ?? dir, headRegistry),
    ]);

    const moves = movedLockfiles(baseScan.graphs, headScan.graphs);
    const baseGraphs = atHeadPaths(baseScan.graphs, moves);
    const baseFindings = findingsAtHeadPaths(baseScan.findings, moves);
    const movedFrom = new Map([...moves].map(([from, to]) => [to, from]));
    const lockfiles = diffGraphs(baseGraphs, headScan.graphs).map((lf) => {
      const from = movedFrom.get(lf.lockfile);
      return from === undefined ? lf : { ...lf, movedFrom: from };
    });
    const raw: Finding[] = [
      ...groupByCause([
        ...lockfileQuestions(lockfiles, baseGraphs, headScan.graphs),
        ...injectionQuestions(lockfiles, baseGraphs, headScan.graphs),
      ]),
      ...aliasRetargets(baseGraphs, headScan.graphs),
      ...unreadable(baseScan, 'base'),
      ...unreadable(headScan, 'head'),
      ...submoduleFindings(
        diffSubmodules(baseSnap.submodules, headSnap?.submodules ?? (await submodulesAt(dir, 'HEAD', prefix))),
      ),
      ...trustChangeFindings(
        trustChanges,
        basePolicy?.judgedBy ?? `${req.policy.source}, as the base could not be read`,
      ),
    ];

    const content = await inspectChangedContent({
      dir,
      base: baseSnap.entries,
      head: headSnap?.entries,
      headFiles: headScan.files,
      policy,
      registry: headRegistry,
      options: offlineParse,
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
    pushAll(raw, modelQuestions(models, baseRegistry, writtenRegistry, content.vouched));

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
      readBase: blobReader(dir, baseSnap.sources),
      readHead: headSnap ? blobReader(dir, headSnap.sources) : fileReader(dir),
      existsLocally: (p) => known.has(p.replace(/^\.\//, '')),
    });
    pushAll(raw, refs.findings);

    const online = !req.options.offline;
    if (online) {
      const moves = lockfiles.flatMap((lf) => lf.changes.filter((c): c is VersionMove => 'type' in c));
      const added = lockfiles.flatMap((lf) => lf.changes.flatMap((c) => (c.kind === 'added' ? [c.head] : [])));
      const lookup = req.lookup ?? (await registryLookup(headSnap?.root ?? dir, req.options, headScan, policy));
      const asked = await registryQuestions(onlineTargets(moves, added), lookup, {
        now: req.now ?? new Date(),
        minReleaseAgeHours: req.minReleaseAgeHours ?? 24,
      });
      pushAll(raw, asked.findings);
      pushAll(raw, unansweredByCause(asked.unanswered));
      pushAll(raw, await refusedByRegistry(asked.refused, policy));
    }

    const today = req.today ?? new Date().toISOString().slice(0, 10);
    pushAll(raw, addedToGroups(baseFindings, headScan.findings));
    const own = applyPolicy(raw, policy, today);
    // A head finding whose content fingerprint the base already had is not this change's doing.
    const introduced = introducedAlone(baseFindings, headScan.findings);
    const findings = dedupe([...own.findings, ...introduced, ...content.findings]).sort(byPlace);
    const byLevel = { error: 0, warning: 0, note: 0 };
    for (const f of findings) byLevel[f.level]++;
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

  async function registryLookup(
    root: string,
    options: ScanOptions,
    head: ScanResult,
    policy: Policy,
  ): Promise<RegistryLookup> {
    const [{ registryLookup: make }, { berryProjectsOf }, { createFileOpener }] = await Promise.all([
      import('./lookup.js'),
      import('../../registry/berry-projects.js'),
      import('../../io/file-source.js'),
    ]);
    // yarn 2+ lockfiles: their registries come from the head's `.yarnrc.yml` files, as the scan's registry stage reads them.
    const berry = await berryProjectsOf(head.graphs, head.files, createFileOpener(), options.env);
    return make(root, options, policy, new AbortController().signal, berry);
  }
}

/** CPU013: a lockfile the parsers refused at either revision — its changes were not compared. */
function unreadable(scan: ScanResult, side: 'base' | 'head'): Finding[] {
  return scan.findings
    .filter((f) => f.ruleId === 'CPD001')
    .map((f) => ({
      ruleId: 'CPU013',
      message: `${f.location.path} could not be read at the ${side} revision (${f.message}); its changes were not reviewed.`,
      location: side === 'head' ? f.location : { path: f.location.path },
      evidence: { revision: side },
    }));
}

/** One finding per reason the registry could not be asked, with the count and the packages (one cause, one line). */
function unansweredByCause(list: readonly { name: string; version: string; reason: string }[]): Finding[] {
  const byReason = new Map<string, string[]>();
  for (const u of list) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), `${u.name}@${u.version}`]);
  return [...byReason.entries()].map(([reason, pkgs]) => ({
    ruleId: 'CPD130',
    message: `${pkgs.length} changed package(s) could not be checked against the registry: ${reason}. Their registry questions (age, deprecation, install scripts, provenance) were not asked.`,
    location: { path: '.' },
    evidence: { reason, count: pkgs.length, packages: pkgs.sort().join(' ') },
  }));
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

async function workingTreeModels(dir: string, scan: ScanResult): Promise<Map<string, string>> {
  const paths = scan.files.filter((f) => isModelPath(f.path)).map((f) => f.path);
  return paths.length > 0 ? hashWorkingFiles(dir, paths) : new Map();
}

/** One finding per fingerprint: the head scan and the content inspection may both report a disguised model. */
function dedupe(list: readonly ResolvedFinding[]): ResolvedFinding[] {
  const seen = new Set<string>();
  return list.filter((f) => !seen.has(f.fingerprint) && seen.add(f.fingerprint) !== undefined);
}

function byPlace(a: ResolvedFinding, b: ResolvedFinding): number {
  const la = a.level === 'error' ? 0 : a.level === 'warning' ? 1 : 2;
  const lb = b.level === 'error' ? 0 : b.level === 'warning' ? 1 : 2;
  return (
    la - lb ||
    (a.location.path < b.location.path ? -1 : a.location.path > b.location.path ? 1 : 0) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
