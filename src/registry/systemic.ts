import type { Finding, Location } from '../core/finding.js';
import { groupCauses, MAX_RELATED, memberName } from '../core/group-causes.js';
import { unknownKeyWhere } from './findings.js';

/**
 * One finding per cause for two per-package rules whose every instance in a lockfile can share one cause:
 *
 * - CPD107 where each `resolved` is the registry's own tarball path below one other base URL (`resolvedBase`): the
 *   lockfile was written against another registry (a migration, an old mirror) that npm still fetches from, since
 *   `replace-registry-host` does not cover it. One CPD157 per lockfile and base.
 * - CPD101 "has no package" (the packument answered 404) for every package a registry was asked about: the
 *   registry URL or scope mapping is wrong, or the registry hides them (GitHub Packages answers 404 without read
 *   access). One CPD158 per lockfile and registry.
 * - CPD112 for a signature by a key the registry's keys do not hold: every package signed with that key shares the
 *   cause (a rotation the embedded TUF keys predate, or a mirror that signs with a key of its own). One CPD112 per
 *   lockfile, registry and key, naming the packages.
 * - CPD130 for a lockfile integrity the registry check cannot read although CPD004 accepts it: one per lockfile says
 *   what the registry check could not do. (A missing integrity, or one CPD004 reports, makes no CPD130 at all: CPD002
 *   or CPD004 is its one finding, check.ts `reportedOffline`.)
 * - CPD130 for a registry that publishes nothing to hold the lockfile's integrity against (no `dist.integrity`, or
 *   only a `dist.shasum` while the lockfile pins sha512): a mirror or private registry that strips or never wrote
 *   the field does so for every package it serves. One CPD130 per lockfile, registry and missing algorithm.
 *
 * From GROUP_MIN findings of one cause on; fewer stay per package, as that is what a tampered entry looks like.
 * Verdicts are settled before this runs: each package keeps its own status; the members stay on the group.
 */
export const GROUP_MIN = 2;

/** `findings` itself (not a copy) when nothing groups: a 300k-finding scan pays one pass, no copy. */
export function groupRegistryCauses(findings: Finding[], registriesWithoutAny: ReadonlySet<string>): Finding[] {
  const causeOf = (f: Finding) => groupKey(f, registriesWithoutAny);
  return groupCauses(findings, causeOf, () => GROUP_MIN, summarise) ?? findings;
}

function groupKey(f: Finding, registriesWithoutAny: ReadonlySet<string>): string | undefined {
  const base = f.evidence?.resolvedBase;
  if (f.ruleId === 'CPD107' && typeof base === 'string')
    return `CPD157\0${f.location.path}\0${base}\0${String(f.evidence?.scope ?? '')}`;
  const registry = f.evidence?.registry;
  if (
    f.ruleId === 'CPD101' &&
    f.evidence?.status !== undefined &&
    typeof registry === 'string' &&
    registriesWithoutAny.has(registry)
  )
    return `CPD158\0${f.location.path}\0${registry}`;
  const keyid = f.evidence?.keyid;
  if (f.ruleId === 'CPD112' && f.evidence?.reason === 'unknown' && typeof keyid === 'string')
    return `CPD112\0${f.location.path}\0${String(registry)}\0${keyid}`;
  const reason = f.evidence?.reason;
  if (f.ruleId === 'CPD130' && typeof reason === 'string' && LOCKFILE_INTEGRITY_REASONS.has(reason))
    return `CPD130\0${f.location.path}\0${reason}`;
  const missing = f.ruleId === 'CPD130' ? registryIntegrityMissing(f) : undefined;
  if (missing !== undefined) return `CPD130\0${f.location.path}\0${String(registry)}\0${missing}`;
  return undefined;
}

/**
 * What the registry left out when a CPD130 says it publishes nothing to compare (check.ts checkIntegrity): `any`
 * for no integrity at all, else the algorithm the package manager checks that the registry does not publish.
 * Undefined for the package's own problem (a lockfile digest that is no valid digest of an algorithm the registry
 * publishes).
 */
