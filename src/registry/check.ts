import picomatch from 'picomatch';
import type { Policy } from '../core/policy.js';
import type { DependencyGraph, PackageNode } from '../core/records.js';
import { refusedRegistry, registryForPackage, type RegistryConfig } from './config.js';
import { packageFinding, spec, where } from './findings.js';
import { unverifiable, type CheckState, type UnverifiedCause } from './state.js';
import type { UnavailableCause as FetchCause } from './client.js';
import type { Packument, VersionMeta } from './packument.js';
import type { KeysOutcome, RegistrySources } from './sources.js';
import { checkProvenance } from './check-provenance.js';
import { checkTarball } from './check-tarball.js';
import { installScriptFinding, lockfileRecordsScripts } from './install-scripts.js';
import { checkResolved } from './check-resolved.js';
import { embeddedNpmKeys, findKeys, type RegistryKey } from '../verify/npm/keys.js';
import { compareSri, parseSri, shasumToSri, type Sri } from '../verify/npm/sri.js';
import { verifyRegistrySignatures } from '../verify/npm/signatures.js';

/** What one package's check found; `settleVerdicts` turns the checks of a scan into statuses and findings. */
export type PackageCheck = Pick<
  CheckState,
  'pkg' | 'graph' | 'registry' | 'findings' | 'notes' | 'cause' | 'signatureMissing' | 'signed'
>;

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
    if (settings.verifyTarballs) await checkTarball(state, meta, lockSri.size > 0 ? lockSri : regSri, regSri, sources);
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
  if (lockSri.size === 0) {
    unverifiable(
      state,
      `${spec(pkg)} (${where(pkg)}) has no integrity in the lockfile, so its bytes are not pinned and cannot be compared with the registry.`,
      { reason: 'no lockfile integrity' },
    );
    return;
  }
  if (regSri.size === 0) {
    unverifiable(
      state,
      `${state.registry} publishes no integrity for ${spec(pkg)} (${where(pkg)}), so the lockfile cannot be checked against it.`,
      { reason: 'no registry integrity' },
    );
    return;
  }
  const cmp = compareSri(regSri, lockSri);
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
    unverifiable(
      state,
      `${spec(pkg)} (${where(pkg)}): the lockfile and the registry share no integrity algorithm, so they cannot be compared.`,
      { reason: 'no common integrity algorithm', lockfile: pkg.integrity ?? '' },
    );
  } else state.notes.push(`integrity matches the registry (${cmp.algorithm})`);
}

async function checkSignature(
  state: CheckState,
  meta: VersionMeta,
  packument: Packument,
  sources: RegistrySources,
): Promise<void> {
  const { pkg, registry } = state;
  const keys = withNpmKeys(await sources.registryKeys(registry), meta);
  if (keys.kind === 'unavailable') {
    unverifiable(
      state,
      `the signing keys of ${registry} could not be read (${keys.reason}), so the signature of ${spec(pkg)} (${where(pkg)}) was not checked.`,
      { registry, reason: keys.reason },
      { kind: keys.cause, what: 'signing keys', reason: keys.reason },
    );
    return;
  }
  if (keys.kind === 'none') {
    unverifiable(state, '', {}, { kind: keys.cause, what: 'signing keys', reason: keys.reason });
    return;
  }
  if (meta.integrity === undefined) return; // reported as unverifiable by the integrity check
  const time = await signingTime(state, meta, packument, keys.keys, sources);
  if (time === undefined) return; // recorded as unverifiable
  const verdict = verifyRegistrySignatures(
    {
      name: pkg.name,
      version: pkg.version,
      integrity: meta.integrity,
      signatures: meta.signatures,
      ...(time.at ? { publishedAt: time.at } : {}),
    },
    keys.keys,
  );
  const published = time.exact ? (time.at?.toISOString() ?? 'unknown') : 'unknown';
  switch (verdict.kind) {
    case 'verified':
      state.signed = true;
      state.notes.push(`registry signature verified (${verdict.keyid})`);
      return;
    case 'missing':
      // Whether this is the package's own problem or a mirror that strips every signature is decided once all
      // packages of the registry are checked (settleVerdicts).
      state.signatureMissing = { keySource: keys.source };
      return;
    case 'invalid':
      state.findings.push(
        packageFinding(
          pkg,
          'CPD110',
          `The registry signature of ${spec(pkg)} (${where(pkg)}) does not verify over "${pkg.name}@${pkg.version}:${meta.integrity}" with key ${verdict.keyid}. Do not install it; check which registry served it.`,
          { keyid: verdict.keyid, integrity: meta.integrity, registry },
        ),
      );
      return;
    case 'untrusted-key':
      state.findings.push(
        packageFinding(
          pkg,
          'CPD112',
          verdict.reason === 'unknown'
            ? `${spec(pkg)} (${where(pkg)}) is signed with key ${verdict.keyid}, which ${registry} does not publish. Re-resolve it from the origin registry.`
            : `${spec(pkg)} (${where(pkg)}) is signed with key ${verdict.keyid}, which was not valid when the version was published (${published}). Re-resolve it from the origin registry.`,
          { keyid: verdict.keyid, reason: verdict.reason, publishedAt: published, registry },
        ),
      );
      return;
  }
}

