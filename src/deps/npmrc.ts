import { parse as parseIni } from 'ini';
import { pushAll } from '../core/push-all.js';

/** Credentials for one registry, keyed in NpmrcConfig.auth by its "nerf dart" (`//host/path/`). */
export interface NpmrcAuth {
  token?: string;
  /** `_auth`: base64 of `user:password`, as sent in `Authorization: Basic`. */
  basic?: string;
  username?: string;
  /** Plain password (`:_password` is base64 in the file; decoded here). */
  password?: string;
  /**
   * From a legacy top-level `_authToken` / `_auth`, not a `//host/path/:` key. npm 9+ reads only the scoped keys
   * (npm-registry-fetch `regFromURI`; `npm config fix` moves the others); older clients fall back to the legacy ones
   * for the default registry when no scoped key is set. So they never replace a scoped credential, in any file.
   */
  legacy?: true;
  /** Variables its value names that the environment lacks: npm sends the text as written (`${NPM_TOKEN}`). */
  unresolved?: string[];
}

export interface NpmrcConfig {
  /** Default registry, normalised to end with `/`. */
  registry?: string;
  /** '@scope' → registry URL (normalised to end with `/`). */
  scopes: Record<string, string>;
  /** Keyed by '//host/path/'. Secrets: never print these. */
  auth: Record<string, NpmrcAuth>;
  ca: string[];
  cafile?: string;
  strictSsl?: boolean;
  /** Every key after `${ENV}` expansion, values as strings. May hold secrets: never print. */
  raw: Record<string, string>;
  /**
   * Keys whose value `${ENV}` expansion changed, with the value as written in the file. A setting is shown by this
   * text, never by its expansion: the environment may hold secrets (see `npmrc-trust.ts`).
   */
  written: Record<string, string>;
  /**
   * Keys whose value names environment variables the given environment lacks (npm's env-replace leaves `${NAME}` as
   * written and makes `${NAME?}` empty): what they are is chosen where npm runs, unknown to the scan.
   */
  unresolved?: Record<string, string[]>;
  /** Keys written as `key[]=value` lines (ini arrays), with their values: pnpm reads some settings only so. */
  lists?: Record<string, string[]>;
}

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

/**
 * Parse `.npmrc` text the way npm (@npmcli/config) does: ini syntax, `${VAR}` / `${VAR?}` expansion in keys and
 * values, `@scope:registry`, and per-registry credentials (`//host/path/:_authToken`, `:_auth`, `:username`,
 * `:_password`). Pure: the environment is passed in. Never throws on odd content; unknown keys stay in `raw`.
 */
export function parseNpmrc(text: string, env: Record<string, string | undefined>): NpmrcConfig {
  return configOf(parseIni(text), env);
}

/**
 * The `npm_config_*` variables of an environment as npm reads them (@npmcli/config `loadEnv`): any case of the
 * prefix, an empty value ignored; the rest of the name is the key — `//host/path/:_authToken` as written, any other
 * key lower-cased with `_` after its first character read as `-` (`NPM_CONFIG_REGISTRY` → `registry`,
 * `npm_config_@acme:registry` → `@acme:registry`, `npm_config_replace_registry_host` → `replace-registry-host`).
 * Values are expanded like a file's. Undefined when the environment sets none.
 */
export function npmrcFromEnv(env: Record<string, string | undefined>): NpmrcConfig | undefined {
  const entries: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(env)) {
    if (!/^npm_config_/i.test(name) || value === undefined || value === '') continue;
    const key = name.slice('npm_config_'.length);
    entries[key.startsWith('//') ? key : key.replace(/(?!^)_/g, '-').toLowerCase()] = value;
  }
  return Object.keys(entries).length > 0 ? configOf(entries, env) : undefined;
}

/** Settings given as key and value (yarn 1's `.yarnrc`, its `yarn_*` variables), read as `.npmrc` lines are. */
export function npmrcFromEntries(
  entries: Iterable<readonly [string, string]>,
  env: Record<string, string | undefined>,
): NpmrcConfig {
  const parsed: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) parsed[k] = v;
  return configOf(parsed, env);
}

