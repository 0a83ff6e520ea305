import path from 'node:path';
import { parseShallowYamlValue as parseYaml } from '../core/yaml-depth.js';
import { publicHttpUrl } from '../core/url.js';
import { MAX_NPMRC_BYTES } from './read.js';
import { expandYarnEnv } from './yarnrc.js';
import { readRegularFile } from '../io/open-regular.js';
import { leavesBase } from '../core/relative-path.js';

/** yarn's npm credentials of one configuration level: `npmAuthToken` (Bearer) and `npmAuthIdent` (Basic). Secrets. */
export interface YarnAuth {
  readonly token?: string;
  readonly ident?: string;
}

/** A setting of the user's own yarn configuration, with the level it came from (for binding credentials). */
export interface YarnUserValue<T> {
  readonly value: T;
  readonly source: 'environment' | 'home';
}

/**
 * What the user's own yarn configuration says: the `YARN_*` environment and `~/.yarnrc.yml`, both outside the
 * scanned tree and so trusted like `~/.npmrc`. Registries are URLs with a trailing slash, without credentials.
 */
export interface YarnUserConfig {
  readonly registry?: YarnUserValue<string>;
  readonly token?: YarnUserValue<string>;
  readonly ident?: YarnUserValue<string>;
  /** `npmScopes` of the home file ('@acme' → its registry and credentials); the environment cannot set a map. */
  readonly scopes: Readonly<Record<string, { readonly registry?: string; readonly auth: YarnAuth }>>;
  /** `npmRegistries` of the home file, keyed as written (`https://host/path` or `//host/path`). */
  readonly registries: Readonly<Record<string, YarnAuth>>;
  /**
   * The user's CA file (`httpsCaFilePath`, yarn 2–3 `caFilePath`): absolute, as yarn resolves an `ABSOLUTE_PATH`
   * (the home file's against the home folder). A relative one from the environment is ignored: yarn resolves it
   * against the install's working directory, which is the scanned tree.
   */
  readonly caFile?: string;
  /** `enableStrictSsl` when the user's configuration sets it. */
  readonly strictSsl?: boolean;
  /** Why the home file was not used, when it exists but could not be read (yarn itself would refuse it). */
  readonly problem?: string;
}

export const EMPTY_YARN_USER_CONFIG: YarnUserConfig = { scopes: {}, registries: {} };

/**
 * The rc file name yarn reads (`getRcFilename`: `YARN_RC_FILENAME`, any case, else `.yarnrc.yml`) and the home file
 * `Configuration.findHomeRcFile` reads: `folderUtils.getHomeFolder()` is `os.homedir()`, i.e. `$HOME` here.
 */
export function homeYarnrcPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const home = env.HOME;
  if (home === undefined || home === '') return undefined;
  const named = Object.entries(env).find(([k, v]) => k.toLowerCase() === 'yarn_rc_filename' && v !== undefined)?.[1];
  return path.join(home, named !== undefined && named !== '' ? named : '.yarnrc.yml');
}

/**
 * The user's yarn configuration, as berry's `Configuration.find` ranks it: the environment first (every `YARN_*`
 * variable, any case, the rest camel-cased by `getEnvironmentSettings`), the home file last, the first level that
 * sets a plain setting wins. `YARN_NPM_SCOPES` is ignored: a string for a map setting makes yarn itself refuse
 * to run (`parseMap`). `homeText` is the home file's text (undefined: none).
 */
