import { hostOf } from './indexes.js';

/**
 * Whether a URL is fetched over plain http from a host off this machine. pip treats loopback as a secure origin
 * whatever the scheme (`PackageFinder`/`SessionCommandMixin` → `PipSession.is_secure_origin` over SECURE_ORIGINS:
 * `localhost`, `127.0.0.0/8`, `::1/128`): nothing on a network path can replace what a loopback index serves, so
 * an http index there (a local devpi, a CI service proxy on 127.0.0.1) is no CPP013. `vcsPlus` also counts
 * `git+http://` and its kin.
 */
export function isPlainHttp(url: string, vcsPlus = false): boolean {
  const scheme = vcsPlus ? /^(?:(?:git|hg|svn|bzr)\+)?http:\/\//i : /^http:\/\//i;
  if (!scheme.test(url)) return false;
  // WHATWG's host (indexes.ts hostOf): an IPv6 literal keeps its brackets there.
  return !isLoopbackHost(hostOf(url).replace(/^\[(.*)\]$/, '$1'));
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((n) => Number(n) <= 255);
}
