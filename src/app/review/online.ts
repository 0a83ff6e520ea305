import { BundleParseError, tryParseBundle } from '../../verify/bundle/parse.js';
import type { Finding } from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';
import type { FetchOutcome } from '../../registry/client.js';
import { toPackument } from '../../registry/packument.js';
import type { VersionMove } from './diff.js';
import { pushAll } from '../../core/push-all.js';
import { packageArtifact } from '../../core/finding.js';
import { issuerVouchesFor, readCertificateSource, sameRepository } from '../../verify/provenance/source.js';
import { addedScriptFinding, runsUnallowedScripts, type ScriptsAllowed } from './new-scripts.js';
import type { Unanswered } from './unanswered.js';

/**
 * The review questions only the registry can answer, asked for the packages the change touches (a handful, not
 * the whole tree): a version published hours ago, a deprecated version, install scripts the lockfile does not
 * record, provenance lost or pointing at another repository. Registry JSON is attacker-controlled: only fields of
 * the expected type are read.
 */
export interface RegistryLookup {
  /**
   * The registry a repository `.yarnrc.yml` sends `name` (of `lockfile`) to when the policy does not allow it, and
   * where that is set: it is not asked, and no other registry stands in for it (CPD154). Optional for test doubles.
   */
  refused?(name: string, lockfile: string): { readonly registry: string; readonly setBy: string } | undefined;
  /**
   * The packument of `name` from the registry the package manager of `lockfile` would ask; `unavailable` is
   * counted, never a pass.
   */
  packument(name: string, lockfile: string): Promise<FetchOutcome<unknown>>;
  /** An attestations document (`dist.attestations.url`). */
  attestations(url: string, name: string, lockfile: string): Promise<FetchOutcome<unknown>>;
}

export interface OnlineOptions {
  readonly now: Date;
  /** Versions younger than this are CPU007. */
  readonly minReleaseAgeHours: number;
  /** Packages whose install scripts the policy allows: no CPU003. */
  readonly scriptsAllowed: ScriptsAllowed;
}

export interface OnlineOutcome {
  readonly findings: Finding[];
  /** Packages whose registry questions could not be asked, with why (one finding per cause is made from it). */
  readonly unanswered: Unanswered[];
  /** Packages whose registry the policy does not allow (a repository `.yarnrc.yml` names it): never asked. */
  readonly refused: { readonly pkg: PackageNode; readonly registry: string; readonly setBy: string }[];
}

type Target = { readonly head: PackageNode; readonly base?: PackageNode };

export async function registryQuestions(
  targets: readonly Target[],
  lookup: RegistryLookup,
  opts: OnlineOptions,
): Promise<OnlineOutcome> {
  const findings: Finding[] = [];
  const unanswered: OnlineOutcome['unanswered'] = [];
  const refused: OnlineOutcome['refused'] = [];
  // By lockfile and name: the same name may come from another registry in another lockfile (npm vs yarn 2+).
  const byName = new Map<string, Target[]>();
  for (const t of targets.filter((t) => t.head.source === 'registry')) {
    const key = `${t.head.lockfile}\0${t.head.name}`;
    byName.set(key, [...(byName.get(key) ?? []), t]);
  }
  await Promise.all(
    [...byName.values()].map(async (ts) => {
      const { name, lockfile } = ts[0]!.head;
      const notAllowed = lookup.refused?.(name, lockfile);
      if (notAllowed !== undefined) {
        for (const t of ts) refused.push({ pkg: t.head, ...notAllowed });
        return;
      }
      const got = await lookup.packument(name, lockfile);
      if (got.kind !== 'ok') {
        const reason = got.kind === 'not-found' ? `the registry has no package ${name}` : got.reason;
        for (const t of ts)
          unanswered.push({ name, version: t.head.version, reason, at: { path: lockfile, line: t.head.line } });
        return;
      }
      for (const t of ts) pushAll(findings, await ask(t, got.value, lookup, opts));
    }),
  );
  return { findings, unanswered, refused };
}