export function readYarnUserConfig(
  env: Readonly<Record<string, string | undefined>>,
  homeText: string | undefined,
): YarnUserConfig {
  const fromEnv = environmentSettings(env);
  let home: Record<string, unknown> = {};
  let problem: string | undefined;
  if (homeText !== undefined) {
    try {
      // Failsafe, as berry's parseSyml: every scalar a string. Trusted text, but still bounded (aliases).
      const doc: unknown = parseYaml(homeText, { schema: 'failsafe', uniqueKeys: false, maxAliasCount: 100 });
      if (isRecord(doc)) home = doc;
      else if (doc !== null && doc !== undefined && doc !== '') problem = 'the top level is not a mapping of settings';
    } catch (err) {
      problem = `not valid YAML (${(err as Error).message.split('\n')[0] ?? ''})`;
    }
  }
  const pick = (key: string, asUrl: boolean): YarnUserValue<string> | undefined => {
    for (const [source, values] of [
      ['environment', fromEnv],
      ['home', home],
    ] as const) {
      const raw = stringOf(values[key]);
      if (raw === undefined || raw === '') continue;
      const value = asUrl ? registryUrl(expandYarnEnv(raw, env)) : expandYarnEnv(raw, env);
      if (value !== undefined) return { value, source };
    }
    return undefined;
  };
  const registry = pick('npmRegistryServer', true);
  const ca = pick('httpsCaFilePath', false) ?? pick('caFilePath', false);
  const caFile =
    ca === undefined
      ? undefined
      : path.isAbsolute(ca.value)
        ? ca.value
        : ca.source === 'home' && env.HOME !== undefined
          ? path.resolve(env.HOME, ca.value)
          : undefined;
  // miscUtils.parseBoolean: true/1, false/0.
  const strict = pick('enableStrictSsl', false)?.value;
  const strictSsl =
    strict === 'false' || strict === '0' ? false : strict === 'true' || strict === '1' ? true : undefined;
  const token = pick('npmAuthToken', false);
  const ident = pick('npmAuthIdent', false);

  const scopes: Record<string, { registry?: string; auth: YarnAuth }> = {};
  if (isRecord(home.npmScopes))
    for (const [key, entry] of Object.entries(home.npmScopes)) {
      if (!isRecord(entry)) continue;
      const raw = stringOf(entry.npmRegistryServer);
      const url = raw !== undefined && raw !== '' ? registryUrl(expandYarnEnv(raw, env)) : undefined;
      // plugin-npm normalises scope keys without the `@`.
      scopes[`@${key.replace(/^@/, '')}`] = {
        ...(url !== undefined ? { registry: url } : {}),
        auth: authOf(entry, env),
      };
    }
  const registries: Record<string, YarnAuth> = {};
  if (isRecord(home.npmRegistries))
    for (const [key, entry] of Object.entries(home.npmRegistries))
      if (isRecord(entry)) registries[key] = authOf(entry, env);

  return {
    ...(registry !== undefined ? { registry } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(ident !== undefined ? { ident } : {}),
    scopes,
    registries,
    ...(caFile !== undefined ? { caFile } : {}),
    ...(strictSsl !== undefined ? { strictSsl } : {}),
    ...(problem !== undefined ? { problem } : {}),
  };
}

/** `getEnvironmentSettings`: `YARN_NPM_AUTH_TOKEN` (any case) → `npmAuthToken`. */
function environmentSettings(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    const k = key.toLowerCase();
    if (!k.startsWith('yarn_') || value === undefined) continue;
    const camel = k
      .slice('yarn_'.length)
      .split(/_+/)
      .filter((p) => p !== '')
      .map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1)))
      .join('');
    out[camel] = value;
  }
  return out;
}

function authOf(entry: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): YarnAuth {
  const token = stringOf(entry.npmAuthToken);
  const ident = stringOf(entry.npmAuthIdent);
  return {
    ...(token !== undefined && token !== '' ? { token: expandYarnEnv(token, env) } : {}),
    ...(ident !== undefined && ident !== '' ? { ident: expandYarnEnv(ident, env) } : {}),
  };
}

/** An http(s) registry URL without credentials, with a trailing slash (yarn strips it; our URL joins need it). */
export function registryUrl(raw: string): string | undefined {
  const u = publicHttpUrl(raw);
  if (u === undefined) return undefined;
  return u.href.endsWith('/') ? u.href : `${u.href}/`;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The user's yarn configuration from the environment and the home rc file. A home file inside the scan root is
 * the tree's, not the user's: it is not read here (the deps stage reads it as a repository file).
 */
export async function loadYarnUserConfig(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<YarnUserConfig> {
  const file = homeYarnrcPath(env);
  if (file === undefined) return readYarnUserConfig(env, undefined);
  const rel = path.relative(path.resolve(root), file);
  if (!leavesBase(rel)) return readYarnUserConfig(env, undefined);
  let text: string | undefined;
  try {
    const buf = await readRegularFile(file, MAX_NPMRC_BYTES);
    if (buf === undefined)
      return { ...readYarnUserConfig(env, undefined), problem: `it is over the ${MAX_NPMRC_BYTES}-byte limit` };
    text = buf.toString('utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return readYarnUserConfig(env, undefined);
    // The error text of fs names the absolute path: only its code is kept.
    const problem = `it could not be opened (${typeof code === 'string' ? code : 'not a regular file'})`;
    return { ...readYarnUserConfig(env, undefined), problem };
  }
  return readYarnUserConfig(env, text);
}
