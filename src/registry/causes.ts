import type { Finding, Level, Location } from '../core/finding.js';
import type { PackageNode } from '../core/records.js';
import { spec } from './findings.js';
import type { UnverifiedCause } from './state.js';
import { registryAuthKey } from './credentials.js';

/** Which rule reports a shared cause: registry health, a registry serving no signatures, or unusable keys. */
const RULE_OF: Record<UnverifiedCause['kind'], string> = {
  offline: 'CPD131',
  unreachable: 'CPD131',
  timeout: 'CPD131',
  'http-error': 'CPD131',
  'rate-limited': 'CPD131',
  'invalid-answer': 'CPD131',
  'too-large': 'CPD131',
  'budget-exhausted': 'CPD131',
  'auth-required': 'CPD156',
  'mirror-unsigned': 'CPD132',
  'scope-unsigned': 'CPD132',
  'no-keys': 'CPD133',
  'keys-unusable': 'CPD133',
  'registry-not-allowed': 'CPD154',
  'attestations-unserved': 'CPD160',
};

const ADVICE: Record<UnverifiedCause['kind'], string> = {
  offline: 'Run online once with the same --cache-dir (or drop --offline) so the registry can be asked.',
  unreachable: 'Check the registry URL and the network, then re-run.',
  timeout: 'The registry did not answer in time; re-run when it is healthy.',
  'http-error': 'The registry answered with errors (after a few, the scan stops asking it); re-run when it is healthy.',
  'rate-limited': 'The registry rate-limited the scan; re-run later, or with a warm --cache-dir.',
  'invalid-answer': 'The registry answered with documents that are not packuments; check what serves that URL.',
  'too-large': 'The registry answered with oversized documents; check what serves that URL.',
  'budget-exhausted':
    'The registry time budget of the scan ran out; re-run with a warm --cache-dir or when the registry is faster.',
  'auth-required':
    'Give the scan the credentials npm installs with: the token in the user .npmrc (or the environment variable it names) under the key in evidence.authKey, with read access to these packages.',
  'mirror-unsigned':
    'Point the scan at the origin registry (--npm-registry), or name this mirror in the policy (dependencies.trustedMirrors) if you trust its metadata.',
  'scope-unsigned':
    'If the scope is your own, published to this registry, its packages cannot carry npm signatures: name the registry in dependencies.trustedMirrors to accept them unsigned, or give the scope a registry of its own in .npmrc. If it is a public scope, the registry serves copies its publishers did not sign: resolve them from the origin registry.',
  'no-keys':
    'Without signing keys no signature can be checked. Name the registry in dependencies.trustedMirrors if you trust it, or set dependencies.verifySignatures: false.',
  'keys-unusable':
    'The keys endpoint answered with nothing usable (wrong shape or unsupported key types); check what serves that URL.',
  'attestations-unserved':
    'Point the scan at the origin registry (--npm-registry), or have the mirror proxy /-/npm/v1/attestations/; name it in dependencies.trustedMirrors if you trust its metadata without them.',
  'registry-not-allowed':
    'A repository .yarnrc.yml cannot widen the allowed registries (CPD150): add the registry to dependencies.allowedRegistries if you trust it, or remove the setting and regenerate the lockfile.',
};

/** Rules of "the registry could not be asked": at the policy's level for unverified packages (fail-closed: error). */
const UNREACHABLE_RULES: ReadonlySet<string> = new Set(['CPD131', 'CPD156']);

export interface CausedPackage {
  readonly pkg: PackageNode;
  readonly cause: UnverifiedCause;
}

/** The findings of a scan's shared causes, and the reason each package's verification record quotes. */
export interface SettledCauses {
  readonly findings: Finding[];
  /**
   * Its group's reason (commonReason), as the finding quotes it, so the JSON report's `verification[].detail` does
   * not depend on which request met a dead registry first either.
   */
  readonly reasonOf: (it: CausedPackage) => string;
}

/**
 * One finding per cause, registry and lockfile, with the count and every package in evidence (and as related
 * locations), instead of one line per package; the packages are grouped once, for the findings and the reasons
 * alike. `level` is the policy's level for "not verified".
 */
export function settleCauses(items: readonly CausedPackage[], level: Level | undefined): SettledCauses {
  const reasons = new Map<string, string>();
  const findings: Finding[] = [];
  for (const [key, group] of groupCauses(items)) {
    const reason = commonReason(group);
    reasons.set(key, reason);
    findings.push(causeFinding(group, reason, level));
  }
  return { findings, reasonOf: (it) => reasons.get(causeKey(it)) ?? it.cause.reason };
}

/** The findings of settleCauses alone, for callers that keep no per-package records. */
export function causeFindings(items: readonly CausedPackage[], level: Level | undefined): Finding[] {
  return settleCauses(items, level).findings;
}

