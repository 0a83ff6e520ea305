import picomatch from 'picomatch';
import type { Policy } from '../core/policy.js';
import type { DependencyGraph, PackageNode } from '../core/records.js';
import { refusedRegistry, registryForPackage, type RegistryConfig } from './config.js';
import { packageFinding, spec, where } from './findings.js';
import { unverifiable, type CheckState, type UnverifiedCause } from './state.js';
import type { UnavailableCause as FetchCause } from './client.js';
import type { Packument, VersionMeta } from './packument.js';
import type { RegistrySources } from './sources.js';
import { checkProvenance } from './check-provenance.js';
import { checkTarball } from './check-tarball.js';
import { installScriptFinding, lockfileRecordsScripts } from './install-scripts.js';
import { checkResolved } from './check-resolved.js';
import { checkSignature } from './check-signature.js';
import { checkDocumentIdentity } from './check-identity.js';
import { compareSri, parseSri, shasumToSri, type Sri } from '../verify/npm/sri.js';
import { ssriCheckedAlgorithm } from '../deps/checks/ssri-verdict.js';
import { integrityVerdict, needsIntegrity } from '../deps/checks/integrity.js';
import { isSriAlgorithm } from '../core/sri.js';

/** What one package's check found; `settleVerdicts` turns the checks of a scan into statuses and findings. */
export type PackageCheck = Pick<
  CheckState,
  'pkg' | 'graph' | 'registry' | 'findings' | 'notes' | 'cause' | 'signatureMissing' | 'signed'
> &
  Partial<Pick<CheckState, 'attestationsMissing' | 'attested' | 'reportedOffline'>>;

export interface CheckSettings {
  readonly config: RegistryConfig;
  readonly policy: Policy;
  readonly verifyTarballs: boolean;
}

/**
 * Check one locked package against its registry: existence, deprecation, integrity and resolved URL against the
 * packument, the registry signature, attestations, and (optionally) the tarball itself.
 */
export async function checkPackage(
  pkg: PackageNode,
  graph: DependencyGraph,
  sources: RegistrySources,
  settings: CheckSettings,
): Promise<PackageCheck> {
  const registry = registryForPackage(pkg.name, settings.config, graph.lockfile);
  const state: CheckState = {
    pkg,
    graph,
    registry,
    findings: [],
    notes: [],
    cause: undefined,
    signatureMissing: undefined,
    signed: false,
    unverifiableLevel: settings.policy.dependencies.failClosed ? 'error' : undefined,
  };
  const refused = refusedRegistry(settings.config, graph.lockfile, registry);
  if (refused !== undefined) {
    // yarn would install from a registry only the scanned tree names: never asked, never verified elsewhere.
    state.cause = notAllowed(registry, refused);
    return state;
  }
  const found = await lookUpVersion(state, sources);
  if (found) {
    const { packument } = found;
    checkDocumentIdentity(state, packument, found.meta);
    const meta = await withScriptNames(state, found.meta, packument, sources);
    const lockSri = parseSri(pkg.integrity);
    const regSri = parseSri(
      [meta.integrity, meta.shasum ? shasumToSri(meta.shasum) : undefined].filter(Boolean).join(' '),
    );
    checkIntegrity(state, lockSri, regSri);
    checkResolved(state, meta, settings.config);
    const scripts = installScriptFinding(pkg, graph, meta, settings.policy);
    if (scripts) state.findings.push(scripts);
    else if (pkg.buildDisabled !== undefined && meta.installScripts.length > 0)
      state.notes.push(`install scripts not run: its build is disabled (${pkg.buildDisabled})`);
    if (settings.policy.dependencies.verifySignatures) await checkSignature(state, meta, packument, sources);
    const required = settings.policy.dependencies.requireProvenance.filter((r) =>
      r.packages.some((p) => picomatch.isMatch(pkg.name, p)),
    );
    await checkProvenance(state, meta, regSri, required, sources);
    if (settings.verifyTarballs)
      await checkTarball(state, meta, packument, lockSri.size > 0 ? lockSri : regSri, regSri, sources, settings.policy);
  }
  return state;
}

/**
 * `checkPackage` when the registry's every answer is one refusal known up front (offline with no cache directory:
 * `RegistryClient.offlineRefusal`): exactly what `lookUpVersion` records for it, the shared cause and nothing else,
 * made synchronously. No promise, state or arrays per package: a 130k-package lockfile comes here, and awaiting
 * 130k checks at once kept every one of their frames alive until the last settled.
 */
