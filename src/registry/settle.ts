import type { Finding, Level } from '../core/finding.js';
import type { VerificationRecord, VerificationStatus } from '../core/records.js';
import type { PackageCheck } from './check.js';
import { settleCauses, type CausedPackage } from './causes.js';
import { FAILING_RULES, UNVERIFIABLE_RULES, packageFinding, spec, where } from './findings.js';
import type { UnverifiedCause } from './state.js';
import { lockfileRecordsScripts, unknownScriptsFindings } from './install-scripts.js';
import { groupRegistryCauses } from './systemic.js';
import type { PackageNode } from '../core/records.js';
import { packageKey } from '../core/package-key.js';

export interface SettleOptions {
  /** Level for "could not verify" (error when the policy is fail-closed). */
  readonly unverifiableLevel: Level | undefined;
  /** Registries (URL prefixes) whose metadata policy trusts without registry signatures. */
  readonly trustedMirrors: readonly string[];
}

export interface Settled {
  readonly findings: Finding[];
  readonly verifications: VerificationRecord[];
  /** Packages left unchecked because a registry could not be asked (offline, down, budget spent…). */
  readonly unreachable: number;
  readonly unreachableRegistries: ReadonlySet<string>;
}

/** Causes about a registry's signing set-up, which a trusted mirror waives. */
const SIGNING_CAUSES: ReadonlySet<UnverifiedCause['kind']> = new Set([
  'mirror-unsigned',
  'scope-unsigned',
  'no-keys',
  'keys-unusable',
  'attestations-unserved',
]);

/**
 * Turn the checks of a scan into verdicts: a missing signature is the package's own problem (CPD111) when its
 * registry signs that package's other versions or other packages of its scope in this scan; one finding per scope
 * when the registry signs neither (`unsignedScope`); one mirror finding when it signs nothing. Shared causes become
 * one finding each; every package gets exactly one status.
 */
export function settleVerdicts(checks: readonly PackageCheck[], opts: SettleOptions): Settled {
  const signing = new Set(checks.filter((c) => c.signed).map((c) => c.registry));
  const signingScopes = new Set(checks.filter((c) => c.signed).map((c) => scopeKey(c.registry, c.pkg.name)));
  const attesting = new Set(checks.filter((c) => c.attested === true).map((c) => c.registry));
  const findings: Finding[] = [];
  const caused: CausedPackage[] = [];
  const verifications: VerificationRecord[] = [];
  const unreachableRegistries = new Set<string>();
  let unreachable = 0;
  const scriptsUnknown: PackageNode[] = [];
  const settled: {
    readonly key: string;
    readonly own: readonly Finding[];
    readonly notes: readonly string[];
    readonly offline: string | undefined;
  }[] = [];
  const causeOf = new Map<number, CausedPackage>();
  for (const c of checks) {
    // Copied only when something is added: most packages of a large scan add nothing (O(1) bookkeeping each).
    let own: readonly Finding[] = c.findings;
    let notes: readonly string[] = c.notes;
    let cause = c.cause;
    if (c.signatureMissing !== undefined && cause === undefined) {
      const scope = signing.has(c.registry) ? unsignedScope(c, signingScopes) : undefined;
      if (!signing.has(c.registry))
        cause = { kind: 'mirror-unsigned', registry: c.registry, what: 'signatures', reason: 'no dist.signatures' };
      else if (scope !== undefined)
        cause = {
          kind: 'scope-unsigned',
          registry: c.registry,
          what: 'signatures',
          reason: `no package of ${scope} carries dist.signatures`,
          scope,
        };
      else own = [...own, missingSignature(c)];
    }
    if (c.attestationsMissing !== undefined && cause === undefined) {
      if (attesting.has(c.registry)) own = [...own, missingAttestations(c, c.attestationsMissing)];
      else
        cause = {
          kind: 'attestations-unserved',
          registry: c.registry,
          what: 'attestations',
          reason: `HTTP ${c.attestationsMissing.status}`,
        };
    }
    if (cause !== undefined && SIGNING_CAUSES.has(cause.kind) && isTrustedMirror(c.registry, opts.trustedMirrors)) {
      notes = [...notes, `signature not checked: ${c.registry} is a trusted mirror (dependencies.trustedMirrors)`];
      cause = undefined;
    }
    if (cause !== undefined) {
      const it = { pkg: c.pkg, cause };
      caused.push(it);
      causeOf.set(settled.length, it);
      if (!SIGNING_CAUSES.has(cause.kind)) {
        // A registry the policy refuses was not asked, not unreachable: CPD150 fails the gate, not fail-closed.
        if (cause.kind !== 'registry-not-allowed') {
          unreachable++;
          unreachableRegistries.add(cause.registry);
        }
        // No packument, so nothing tells whether it runs install scripts when the lockfile does not say.
        // A build yarn will not run (dependenciesMeta built: false) is no unknown: its scripts cannot run.
        // An entry that records its scripts (a bun.lock's `hasInstallScript`) is no unknown either.
        if (
          c.cause !== undefined &&
          !lockfileRecordsScripts(c.graph) &&
          c.pkg.buildDisabled === undefined &&
          c.pkg.hasInstallScript !== true
        )
          scriptsUnknown.push(c.pkg);
      }
    }
    for (const f of own) findings.push(f);
    settled.push({ key: packageKey('npm', c.pkg.name, c.pkg.version), own, notes, offline: c.reportedOffline });
  }
  // A cause's text is known once all its packages are: the reason most of them share (causes.ts settleCauses).
  const causes = settleCauses(caused, opts.unverifiableLevel);
  const detailOf = causeTexts(causes.reasonOf);
  for (const [i, s] of settled.entries()) verifications.push({ key: s.key, ...verdict(s, causeOf.get(i), detailOf) });
  // Settled per package above (statuses stay per package); one cause shared by many becomes one finding.
  const out = groupRegistryCauses(findings, registriesWithoutAny(checks));
  out.push(...causes.findings);
  out.push(...unknownScriptsFindings(scriptsUnknown, undefined));
  return { findings: out, verifications, unreachable, unreachableRegistries };
}

