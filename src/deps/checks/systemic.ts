import type { Finding, Location } from '../../core/finding.js';
import { groupCauses, MAX_RELATED, memberName } from '../../core/group-causes.js';
import type { DependencyGraph } from '../../core/records.js';

/**
 * One finding per cause. A lockfile where most entries lack an integrity (npm writes none when it rebuilt the tree
 * from a hidden lockfile or cache without them: sigstore-js's has 825 of 1,048) or pin only SHA-1 (npm 5/6 era
 * lockfiles of old packages) has one cause — how the file was written — not hundreds of package problems. From
 * SYSTEMIC_MIN findings of such a rule in one lockfile on, they become one finding at the first entry, with the
 * count, the names in evidence and every entry in `related`. A handful of stripped entries stay per package: that is
 * what tampering looks like.
 */
export const SYSTEMIC_MIN = 20;

interface Systemic {
  /** What the members have in common, for the message; `key` is the group's key when the rule has `keyOf`. */
  readonly what: (key: string) => string;
  readonly todo: string | ((key: string) => string);
  /**
   * What the members are: packages (the default, counted against the lockfile's entries), lines of the file, or
   * dependencies a manifest declares (`evidence.dependency`), which the lockfile does not hold.
   */
  readonly unit?: 'lines' | 'declared';
  /** Members from which a group forms (SYSTEMIC_MIN unless said). */
  readonly min?: number;
  /** Splits a rule's findings into one cause each (CPD005: the refused host); the key is kept in evidence. */
  readonly keyOf?: (f: Finding) => string;
  readonly keyName?: string;
}

/**
 * A key from a finding's URL (its evidence's `resolved`, or where it is fetched from): '' when it has none, the text
 * as written when it is no URL.
 */
function urlKeyOf(resolved: unknown, keyOfUrl: (url: URL) => string): string {
  if (typeof resolved !== 'string') return '';
  try {
    return keyOfUrl(new URL(resolved));
  } catch {
    return resolved;
  }
}

/**
 * CPD005: every entry from one host the policy refuses has the same cause — the lockfile was built against that
 * registry — so from two entries on, a host is one finding with the count (a single stray entry stays per package).
 */
const hostKey = (f: Finding): string => {
  // A registry-relative path that climbs out of its registry (sources.ts `registryPathEscape`): the cause is the
  // repository it lands in on an allowed host, so the key is that repository's URL, not the host.
  const fetched = f.evidence?.fetched;
  if (typeof fetched === 'string') return /^(.*?\/)(?:@[^/]+\/)?[^/]+\/-\/[^/]+$/.exec(fetched)?.[1] ?? fetched;
  return urlKeyOf(f.evidence?.resolved, (url) => url.host.toLowerCase());
};

/**
 * CPD006: the insecure origin (`http://npm.corp.example`). A lockfile built against a registry served over http holds
 * every package from it that way — one cause, not one error per package (30 entries were 30 findings beside the one
 * CPD005 for the same host); a single stray entry stays per package, as CPD005's does.
 */
// An https entry npm moves onto an http registry (sources.ts `insecureFetch`): the cause is that registry.
const originKey = (f: Finding): string =>
  urlKeyOf(f.evidence?.fetched ?? f.evidence?.resolved, (url) => `${url.protocol}//${url.host.toLowerCase()}`);

/** CPP014–CPP016: the source (`evidence.url`, as pyPackageFinding redacted it) is the cause, counted in lines. */
const bySource = {
  min: 2,
  keyOf: (f: Finding) => String(f.evidence?.['url'] ?? ''),
  keyName: 'url',
  unit: 'lines',
} as const;

