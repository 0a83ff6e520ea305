/** Where Python packages are verified: the index, its JSON base, and credentials (never printed). */
export interface PypiIndexConfig {
  /** The simple index URL with a trailing slash, without credentials, e.g. `https://pypi.org/simple/`. */
  readonly indexUrl: string;
  /** `Authorization` header value for the index host, if credentials were configured. */
  readonly authorization?: string;
}

export const DEFAULT_PYPI_INDEX = 'https://pypi.org/simple/';

/**
 * The index pip / uv would use, in their order of precedence: `UV_INDEX_URL` / `UV_DEFAULT_INDEX` for uv,
 * `PIP_INDEX_URL`, then `[global] index-url` of a pip.conf, then PyPI. Credentials come from the URL's userinfo or
 * a netrc entry for its host (pip reads ~/.netrc through requests); they are moved to a header and the URL is
 * stored without them so no message can print them.
 */
export function resolvePypiIndex(
  env: Readonly<Record<string, string | undefined>>,
  pipConf: string | undefined,
  netrc: string | undefined,
): PypiIndexConfig {
  const raw =
    env['UV_INDEX_URL'] ??
    env['UV_DEFAULT_INDEX'] ??
    env['PIP_INDEX_URL'] ??
    (pipConf !== undefined ? pipConfIndex(pipConf) : undefined) ??
    DEFAULT_PYPI_INDEX;
  return toIndexConfig(raw, netrc);
}

export function toIndexConfig(raw: string, netrc: string | undefined): PypiIndexConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL(DEFAULT_PYPI_INDEX);
  }
  let authorization: string | undefined;
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  } else if (netrc !== undefined) {
    const entry = netrcEntry(netrc, url.hostname);
    if (entry) authorization = `Basic ${Buffer.from(`${entry.login}:${entry.password}`).toString('base64')}`;
  }
  const indexUrl = url.toString().endsWith('/') ? url.toString() : `${url.toString()}/`;
  return { indexUrl, ...(authorization !== undefined ? { authorization } : {}) };
}

/** `[global]` (or `[install]`) `index-url` of a pip.conf / pip.ini. */
export function pipConfIndex(text: string): string | undefined {
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      section = head[1]!.trim().toLowerCase();
      continue;
    }
    const kv = /^index[-_]url\s*[=:]\s*(\S+)/i.exec(line);
    if (kv && (section === 'global' || section === 'install')) return kv[1];
  }
  return undefined;
}

/** The `machine <host> login <l> password <p>` entry for host (or `default`), as Python's netrc module reads it. */
export function netrcEntry(text: string, host: string): { login: string; password: string } | undefined {
  const tokens = text.replace(/#.*$/gm, '').split(/\s+/).filter(Boolean);
  let current: string | undefined;
  const found = new Map<string, { login: string; password: string }>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'machine') current = tokens[++i];
    else if (t === 'default') current = '';
    else if ((t === 'login' || t === 'password') && current !== undefined) {
      const e = found.get(current) ?? { login: '', password: '' };
      found.set(current, { ...e, [t]: tokens[++i] ?? '' });
    }
  }
  return found.get(host) ?? found.get('');
}

/** The index's JSON base: `https://pypi.org/simple/` → `https://pypi.org/` (JSON API and Integrity API live there). */
export function apiBase(indexUrl: string): string {
  return indexUrl.replace(/simple\/?$/, '');
}