function configOf(parsed: Record<string, unknown>, env: Record<string, string | undefined>): NpmrcConfig {
  const raw: Record<string, string> = Object.create(null) as Record<string, string>;
  const written: Record<string, string> = {};
  const unresolved: Record<string, string[]> = {};
  const lists: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const ca: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(parsed)) {
    const key = expandEnv(rawKey, env);
    if (Array.isArray(rawValue)) {
      // `ca[]=…` lines: npm's only array-valued setting in practice.
      const values = rawValue.filter((v): v is string => typeof v === 'string').map((v) => expandEnv(v, env));
      if (key === 'ca') pushAll(ca, values);
      lists[key] = values;
      raw[key] = values.join('\n');
      continue;
    }
    // ini turns "true"/"false" into booleans and a bare key into `true`; sections into objects (ignored by npm).
    if (typeof rawValue === 'boolean') raw[key] = String(rawValue);
    else if (typeof rawValue === 'string') {
      const missing: string[] = [];
      raw[key] = expandEnv(rawValue, env, missing);
      if (raw[key] !== rawValue) written[key] = rawValue;
      if (missing.length > 0) {
        unresolved[key] = missing;
        written[key] = rawValue;
      }
    }
  }

  const config: NpmrcConfig = {
    scopes: {},
    auth: {},
    ca,
    raw,
    written,
    ...(Object.keys(unresolved).length > 0 ? { unresolved } : {}),
    ...(Object.keys(lists).length > 0 ? { lists } : {}),
  };
  const auth: Record<string, NpmrcAuth> = Object.create(null) as Record<string, NpmrcAuth>;
  const scopes: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, expanded] of Object.entries(raw)) {
    // A registry the environment decides stays as written (`${NAME}`, never a value): checks name it, never use it.
    const value = unresolved[key] !== undefined && key.endsWith('registry') ? (written[key] ?? expanded) : expanded;
    if (key === 'registry' && value !== '') config.registry = withSlash(value);
    else if (key === 'ca' && ca.length === 0 && value !== '' && value !== 'null') ca.push(value);
    else if (key === 'cafile' && value !== '') config.cafile = value;
    else if (key === 'strict-ssl') config.strictSsl = value !== 'false';
    else if (/^@[^/:]+:registry$/.test(key) && value !== '') scopes[key.slice(0, key.indexOf(':'))] = withSlash(value);
    else if (key.startsWith('//')) {
      addAuth(auth, key, value);
      const missing = unresolved[key];
      const entry = auth[withSlash(key.slice(0, key.lastIndexOf(':')))];
      if (missing !== undefined && entry !== undefined) entry.unresolved = [...(entry.unresolved ?? []), ...missing];
    }
  }
  // Legacy top-level credentials belong to the default registry.
  const defaultDart = nerfDart(config.registry ?? DEFAULT_NPM_REGISTRY);
  if ((raw._authToken !== undefined || raw._auth !== undefined) && !hasCredentials(auth[defaultDart])) {
    if (raw._authToken !== undefined) setAuth(auth, defaultDart, '_authToken', raw._authToken);
    if (raw._auth !== undefined) setAuth(auth, defaultDart, '_auth', raw._auth);
    auth[defaultDart]!.legacy = true;
  }
  config.scopes = { ...scopes };
  config.auth = { ...auth };
  return config;
}

/** A token, `_auth`, or a username with its password: what npm-registry-fetch's `hasAuth` counts as credentials. */
export function hasCredentials(a: NpmrcAuth | undefined): boolean {
  return (
    a !== undefined &&
    (a.token !== undefined || a.basic !== undefined || (a.username !== undefined && a.password !== undefined))
  );
}

/** `//host/path/:field=value` → auth[`//host/path/`].field. The host may carry a port, so split at the last colon. */
function addAuth(auth: Record<string, NpmrcAuth>, key: string, value: string): void {
  const colon = key.lastIndexOf(':');
  if (colon < 0) return;
  const field = key.slice(colon + 1);
  const dart = withSlash(key.slice(0, colon));
  setAuth(auth, dart, field, value);
}

function setAuth(auth: Record<string, NpmrcAuth>, dart: string, field: string, value: string): void {
  const entry = auth[dart] ?? {};
  switch (field) {
    case '_authToken':
      entry.token = value;
      break;
    case '_auth':
      entry.basic = value;
      break;
    case 'username':
      entry.username = value;
      break;
    case '_password':
      entry.password = Buffer.from(value, 'base64').toString('utf8');
      break;
    default:
      return; // certfile, keyfile, always-auth…: kept in raw only
  }
  auth[dart] = entry;
}

/**
 * npm's env-replace (@npmcli/config lib/env-replace.js): `${NAME}` → env value (left as written when unset),
 * `${NAME?}` → value or '' ; a backslash escapes the expression. Unset names are added to `missing`.
 */
export function expandEnv(text: string, env: Record<string, string | undefined>, missing?: string[]): string {
  return text.replace(/(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g, (orig, esc: string, name: string, mod?: string) => {
    if (esc.length % 2 === 1) return orig.slice((esc.length + 1) / 2);
    if (env[name] === undefined) missing?.push(name);
    const val = env[name] ?? (mod === '?' ? '' : `\${${name}}`);
    return esc.slice(esc.length / 2) + val;
  });
}

/** The credential key of a registry URL: `https://r.example.com/npm/` → `//r.example.com/npm/`. */
export function nerfDart(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.endsWith('/') ? u.pathname : u.pathname.slice(0, u.pathname.lastIndexOf('/') + 1);
    return `//${u.host}${path}`;
  } catch {
    return withSlash(url.replace(/^[a-z]+:/i, ''));
  }
}

/** The registry npm would fetch `name` from: its scope's registry, else the default. */
export function registryFor(name: string, config: NpmrcConfig): string {
  if (name.startsWith('@')) {
    const scoped = config.scopes[name.slice(0, name.indexOf('/'))];
    if (scoped !== undefined) return scoped;
  }
  return config.registry ?? DEFAULT_NPM_REGISTRY;
}

function withSlash(s: string): string {
  return s.endsWith('/') ? s : `${s}/`;
}
