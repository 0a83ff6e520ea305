import { Verifier, toTrustMaterial } from '@sigstore/verify';
import type { ScanContext, ScanOptions } from '../../core/context.js';
import { inShard } from '../../core/shard.js';
import type { Finding, Location } from '../../core/finding.js';
import { byCodePoint } from '../../core/order.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import type { Policy, PythonPublisherRequirement } from '../../core/policy.js';
import type { DependencyGraph, PackageNode, VerificationRecord } from '../../core/records.js';
import type { Stage, StageInput, StageOutput } from '../../core/stage.js';
import { redactUrls } from '../../deps/checks/finding.js';
import type { PackageOutcome } from '../../verify/pypi/check-package.js';
import { checkPypiPackage } from '../../verify/pypi/check-package.js';
import { groupMissingProjects, names, perIndexFindings } from './causes.js';
import { PypiClient } from './client.js';
import type { PypiIndexConfig } from './config.js';
import { expandCredentials, readNetrc, readPipConfigs, resolvePypiIndex, toIndexConfig } from './config.js';
import { isUnder, normalizePrefix } from '../../deps/checks/context.js';
import { allowedPythonIndexes, userPythonIndexes } from '../../deps/parsers/python/checks/context.js';
import { projectMatcher } from '../../deps/parsers/python/pep508.js';
import { trimEndRun } from '../../core/linear-text.js';
import { readRegularFile } from '../../io/open-regular.js';
import { packageKey } from '../../core/package-key.js';

export interface PypiStageOptions {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly minRetryDelayMs: number;
  readonly maxBytes: number;
  /** Wall-clock budget for every index request of a scan; what is not answered by then is unverifiable. */
  readonly budgetMs: number;
  /** Consecutive index-level failures after which an index is not asked again in this scan. */
  readonly breakerThreshold: number;
}

/** The stage's limits, which the review's index questions share (with a budget of their own). */
export const PYPI_STAGE_DEFAULTS: PypiStageOptions = {
  timeoutMs: 15_000,
  retries: 2,
  minRetryDelayMs: 500,
  maxBytes: 32 * 1024 * 1024,
  budgetMs: 120_000,
  breakerThreshold: 3,
};
const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * Online verification of Python packages against their index (the PEP 503 HTML / PEP 691 JSON simple API, PyPI Integrity API).
 * Each package is checked against the index its lockfile names (uv `source.registry`, pylock `index`), else the
 * configured one. Offline, and for an index that cannot be asked, it is one finding per cause with the count.
 */
export function createPypiStage(overrides: Partial<PypiStageOptions> = {}): Stage {
  const opts = { ...PYPI_STAGE_DEFAULTS, ...overrides };
  return { name: 'pypi', run: (input, ctx) => runPypiStage(input, ctx, opts) };
}

export const pypiStage: Stage = createPypiStage();