/**
 * A registry that serves no usable keys (a mirror or proxy of registry.npmjs.org that passes `dist.signatures`
 * through but not `/-/npm/v1/keys`) still serves signatures by npm's own keys, and those verify with npm's keys as
 * Sigstore's TUF repository distributes them wherever they were served: the signature binds
 * `name@version:integrity`, not the host. npm's `audit signatures` stops at such a package (pacote
 * EMISSINGSIGNATUREKEY); here it is verified, or CPD110 when a mirror changed what npm signed. A version without
 * such a signature keeps the registry's "no keys" cause.
 */
function withNpmKeys(keys: KeysOutcome, meta: VersionMeta): KeysOutcome {
  if (keys.kind !== 'none') return keys;
  npmKeys ??= embeddedNpmKeys();
  const known = npmKeys;
  return meta.signatures.some((s) => findKeys(known, s.keyid, 'signatures').length > 0)
    ? { kind: 'keys', keys: known, source: 'embedded' }
    : keys;
}

let npmKeys: RegistryKey[] | undefined;

/**
 * pacote's stand-in publish time for a version its registry gives none (lib/registry.js `MISSING_TIME_CUTOFF`):
 * npm checks a key's expiry against it, so a registry or mirror that serves no `time` does not make every
 * signature by an expiring key "untrusted". Whoever serves the packument chooses `time` anyway; the signature over
 * `name@version:integrity` is what binds.
 */
const MISSING_TIME_CUTOFF = new Date('2015-01-01T00:00:00.000Z');

/**
 * The time a signing key must have been valid at. pacote checks a key's expiry against the version's publish time
 * (lib/registry.js `manifest`, which fetches the full packument for it when verifying signatures). The abbreviated
 * packument has no publish times, but its `modified` bounds them all from above: when every key the signatures
 * name expires after `modified` (or never), that bound gives the same verdict and no request is
 * made. Otherwise the full packument is asked for the exact time. `undefined`: it could not be had (recorded).
 */
async function signingTime(
  state: CheckState,
  meta: VersionMeta,
  packument: Packument,
  keys: readonly RegistryKey[],
  sources: RegistrySources,
): Promise<{ at: Date | undefined; exact: boolean } | undefined> {
  if (packument.hasPublishTimes) return { at: meta.publishedAt ?? MISSING_TIME_CUTOFF, exact: true };
  const modified = packument.modified;
  const named = meta.signatures.flatMap((s) => findKeys(keys, s.keyid, 'signatures'));
  // Only expiry matters (pacote does not read a key's start; see `verifyRegistrySignatures`).
  const boundSuffices = named.every((k) => k.end === undefined || (modified !== undefined && modified < k.end));
  if (boundSuffices) return { at: modified, exact: false };
  const full = await sources.fullPackument(state.registry, state.pkg.name);
  if (full.kind === 'ok')
    return { at: full.value.version(meta.version)?.publishedAt ?? MISSING_TIME_CUTOFF, exact: true };
  const reason = full.kind === 'not-found' ? `HTTP ${full.status}` : full.reason;
  unverifiable(
    state,
    `the publish time of ${spec(state.pkg)} (${where(state.pkg)}) could not be read from ${state.registry} (${reason}), so its signing key could not be checked against it.`,
    { registry: state.registry, reason },
    full.kind === 'unavailable' ? { kind: full.cause, what: 'full packument', reason } : undefined,
  );
  return undefined;
}
