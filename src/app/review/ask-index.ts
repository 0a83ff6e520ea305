import pLimit from 'p-limit';
import type { ScanOptions } from '../../core/context.js';
import type { Finding } from '../../core/finding.js';
import { byCodePoint } from '../../core/order.js';
import { samePep440Version } from '../../core/package-key.js';
import type { Policy } from '../../core/policy.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { projectMatcher } from '../../deps/parsers/python/pep508.js';
import type { PypiClient } from '../../registry/pypi/client.js';
import { PYPI_STAGE_DEFAULTS, pypiClientFor } from '../../registry/pypi/stage.js';
import { type IndexFile, parseProjectPage } from '../../verify/pypi/index-files.js';
import { builtFrom, needsIndexForBuild } from '../../verify/pypi/builds.js';
import type { LockfileChanges, PackageChange } from './diff.js';
import { addedBuildFinding, buildsRunIn, movedBuildFinding } from './new-scripts.js';
import { type Unanswered, unansweredByCause } from './unanswered.js';

/** The project page of one Python package, as the scan's PyPI client fetches it. */
export type ProjectPage = (
  pkg: PackageNode,
) => Promise<{ kind: 'ok'; json: unknown } | { kind: 'unanswered'; reason: string }>;

/** The most new or updated pins asked about in one review: the rest are counted, never passed. */
const MAX_ASKED = 200;
/** The review's budget for every index request: a dead index costs at most this, never a timeout per package. */
const BUDGET_MS = 60_000;

/** A pin the index is asked about: new to its lockfile, or moved from `base` (an update or a downgrade). */
export interface IndexQuestion {
  readonly head: PackageNode;
  readonly base?: PackageNode;
}

/**
 * The Python packages new to, or moved in, a lockfile that names no files (requirements, Pipfile.lock): whether the
 * installer builds them from their sdist is only known from the index. An update to a release without a wheel that
 * fits runs new build code as a new package does. Those the scan would ask about (verify/pypi/builds.ts
 * `needsIndexForBuild`: not under --only-binary, not allowed to build by the policy), but not a name@version a base
 * lockfile already installed without a recorded wheel (`buildsRunIn`: that build is not new).
 */
export function unnamedPins(
  lockfiles: readonly LockfileChanges[],
  baseGraphs: readonly DependencyGraph[],
  policy: Policy,
): IndexQuestion[] {
  const allowed = projectMatcher(policy.dependencies.allowInstallScripts);
  const ranAtBase = buildsRunIn(baseGraphs);
  return lockfiles
    .filter((lf) => lf.ecosystem === 'pypi')
    .flatMap((lf) => lf.changes.flatMap(question))
    .filter(
      ({ head: p }) =>
        p.source === 'registry' &&
        p.version !== '' &&
        needsIndexForBuild(p, allowed) &&
        !ranAtBase.has(`${p.name}@${p.version}`),
    );
}

function question(c: PackageChange): IndexQuestion[] {
  if (c.kind === 'added') return [{ head: c.head }];
  if (c.kind === 'removed') return [];
  return [{ head: c.head, base: c.base }];
}

/**
 * CPU003 online for the new and moved pins of lockfiles that name no files, judged as the head scan's online CPP074
 * judges them (verify/pypi/builds.ts `builtFrom`): no wheel pip may take installs on CPython 3.8–3.14, so pip builds
 * the sdist and runs its build backend. A move is reported when its base release had a wheel to take, as a lockfile
 * that names its files reports one (questions.ts `newSourceBuild`): the project page lists both releases, so that
 * costs no request. What could not be asked is one CPD130 per cause.
 */
export async function indexBuildQuestions(
  pins: readonly IndexQuestion[],
  page: ProjectPage | undefined,
): Promise<Finding[]> {
  if (pins.length === 0) return [];
  // Offline, the npm questions are not asked either: a note, so the gap is said without failing a warning gate.
  if (page === undefined)
    return notAsked(pins.map(({ head }) => unasked(head, 'the review is offline'))).map((f) => ({
      ...f,
      level: 'note',
    }));
  const asked = pins.slice(0, MAX_ASKED);
  const findings: Finding[] = [];
  const unanswered: Unanswered[] = pins
    .slice(asked.length)
    .map(({ head }) => unasked(head, `more than ${MAX_ASKED} new or updated Python pins`));
  const answers = await Promise.all(asked.map(async (q) => ({ q, got: await page(q.head) })));
  for (const { q, got } of answers) {
    if (got.kind === 'unanswered') {
      unanswered.push(unasked(q.head, got.reason));
      continue;
    }
    const files = parseProjectPage(got.json);
    if (files === undefined) {
      unanswered.push(unasked(q.head, 'the project page is not a simple API page (PEP 503 HTML or PEP 691 JSON)'));
      continue;
    }
    const finding = buildFinding(q, files);
    if (finding !== undefined) findings.push(finding);
  }
  // One cause per reason, in reason order (the index answers in any order).
  return [...findings, ...notAsked(unanswered.sort((a, b) => byCodePoint(a.reason, b.reason)))];
}

/** CPU003 when pip builds the head pin from its sdist and, for a move, took a wheel of the base release. */
function buildFinding({ head, base }: IndexQuestion, files: readonly IndexFile[]): Finding | undefined {
  const sdists = builtFrom(head, releaseFiles(files, head));
  if (sdists === undefined) return undefined;
  if (base === undefined) return addedBuildFinding(head, sdists[0]!, 'index');
  // A base release the index no longer lists (deleted) cannot show it was built too: the build is reported.
  if (builtFrom(base, releaseFiles(files, base)) !== undefined) return undefined;
  return movedBuildFinding(base, head, sdists[0]!, 'index');
}

function releaseFiles(files: readonly IndexFile[], p: PackageNode): IndexFile[] {
  return files.filter((f) => samePep440Version(f.version, p.version));
}

function unasked(p: PackageNode, reason: string): Unanswered {
  return { name: p.name, version: p.version, reason, at: { path: p.lockfile, line: p.line } };
}

/** One finding for every new or updated pin the index was not asked about for one reason, the count and names in evidence. */
function notAsked(unanswered: readonly Unanswered[]): Finding[] {
  return unansweredByCause(
    unanswered,
    (count, reason) =>
      `${count} Python package(s) new to or updated in a lockfile that names no files could not be checked against the index: ${reason}. Whether the installer builds them from source (running their setup.py) was not asked.`,
  );
}

/**
 * Project pages fetched as the scan's PyPI stage fetches them (registry/pypi/stage.ts `pypiClientFor`): the user's
 * index (`PIP_INDEX_URL`, their pip.conf, never one from the scanned tree) with its credentials, or the lockfile's own
 * index when it is another one the policy trusts. One request per index and project (the client caches), one time
 * budget of the review's own.
 */
export async function indexPages(options: ScanOptions, policy: Policy, signal: AbortSignal): Promise<ProjectPage> {
  const budget = { signal: AbortSignal.any([signal, AbortSignal.timeout(BUDGET_MS)]), ms: BUDGET_MS };
  const clientFor = await pypiClientFor(options, policy, { budget, signal, opts: PYPI_STAGE_DEFAULTS });
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
