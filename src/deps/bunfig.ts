import type { NpmrcConfig } from './npmrc.js';
import { isTable, parseToml, strOf } from './parsers/python/toml.js';
import { carriesUrlCredentials } from './checks/credentials.js';

/** Where a bunfig.toml setting sits, under the `.npmrc` key it stands for (`registry`, `@scope:registry`, `cafile`). */
export interface BunfigKey {
  /** The setting as bunfig.toml writes it: `install.registry`, `install.scopes.acme`, `install.cafile`. */
  readonly key: string;
  readonly line: number | undefined;
}

export interface Bunfig {
  /** The registries and TLS settings as `.npmrc` would say them; never any credential (`auth` stays empty). */
  readonly config: NpmrcConfig;
  readonly keys: Readonly<Record<string, BunfigKey>>;
  /** Where a credential is written out rather than taken from `$VAR` (CPD168): the setting and line, never a value. */
  readonly credentials?: readonly BunfigKey[];
}

/**
 * The `[install]` registry settings of a repository bunfig.toml, which `bun install` obeys like `.npmrc`: `registry`
 * and each `[install.scopes]` entry are a URL string or a `{ url, token, username, password }` table (bunfig.zig
 * `Parser.parseRegistry`); a scope is named with or without its `@`. `cafile` / `ca` bring the repository's own CA.
 * Credentials (userinfo, `token`, `password`) are dropped here, so nothing downstream can print them; only where one
 * is written out is kept (`credentials`). Throws
 * (PyLockError, with the line) for TOML that does not parse: bun refuses such a file too.
 */
export function parseBunfig(file: string, text: string): Bunfig {
  const doc = parseToml(file, text);
  const install = isTable(doc.install) ? doc.install : {};
  const scopes: Record<string, string> = {};
  const keys: Record<string, BunfigKey> = {};
  const lines = text.split(/\r?\n/);
  const config: { -readonly [K in keyof NpmrcConfig]: NpmrcConfig[K] } = {
    scopes,
    auth: {},
    ca: [],
    raw: {},
    written: {},
  };
  const credentials: BunfigKey[] = [];
  // bunfig.zig `Parser.parseRegistry`: a `token` or `password` (or a URL's user info) is sent to the registry; bun
  // expands `$NAME` in them from the environment, so a value without `$` is the secret itself. The URL, its query
  // too, is the base of every request, so a `?token=` there is written out as a password in its user info is.
  const written = (value: unknown, key: string, line: () => number | undefined): void => {
    const raw = isTable(value) ? strOf(value.url) : strOf(value);
    if (raw !== undefined && !raw.includes('$') && carriesUrlCredentials(raw.trim()))
      credentials.push({ key, line: line() });
    if (!isTable(value)) return;
    for (const field of ['token', 'password']) {
      const v = strOf(value[field]);
      if (v !== undefined && v !== '' && !v.includes('$'))
        credentials.push({ key: `${key}.${field}`, line: lineOf(lines, key, field) ?? line() });
    }
  };
  written(install.registry, 'install.registry', () => lineOf(lines, 'install', 'registry'));
  if (isTable(install.scopes))
    for (const [name, value] of Object.entries(install.scopes))
      written(value, `install.scopes.${name}`, () => lineOf(lines, 'install.scopes', name));
  const registry = registryUrl(install.registry);
  if (registry !== undefined) {
    config.registry = registry;
    keys['registry'] = { key: 'install.registry', line: lineOf(lines, 'install', 'registry') };
  }
  if (isTable(install.scopes)) {
    for (const [name, value] of Object.entries(install.scopes)) {
      const url = registryUrl(value);
      if (url === undefined) continue;
      const scope = `@${name.replace(/^@/, '')}`;
      scopes[scope] = url;
      keys[`${scope}:registry`] = { key: `install.scopes.${name}`, line: lineOf(lines, 'install.scopes', name) };
    }
  }
  const cafile = strOf(install.cafile);
  if (cafile !== undefined && cafile !== '') {
    config.cafile = cafile;
    keys['cafile'] = { key: 'install.cafile', line: lineOf(lines, 'install', 'cafile') };
  }
  const ca = Array.isArray(install.ca) ? install.ca : [install.ca];
  config.ca = ca.filter((c): c is string => typeof c === 'string' && c !== '');
  if (config.ca.length > 0) keys['ca'] = { key: 'install.ca', line: lineOf(lines, 'install', 'ca') };
  return { config, keys, ...(credentials.length > 0 ? { credentials } : {}) };
}

/** A registry value's URL without credentials, ending in `/` as `.npmrc` registries are normalised. */
function registryUrl(value: unknown): string | undefined {
  const raw = isTable(value) ? strOf(value.url) : strOf(value);
  if (raw === undefined || raw.trim() === '') return undefined;
  let url = raw.trim();
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    url = u.href;
  } catch {
    // Not a URL: judged as written (the policy will not allow it).
  }
  return url.endsWith('/') ? url : `${url}/`;
}

/** 1-based line of `key = …` inside `[table]` (or a dotted `table.key = …` anywhere): a location, not a parse. */
function lineOf(lines: readonly string[], table: string, key: string): number | undefined {
  const bare = (s: string) => s.trim().replace(/^["']|["']$/g, '');
  let current = '';
  for (const [i, raw] of lines.entries()) {
    const l = raw.trim();
    const header = /^\[([^\]]+)\]/.exec(l);
    if (header) {
      current = header[1]!.split('.').map(bare).join('.');
      continue;
    }
    const eq = l.indexOf('=');
    if (eq < 0) continue;
    const full = [current, ...l.slice(0, eq).split('.').map(bare)].filter((s) => s !== '').join('.');
    if (full === `${table}.${key}`) return i + 1;
  }
  return undefined;
}
