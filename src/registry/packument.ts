import { isRecord } from '../verify/npm/keys.js';
import { parseSignatures, type RegistrySignature } from '../verify/npm/signatures.js';

/** What the registry says about one version. Registry JSON: only fields of the expected type are taken. */
export interface VersionMeta {
  readonly version: string;
  readonly integrity?: string;
  readonly shasum?: string;
  readonly tarball?: string;
  readonly deprecated?: string;
  readonly signatures: readonly RegistrySignature[];
  /** `dist.attestations.url`, when the registry holds attestations for the version. */
  readonly attestationsUrl?: string;
  /** `dist.attestations` is set, with or without a URL: the registry says the version has attestations. */
  readonly listsAttestations: boolean;
  /** `dist.attestations.provenance` is set: the version was published with provenance. */
  readonly hasProvenance: boolean;
  readonly publishedAt?: Date;
  /**
   * Install scripts npm would run for this version, from the registry's `hasInstallScript` flag (set by the
   * registry for pre/install/postinstall scripts and binding.gyp) or the version's `scripts`.
   */
  readonly installScripts: readonly string[];
  /** The version document's own `name` and `version`, when it states them (checked against what was asked). */
  readonly says?: { readonly name?: string; readonly version?: string };
}

/** The lifecycle scripts `npm install` runs for a dependency (npm's `@npmcli/run-script` install events). */
const INSTALL_EVENTS = ['preinstall', 'install', 'postinstall'] as const;

export interface Packument {
  readonly name: string;
  /**
   * The document carries publish times (`time`): the full packument. The abbreviated one npm installs from
   * (`application/vnd.npm.install-v1+json`) has every field a check reads except `time`; it has `modified`.
   */
  readonly hasPublishTimes: boolean;
  /** When the packument last changed (`modified`, or `time.modified`): no version was published after it. */
  readonly modified?: Date;
  /** Some version other than `v` was published with provenance (the only case `previous` can matter for CPD124). */
  provenanceElsewhere(v: string): boolean;
  /** Some version other than `v` carries `dist.signatures`: the registry signs this package (CPD111 vs. a scope it serves unsigned). */
  signaturesElsewhere(v: string): boolean;
  version(v: string): VersionMeta | undefined;
  /** The version published last before `v` (by the packument's `time`), if known. */
  previous(v: string): VersionMeta | undefined;
}

export function toPackument(json: unknown): Packument | undefined {
  if (!isRecord(json) || !isRecord(json.versions)) return undefined;
  const versions = json.versions;
  const time = isRecord(json.time) ? json.time : {};
  const dateOf = (v: string): Date | undefined => toDate(time[v]);
  const version = (v: string): VersionMeta | undefined => {
    if (!Object.hasOwn(versions, v)) return undefined;
    const m = versions[v];
    if (!isRecord(m)) return undefined;
    const dist = isRecord(m.dist) ? m.dist : {};
    const att = isRecord(dist.attestations) ? dist.attestations : undefined;
    const publishedAt = dateOf(v);
    return {
      version: v,
      ...(typeof dist.integrity === 'string' ? { integrity: dist.integrity } : {}),
      ...(typeof dist.shasum === 'string' ? { shasum: dist.shasum } : {}),
      ...(typeof dist.tarball === 'string' ? { tarball: dist.tarball } : {}),
      ...(typeof m.deprecated === 'string' && m.deprecated !== '' ? { deprecated: m.deprecated } : {}),
      signatures: parseSignatures(dist.signatures),
      ...(att && typeof att.url === 'string' ? { attestationsUrl: att.url } : {}),
      listsAttestations: att !== undefined,
      hasProvenance: hasProvenance(m),
      ...(publishedAt ? { publishedAt } : {}),
      installScripts: installScriptsOf(m),
      ...(typeof m.name === 'string' || typeof m.version === 'string'
        ? {
            says: {
              ...(typeof m.name === 'string' ? { name: m.name } : {}),
              ...(typeof m.version === 'string' ? { version: m.version } : {}),
            },
          }
        : {}),
    };
  };
  const previous = (v: string): VersionMeta | undefined => {
    const at = dateOf(v);
    if (!at) return undefined;
    let best: { v: string; t: Date } | undefined;
    for (const other of Object.keys(versions)) {
      const t = other === v ? undefined : dateOf(other);
      if (t && t < at && (!best || t > best.t)) best = { v: other, t };
    }
    return best ? version(best.v) : undefined;
  };
  // Read straight from the document: building every version's metadata for this costs more than the check.
  const provenanceElsewhere = (v: string): boolean =>
    Object.entries(versions).some(([other, m]) => other !== v && hasProvenance(m));
  const signaturesElsewhere = (v: string): boolean =>
    Object.entries(versions).some(
      ([other, m]) => other !== v && isRecord(m) && isRecord(m.dist) && parseSignatures(m.dist.signatures).length > 0,
    );
  const modified = toDate(json.modified) ?? dateOf('modified');
  return {
    name: typeof json.name === 'string' ? json.name : '',
    hasPublishTimes: isRecord(json.time),
    ...(modified ? { modified } : {}),
    version,
    previous,
    provenanceElsewhere,
    signaturesElsewhere,
  };
}

