import type { ProvenanceRequirement } from '../core/policy.js';
import { unverifiable, type CheckState } from './state.js';
import { packageFinding, spec, where } from './findings.js';
import type { VersionMeta } from './packument.js';
import type { RegistrySources } from './sources.js';
import { identityAllowed, type BuilderIdentity } from '../verify/npm/identity.js';
import { verifyAttestations } from '../verify/npm/provenance.js';
import type { Sri } from '../verify/npm/sri.js';
import { trimEndRun } from '../core/linear-text.js';

/**
 * Attestations of a version: every bundle must verify and be about this package; the policy may require
 * provenance and pin who built it; losing provenance since the previous version is a downgrade.
 */
export async function checkProvenance(
  state: CheckState,
  meta: VersionMeta,
  integrity: Sri,
  required: readonly ProvenanceRequirement[],
  sources: RegistrySources,
): Promise<void> {
  const { pkg, registry } = state;
  let identity: BuilderIdentity | undefined;
  let hasProvenanceAttestation = false;
  if (meta.listsAttestations) {
    // pacote follows `dist.attestations.url` (`new URL(dist.attestations.url)`): without one, npm audit signatures
    // stops at the version; here its provenance is not verified, never passed over.
    const url = meta.attestationsUrl !== undefined ? attestationsUrl(meta.attestationsUrl, registry) : undefined;
    if (url === undefined) {
      unverifiable(
        state,
        meta.attestationsUrl !== undefined
          ? `${spec(pkg)} (${where(pkg)}) names an attestations URL that is not a URL.`
          : `${spec(pkg)} (${where(pkg)}) lists attestations (dist.attestations) without a URL to read them from; its provenance is not verified.`,
        { url: meta.attestationsUrl ?? '' },
      );
      return;
    }
    const keys = await sources.registryKeys(registry);
    if (keys.kind === 'unavailable') {
      unverifiable(
        state,
        `the keys of ${registry} could not be read (${keys.reason}), so the attestations of ${spec(pkg)} (${where(pkg)}) were not checked.`,
        { registry, reason: keys.reason },
        { kind: keys.cause, what: 'signing keys', reason: keys.reason },
      );
      return;
    }
    const out = await sources.attestationsFor(url, registry);
    if (out.kind === 'not-found') {
      // pacote fetches them from the current registry host (and stops at E404); a mirror that passes
      // dist.attestations through without serving the endpoint answers 404 for all: settled across the registry.
      state.attestationsMissing = { url, status: out.status };
      return;
    }
    if (out.kind !== 'ok') {
      unverifiable(
        state,
        `the attestations of ${spec(pkg)} (${where(pkg)}) could not be read from ${registry} (${out.reason}); its provenance is not verified.`,
        { registry, reason: out.reason },
        { kind: out.cause, what: 'attestations', reason: out.reason },
      );
      return;
    }
    state.attested = true;
    const verifier = sources.verifier(registry, keys.kind === 'keys' ? keys.keys : []);
    const report = verifyAttestations(out.value, { name: pkg.name, version: pkg.version, integrity }, verifier);
    if (report.malformed !== undefined) {
      state.findings.push(
        packageFinding(
          pkg,
          'CPD120',
          `The registry lists attestations for ${spec(pkg)} (${where(pkg)}) but serves ${report.malformed}. Do not trust its provenance.`,
          { reason: report.malformed },
        ),
      );
    }
    for (const c of report.checks) {
      if (c.kind === 'provenance') hasProvenanceAttestation = true;
      if (c.ok) continue;
      const rule = c.problem === 'subject' ? 'CPD121' : 'CPD120';
      const what =
        c.kind === 'publish'
          ? 'publish attestation'
          : c.kind === 'provenance'
            ? 'provenance attestation'
            : 'attestation';
      state.findings.push(
        packageFinding(
          pkg,
          rule,
          c.problem === 'subject'
            ? `The ${what} of ${spec(pkg)} (${where(pkg)}) is not about this package: ${c.reason}. Do not trust its provenance.`
            : `The ${what} of ${spec(pkg)} (${where(pkg)}) does not verify: ${c.reason}. Do not trust its provenance; report it to the registry.`,
          { predicateType: c.predicateType, reason: c.reason.slice(0, 500) },
        ),
      );
    }
    identity = report.provenance;
    if (report.checks.length > 0 && report.checks.every((c) => c.ok))
      state.notes.push(`${report.checks.length} attestation(s) verified`);
  }

  for (const r of required) {
    if (!hasProvenanceAttestation) {
      state.findings.push(
        packageFinding(
          pkg,
          'CPD122',
          `The policy requires provenance for ${pkg.name}, but ${spec(pkg)} (${where(pkg)}) has no provenance attestation. Use a version published with provenance or change the policy.`,
          { rule: r.packages.join(', ') },
        ),
      );
      break;
    }
    if (identity && !identityAllowed(identity, r.identities)) {
      state.findings.push(
        packageFinding(
          pkg,
          'CPD123',
          `${spec(pkg)} (${where(pkg)}) was built by ${identity.workflow ?? identity.subject ?? 'an unnamed workflow'} from ${identity.sourceRepository ?? 'an unknown repository'} (issuer ${identity.issuer ?? 'unknown'}), which the policy does not allow for ${pkg.name}.`,
          {
            issuer: identity.issuer ?? '',
            subject: identity.subject ?? '',
            sourceRepository: identity.sourceRepository ?? '',
            workflow: identity.workflow ?? '',
          },
        ),
      );
      break;
    }
  }

  // Whether this version has provenance is what its served attestations show, not the packument's unsigned
  // `dist.attestations.provenance`: a claim next to attestations without an SLSA one would hide a downgrade. (Every
  // way the attestations could not be read has returned above.)
  if (!hasProvenanceAttestation) {
    const prev = await previousWithProvenance(state, sources);
    if (prev !== undefined)
      state.findings.push(
        packageFinding(
          pkg,
          'CPD124',
          `${spec(pkg)} (${where(pkg)}) has no provenance, but the version published before it (${prev}) had. A publish outside CI (e.g. with a stolen token) looks like this; check before installing.`,
          { previous: prev },
        ),
      );
  }
}

/**
 * The version published just before this one, when it had provenance. Publish order needs `time`, which only the
 * full packument has: it is asked for only when some other version has provenance at all.
 */
async function previousWithProvenance(state: CheckState, sources: RegistrySources): Promise<string | undefined> {
  const have = await sources.packument(state.registry, state.pkg.name);
  if (have.kind !== 'ok' || !have.value.provenanceElsewhere(state.pkg.version)) return undefined;
  const out = await sources.completePackument(state.registry, state.pkg.name, have.value);
  if (out.kind === 'unavailable')
    unverifiable(state, '', {}, { kind: out.cause, what: 'full packument', reason: out.reason });
  if (out.kind !== 'ok') return undefined;
  const prev = out.value.previous(state.pkg.version);
  return prev?.hasProvenance ? prev.version : undefined;
}

/** npm reads attestations from the current registry host, whatever host the packument names. */
function attestationsUrl(listed: string, registry: string): string | undefined {
  try {
    const u = new URL(listed);
    const r = new URL(registry);
    if (u.origin === r.origin) return u.toString();
    return `${trimEndRun(registry, '/')}${u.pathname}`;
  } catch {
    return undefined;
  }
}
