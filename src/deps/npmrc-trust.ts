import type { NpmrcConfig } from './npmrc.js';

/**
 * The scanned tree is untrusted configuration: in CI it is the pull request. A repository `.npmrc` may name where
 * npm installs from (we must check that), but it never widens what counts as allowed: registries, CAs and TLS
 * settings are trusted only from the policy and the user's own `.npmrc` outside the tree.
 */
export interface UntrustedSetting {
  /** `unknown-registry`: a registry built from environment variables the scan lacks (`value`: their names). */
  readonly kind: 'registry' | 'certificate' | 'unknown-registry';
  /** The `.npmrc` key, e.g. `registry`, `@acme:registry`, `cafile`, `strict-ssl`. */
  readonly key: string;
  /** The value when it is a URL or path (never a credential or certificate body). */
  readonly value: string;
}

/** Settings of a repository `.npmrc` that would widen trust beyond `allowed` (URL prefixes with trailing slash). */
export function untrustedSettings(config: NpmrcConfig, allowed: readonly string[]): UntrustedSetting[] {
  const out: UntrustedSetting[] = [];
  // What npm makes of `${NAME}` the scan's environment lacks is decided where npm runs: said as unknown, not judged.
  const unknown = Object.entries(config.unresolved ?? {}).filter(([key]) => isRegistryKey(key));
  for (const [key, names] of unknown) out.push({ kind: 'unknown-registry', key, value: names.join(', ') });
  const known = (key: string) => config.unresolved?.[key] === undefined;
  if (
    config.registry !== undefined &&
    known('registry') &&
    !registryAllowed(config, 'registry', config.registry, allowed)
  )
    out.push({ kind: 'registry', key: 'registry', value: config.written['registry'] ?? config.registry });
  for (const [scope, url] of Object.entries(config.scopes)) {
    const key = `${scope}:registry`;
    if (known(key) && !registryAllowed(config, key, url, allowed))
      out.push({ kind: 'registry', key, value: config.written[key] ?? url });
  }
  if (config.cafile !== undefined)
    out.push({ kind: 'certificate', key: 'cafile', value: config.written['cafile'] ?? config.cafile });
  if (config.ca.length > 0) out.push({ kind: 'certificate', key: 'ca', value: `${config.ca.length} certificate(s)` });
  if (config.strictSsl === false) out.push({ kind: 'certificate', key: 'strict-ssl', value: 'false' });
  return out;
}

/** `registry` or `@scope:registry`: the keys that say where npm installs from. */
export function isRegistryKey(key: string): boolean {
  return key === 'registry' || /^@[^/:]+:registry$/.test(key);
}

/**
 * What the scanner itself may take from a repository `.npmrc`: registries and scopes already allowed, and
 * credentials only for those registries (so `${CI_TOKEN}` in a PR's `.npmrc` is never sent to a host the PR picks).
 * CAs and `strict-ssl` are dropped.
 */
export function trustedPart(config: NpmrcConfig, allowed: readonly string[]): NpmrcConfig {
  const scopes = Object.fromEntries(
    Object.entries(config.scopes).filter(([scope, url]) => registryAllowed(config, `${scope}:registry`, url, allowed)),
  );
  const auth = Object.fromEntries(Object.entries(config.auth).filter(([dart]) => isAllowed(`https:${dart}`, allowed)));
  return {
    ...(config.registry !== undefined && registryAllowed(config, 'registry', config.registry, allowed)
      ? { registry: config.registry }
      : {}),
    scopes,
    auth,
    ca: [],
    raw: {},
    written: {},
  };
}

/**
 * A registry setting of the tree counts when it is under an allowed registry. One that a `${VAR}` of the runner's
 * environment helped build must be an allowed registry exactly: otherwise a pull request could carry a CI secret to
 * an allowed host in a URL path (`registry=https://registry.npmjs.org/${CI_TOKEN}/`), and into the output.
 */
function registryAllowed(config: NpmrcConfig, key: string, url: string, allowed: readonly string[]): boolean {
  if (!isAllowed(url, allowed)) return false;
  if (config.written[key] === undefined) return true;
  const target = registryKey(url);
  return allowed.some((a) => registryKey(a) === target);
}

/** `//host/path/`: scheme-agnostic, host lower-cased, path ending in `/`; undefined when not a URL. */
function registryKey(s: string): string | undefined {
  try {
    const u = new URL(s);
    const p = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
    return `//${u.host.toLowerCase()}${p}`;
  } catch {
    return undefined;
  }
}

/** Scheme-agnostic prefix match on whole path segments, host case-insensitive. */
export function isAllowed(url: string, allowed: readonly string[]): boolean {
  const target = registryKey(url);
  if (target === undefined) return false;
  return allowed.some((a) => {
    const prefix = registryKey(a);
    return prefix !== undefined && target.startsWith(prefix);
  });
}

/** 1-based line of the first line in `text` that sets `key` (for the finding's location). */
export function lineOfKey(text: string, key: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => {
    const k = l.split('=')[0]?.trim();
    return k === key || k === `${key}[]`;
  });
  return i < 0 ? undefined : i + 1;
}
