import type { NpmrcAuth } from '../deps/npmrc.js';

/**
 * The `.npmrc` key whose credentials npm sends with a request, as npm-registry-fetch's `regFromURI`
 * (lib/auth.js) finds it: walk up `//host[:port]/path/` one segment at a time and take the longest prefix that has a
 * token, `_auth` or username and password. `auth` is keyed by nerf dart with a trailing slash (`parseNpmrc`), which
 * is one of the two spellings npm's walk visits. Undefined: npm sends nothing.
 */
export function credentialKeyFor(url: string, auth: Readonly<Record<string, NpmrcAuth>>): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  let key = `//${u.host}${u.pathname}`;
  while (key.length > '//'.length) {
    if (Object.hasOwn(auth, key) && hasCredentials(auth[key]!)) return key;
    key = key.replace(/([^/]+|\/)$/, '');
  }
  return undefined;
}

/** The key npm reads first for a registry (its nerf dart): where a missing token belongs. */
export function registryAuthKey(registry: string): string {
  try {
    const u = new URL(registry);
    return `//${u.host}${u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`}:_authToken`;
  } catch {
    return '//<registry host>/:_authToken';
  }
}

/**
 * Why a 401/403 came back, in words that name the `.npmrc` key and never a secret. npm-registry-fetch's `getAuth`
 * falls back to the registry's credentials for a URL on the registry's host, so both are looked up.
 */
export function refusedCredentials(
  status: number,
  url: string,
  registry: string,
  auth: Readonly<Record<string, NpmrcAuth>>,
): string {
  const sent = credentialKeyFor(url, auth) ?? (sameHost(url, registry) ? credentialKeyFor(registry, auth) : undefined);
  if (sent === undefined)
    return `the registry answered HTTP ${status} and no credentials are configured for it (npm reads ${registryAuthKey(registry)})`;
  // npm's env-replace leaves `${NPM_TOKEN}` as written when the variable is unset, and npm sends that text: the
  // usual cause in CI is a secret the job did not pass, not a refused token.
  const unset = [...new Set(auth[sent]?.unresolved ?? [])];
  return unset.length > 0
    ? `the registry answered HTTP ${status} to the credentials configured for ${sent}, whose value names ${unset.map((n) => `\${${n}}`).join(', ')}, unset in the scan's environment (so the text itself was sent, as npm would send it)`
    : `the registry answered HTTP ${status} to the credentials configured for ${sent} (refused, expired or without access)`;
}

function hasCredentials(a: NpmrcAuth): boolean {
  return a.token !== undefined || a.basic !== undefined || (a.username !== undefined && a.password !== undefined);
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host;
  } catch {
    return false;
  }
}