function registryIntegrityMissing(f: Finding): string | undefined {
  const { reason, registry, checked, published } = f.evidence ?? {};
  if (typeof registry !== 'string') return undefined;
  if (reason === 'no registry integrity') return 'any';
  if (reason !== 'no common integrity algorithm' || typeof checked !== 'string' || typeof published !== 'string')
    return undefined;
  return published.split(' ').includes(checked) ? undefined : checked;
}

/** CPD130's reasons (check.ts checkIntegrity) that lie in how the lockfile was written, each with what it means. */
const LOCKFILE_INTEGRITY_REASONS: ReadonlyMap<string, string> = new Map([
  [
    'lockfile integrity not valid SRI',
    'have a lockfile integrity that is no valid SRI hash (CPD004), which cannot be compared with the registry',
  ],
  [
    'yarn conditional package without checksum',
    'are platform-specific optional packages yarn records no checksum for: on a matching platform yarn installs their bytes unchecked, and they cannot be compared with the registry',
  ],
]);

function summarise(list: readonly Finding[]): Finding {
  const sorted = [...list].sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
  const first = sorted[0]!;
  const lockfile = first.location.path;
  const specs = sorted.map((f) => (f.artifact?.kind === 'package' ? `${f.artifact.name}@${f.artifact.version}` : ''));
  const n = sorted.length;
  const related: Location[] = sorted.slice(0, MAX_RELATED).map((f) => f.location);
  if (first.ruleId === 'CPD107') {
    const base = String(first.evidence?.resolvedBase);
    const published = String(first.evidence?.expected);
    const scope = first.evidence?.scope;
    if (typeof scope === 'string') return scopeBypassGroup(sorted, related, scope);
    return {
      ruleId: 'CPD157',
      message: `npm fetches ${n} packages of ${lockfile} from ${base}, not from the registry that publishes them (e.g. ${published}): their resolved URLs name another registry, and nothing here verified ${base}. Regenerate the lockfile against the configured registry, or, if ${base} is a registry you moved away from, set replace-registry-host in .npmrc so npm fetches from the configured one.`,
      location: first.location,
      evidence: { resolvedBase: base, count: n, packages: specs.join(' ') },
      related,
      members: sorted,
    };
  }
  if (first.ruleId === 'CPD130')
    return registryIntegrityMissing(first) !== undefined
      ? registryIntegrityGroup(sorted, related)
      : lockfileIntegrityGroup(sorted, related);
  const registry = String(first.evidence?.registry);
  if (first.ruleId === 'CPD112') {
    const keyid = String(first.evidence?.keyid);
    const source = first.evidence?.keySource === 'embedded' ? 'embedded' : 'registry';
    return {
      ruleId: 'CPD112',
      message: `${n} packages of ${lockfile} are signed with key ${keyid}, which ${unknownKeyWhere(source, registry)}. Re-resolve them from the origin registry.`,
      location: first.location,
      evidence: { registry, keyid, reason: 'unknown', keySource: source, count: n, packages: specs.join(' ') },
      related,
      members: sorted,
    };
  }
  return {
    ruleId: 'CPD158',
    message: `${registry} has none of the ${n} packages of ${lockfile} it was asked for (HTTP ${String(first.evidence?.status)} for each): the registry URL or the scope's registry in .npmrc is wrong, or it hides them from these credentials. npm would fail to install them from there; fix the registry configuration.`,
    location: first.location,
    evidence: { registry, status: String(first.evidence?.status), count: n, packages: specs.join(' ') },
    related,
    members: sorted,
  };
}

/**
 * One CPD157 for the packages of a scope npm fetches from the default registry although the npm configuration maps
 * the scope to its own (check-resolved.ts `scopeBypassOf`): the default registry is configured, so the cause is the
 * bypassed mapping, as CPD162 says it for a mapping in the repository's .npmrc.
 */