/** The one finding of a group of packages sharing a cause, quoting `reason` (its commonReason). */
function causeFinding(group: readonly CausedPackage[], reason: string, level: Level | undefined): Finding {
  const sorted = [...group].sort((a, b) => a.pkg.line - b.pkg.line || cmp(spec(a.pkg), spec(b.pkg)));
  const first = sorted[0]!;
  const { kind, registry, what } = first.cause;
  const lockfile = first.pkg.lockfile;
  const specs = [...new Set(sorted.map((x) => spec(x.pkg)))];
  const n = specs.length;
  const related: Location[] = sorted.map((x) => ({ path: x.pkg.lockfile, line: x.pkg.line }));
  const origin = originNamed(sorted.map((x) => x.pkg.resolved));
  const mirrorOf =
    kind === 'mirror-unsigned' && origin !== undefined && !registry.startsWith(origin) ? origin : undefined;
  return {
    ruleId: RULE_OF[kind],
    message: `${n} package${n === 1 ? '' : 's'} in ${lockfile} ${n === 1 ? 'was' : 'were'} not verified: ${describe(kind, registry, reason, what, mirrorOf, first.cause.scope)}. ${ADVICE[kind]}`,
    location: { path: lockfile, line: first.pkg.line },
    ...(level !== undefined && UNREACHABLE_RULES.has(RULE_OF[kind]) ? { level } : {}),
    evidence: {
      cause: kind,
      registry,
      reason,
      count: n,
      packages: specs.join(' '),
      ...(mirrorOf !== undefined ? { origin: mirrorOf } : {}),
      ...(first.cause.scope !== undefined ? { scope: first.cause.scope } : {}),
      ...(kind === 'auth-required' ? { authKey: registryAuthKey(registry) } : {}),
    },
    related,
  };
}

/** The packages of one cause: one kind, registry and scope, in one lockfile (one finding each). */
function groupCauses(items: readonly CausedPackage[]): Map<string, CausedPackage[]> {
  const groups = new Map<string, CausedPackage[]>();
  for (const it of items) {
    const key = causeKey(it);
    const g = groups.get(key);
    if (g) g.push(it);
    else groups.set(key, [it]);
  }
  return groups;
}

function causeKey(it: CausedPackage): string {
  return `${it.cause.kind}\0${it.cause.registry}\0${it.cause.scope ?? ''}\0${it.pkg.lockfile}`;
}

/**
 * The reason a group quotes: the one most of its members carry, ties to the first in code-point order. Members are
 * asked concurrently, and which requests met a dead registry and which its breaker stopped is a race: the first
 * member's reason ("connect ECONNREFUSED" one run, "failed 3 times in a row" the next) made two runs of one scan
 * differ.
 */
function commonReason(group: readonly CausedPackage[]): string {
  const counts = new Map<string, number>();
  for (const { cause } of group) counts.set(cause.reason, (counts.get(cause.reason) ?? 0) + 1);
  let best = '';
  let most = 0;
  for (const [reason, n] of counts)
    if (n > most || (n === most && reason < best)) {
      best = reason;
      most = n;
    }
  return best;
}

function describe(
  kind: UnverifiedCause['kind'],
  registry: string,
  reason: string,
  what: string,
  mirrorOf: string | undefined,
  scope: string | undefined,
): string {
  switch (kind) {
    case 'scope-unsigned':
      return `${registry} signs other packages of this scan but serves no signature for any package of ${scope ?? 'this scope'} (no version of theirs carries one): it hosts the scope itself, beside the packages it proxies, so none of them could be checked`;
    case 'mirror-unsigned':
      return mirrorOf !== undefined
        ? `${registry} is a mirror of ${mirrorOf} (the origin the lockfile names) and serves no registry signatures, so none could be checked`
        : `${registry} publishes signing keys but serves no signature for any of them, so none could be checked`;
    case 'registry-not-allowed':
      return `yarn would install them from ${registry} (${reason}), which the policy does not allow, so it was not asked and no other registry stands in for it`;
    case 'attestations-unserved':
      return `their packuments list attestations, but ${registry} serves none of them (${reason} from /-/npm/v1/attestations/), so their provenance was not checked`;
    case 'no-keys':
    case 'keys-unusable':
      return `the signing keys of ${registry} could not be used (${reason}), so no signature was checked`;
    case 'auth-required':
      return `${registry} refused the scan (${what}: ${reason}), as it would refuse npm with the same configuration`;
    case 'offline':
    case 'unreachable':
    case 'timeout':
    case 'http-error':
    case 'rate-limited':
    case 'invalid-answer':
    case 'too-large':
    case 'budget-exhausted':
      return `${registry} could not be asked (${what}: ${reason})`;
  }
}

/** The registry the lockfile itself names: the origin of the first `resolved` URL, if any. */
function originNamed(resolved: readonly (string | undefined)[]): string | undefined {
  for (const r of resolved) {
    if (r === undefined) continue;
    try {
      const u = new URL(r);
      if (u.protocol === 'https:' || u.protocol === 'http:') return `${u.origin}/`;
    } catch {
      // not a URL: look at the next one
    }
  }
  return undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