function hasProvenance(m: unknown): boolean {
  const dist = isRecord(m) && isRecord(m.dist) ? m.dist : undefined;
  return dist !== undefined && isRecord(dist.attestations) && isRecord(dist.attestations.provenance);
}

function toDate(t: unknown): Date | undefined {
  if (typeof t !== 'string') return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * What of a packument the checks read (`toPackument` gives the same answers for the kept document as for the
 * original): the cache stores this, not the registry's body, so a warm scan reads and parses a fraction of it.
 * Only fields of the expected type are kept; the rest of the registry's document is dropped unread.
 */
export function keptOfPackument(json: unknown): unknown {
  if (!isRecord(json) || !isRecord(json.versions)) return json; // not a packument: kept as is, judged by the reader
  // No prototype: a version named `__proto__` is a key like any other.
  const versions = Object.create(null) as Record<string, unknown>;
  for (const [v, m] of Object.entries(json.versions)) {
    if (!isRecord(m)) continue;
    const dist = isRecord(m.dist) ? m.dist : {};
    const att = isRecord(dist.attestations) ? dist.attestations : undefined;
    const scripts = isRecord(m.scripts) ? m.scripts : {};
    const installScripts = INSTALL_EVENTS.filter((e) => typeof scripts[e] === 'string');
    versions[v] = {
      ...pick(m, ['name', 'version']),
      ...(typeof m.deprecated === 'string' ? { deprecated: m.deprecated } : {}),
      ...(m.hasInstallScript === true ? { hasInstallScript: true } : {}),
      ...(installScripts.length > 0 ? { scripts: Object.fromEntries(installScripts.map((e) => [e, scripts[e]])) } : {}),
      dist: {
        ...pick(dist, ['integrity', 'shasum', 'tarball']),
        ...(dist.signatures !== undefined ? { signatures: parseSignatures(dist.signatures) } : {}),
        ...(att
          ? { attestations: { ...pick(att, ['url']), ...(isRecord(att.provenance) ? { provenance: {} } : {}) } }
          : {}),
      },
    };
  }
  const time = isRecord(json.time)
    ? Object.fromEntries(
        Object.entries(json.time).filter(
          ([k, t]) => typeof t === 'string' && (k === 'modified' || Object.hasOwn(versions, k)),
        ),
      )
    : undefined;
  return {
    ...pick(json, ['name', 'modified']),
    versions,
    ...(time ? { time } : {}),
  };
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => typeof o[k] === 'string').map((k) => [k, o[k] as string]));
}

function installScriptsOf(m: Record<string, unknown>): string[] {
  const named = npmInstallScripts(m.scripts);
  if (named.length > 0) return named;
  return m.hasInstallScript === true ? ['install'] : [];
}

/** The install events a package.json's `scripts` field sets, each to a non-empty command (an empty one runs nothing). */
export function npmInstallScripts(scripts: unknown): string[] {
  const s = isRecord(scripts) ? scripts : {};
  return INSTALL_EVENTS.filter((e) => typeof s[e] === 'string' && s[e] !== '');
}
