import path from 'node:path';

/** Where Python packages are verified: the index, its JSON base, and credentials (never printed). */
export interface PypiIndexConfig {
  /** The simple index URL with a trailing slash, without credentials, e.g. `https://pypi.org/simple/`. */
  readonly indexUrl: string;
  /** `Authorization` header value for the index host, if credentials were configured. */
  readonly authorization?: string;
  /** `${NAME}`s the URL's credentials name that the scan's environment lacks: pip sends them as written. */
  readonly unsetVariables?: readonly string[];
}

export const DEFAULT_PYPI_INDEX = 'https://pypi.org/simple/';

/**
 * The index pip / uv would use, in their order of precedence: `UV_INDEX_URL` / `UV_DEFAULT_INDEX` for uv,
 * `PIP_INDEX_URL`, then the `index-url` of pip's configuration files (`pipConfs`, lowest precedence first:
 * `pipConfIndex`), then PyPI. Credentials come from the URL's userinfo or a netrc entry for its host (pip reads
 * ~/.netrc through requests); they are moved to a header and the URL is stored without them so no message can print
 * them.
 */
export function resolvePypiIndex(
  env: Readonly<Record<string, string | undefined>>,
  pipConfs: readonly string[],
  netrc: string | undefined,
): PypiIndexConfig {
  const raw =
    env['UV_INDEX_URL'] ??
    env['UV_DEFAULT_INDEX'] ??
    env['PIP_INDEX_URL'] ??
    pipConfIndex(pipConfs) ??
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
    const user = unquote(url.username);
    const pass = unquote(url.password);
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

/**
 * The credentials of an index URL a requirements file names, as pip reads the line: req_file.py
 * `expand_env_variables` replaces each `${NAME}` (upper-case letters, digits, `_`) whose variable is set and not
 * empty with its value, as written (pip unquotes the credentials only after splitting the URL), and leaves the others
 * alone. Only the userinfo is expanded: the host and path decide whether the index is asked at all, and the scanned
 * tree must not make the runner's environment choose them; the credentials go only to that index, as pip's would.
 */
export function expandCredentials(
  raw: string,
  env: Readonly<Record<string, string | undefined>>,
): { url: string; unset: string[] } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i.exec(raw);
  if (!m) return { url: raw, unset: [] };
  const unset = new Set<string>();
  const userinfo = m[2]!.replace(/\$\{([A-Z0-9_]+)\}/g, (written, name: string) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    unset.add(name);
    return written;
  });
  return { url: `${m[1]!}${userinfo}@${raw.slice(m[0].length)}`, unset: [...unset] };
}

/** `urllib.parse.unquote`, as pip decodes URL credentials: an invalid `%` sequence stays as written, never an error. */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * The `index-url` `pip install` takes from its configuration files, lowest precedence first. pip merges each
 * `section.option` over the files, a later file's value winning (configuration.py `Configuration._dictionary`), then
 * applies `[global]` and over it the command's own section (ConfigOptionParser `_get_ordered_configuration_items`:
 * "global", then "install"): an `[install]` index-url in any file beats a `[global]` one in any other.
 */
export function pipConfIndex(files: readonly string[]): string | undefined {
  let global: string | undefined;
  let install: string | undefined;
  for (const text of files) {
    const found = pipConfSections(text);
    global = found.global ?? global;
    install = found.install ?? install;
  }
  return install ?? global;
}

/**
 * `global.index-url` and `install.index-url` of one pip.conf / pip.ini as RawConfigParser reads it for pip: section
 * names as written (configparser compares them case-sensitively), option names in any case with `_` as `-`
 * (`_normalize_name`), the last value of a section winning.
 */
function pipConfSections(text: string): { global?: string; install?: string } {
  const out: { global?: string; install?: string } = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      section = head[1]!;
      continue;
    }
    const kv = /^index[-_]url\s*[=:]\s*(\S+)/i.exec(line);
    if (kv && (section === 'global' || section === 'install')) out[section] = kv[1]!;
  }
  return out;
}

/**
 * The pip configuration files of the user running the scan, lowest precedence first, as pip's
 * `Configuration.iter_config_files` finds them on Linux: the user's `~/.pip/pip.conf` and
 * `$XDG_CONFIG_HOME/pip/pip.conf` (`~/.config/pip/pip.conf`), unless `PIP_CONFIG_FILE` names a file that exists,
 * which is then read instead of them and over them; `PIP_CONFIG_FILE=/dev/null` turns every file off. A pip.conf in
 * the scanned tree is never one of them. `read` gives a file's text, undefined when it is missing or unreadable.
 */
export async function readPipConfigs(
  env: Readonly<Record<string, string | undefined>>,
  read: (file: string) => Promise<string | undefined>,
): Promise<string[]> {
  const named = env['PIP_CONFIG_FILE'];
  if (named === '/dev/null') return [];
  const own = named !== undefined && named !== '' ? await read(named) : undefined;
  if (own !== undefined) return [own];
  const home = env['HOME'];
  if (home === undefined || home === '') return [];
  const xdg = env['XDG_CONFIG_HOME']?.trim();
  const files = [
    path.join(home, '.pip', 'pip.conf'),
    path.join(xdg !== undefined && xdg !== '' ? xdg : path.join(home, '.config'), 'pip', 'pip.conf'),
  ];
  const texts = await Promise.all(files.map(read));
  return texts.filter((t): t is string => t !== undefined);
}

/** requests' `get_netrc_auth`, as pip uses it: the file `NETRC` names, else the first of `~/.netrc`, `~/_netrc`. */
export async function readNetrc(
  env: Readonly<Record<string, string | undefined>>,
  read: (file: string) => Promise<string | undefined>,
): Promise<string | undefined> {
  const named = env['NETRC'];
  if (named !== undefined) return read(named);
  const home = env['HOME'];
  if (home === undefined || home === '') return undefined;
  return (await read(path.join(home, '.netrc'))) ?? (await read(path.join(home, '_netrc')));
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
