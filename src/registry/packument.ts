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
  /** `dist.attestations.provenance` is set: the version was published with provenance. */
  readonly hasProvenance: boolean;
  readonly publishedAt?: Date;
  /**
   * Install scripts npm would run for this version, from the registry's `hasInstallScript` flag (set by the
   * registry for pre/install/postinstall scripts and binding.gyp) or the version's `scripts`.
   */
  readonly installScripts: readonly string[];
}

/** The lifecycle scripts `npm install` runs for a dependency (npm's `@npmcli/run-script` install events). */
const INSTALL_EVENTS = ['preinstall', 'install', 'postinstall'] as const;

export interface Packument {
  readonly name: string;
  version(v: string): VersionMeta | undefined;
  /** The version published last before `v` (by the packument's `time`), if known. */
  previous(v: string): VersionMeta | undefined;
}

export function toPackument(json: unknown): Packument | undefined {
  if (!isRecord(json) || !isRecord(json.versions)) return undefined;
  const versions = json.versions;
  const time = isRecord(json.time) ? json.time : {};
  const dateOf = (v: string): Date | undefined => {
    const t = time[v];
    if (typeof t !== 'string') return undefined;
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
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
      hasProvenance: att !== undefined && isRecord(att.provenance),
      ...(publishedAt ? { publishedAt } : {}),
      installScripts: installScriptsOf(m),
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
  return { name: typeof json.name === 'string' ? json.name : '', version, previous };
}

function installScriptsOf(m: Record<string, unknown>): string[] {
  const scripts = isRecord(m.scripts) ? m.scripts : {};
  const named = INSTALL_EVENTS.filter((e) => typeof scripts[e] === 'string' && scripts[e] !== '');
  if (named.length > 0) return [...named];
  return m.hasInstallScript === true ? ['install'] : [];
}