export function refusedChecks(
  work: readonly { readonly pkg: PackageNode; readonly graph: DependencyGraph }[],
  refusal: { readonly reason: string; readonly cause: FetchCause },
  config: RegistryConfig,
): PackageCheck[] {
  const causes = new Map<string, UnverifiedCause>();
  return work.map(({ pkg, graph }) => {
    const registry = registryForPackage(pkg.name, config, graph.lockfile);
    const refused = refusedRegistry(config, graph.lockfile, registry);
    const key = `${registry}\0${refused ?? ''}`;
    let cause = causes.get(key);
    if (cause === undefined)
      causes.set(
        key,
        (cause =
          refused !== undefined
            ? notAllowed(registry, refused)
            : { kind: refusal.cause, what: 'packument', reason: refusal.reason, registry }),
      );
    return { pkg, graph, registry, findings: NONE, notes: NONE, cause, signatureMissing: undefined, signed: false };
  });
}

function notAllowed(registry: string, setBy: string): UnverifiedCause {
  return { kind: 'registry-not-allowed', what: 'packument', reason: `set by ${setBy}`, registry };
}

/** Shared by every refused check; frozen, so a push would throw instead of adding to all (settleVerdicts copies). */
const NONE = Object.freeze([]) as unknown as never[];

/**
 * The abbreviated packument says only `hasInstallScript`; when that would be reported, the full document names the
 * scripts (a handful of packages, so one more request each is cheap). Unavailable: the flag alone is reported.
 */
async function withScriptNames(
  state: CheckState,
  meta: VersionMeta,
  packument: Packument,
  sources: RegistrySources,
): Promise<VersionMeta> {
  if (
    packument.hasPublishTimes ||
    meta.installScripts.length === 0 ||
    lockfileRecordsScripts(state.graph) ||
    state.pkg.buildDisabled !== undefined
  )
    return meta;
  const full = await sources.fullPackument(state.registry, state.pkg.name);
  const named = full.kind === 'ok' ? full.value.version(meta.version)?.installScripts : undefined;
  return named && named.length > 0 ? { ...meta, installScripts: named } : meta;
}

async function lookUpVersion(
  state: CheckState,
  sources: RegistrySources,
): Promise<{ meta: VersionMeta; packument: Packument } | undefined> {
  const { pkg, registry } = state;
  const out = await sources.packument(registry, pkg.name);
  if (out.kind === 'unavailable') {
    // A shared cause makes no per-package finding (see `unverifiable`): record only the cause, building no
    // message or evidence per package (offline, every package of a 130k lockfile comes here).
    state.cause ??= { kind: out.cause, what: 'packument', reason: out.reason, registry };
    return undefined;
  }
  const meta = out.kind === 'ok' ? out.value.version(pkg.version) : undefined;
  if (!meta) {
    const what = out.kind === 'ok' ? `has no version ${pkg.version} of ${pkg.name}` : `has no package ${pkg.name}`;
    state.findings.push(
      packageFinding(
        pkg,
        'CPD101',
        `${spec(pkg)} (${where(pkg)}) is locked, but ${registry} ${what}. It may have been unpublished or come from another registry; update it to a published version.`,
        { registry, ...(out.kind === 'not-found' ? { status: out.status } : {}) },
      ),
    );
    return undefined;
  }
  if (meta.deprecated !== undefined)
    state.findings.push(
      packageFinding(
        pkg,
        'CPD102',
        `${spec(pkg)} (${where(pkg)}) is deprecated: "${meta.deprecated.slice(0, 300)}". Move to a maintained version.`,
        {
          deprecated: meta.deprecated.slice(0, 1000),
        },
      ),
    );
  return out.kind === 'ok' ? { meta, packument: out.value } : undefined;
}