async function runPypiStage(input: StageInput, ctx: ScanContext, opts: PypiStageOptions): Promise<StageOutput> {
  const all = pypiPackages(input.graphs);
  // Offline, as in the npm registry stage: every shard records every package (the pipeline keeps each shard's own
  // verifications by key) and the one cause finding lists them all; the pipeline keeps it in the shard that owns its
  // lockfile. Filtered first, shards without the lockfile lost their packages' "not checked" and the owner's count
  // was its share only.
  if (ctx.options.offline) {
    if (all.length === 0) return {};
    return { findings: [offlineFinding(all)], verifications: all.map((p) => unverifiable(p, 'offline')) };
  }
  // Online, sharded runs split packages as the npm registry stage does, by their key (the pipeline's shard key).
  const work = all.filter((p) => inShard(packageKey('pypi', p.name, p.version), ctx.options.shard));
  if (work.length === 0) return {};
  const root = ctx.trust.sigstore.root;
  const verifier = new Verifier(toTrustMaterial(root), { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
  // One budget for every index: a hostile or dead index costs at most this, never a timeout per package.
  const budget = { signal: AbortSignal.timeout(opts.budgetMs), ms: opts.budgetMs };
  const clients = await pypiClients(ctx.options, ctx.policy, { budget, signal: ctx.signal, opts });
  const rules = ctx.policy.dependencies.python?.requireProvenance ?? [];
  // The one allowlist of packages that may run code on install (npm scripts, Python sdist builds).
  const buildAllowed = projectMatcher(ctx.policy.dependencies.allowInstallScripts);
  const outcomes = await Promise.all(
    work.map((pkg) =>
      ctx.limit(() =>
        checkOnSearchedIndexes(pkg, clients, (client) =>
          checkPypiPackage(pkg, { client, verifier, required: requiredFor(pkg.name, rules), buildAllowed }),
        ),
      ),
    ),
  );
  const findings: Finding[] = outcomes.flatMap((o) => o.out.findings);
  const unreachable = new Map<string, { pkgs: PackageNode[]; reason: string; refused: boolean }>();
  for (const o of outcomes) {
    if (o.out.unreachable === undefined) continue;
    const e = unreachable.get(o.client.indexUrl) ?? {
      pkgs: [],
      reason: o.out.unreachable,
      refused: o.out.refused === true,
    };
    e.pkgs.push(o.pkg);
    unreachable.set(o.client.indexUrl, e);
  }
  for (const [index, e] of [...unreachable].sort(([a], [b]) => (a < b ? -1 : 1)))
    findings.push(unreachableFinding(index, e.pkgs, e.reason, e.refused));
  findings.push(...perIndexFindings(outcomes));
  const grouped = groupMissingProjects(findings, outcomes);
  const verifications: VerificationRecord[] = outcomes.map((o) => ({
    key: packageKey('pypi', o.pkg.name, o.pkg.version),
    status: o.out.status,
    detail: o.out.detail,
  }));
  return { findings: grouped, verifications };
}

/** What a PyPI client needs beside the user's configuration: the one time budget, the run's signal, the limits. */
export interface PypiClientSettings {
  readonly budget: { readonly signal: AbortSignal; readonly ms: number };
  readonly signal: AbortSignal;
  readonly opts: Omit<PypiStageOptions, 'budgetMs'>;
}

/**
 * Check a package on its index; when that index does not list the project or the release, on each further index
 * pip searches for it (a requirements file's `--extra-index-url`: pip's `PackageFinder.find_all_candidates` collects
 * candidates from every index URL, so `torch==2.1.0+cu118` beside the PyTorch index installs although PyPI lacks
 * it). The first index that lists it answers; when none does, the first index's finding stands.
 */
async function checkOnSearchedIndexes(
  pkg: PackageNode,
  clients: PypiClients,
  check: (client: PypiClient) => Promise<PackageOutcome>,
): Promise<{ pkg: PackageNode; client: PypiClient; out: PackageOutcome }> {
  const client = clients.forPackage(pkg);
  const out = await check(client);
  if (out.absent !== true) return { pkg, client, out };
  for (const extra of clients.furtherFor(pkg, client)) {
    const further = await check(extra);
    if (further.absent !== true) return { pkg, client: extra, out: further };
  }
  return { pkg, client, out };
}

/** The client each package is asked through, and the further trusted indexes pip also searches for it. */
export interface PypiClients {
  readonly forPackage: (pkg: PackageNode) => PypiClient;
  readonly furtherFor: (pkg: PackageNode, asked: PypiClient) => PypiClient[];
}

/**
 * The client each Python package is asked through, one per index (the client caches): the scan's and the review's
 * one rule for which index that is. The user's index comes from `PIP_INDEX_URL` or their pip configuration
 * (PIP_CONFIG_FILE, else their own pip.conf files), never a pip.conf from the scanned repository: a repository must
 * not choose the index its own lockfile is verified against.
 */
export async function pypiClientFor(
  options: Pick<ScanOptions, 'env' | 'cacheDir'>,
  policy: Policy,
  settings: PypiClientSettings,
): Promise<(pkg: PackageNode) => PypiClient> {
  return (await pypiClients(options, policy, settings)).forPackage;
}

/**
 * `pypiClientFor`, and the further indexes of a requirements file (`PackageNode.indexes`) the same trust rule
 * accepts: an index the policy does not allow is never asked (CPP070 reports it), nor is one asked twice.
 */
async function pypiClients(
  options: Pick<ScanOptions, 'env' | 'cacheDir'>,
  policy: Policy,
  settings: PypiClientSettings,
): Promise<PypiClients> {
  const netrc = await readNetrc(options.env, readSmall);
  const configured = resolvePypiIndex(options.env, await readPipConfigs(options.env, readSmall), netrc);
  // A lockfile's own index URL is followed only when it is the configured index or one the offline index rule
  // (CPP070) accepts: PyPI, the policy's registries and mirrors, the CI's pip / uv index variables.
  const trusted = [normalizePrefix(configured.indexUrl), ...allowedPythonIndexes(policy, options.env)];
  // Same scheme too: an http URL under an https prefix is not followed (the configured index is asked instead).
  const isTrusted = (url: string) => trusted.some((p) => normalizePrefix(url).startsWith(p));
  const clients = new Map<string, PypiClient>();
  const forPackage = (pkg: PackageNode): PypiClient => {
    // A requirements file's `--index-url` is the one index pip asks first (and the configured one not at all).
    const located = pkg.replacesIndex === true ? pkg.indexes?.[0] : pkg.resolved;
    const own = located !== undefined && /^https?:\/\//i.test(located) ? lockfileIndex(located) : undefined;
    return clientOf(own !== undefined && isTrusted(own.indexUrl) ? own : configured);
  };
  // An index URL the lockfile names, with its credentials as pip expands them from the scan's environment. The
  // configured index keeps its own credentials when the lockfile names the same URL without any; credentials
  // written in the URL are the ones pip sends (the file's `--index-url` replaces the configured one).
  // `${VAR}` in the URL's credentials is expanded, as pip does, only for an index the user named (configured, the CI's
  // index variables, the policy's own entries): never for PyPI or an index trusted only by default, so the scanned
  // tree cannot make the scan send a runner secret to a host the user did not choose. Elsewhere the text is sent.
  const userIndexes = userPythonIndexes(policy, options.env, [configured.indexUrl]);
  const lockfileIndex = (url: string): PypiIndexConfig => {
    const named = isUnder(normalizePrefix(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1')), userIndexes);
    const expanded = expandCredentials(url, named ? options.env : {});
    const own: PypiIndexConfig = {
      ...toIndexConfig(expanded.url, netrc),
      ...(expanded.unset.length > 0 ? { unsetVariables: expanded.unset } : {}),
    };
    const same = prefix(own.indexUrl) === prefix(configured.indexUrl);
    return same && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url) ? configured : own;
  };
  const furtherFor = (pkg: PackageNode, asked: PypiClient): PypiClient[] => {
    const seen = new Set([prefix(asked.indexUrl)]);
    const further: PypiClient[] = [];
    for (const url of pkg.indexes ?? []) {
      if (!/^https?:\/\//i.test(url)) continue;
      const index = lockfileIndex(url);
      if (seen.has(prefix(index.indexUrl)) || !isTrusted(index.indexUrl)) continue;
      seen.add(prefix(index.indexUrl));
      further.push(clientOf(index));
    }
    return further;
  };
  const clientOf = (index: PypiIndexConfig): PypiClient => {
    // One client per index and credentials: the same URL asked with other credentials is another answer.
    const key = `${index.indexUrl}\0${index.authorization ?? ''}`;
    let c = clients.get(key);
    if (!c) {
      const { timeoutMs, retries, minRetryDelayMs, maxBytes, breakerThreshold } = settings.opts;
      c = new PypiClient({
        index,
        timeoutMs,
        retries,
        minRetryDelayMs,
        maxBytes,
        breakerThreshold,
        budget: settings.budget,
        signal: settings.signal,
        ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      });
      clients.set(key, c);
    }
    return c;
  };
  return { forPackage, furtherFor };
}

/** Index packages pinned to a version, once per lockfile entry. */
function pypiPackages(graphs: readonly DependencyGraph[]): PackageNode[] {
  return graphs
    .filter((g) => g.ecosystem === 'pypi')
    .flatMap((g) => g.packages.filter((p) => p.source === 'registry' && p.version !== ''));
}

function requiredFor(
  name: string,
  rules: readonly PythonPublisherRequirement[],
): PythonPublisherRequirement['publishers'] | undefined {
  const rule = rules.find((r) => projectMatcher(r.packages)(name));
  return rule?.publishers;
}

function offlineFinding(work: readonly PackageNode[]): Finding {
  const first = work[0]!;
  return {
    ruleId: 'CPP050',
    message: `${work.length} Python package${work.length === 1 ? '' : 's'} ${inLockfiles(work)} ${work.length === 1 ? 'was not checked against its' : 'were not checked against their'} index because the scan is offline: locked hashes and PEP 740 attestations are unverified. Run without --offline to check them.`,
    location: { path: first.lockfile, line: first.line },
    artifact: { kind: 'file', path: first.lockfile },
    evidence: { ecosystem: 'pypi', count: work.length, packages: names(work) },
    related: relatedOf(work),
  };
}

/**
 * CPP056 for the packages an index left unchecked. `refused`: it answered 401/403, as it would answer pip with the
 * same configuration, so the fix is credentials where pip reads them, not the URL or the network.
 */
function unreachableFinding(index: string, pkgs: readonly PackageNode[], reason: string, refused: boolean): Finding {
  const first = pkgs[0]!;
  const said = refused ? `refused the scan (${reason})` : `did not answer usably (${reason})`;
  const todo = refused
    ? "Give the scan the credentials pip installs with: user and token in the index URL (PIP_INDEX_URL or the user's pip.conf index-url) or a ~/.netrc entry for its host, with read access to these projects."
    : 'Check the index URL and connectivity; a mirror must serve the simple API (PEP 503 HTML or PEP 691 JSON).';
  return {
    ruleId: 'CPP056',
    message: redactUrls(
      `${pkgs.length} Python package${pkgs.length === 1 ? '' : 's'} ${inLockfiles(pkgs)} could not be verified: the index ${index} ${said}. ${todo}`,
    ),
    location: { path: first.lockfile, line: first.line },
    artifact: { kind: 'file', path: first.lockfile },
    related: relatedOf(pkgs),
    evidence: {
      ecosystem: 'pypi',
      index: redactUrls(index),
      count: pkgs.length,
      packages: names(pkgs),
      reason: redactUrls(reason).slice(0, 300),
    },
  };
}

/**
 * The lockfiles a cause finding counts: its location is the first one's first entry, and "207 packages" at
 * python/uv.lock read as that file's count when requirements.txt held half of them.
 */
function inLockfiles(pkgs: readonly PackageNode[]): string {
  const files = [...new Set(pkgs.map((p) => p.lockfile))].sort(byCodePoint);
  if (files.length === 1) return `in ${files[0]!}`;
  const shown = files.slice(0, 3);
  const rest = files.length - shown.length;
  return rest > 0
    ? `in ${files.length} lockfiles (${shown.join(', ')} and ${rest} more)`
    : `in ${files.length} lockfiles (${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]!})`;
}

/** Every entry the cause reaches, as npm's cause findings list them (SARIF related locations, --verbose). */
function relatedOf(pkgs: readonly PackageNode[]): Location[] {
  return pkgs
    .map((p) => ({ path: p.lockfile, line: p.line }))
    .sort((a, b) => byCodePoint(a.path, b.path) || a.line - b.line)
    .slice(0, MAX_RELATED);
}

function unverifiable(pkg: PackageNode, detail: string): VerificationRecord {
  return { key: packageKey('pypi', pkg.name, pkg.version), status: 'unverifiable', detail };
}

/** A configuration file of the user's, regular files only (a FIFO at ~/.netrc must not hang the scan), bounded. */
async function readSmall(file: string): Promise<string | undefined> {
  return (await readRegularFile(file, MAX_CONFIG_BYTES).catch(() => undefined))?.toString('utf8');
}

function prefix(url: string): string {
  return trimEndRun(url.toLowerCase(), '/');
}