async function ask(t: Target, json: unknown, lookup: RegistryLookup, opts: OnlineOptions): Promise<Finding[]> {
  const doc = toPackument(json);
  const now = doc?.version(t.head.version);
  const out: Finding[] = [];
  const where = { path: t.head.lockfile, line: t.head.line };
  // The npm registry's packument answered: the package is npm's.
  const artifact = packageArtifact('npm', t.head.name, t.head.version);
  const label = `${t.head.name}@${t.head.version}`;
  if (!doc || !now) return out; // the registry stage reports versions the registry lacks
  if (now.publishedAt) {
    const hours = (opts.now.getTime() - now.publishedAt.getTime()) / 3_600_000;
    if (hours >= 0 && hours < opts.minReleaseAgeHours) {
      out.push({
        ruleId: 'CPU007',
        message: `${label} was published ${Math.floor(hours)} hour(s) ago, under the ${opts.minReleaseAgeHours}-hour minimum age. Wait, or approve by hand.`,
        location: where,
        artifact,
        evidence: { publishedAt: now.publishedAt.toISOString(), minReleaseAgeHours: opts.minReleaseAgeHours },
      });
    }
  }
  if (now.deprecated !== undefined && (t.base === undefined || doc.version(t.base.version)?.deprecated === undefined)) {
    out.push({
      ruleId: 'CPU008',
      message: `${label} is deprecated by its maintainers: "${now.deprecated.slice(0, 200)}".`,
      location: where,
      artifact,
      evidence: { deprecated: now.deprecated.slice(0, 500) },
    });
  }
  const scripts = registryScripts(t, json, opts.scriptsAllowed);
  if (scripts) out.push(scripts);
  if (t.base !== undefined) {
    const before = doc.version(t.base.version);
    if (before?.hasProvenance === true && !now.hasProvenance) {
      out.push({
        ruleId: 'CPU004',
        message: `${t.head.name} ${t.base.version} was published with provenance and ${t.head.version} is not. Ask the maintainers before merging.`,
        location: where,
        artifact,
        evidence: { from: t.base.version, to: t.head.version },
      });
    } else if (before?.attestationsUrl !== undefined && now.attestationsUrl !== undefined) {
      const [a, b] = await Promise.all([
        provenanceSource(before.attestationsUrl, t.head.name, t.head.lockfile, lookup),
        provenanceSource(now.attestationsUrl, t.head.name, t.head.lockfile, lookup),
      ]);
      if (a && b && (!sameRepository(a.repository, b.repository) || a.builder !== b.builder)) {
        out.push({
          ruleId: 'CPU005',
          message: `${t.head.name} ${t.head.version} was built from ${b.repository} by ${b.builder}; ${t.base.version} came from ${a.repository} by ${a.builder}. Check the move before merging.`,
          location: where,
          artifact,
          evidence: {
            fromRepository: a.repository,
            toRepository: b.repository,
            fromBuilder: a.builder,
            toBuilder: b.builder,
          },
        });
      }
    }
  }
  return out;
}

/**
 * CPU003 from the registry, for a lockfile that does not record install scripts: the new version runs one and the
 * version it replaces ran none, or the package is new to the lockfile. One the lockfile records is the offline
 * CPU003's (questions.ts).
 */
function registryScripts(t: Target, json: unknown, allowed: ScriptsAllowed): Finding | undefined {
  if (t.head.hasInstallScript === true || !runsUnallowedScripts(t.head, allowed)) return undefined;
  const scriptsNow = installScripts(json, t.head.version);
  if (scriptsNow.length === 0) return undefined;
  if (t.base === undefined) return addedScriptFinding(t.head, 'npm', { source: 'registry', scripts: scriptsNow });
  if (installScripts(json, t.base.version).length > 0) return undefined;
  return {
    ruleId: 'CPU003',
    message: `${t.head.name} ${t.base.version} → ${t.head.version}: the new version runs ${scriptsNow.join(', ')} and ${t.base.version} ran none (the registry says so). Read the script before merging.`,
    location: { path: t.head.lockfile, line: t.head.line },
    artifact: packageArtifact('npm', t.head.name, t.head.version),
    evidence: { from: t.base.version, to: t.head.version, scripts: scriptsNow.join(' '), source: 'registry' },
  };
}

