import picomatch from 'picomatch';
import { isDeferred, type Finding, type Level, type ResolvedFinding } from './finding.js';
import { compareFindings, fingerprintOf } from './fingerprint.js';
import { byCodePoint } from './order.js';
import { pep503Name, sameVersion, type Ecosystem } from './package-key.js';
import type { Policy, Suppression } from './policy.js';
import { findRule } from './rules/index.js';

export interface PolicyOutcome {
  readonly findings: ResolvedFinding[];
  readonly suppressed: ResolvedFinding[];
}

/**
 * Decide each finding's level (finding override, then policy `rules`, then the rule default), drop `off` rules,
 * apply live suppressions, add a finding per expired or ambiguous suppression, dedupe and sort.
 *
 * `keep` is a shard's filter (pipeline.ts): `raw` is then every shard's findings, so a suppression is judged ambiguous
 * the same in every shard, and the policy's own findings (located in the policy file) are kept by the one shard
 * that owns that file, not added to each shard's report.
 */
export function applyPolicy(
  raw: readonly Finding[],
  policy: Policy,
  today: string,
  keep?: (f: Finding) => boolean,
): PolicyOutcome {
  const expired = policy.suppressions.filter((s) => s.expires < today);
  const ambiguous = ambiguousSuppressions(
    policy.suppressions.filter((s) => s.expires >= today),
    raw,
    policy,
  );
  const live = policy.suppressions.filter((s) => s.expires >= today && !ambiguous.has(s));
  // A copy to sort: slice copies the array at once (pushing 300k items one by one cost a tenth of applyPolicy).
  const all: Finding[] = keep ? raw.filter(keep) : raw.slice();
  const own = [
    ...expired.map((s) => expiredFinding(s, policy.source)),
    ...[...ambiguous].map(([s, matched]) => ambiguousFinding(s, matched, policy.source)),
  ];
  for (const f of own) if (!keep || keep(f)) all.push(f);

  const findings: ResolvedFinding[] = [];
  const suppressed: ResolvedFinding[] = [];
  const seen = new SeenFindings();
  for (const f of all.sort(compareFindings)) {
    const rule = findRule(f.ruleId);
    const setting = policy.rules[f.ruleId];
    if (setting === 'off') continue;
    const level = setting ?? f.level ?? rule?.level ?? 'warning';
    const fingerprint = fingerprintOf(f);
    if (!seen.add(f, fingerprint)) continue;
    const resolved = toResolved(f, level, fingerprint);
    if (live.some((s) => suppresses(s, f))) suppressed.push(resolved);
    else findings.push(resolved);
  }
  return { findings, suppressed };
}

const OPTIONAL_FIELDS = ['artifact', 'evidence', 'related', 'members'] as const satisfies readonly (keyof Finding)[];
// Compile-time guard: a field added to Finding must be carried over here.
type NotCarried = Exclude<
  keyof Finding,
  'ruleId' | 'message' | 'location' | 'level' | (typeof OPTIONAL_FIELDS)[number]
>;
const everyFieldCarried: [NotCarried] extends [never] ? true : NotCarried = true;
void everyFieldCarried;

/** One fixed-shape literal: `{ ...f, level, fingerprint }` made each of 300k findings about 375 bytes, not 110. */
function toResolved(f: Finding, level: Level, fingerprint: string): ResolvedFinding {
  // Copying a deferred finding's fields would format all its text now and keep it for the rest of the scan.
  if (isDeferred(f)) return f.resolve(level, fingerprint);
  const out: { -readonly [K in keyof ResolvedFinding]: ResolvedFinding[K] } = {
    ruleId: f.ruleId,
    message: f.message,
    location: f.location,
    level,
    fingerprint,
  };
  for (const k of OPTIONAL_FIELDS) if (f[k] !== undefined) (out as Record<string, unknown>)[k] = f[k];
  return out;
}

/**
 * Duplicates are the same fingerprint, line and message. The fingerprint covers the path, and findings arrive
 * sorted by path and then line, so duplicates sit in one run of equal (path, line): only that run is remembered
 * (a map over every finding cost a key string and an entry each, about a tenth of the scan for 300k findings).
 * Messages are compared only when a fingerprint repeats within a run: reading a deferred finding's message formats it.
 */
class SeenFindings {
  private path: string | undefined;
  private line = 0;
  /** Fingerprint → the finding(s) kept with it in this run. */
  private readonly run = new Map<string, Finding | Finding[]>();

  /** False when this fingerprint and message were added before at this path and line. */
  add(f: Finding, fingerprint: string): boolean {
    const line = f.location.line ?? 0;
    if (f.location.path !== this.path || line !== this.line) {
      this.path = f.location.path;
      this.line = line;
      this.run.clear();
    }
    const had = this.run.get(fingerprint);
    if (had === undefined) {
      this.run.set(fingerprint, f);
      return true;
    }
    const kept = Array.isArray(had) ? had : [had];
    const message = f.message;
    if (kept.some((k) => k.message === message)) return false;
    kept.push(f);
    this.run.set(fingerprint, kept);
    return true;
  }
}

