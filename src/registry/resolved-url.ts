/**
 * The URL npm fetches for a lockfile `resolved`: arborist's `#registryResolved` (lib/arborist/reify.js) rewrites a
 * URL on the `replace-registry-host` host (default `npmjs`, i.e. registry.npmjs.org) to the configured registry —
 * its scheme, host and port, and its path prefix when the URL lacks it — and fetches any other URL as written.
 * Undefined when `resolved` is not a URL.
 */
export function npmFetchUrl(
  resolved: string,
  registry: string,
  replaceHost = 'registry.npmjs.org',
): string | undefined {
  let u: URL;
  let r: URL;
  try {
    u = new URL(resolved);
    r = new URL(registry);
  } catch {
    return undefined;
  }
  if (u.hostname !== replaceHost) return u.toString();
  const prefix = r.pathname.replace(/\/$/, '');
  u.protocol = r.protocol;
  u.hostname = r.hostname;
  u.port = r.port;
  if (prefix !== '' && u.pathname !== prefix && !u.pathname.startsWith(`${prefix}/`)) u.pathname = prefix + u.pathname;
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
