import pLimit from 'p-limit';
import type { ScanOptions } from '../../core/context.js';
import type { Finding, Location } from '../../core/finding.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import { byCodePoint } from '../../core/order.js';
import { samePep440Version } from '../../core/package-key.js';
import type { Policy } from '../../core/policy.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { allowedPythonIndexes } from '../../deps/parsers/python/checks/context.js';
import { projectMatcher } from '../../deps/parsers/python/pep508.js';
import { normalizePrefix } from '../../deps/checks/context.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { readRegularFile } from '../../io/open-regular.js';
import { PypiClient } from '../../registry/pypi/client.js';
import { readNetrc, readPipConfigs, resolvePypiIndex, toIndexConfig } from '../../registry/pypi/config.js';
import { parseProjectPage } from '../../verify/pypi/index-files.js';
import { builtFrom } from '../../verify/pypi/builds.js';
import type { LockfileChanges } from './diff.js';
import { addedBuildFinding, buildsRunIn } from './new-scripts.js';

/** The project page of one Python package, as the scan's PyPI client fetches it. */
export type ProjectPage = (
  pkg: PackageNode,
) => Promise<{ kind: 'ok'; json: unknown } | { kind: 'unanswered'; reason: string }>;

/** The most new pins asked about in one review: the rest are counted, never passed. */
const MAX_ASKED = 200;
const MAX_CONFIG_BYTES = 256 * 1024;
/** The review's budget for every index request: a dead index costs at most this, never a timeout per package. */
const BUDGET_MS = 60_000;

/**
 * The Python packages new to a lockfile that names no files (requirements, Pipfile.lock): whether the installer
 * builds them from their sdist is only known from the index. Not those the policy allows to build, nor a
 * name@version a base lockfile already installed without a recorded wheel (`buildsRunIn`: that build is not new).
 */
export function unnamedAdditions(
  lockfiles: readonly LockfileChanges[],
  baseGraphs: readonly DependencyGraph[],
  policy: Policy,
): PackageNode[] {
  const allowed = projectMatcher(policy.dependencies.allowInstallScripts);
  const ranAtBase = buildsRunIn(baseGraphs);
  return lockfiles
    .filter((lf) => lf.ecosystem === 'pypi')
    .flatMap((lf) => lf.changes.flatMap((c) => (c.kind === 'added' ? [c.head] : [])))
    .filter(
      (p) =>
        p.source === 'registry' &&
        p.version !== '' &&
        !(p.distributions ?? []).some((d) => d.filename !== undefined) &&
        !allowed(p.name) &&
        !ranAtBase.has(`${p.name}@${p.version}`),
    );
}

/**
 * CPU003 online for the new pins of lockfiles that name no files, judged as the head scan's online CPP074 judges them
 * (verify/pypi/builds.ts `builtFrom`): no wheel pip may take installs on CPython 3.8–3.14, so pip builds the sdist and
 * runs its build backend. What could not be asked is one CPD130 per cause.
 */
export async function indexBuildQuestions(
  added: readonly PackageNode[],
  page: ProjectPage | undefined,
): Promise<Finding[]> {
  if (added.length === 0) return [];
  // Offline, the npm questions are not asked either: a note, so the gap is said without failing a warning gate.
  if (page === undefined) return [{ ...notAsked(added, 'the review is offline'), level: 'note' }];
  const asked = added.slice(0, MAX_ASKED);
  const findings: Finding[] = [];
  const unanswered = new Map<string, PackageNode[]>();
  const answers = await Promise.all(asked.map(async (p) => ({ p, got: await page(p) })));
  for (const { p, got } of answers) {
    if (got.kind === 'unanswered') {
      unanswered.set(got.reason, [...(unanswered.get(got.reason) ?? []), p]);
      continue;
    }
    const files = parseProjectPage(got.json);
    if (files === undefined) {
      const reason = 'the project page is not a simple API page (PEP 503 HTML or PEP 691 JSON)';
      unanswered.set(reason, [...(unanswered.get(reason) ?? []), p]);
      continue;
    }
    const sdists = builtFrom(
      p,
      files.filter((f) => samePep440Version(f.version, p.version)),
    );
    if (sdists !== undefined) findings.push(addedBuildFinding(p, sdists[0]!, 'index'));
  }
  if (added.length > asked.length) unanswered.set(`more than ${MAX_ASKED} new Python pins`, added.slice(asked.length));
  for (const [reason, pkgs] of [...unanswered].sort(([a], [b]) => byCodePoint(a, b)))
    findings.push(notAsked(pkgs, reason));
  return findings;
}