function checkIntegrity(state: CheckState, lockSri: Sri, regSri: Sri): void {
  const { pkg } = state;
  // Yarn berry's `checksum:` pins the bytes yarn installs (a digest of its cache archive, not of the registry
  // tarball): pinned, just not comparable with the registry's integrity — never "no integrity".
  if (lockSri.size === 0 && state.graph.kind === 'yarn-berry' && pkg.integrity !== undefined) {
    state.notes.push('bytes pinned by the yarn checksum (not comparable with the registry integrity)');
    return;
  }
  // npm and yarn 1 check a download against one algorithm of the lockfile's integrity, the strongest (ssri
  // IntegrityStream), never its others: with `sha1-<published> sha384-<other>`, npm 11.19 installed the other tarball.
  // So that algorithm is the one compared; a sha1 beside it that matches the registry proves nothing.
  const checked = ssriCheckedAlgorithm(pkg.integrity ?? '');
  if (lockSri.size === 0 || checked === undefined) {
    // No integrity at all: npm extracts the entry as `name@<resolved>` (arborist reify `#reifyNode` → pacote.extract
    // with `integrity: node.integrity`, undefined), a RemoteFetcher that checks the download against nothing; the
    // registry's dist.integrity is never consulted. The cause is the lockfile's, and CPD002 reports it from the
    // lockfile alone: the package is unverifiable, but a CPD130 beside it would be a second finding for one cause.
    if ((pkg.integrity ?? '').trim() === '') {
      // A yarn 2+ package with `conditions`, reached through optional dependencies only, carries no checksum by yarn's
      // design (Project.resolveEverything makes it a conditional locator; Cache.fetchPackageFromCache never checks
      // one): CPD002 rightly exempts it (deps/checks/integrity.ts), so nothing else says that its bytes go unchecked.
      if (state.graph.kind === 'yarn-berry' && pkg.platforms !== undefined && pkg.optional) {
        unverifiable(
          state,
          `${spec(pkg)} (${where(pkg)}) is a platform-specific optional package (${pkg.platforms}) yarn records no checksum for: on a matching platform yarn installs its bytes unchecked, and they cannot be compared with the registry.`,
          { reason: 'yarn conditional package without checksum' },
        );
        return;
      }
      // A bundled entry with its own resolved (stage.ts checkableBundle) is not the deps stage's: CPD002 skips it.
      if (needsIntegrity(pkg)) {
        state.reportedOffline = 'no integrity in the lockfile (CPD002): not pinned, not compared with the registry';
        return;
      }
    }
    // A value that is there but no valid SRI is not "no integrity": npm compares the download with it and stops
    // (ssri IntegrityStream, EINTEGRITY). The deps stage's CPD004 says so from the lockfile alone, with the same
    // verdict: that is the one finding, and this package is unverifiable for it, as for CPD002 above.
    if (needsIntegrity(pkg) && integrityVerdict(state.graph.kind, pkg.integrity ?? '').kind === 'invalid') {
      state.reportedOffline = 'integrity in the lockfile not valid (CPD004): not compared with the registry';
      return;
    }
    // A value the registry cannot read that CPD004 accepts, or one on an entry CPD002/CPD004 do not judge (bundled):
    // said here, grouped per lockfile.
    unverifiable(
      state,
      `${spec(pkg)} (${where(pkg)}) has an integrity in the lockfile that is not a valid SRI hash${needsIntegrity(pkg) ? ' (CPD004)' : ''}, so it cannot be compared with the registry.`,
      { reason: 'lockfile integrity not valid SRI' },
    );
    return;
  }
  if (regSri.size === 0) {
    unverifiable(
      state,
      `${state.registry} publishes no integrity for ${spec(pkg)} (${where(pkg)}), so the lockfile cannot be checked against it.`,
      { reason: 'no registry integrity', registry: state.registry },
    );
    return;
  }
  const cmp = compareSri(regSri, lockSri, checked);
  if (cmp.kind === 'mismatch') {
    state.findings.push(
      packageFinding(
        pkg,
        'CPD100',
        `${spec(pkg)} (${where(pkg)}): the lockfile integrity ${cmp.actual.slice(0, 30)}… differs from the ${cmp.algorithm} the registry publishes (${cmp.expected.slice(0, 30)}…). The lockfile may be poisoned: regenerate the entry from the registry and review the change.`,
        { expected: cmp.expected, actual: cmp.actual, algorithm: cmp.algorithm, registry: state.registry },
      ),
    );
  } else if (cmp.kind === 'incomparable') {
    unverifiable(state, `${spec(pkg)} (${where(pkg)}): ${incomparable(checked, regSri, state.registry)}`, {
      reason: 'no common integrity algorithm',
      lockfile: pkg.integrity ?? '',
      checked,
      registry: state.registry,
      published: [...regSri.keys()].join(' '),
    });
  } else state.notes.push(`integrity matches the registry (${cmp.algorithm})`);
}

/** Why the digest the package manager checks (`checked`) cannot be held against the registry's. */
function incomparable(checked: string, regSri: Sri, registry: string): string {
  const published = [...regSri.keys()].join(', ');
  return isSriAlgorithm(checked) && regSri.has(checked)
    ? `the package manager checks the download against the lockfile's ${checked} digest alone, which is not a valid ${checked} digest (the registry publishes ${published}).`
    : `the package manager checks the download against the lockfile's ${checked} digest alone, and ${registry} publishes no ${checked} to compare it with (only ${published}).`;
}