const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall'] as const;

/** npm runs these at install time (`@npmcli/run-script` lifecycle); `hasInstallScript` is the registry's summary. */
function installScripts(json: unknown, version: string): string[] {
  const v = field(field(json, 'versions'), version);
  const scripts = field(v, 'scripts');
  const named = INSTALL_HOOKS.filter((h) => typeof field(scripts, h) === 'string');
  if (named.length > 0) return [...named];
  return field(v, 'hasInstallScript') === true ? ['an install script'] : [];
}

/**
 * The source repository and builder an SLSA v1 provenance attestation names (not verified here; `scan` verifies
 * them). The repository is the signing certificate's Source Repository URI where its issuer speaks for that host, as
 * `scan` takes it (verify/npm/identity.ts, verify/provenance/attestation.ts `attestedSource`): npm writes the
 * statement's `externalParameters.workflow.repository` from the publishing job's environment
 * (`GITHUB_REPOSITORY`), which a step can set to any repository, while Fulcio fills the certificate from the job's
 * OIDC token. The statement's claim stands in only for a bundle without such a certificate.
 */
async function provenanceSource(
  url: string,
  name: string,
  lockfile: string,
  lookup: RegistryLookup,
): Promise<{ repository: string; builder: string } | undefined> {
  const got = await lookup.attestations(url, name, lockfile);
  if (got.kind !== 'ok') return undefined;
  const list = field(got.value, 'attestations');
  if (!Array.isArray(list)) return undefined;
  for (const att of list as unknown[]) {
    if (field(att, 'predicateType') !== 'https://slsa.dev/provenance/v1') continue;
    const payload = field(field(field(att, 'bundle'), 'dsseEnvelope'), 'payload');
    if (typeof payload !== 'string' || payload.length > 4 * 1024 * 1024) continue;
    let statement: unknown;
    try {
      statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    } catch {
      continue;
    }
    const predicate = field(statement, 'predicate');
    const repository = field(
      field(field(field(predicate, 'buildDefinition'), 'externalParameters'), 'workflow'),
      'repository',
    );
    const builder = field(field(field(predicate, 'runDetails'), 'builder'), 'id');
    const certified = certificateRepository(field(att, 'bundle'));
    if (typeof builder === 'string' && certified !== undefined) return { repository: certified, builder };
    if (typeof repository === 'string' && typeof builder === 'string') return { repository, builder };
  }
  return undefined;
}

/**
 * The Source Repository URI of a bundle's signing certificate (v0.3 `certificate`, v0.1/v0.2 chain's leaf), read by
 * the bundle parser every Sigstore check here uses (its shape and size bounds); none for a bundle it refuses.
 */
function certificateRepository(bundle: unknown): string | undefined {
  if (bundle === undefined) return undefined;
  const parsed = tryParseBundle(JSON.stringify(bundle));
  if (parsed instanceof BundleParseError || parsed.material.kind !== 'certificate') return undefined;
  const leaf = parsed.material.certificates[0];
  if (leaf === undefined) return undefined;
  const cert = readCertificateSource(leaf);
  return cert.repository !== undefined && issuerVouchesFor(cert.issuer, cert.repository) ? cert.repository : undefined;
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, key)
    ? (v as Record<string, unknown>)[key]
    : undefined;
}

/** The moves and additions whose new version the registry should be asked about. */
export function onlineTargets(moves: readonly VersionMove[], added: readonly PackageNode[]): Target[] {
  return [...moves.map((m) => ({ head: m.head, base: m.base })), ...added.map((head) => ({ head }))];
}