/**
 * Whether a suppression names this finding (rule, path glob, package of its ecosystem); its expiry is the caller's
 * to check, and so is a suppression without an ecosystem that a scan finds ambiguous (`ambiguousSuppressions`).
 */
export function suppresses(s: Suppression, f: Finding): boolean {
  if (s.rule !== f.ruleId && s.rule !== '*') return false;
  if (s.path !== undefined && !picomatch.isMatch(f.location.path, s.path, { dot: true })) return false;
  if (s.package !== undefined) {
    if (f.artifact?.kind !== 'package') return false;
    if (s.ecosystem !== undefined && s.ecosystem !== f.artifact.ecosystem) return false;
    if (!namesPackage(s.package, f.artifact)) return false;
  }
  return true;
}

/**
 * `name`, a glob or `name@version` against a package. A PyPI name is compared PEP 503-normalised on both sides, as
 * pip tells projects apart (`packaging.utils.canonicalize_name`; pep508.ts `projectMatcher` for the policy's other
 * PyPI lists): the lockfile readers keep the normalised name, so `PyYAML@6.0.1` written as on PyPI hid nothing.
 */
function namesPackage(pattern: string, a: { ecosystem: Ecosystem; name: string; version: string }): boolean {
  const at = pattern.lastIndexOf('@');
  const hasVersion = at > 0;
  const name = hasVersion ? pattern.slice(0, at) : pattern;
  if (hasVersion && !sameVersion(a.ecosystem, pattern.slice(at + 1), a.version)) return false;
  return a.ecosystem === 'pypi'
    ? picomatch.isMatch(pep503Name(a.name), pep503Name(name))
    : picomatch.isMatch(a.name, name);
}

/**
 * Live suppressions written without an ecosystem that match package findings of both npm and PyPI in this scan, with
 * the first such finding of each ecosystem. npm's `six@1.16.0` and PyPI's `six@1.16.0` are unrelated packages (each
 * package manager installs its own), and the policy does not say which one's risk was accepted: such a suppression
 * hides neither, so a package added in the other ecosystem under an accepted name is never silenced. A suppression
 * that matches in one ecosystem only, as every one did before Python lockfiles were read, keeps working.
 */
function ambiguousSuppressions(
  live: readonly Suppression[],
  raw: readonly Finding[],
  policy: Policy,
): Map<Suppression, Finding[]> {
  const out = new Map<Suppression, Finding[]>();
  for (const s of live) {
    if (s.package === undefined || s.ecosystem !== undefined) continue;
    const first = new Map<Ecosystem, Finding>();
    for (const f of raw) {
      if (f.artifact?.kind !== 'package' || policy.rules[f.ruleId] === 'off' || !suppresses(s, f)) continue;
      const had = first.get(f.artifact.ecosystem);
      if (had === undefined || compareFindings(f, had) < 0) first.set(f.artifact.ecosystem, f);
    }
    if (first.size > 1)
      out.set(
        s,
        [...first.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([, f]) => f),
      );
  }
  return out;
}

const ECOSYSTEM_NAMES: Record<Ecosystem, string> = { npm: 'npm', pypi: 'PyPI' };

/** What a suppression covers, for messages: its path, or its package and the ecosystem it names. */
export function suppressionTarget(s: Suppression): string {
  if (s.path !== undefined) return s.path;
  if (s.package === undefined) return 'everything';
  return s.ecosystem !== undefined ? `${ECOSYSTEM_NAMES[s.ecosystem]} ${s.package}` : s.package;
}

function ambiguousFinding(s: Suppression, matched: readonly Finding[], source: string): Finding {
  // The package is what is ambiguous: name it even when the suppression has a path too.
  const target = `${s.package ?? ''}${s.path !== undefined ? ` in ${s.path}` : ''}`;
  const ecosystems: Ecosystem[] = [];
  const where: string[] = [];
  for (const f of matched) {
    if (f.artifact?.kind !== 'package') continue;
    const { ecosystem, name, version } = f.artifact;
    ecosystems.push(ecosystem);
    where.push(`${ECOSYSTEM_NAMES[ecosystem]} ${name}@${version} in ${f.location.path}`);
  }
  return {
    ruleId: 'CPX006',
    message: `Suppression of ${s.rule} for ${target} matches packages of two ecosystems (${where.join('; ')}). These are unrelated packages that share a name, and the suppression does not say which one's risk was accepted, so it hides neither. Add \`ecosystem: npm\` or \`ecosystem: pypi\` (or write the package as a purl, pkg:npm/… or pkg:pypi/…); to accept both, write one suppression for each.`,
    location: { path: source, ...(s.line !== undefined ? { line: s.line } : {}) },
    evidence: {
      rule: s.rule,
      target,
      ecosystems: ecosystems.join(','),
    },
  };
}

function expiredFinding(s: Suppression, source: string): Finding {
  const target = suppressionTarget(s);
  return {
    ruleId: 'CPX004',
    message: `Suppression of ${s.rule} for ${target} expired on ${s.expires} (reason given: "${s.reason}"). It no longer hides findings; fix them or renew the suppression with a new expiry date.`,
    location: { path: source, ...(s.line !== undefined ? { line: s.line } : {}) },
    evidence: { rule: s.rule, target, expires: s.expires },
  };
}