/** One finding for every new pin the index was not asked about for one reason, the count and names in evidence. */
function notAsked(pkgs: readonly PackageNode[], reason: string): Finding {
  const at: Location[] = pkgs
    .map((p) => ({ path: p.lockfile, line: p.line }))
    .sort((a, b) => byCodePoint(a.path, b.path) || a.line - b.line);
  return {
    ruleId: 'CPD130',
    message: redactUrls(
      `${pkgs.length} Python package(s) new to a lockfile that names no files could not be checked against the index: ${reason}. Whether the installer builds them from source (running their setup.py) was not asked.`,
    ),
    location: { path: '.' },
    evidence: {
      reason: redactUrls(reason).slice(0, 300),
      count: pkgs.length,
      packages: pkgs
        .map((p) => `${p.name}@${p.version}`)
        .sort(byCodePoint)
        .join(' '),
    },
    related: at.slice(0, MAX_RELATED),
  };
}

/**
 * Project pages fetched as the scan's PyPI stage fetches them (registry/pypi/stage.ts `clientFor`): the user's
 * index (`PIP_INDEX_URL`, their pip.conf, never one from the scanned tree), or the lockfile's own index when it is
 * that one or one the policy trusts. One request per index and project (the client caches), one time budget.
 */
export async function indexPages(options: ScanOptions, policy: Policy, signal: AbortSignal): Promise<ProjectPage> {
  const read = async (file: string) =>
    (await readRegularFile(file, MAX_CONFIG_BYTES).catch(() => undefined))?.toString('utf8');
  const netrc = await readNetrc(options.env, read);
  const configured = resolvePypiIndex(options.env, await readPipConfigs(options.env, read), netrc);
  const trusted = [normalizePrefix(configured.indexUrl), ...allowedPythonIndexes(policy, options.env)];
  const budget = { signal: AbortSignal.any([signal, AbortSignal.timeout(BUDGET_MS)]), ms: BUDGET_MS };
  const clients = new Map<string, PypiClient>();
  const clientFor = (pkg: PackageNode): PypiClient => {
    const own =
      pkg.resolved !== undefined && /^https?:\/\//i.test(pkg.resolved) ? toIndexConfig(pkg.resolved, netrc) : undefined;
    const index =
      own !== undefined && trusted.some((p) => normalizePrefix(own.indexUrl).startsWith(p)) ? own : configured;
    let c = clients.get(index.indexUrl);
    if (c === undefined) {
      c = new PypiClient({
        index,
        timeoutMs: 15_000,
        retries: 2,
        minRetryDelayMs: 500,
        maxBytes: 32 * 1024 * 1024,
        budget,
        signal,
        ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      });
      clients.set(index.indexUrl, c);
    }
    return c;
  };
  // As many requests at once as the scan sends (`--concurrency`), however many pins the change adds.
  const limit = pLimit(Math.max(1, options.concurrency));
  return (pkg) => limit(() => projectPage(clientFor(pkg), pkg.name));
}

async function projectPage(client: PypiClient, name: string): ReturnType<ProjectPage> {
  const got = await client.project(name);
  if (got.kind === 'ok') return got;
  const reason =
    got.kind === 'not-found' ? `the index ${client.indexUrl} has no such project` : `${client.indexUrl}: ${got.reason}`;
  return { kind: 'unanswered', reason };
}
