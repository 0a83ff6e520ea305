/**
 * npm's `replace-registry-host` as flattened (@npmcli/config definitions): `npmjs` (the default) stands for
 * registry.npmjs.org; `never`, `always`, a hostname or a URL otherwise.
 */
export function toReplaceRegistryHost(value: string | undefined): string {
  return value === undefined || value === '' || value === 'npmjs' ? 'registry.npmjs.org' : value;
}

/**
 * The URL npm fetches for a lockfile `resolved`, as arborist's `#registryResolved` (lib/arborist/reify.js) decides:
 * a URL that `replace-registry-host` matches (`always`; its hostname; or, given as a URL, its hostname and path
 * prefix) is moved to the configured default registry — its scheme, host and port, its path prefix in place of the
 * matched one or put in front when missing — and any other URL is fetched as written. Undefined when `resolved` is
 * not a URL (npm drops such an entry).
 */
export function npmFetchUrl(resolved: string, registry: string, replaceHost: string): string | undefined {
  let u: URL;
  let r: URL;
  try {
    u = new URL(resolved);
    r = new URL(registry);
  } catch {
    return undefined;
  }
  if (replaceHost === 'never') return u.toString();
  let match: URL | undefined;
  try {
    match = new URL(replaceHost);
  } catch {
    match = undefined;
  }
  const matchPath = match?.pathname.replace(/\/$/, '');
  const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  const hostMatches = replaceHost === 'always' || (match?.hostname ?? replaceHost) === u.hostname;
  if (!hostMatches || (matchPath !== undefined && matchPath !== '' && !within(u.pathname, matchPath)))
    return u.toString();
  const prefix = r.pathname.replace(/\/$/, '');
  u.protocol = r.protocol;
  u.hostname = r.hostname;
  u.port = r.port;
  if (matchPath !== undefined && matchPath !== '') u.pathname = prefix + u.pathname.slice(matchPath.length);
  else if (prefix !== '' && !within(u.pathname, prefix)) u.pathname = prefix + u.pathname;
  return u.toString();
}

/** Two URLs name the same resource (scheme, host, port, path and query; `%2f` and `/` alike, as registries take both). */
export function sameUrl(a: string, b: string): boolean {
  try {
    return normal(new URL(a)) === normal(new URL(b));
  } catch {
    return false;
  }
}

function normal(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname.replace(/%2f/gi, '/')}${u.search}`;
}