const SYSTEMIC: Readonly<Record<string, Systemic>> = {
  CPD005: {
    what: (host) => `resolve from ${host}, which the policy does not allow`,
    todo: 'The lockfile was built against that registry. Regenerate it from an allowed registry, or add the registry to dependencies.allowedRegistries in the policy (or your own ~/.npmrc) if you trust it; a repository .npmrc does not widen it.',
    min: 2,
    keyOf: hostKey,
    keyName: 'host',
  },
  CPD006: {
    what: (origin) => `are fetched over an insecure protocol from ${origin}`,
    todo: 'Anyone on the network path can replace them. Serve the registry over https (or use git+ssh) and regenerate the lockfile.',
    min: 2,
    keyOf: originKey,
    keyName: 'origin',
  },
  CPD002: {
    what: () => 'have no integrity hash',
    todo: 'The package manager then trusts whatever the registry serves for each of them. Delete the lockfile (or the entries) and reinstall with a current npm so integrities are recorded; if only a few of these entries changed in a pull request, review them one by one.',
  },
  CPD003: {
    what: () => 'are pinned by a SHA-1 hash only',
    todo: 'Refresh the lockfile with a current package manager so sha512 integrities are recorded where the registry has them.',
  },
  // Python (deps/parsers/python/checks): a hashed requirements file where most lines lack a --hash, a lockfile
  // written without hashes, a file hashed throughout with an algorithm pip refuses — each is how the file was made.
  CPP011: {
    what: (mode) =>
      mode === 'on'
        ? 'have no --hash while the file uses hash-checking mode'
        : mode === 'unsupported'
          ? 'are editable, version-control or directory requirements, which pip cannot hash, in a file that uses hash-checking mode'
          : 'are locked without any file hash',
    todo: (mode) =>
      mode === 'locked'
        ? 'The installer then takes whatever the index serves for each of them. Re-lock with a current tool so the hashes of their files are recorded; if only a few of these entries changed in a pull request, review them one by one.'
        : 'pip refuses the whole install in hash-checking mode (one --hash anywhere turns it on). Regenerate the file with pip-compile --generate-hashes or uv pip compile --generate-hashes, or find who added the hashed lines.',
    keyOf: (f) => String(f.evidence?.['hashMode'] ?? 'locked'),
    keyName: 'hashMode',
  },
  CPP017: {
    what: (algorithms) => `are pinned only by ${algorithms}, which pip does not accept as a strong hash`,
    todo: 'Regenerate the hashes with sha256 (pip-compile --generate-hashes, or re-lock).',
    keyOf: (f) => String(f.evidence?.['algorithms'] ?? ''),
    keyName: 'algorithms',
  },
  // A package.json that declares many dependencies the lockfile does not lock was changed without running the install
  // (or the lockfile was replaced): one cause per manifest. A few stay per dependency, each at its line.
  CPD014: {
    what: (manifest) => `declared in ${manifest} are not locked by`,
    todo: "A frozen install stops; a plain install resolves each of them at build time, to whatever the registry serves then. Run the package manager's install, commit the lockfile it writes, and use a frozen install in CI; if only some of them came in a pull request, review those one by one.",
    keyOf: (f) => f.location.path,
    keyName: 'manifest',
    unit: 'declared',
  },
  // One source installed on many lines of a file (a tox.ini whose 200 environments each install the same repository,
  // a script that repeats one URL): one source, one decision. Different sources stay apart, each from two lines on.
  CPP014: {
    what: (url) => `install ${url} from version control`,
    todo: 'Prefer a released version from the index; if not, pin a full commit hash.',
    ...bySource,
  },
  CPP015: {
    what: (url) => `install ${url}, a direct URL`,
    todo: 'Depend on an index version instead.',
    ...bySource,
  },
  CPP016: {
    what: (url) => `install ${url}, a local path`,
    todo: 'Use a workspace member or a published version.',
    ...bySource,
  },
  CPP004: {
    what: (problem) => `are refused by pip with the same error (${problem})`,
    todo: 'pip stops at the first of them, so nothing in the file installs. Fix how the file is generated, then regenerate it.',
    keyOf: (f) => String(f.evidence?.['problem'] ?? ''),
    keyName: 'problem',
    unit: 'lines',
  },
};

/**
 * The lockfile a grouped rule's member belongs to: where it stands, or for a dependency a manifest declares and the
 * lockfile does not lock (CPD014, which stands in package.json), the lockfile its evidence names.
 */
export function lockfileOf(f: Finding): string {
  const named = f.evidence?.['lockfile'];
  return SYSTEMIC[f.ruleId]?.unit === 'declared' && typeof named === 'string' ? named : f.location.path;
}

export function collapseSystemic(findings: readonly Finding[], graph: DependencyGraph): Finding[] {
  return groupSystemic(findings, { lockfile: graph.lockfile, packages: graph.packages.length });
}

/**
 * The grouping itself, for any findings of one lockfile: `review` regroups the entries a change adds to a group, so a
 * pull request that adds hundreds of them still reads as one cause. `packages` (the lockfile's entry count) is named
 * in the message when known.
 */
export function groupSystemic(
  findings: readonly Finding[],
  scope: { readonly lockfile: string; readonly packages?: number },
): Finding[] {
  const keyOf = (f: Finding) => SYSTEMIC[f.ruleId]!.keyOf?.(f) ?? '';
  const causeOf = (f: Finding) => (SYSTEMIC[f.ruleId] === undefined ? undefined : `${f.ruleId}\0${keyOf(f)}`);
  const min = (group: readonly Finding[]) => SYSTEMIC[group[0]!.ruleId]!.min ?? SYSTEMIC_MIN;
  const summariseGroup = (group: readonly Finding[]) => summarise(group[0]!.ruleId, keyOf(group[0]!), group, scope);
  return groupCauses(findings, causeOf, min, summariseGroup) ?? [...findings];
}

function summarise(
  ruleId: string,
  key: string,
  list: readonly Finding[],
  scope: { readonly lockfile: string; readonly packages?: number },
): Finding {
  const { what, todo, keyName, unit } = SYSTEMIC[ruleId]!;
  const first = list[0]!;
  const names = list.map(memberName);
  const among =
    unit === 'lines' ? 'lines' : scope.packages === undefined ? 'packages' : `of the ${scope.packages} packages`;
  const where =
    unit === 'lines'
      ? `lines ${list
          .slice(0, 5)
          .map((f) => f.location.line ?? 1)
          .join(', ')}${list.length > 5 ? ', …' : ''}`
      : `first: ${names.slice(0, 3).join(', ')} at ${first.location.path}:${first.location.line ?? 1}`;
  const related: Location[] = list.slice(1, MAX_RELATED + 1).map((f) => f.location);
  const advice = typeof todo === 'string' ? todo : todo(key);
  // A level the policy set on the members (dependencies.sources for CPP014–CPP016) is the group's.
  const level = list.every((f) => f.level === first.level) ? first.level : undefined;
  return {
    ruleId,
    ...(level !== undefined ? { level } : {}),
    message:
      unit === 'declared'
        ? `${list.length} dependencies ${what(key)} ${scope.lockfile} (${where}). ${advice}`
        : `${list.length} ${among} in ${scope.lockfile} ${what(key)} (${where}). ${advice}`,
    location: first.location,
    artifact: { kind: 'file', path: scope.lockfile },
    evidence: {
      count: list.length,
      packages: names.slice(0, 50).join(' '),
      ...(keyName !== undefined ? { [keyName]: key } : {}),
      // Python members say their ecosystem (pyPackageFinding); the group keeps it for reporters.
      ...(first.evidence?.['ecosystem'] !== undefined ? { ecosystem: first.evidence['ecosystem'] } : {}),
    },
    related,
    members: list,
  };
}