/**
 * The package's status and the detail its verification record carries. `offline`: unverifiable for a cause an
 * offline rule reports on the entry (check.ts `reportedOffline`), said in the detail instead of a finding.
 */
function verdict(
  s: { readonly own: readonly Finding[]; readonly notes: readonly string[]; readonly offline: string | undefined },
  caused: CausedPackage | undefined,
  detailOf: (caused: CausedPackage) => string,
): { status: VerificationStatus; detail: string } {
  const { own, notes, offline } = s;
  const causeText = caused !== undefined ? detailOf(caused) : undefined;
  const why = offline !== undefined && causeText !== undefined ? `${offline}, ${causeText}` : (offline ?? causeText);
  // No finding of its own (the usual case): no arrays or sets to build.
  if (own.length === 0)
    return why !== undefined
      ? { status: 'unverifiable', detail: why }
      : { status: 'verified', detail: notes.join('; ') };
  const failed = own.filter((f) => FAILING_RULES.has(f.ruleId));
  const unknown = own.filter((f) => UNVERIFIABLE_RULES.has(f.ruleId));
  const status: VerificationStatus =
    failed.length > 0 ? 'failed' : unknown.length > 0 || why !== undefined ? 'unverifiable' : 'verified';
  const detail =
    status === 'verified'
      ? notes.join('; ')
      : [...new Set([...failed, ...unknown].map((f) => f.ruleId)), ...(why !== undefined ? [why] : [])].join(', ');
  return { status, detail };
}

/**
 * `kind: reason` of a cause (the reason alone where it starts with the kind), one string per distinct text: the packages of a shared cause (130k of them offline)
 * then hold one detail string between them, not a copy each.
 */
function causeTexts(reasonOf: (caused: CausedPackage) => string): (caused: CausedPackage) => string {
  const texts = new Map<string, string>();
  let last: { cause: UnverifiedCause; reason: string; text: string } | undefined;
  return (caused) => {
    const { cause } = caused;
    const reason = reasonOf(caused);
    // refusedChecks shares one cause object per registry
    if (last?.cause === cause && last.reason === reason) return last.text;
    // A reason that already starts with the kind (`offline, and the cache holds no answer`) is not said twice.
    const made = reason.startsWith(cause.kind) ? reason : `${cause.kind}: ${reason}`;
    let text = texts.get(made);
    if (text === undefined) texts.set(made, (text = made));
    last = { cause, reason, text };
    return text;
  };
}

/** Registries that answered 404 for the packument of every package they were asked about (CPD158's condition). */
function registriesWithoutAny(checks: readonly PackageCheck[]): Set<string> {
  const missing = new Set<string>();
  const found = new Set<string>();
  for (const c of checks) {
    const absent = c.findings.some((f) => f.ruleId === 'CPD101' && f.evidence?.status !== undefined);
    if (absent) missing.add(c.registry);
    else if (c.cause?.what !== 'packument') found.add(c.registry);
  }
  for (const r of found) missing.delete(r);
  return missing;
}

/** The package's own problem: its registry serves other versions' attestations, but not the ones it lists here. */
function missingAttestations(c: PackageCheck, missing: { readonly url: string; readonly status: number }): Finding {
  const { pkg, registry } = c;
  return packageFinding(
    pkg,
    'CPD130',
    `the attestations of ${spec(pkg)} (${where(pkg)}) could not be read from ${registry} (HTTP ${missing.status}), although it serves those of other packages; its provenance is not verified.`,
    { registry, reason: `HTTP ${missing.status}`, url: missing.url },
  );
}

function missingSignature(c: PackageCheck): Finding {
  const { pkg, registry } = c;
  return packageFinding(
    pkg,
    'CPD111',
    `${spec(pkg)} (${where(pkg)}) has no registry signature, although ${registry} publishes signing keys and signs other packages of this scan. Its metadata may not come from the registry; re-resolve it from the origin registry.`,
    { registry, keySource: c.signatureMissing?.keySource ?? 'registry' },
  );
}

/**
 * The scope of an unsigned package when the cause is its scope, not the package: a registry that signs what it
 * proxies and hosts a private scope beside it (an Artifactory or Nexus "virtual" repository, Verdaccio with an
 * uplink) serves every package of that scope unsigned, and `npm audit signatures` lists each as missing. One finding
 * for the scope then, when nothing says the registry signs it: no other version of the package is signed and no
 * package of the scope in this scan is. An unscoped package stays its own finding: "unscoped" names no owner, and a
 * public name served unsigned beside signed ones is what a substituted package looks like.
 */
function unsignedScope(c: PackageCheck, signingScopes: ReadonlySet<string>): string | undefined {
  if (c.signatureMissing?.signedElsewhere !== false || !c.pkg.name.startsWith('@')) return undefined;
  if (signingScopes.has(scopeKey(c.registry, c.pkg.name))) return undefined;
  return c.pkg.name.slice(0, c.pkg.name.indexOf('/'));
}

/** Registry and scope (`@corp`, or '' for an unscoped name). */
function scopeKey(registry: string, name: string): string {
  return `${registry}\0${name.startsWith('@') ? name.slice(0, name.indexOf('/')) : ''}`;
}

function isTrustedMirror(registry: string, mirrors: readonly string[]): boolean {
  const r = registry.endsWith('/') ? registry : `${registry}/`;
  return mirrors.some((m) => r.startsWith(m.endsWith('/') ? m : `${m}/`));
}
