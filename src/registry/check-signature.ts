import { packageFinding, spec, unknownKeyWhere, where } from './findings.js';
import type { Packument, VersionMeta } from './packument.js';
import type { KeysOutcome, RegistrySources } from './sources.js';
import { unverifiable, type CheckState } from './state.js';
import { embeddedNpmKeys, findKeys, type RegistryKey } from '../verify/npm/keys.js';
import { verifyRegistrySignatures } from '../verify/npm/signatures.js';
import { shasumToSri } from '../verify/npm/sri.js';

/** The registry signature of the version (CPD110, CPD112; a missing one is settled across the registry). */
export async function checkSignature(
  state: CheckState,
  corgiMeta: VersionMeta,
  corgi: Packument,
  sources: RegistrySources,
): Promise<void> {
  const { pkg, registry } = state;
  const { meta, packument } = await signedDocument(state, corgiMeta, corgi, sources);
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
  const integrity = signedIntegrity(meta);
  if (integrity === undefined) return; // reported as unverifiable by the integrity check
  const time = await signingTime(state, meta, packument, keys.keys, sources);
  if (time === undefined) return; // recorded as unverifiable
  const verdict = verifyRegistrySignatures(
    {
      name: pkg.name,
      version: pkg.version,
      integrity,
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
      state.signatureMissing = { keySource: keys.source, signedElsewhere: packument.signaturesElsewhere(meta.version) };
      return;
    case 'invalid':
      state.findings.push(
        packageFinding(
          pkg,
          'CPD110',
          `The registry signature of ${spec(pkg)} (${where(pkg)}) does not verify over "${pkg.name}@${pkg.version}:${integrity}" with key ${verdict.keyid}. Do not install it; check which registry served it.`,
          { keyid: verdict.keyid, integrity, registry },
        ),
      );
      return;
    case 'untrusted-key':
      state.findings.push(
        packageFinding(
          pkg,
          'CPD112',
          verdict.reason === 'unknown'
            ? `${spec(pkg)} (${where(pkg)}) is signed with key ${verdict.keyid}, which ${unknownKeyWhere(keys.source, registry)}. Re-resolve it from the origin registry.`
            : `${spec(pkg)} (${where(pkg)}) is signed with key ${verdict.keyid}, which was not valid when the version was published (${published}). Re-resolve it from the origin registry.`,
          { keyid: verdict.keyid, reason: verdict.reason, publishedAt: published, registry, keySource: keys.source },
        ),
      );
      return;
  }
}

/**
 * The integrity a registry signature covers, as pacote takes it (lib/registry.js `manifest`): `dist.integrity` when
 * set, else `ssri.fromHex(dist.shasum, 'sha1')`. Old publishes and some private registries serve only the shasum;
 * npm checks their signature over `name@version:sha1-…` (or counts it missing) all the same.
 */
function signedIntegrity(meta: VersionMeta): string | undefined {
  if (meta.integrity !== undefined && meta.integrity !== '') return meta.integrity;
  return meta.shasum !== undefined ? shasumToSri(meta.shasum) : undefined;
}

/**
 * The document whose signatures npm's `audit signatures` reads: pacote fetches the full packument when verifying
 * (lib/registry.js `manifest`: `verifySignatures` sets `fullMetadata`), while installs and this scan read the
 * abbreviated one. A registry whose abbreviated documents drop `dist.signatures` the full ones carry would make every
 * package "unsigned" here and verified for npm: asked once per registry, on the first version found unsigned
 * (`corgiDropsSignatures`), and then the full document stands in — only where it publishes the same integrity the
 * lockfile was compared with.
 */
async function signedDocument(
  state: CheckState,
  meta: VersionMeta,
  packument: Packument,
  sources: RegistrySources,
): Promise<{ meta: VersionMeta; packument: Packument }> {
  const same = { meta, packument };
  if (meta.signatures.length > 0 || packument.hasPublishTimes) return same;
  if (!(await sources.corgiDropsSignatures(state.registry, state.pkg.name, meta.version))) return same;
  const full = await sources.fullPackument(state.registry, state.pkg.name);
  const fullMeta = full.kind === 'ok' ? full.value.version(meta.version) : undefined;
  if (full.kind !== 'ok' || fullMeta === undefined || fullMeta.signatures.length === 0) return same;
  if (signedIntegrity(fullMeta) !== signedIntegrity(meta)) return same;
  state.notes.push('signatures read from the full packument (the abbreviated one omits them)');
  return { meta: fullMeta, packument: full.value };
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