function scopeBypassGroup(sorted: readonly Finding[], related: Location[], scope: string): Finding {
  const first = sorted[0]!;
  const lockfile = first.location.path;
  const base = String(first.evidence?.resolvedBase);
  const scopeRegistry = String(first.evidence?.scopeRegistry);
  const names = sorted.map(memberName);
  return {
    ruleId: 'CPD157',
    message: `npm fetches ${sorted.length} ${scope} packages of ${lockfile} from ${base}, the default registry, not from ${scopeRegistry}, the registry the npm configuration names for ${scope} (e.g. ${names.slice(0, 3).join(', ')}): npm fetches a lockfile's resolved URL as written, so the scope mapping does not apply. Regenerate the entries with the scope registry configured, and check what ${base} serves under these names.`,
    location: first.location,
    evidence: { resolvedBase: base, scope, scopeRegistry, count: sorted.length, packages: names.join(' ') },
    related,
    members: sorted,
  };
}

/** What to do, where the reason is not a lockfile a reinstall would mend. */
const LOCKFILE_INTEGRITY_ADVICE: ReadonlyMap<string, string> = new Map([
  [
    'yarn conditional package without checksum',
    'A reinstall does not add a checksum to them; review these versions, or pin the platform packages as regular dependencies where their bytes must be checked.',
  ],
]);

/**
 * One CPD130 for the packages of a lockfile whose integrity cannot be compared with the registry for one reason. A
 * level the policy set on the members (fail-closed makes them errors) is the group's; each package stays unverifiable.
 */
function lockfileIntegrityGroup(sorted: readonly Finding[], related: Location[]): Finding {
  const first = sorted[0]!;
  const reason = String(first.evidence?.reason);
  const names = sorted.map(memberName);
  return {
    ruleId: 'CPD130',
    ...(first.level !== undefined ? { level: first.level } : {}),
    message: `${sorted.length} packages of ${first.location.path} ${LOCKFILE_INTEGRITY_REASONS.get(reason)!} (first: ${names.slice(0, 3).join(', ')} at ${first.location.path}:${first.location.line ?? 1}). ${LOCKFILE_INTEGRITY_ADVICE.get(reason) ?? 'Delete the entries and reinstall with a current package manager so the integrities are recorded.'}`,
    location: first.location,
    artifact: { kind: 'file', path: first.location.path },
    evidence: { reason, count: sorted.length, packages: names.slice(0, 50).join(' ') },
    related,
    members: sorted,
  };
}

/**
 * One CPD130 for the packages of a lockfile its registry publishes no comparable integrity for. npm checks the
 * download against the lockfile's integrity alone when the packument has none to hold it against (pacote
 * RegistryFetcher `manifest`: only a `dist.integrity` sharing an algorithm with it can conflict), so nothing ties the
 * locked digests to what the registry serves. Each package stays unverifiable; the policy's level is the group's.
 */
function registryIntegrityGroup(sorted: readonly Finding[], related: Location[]): Finding {
  const first = sorted[0]!;
  const { reason, registry, checked, published } = first.evidence ?? {};
  const names = sorted.map(memberName);
  const lacks =
    reason === 'no registry integrity'
      ? 'publishes no integrity for any of them'
      : `publishes no ${String(checked)} digest for them (only ${String(published)}), and the package manager checks each download against the lockfile's ${String(checked)} alone`;
  return {
    ruleId: 'CPD130',
    ...(first.level !== undefined ? { level: first.level } : {}),
    message: `${sorted.length} packages of ${first.location.path} were not checked: ${String(registry)} ${lacks}, so the lockfile's integrities cannot be compared with the registry (first: ${names.slice(0, 3).join(', ')} at ${first.location.path}:${first.location.line ?? 1}). A mirror that strips dist.integrity does this: scan against the origin registry (--npm-registry), or have the registry serve dist.integrity.`,
    location: first.location,
    artifact: { kind: 'file', path: first.location.path },
    evidence: {
      reason: String(reason),
      registry: String(registry),
      ...(reason === 'no registry integrity' ? {} : { checked: String(checked), published: String(published) }),
      count: sorted.length,
      packages: names.slice(0, 50).join(' '),
    },
    related,
    members: sorted,
  };
}
