import type { NpmrcConfig } from './npmrc.js';

/**
 * The scanned tree is untrusted configuration: in CI it is the pull request. A repository `.npmrc` may name where
 * npm installs from (we must check that), but it never widens what counts as allowed: registries, CAs and TLS
 * settings are trusted only from the policy and the user's own `.npmrc` outside the tree.
 */
export interface UntrustedSetting {
  readonly kind: 'registry' | 'certificate';
  /** The `.npmrc` key, e.g. `registry`, `@acme:registry`, `cafile`, `strict-ssl`. */
  readonly key: string;
  /** The value when it is a URL or path (never a credential or certificate body). */
  readonly value: string;
}

/** Settings of a repository `.npmrc` that would widen trust beyond `allowed` (URL prefixes with trailing slash). */
export function untrustedSettings(config: NpmrcConfig, allowed: readonly string[]): UntrustedSetting[] {
  const out: UntrustedSetting[] = [];
  if (config.registry !== undefined && !isAllowed(config.registry, allowed))
    out.push({ kind: 'registry', key: 'registry', value: config.registry });
  for (const [scope, url] of Object.entries(config.scopes))
    if (!isAllowed(url, allowed)) out.push({ kind: 'registry', key: `${scope}:registry`, value: url });
  if (config.cafile !== undefined) out.push({ kind: 'certificate', key: 'cafile', value: config.cafile });
  if (config.ca.length > 0) out.push({ kind: 'certificate', key: 'ca', value: `${config.ca.length} certificate(s)` });
  if (config.strictSsl === false) out.push({ kind: 'certificate', key: 'strict-ssl', value: 'false' });
  return out;
}

/**
 * What the scanner itself may take from a repository `.npmrc`: registries and scopes already allowed, and
 * credentials only for those registries (so `${CI_TOKEN}` in a PR's `.npmrc` is never sent to a host the PR picks).
 * CAs and `strict-ssl` are dropped.
 */
export function trustedPart(config: NpmrcConfig, allowed: readonly string[]): NpmrcConfig {
  const scopes = Object.fromEntries(Object.entries(config.scopes).filter(([, url]) => isAllowed(url, allowed)));
  const auth = Object.fromEntries(Object.entries(config.auth).filter(([dart]) => isAllowed(`https:${dart}`, allowed)));
  return {
    ...(config.registry !== undefined && isAllowed(config.registry, allowed) ? { registry: config.registry } : {}),
    scopes,
    auth,
    ca: [],
    raw: {},
  };
}

/** Scheme-agnostic prefix match on whole path segments, host case-insensitive. */
export function isAllowed(url: string, allowed: readonly string[]): boolean {
  const norm = (s: string): string | undefined => {
    try {
      const u = new URL(s);
      const p = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
      return `//${u.host.toLowerCase()}${p}`;
    } catch {
      return undefined;
    }
  };
  const target = norm(url);
  if (target === undefined) return false;
  return allowed.some((a) => {
    const prefix = norm(a);
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
