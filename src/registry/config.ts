import path from 'node:path';
import { DEFAULT_NPM_REGISTRY, parseNpmrc, type NpmrcAuth, type NpmrcConfig } from '../deps/npmrc.js';
import { trustedPart } from '../deps/npmrc-trust.js';
import { Redactor } from './redact.js';
import { toReplaceRegistryHost } from './resolved-url.js';
import { readConfigInRoot, readRegularFile } from '../io/open-regular.js';
import { MAX_NPMRC_BYTES } from '../deps/read.js';
import type { BerryProject, BerryRegistries } from './yarn-config.js';

/** A CA bundle is a few hundred KB; more is not a CA file. */
const MAX_CA_BYTES = 4 * 1024 * 1024;

/** Where each package is fetched from and with which credentials, merged from the user's and the repo's `.npmrc`. */
export interface RegistryConfig {
  readonly defaultRegistry: string;
  readonly scopes: Readonly<Record<string, string>>;
  readonly auth: Readonly<Record<string, NpmrcAuth>>;
  readonly ca: readonly string[];
  readonly strictSsl: boolean;
  readonly redactor: Redactor;
  /** yarn 2+ lockfiles, by path: where yarn fetches their packages (`.yarnrc.yml`, never `.npmrc`). */
  readonly berry: ReadonlyMap<string, BerryRegistries>;
  /** What the scan should say about the user's own configuration (e.g. a `~/.yarnrc.yml` yarn would refuse). */
  readonly notices: readonly string[];
  /**
   * npm's `replace-registry-host`, flattened (`registry.npmjs.org` by default): which lockfile URLs npm moves to the
   * configured registry before fetching (`npmFetchUrl`).
   */
  readonly replaceRegistryHost: string;
}

export interface RegistryConfigSources {
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--registry`: replaces the default registry (scoped registries still apply, as in npm). */
  readonly override: string | undefined;
  /** Registries the policy allows: the only ones a repository `.npmrc` may point the scanner at. */
  readonly allowed?: readonly string[];
  /** yarn 2+ lockfiles and the repository `.yarnrc.yml` files in effect for each. */
  readonly berry?: readonly BerryProject[];
}

/**
 * npm's precedence: the project's `.npmrc` over the user's (`npm_config_userconfig` or `$HOME/.npmrc`); a
 * `--registry` flag over both. The project's file is in the scanned (untrusted) tree, so only its allowed part
 * counts: registries the policy or the user's own file allow, credentials for those only, no CA, no strict-ssl.
 * Missing files are fine; an unreadable `cafile` is ignored with TLS left strict.
 */
export async function loadRegistryConfig(src: RegistryConfigSources): Promise<RegistryConfig> {
  const env = { ...src.env };
  const userFile =
    env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? (env.HOME ? path.join(env.HOME, '.npmrc') : undefined);
  const repoFile = path.join(src.root, '.npmrc');
  const configs: { file: string; config: NpmrcConfig }[] = [];
  const userText = userFile !== undefined && userFile !== repoFile ? await readUserConfig(userFile) : undefined;
  const user = userText !== undefined ? parseNpmrc(userText, env) : undefined;
  if (user !== undefined && userFile !== undefined) configs.push({ file: userFile, config: user });
  const repoText = (await readConfigInRoot(src.root, repoFile, MAX_NPMRC_BYTES))?.toString('utf8');
  let replaceHost = user?.raw['replace-registry-host'];
  if (repoText !== undefined) {
    const repo = parseNpmrc(repoText, env);
    // Taken from the tree as npm takes it: it only moves npm's fetches onto the configured registry (or leaves
    // them where the lockfile says), never to a host the tree names.
    replaceHost = repo.raw['replace-registry-host'] ?? replaceHost;
    const allowed = [
      ...(src.allowed ?? []),
      ...(user?.registry !== undefined ? [user.registry] : []),
      ...Object.values(user?.scopes ?? {}),
      ...(src.override !== undefined && src.override !== '' ? [src.override] : []),
    ];
    configs.push({ file: repoFile, config: trustedPart(repo, allowed) });
  }
  let defaultRegistry = DEFAULT_NPM_REGISTRY;
  const scopes: Record<string, string> = {};
  const auth: Record<string, NpmrcAuth> = {};
  let ca: string[] = [];
  let strictSsl = true;
  for (const { file, config } of configs) {
    if (config.registry) defaultRegistry = config.registry;
    Object.assign(scopes, config.scopes);
    for (const [dart, a] of Object.entries(config.auth)) auth[dart] = { ...auth[dart], ...a };
    if (config.ca.length > 0) ca = [...config.ca];
    if (config.cafile !== undefined) {
      const pem = (
        await readRegularFile(path.resolve(path.dirname(file), config.cafile), MAX_CA_BYTES).catch(() => undefined)
      )?.toString('utf8');
      if (pem !== undefined) ca = splitPem(pem);
    }
    if (config.strictSsl !== undefined) strictSsl = config.strictSsl;
  }
  if (src.override !== undefined && src.override !== '') defaultRegistry = withSlash(src.override);
  const berry = await loadBerry(src);
  // A registry both .npmrc and yarn configure keeps its .npmrc credentials; yarn's fill the others.
  for (const [dart, a] of Object.entries(berry?.auth ?? {})) auth[dart] ??= a;
  // The user's own TLS settings for yarn, as theirs for npm: one client serves both, so both CAs are trusted.
  if (berry?.ca !== undefined) ca = [...new Set([...ca, ...berry.ca])];
  if (berry?.strictSsl === false) strictSsl = false;
  return {
    defaultRegistry,
    scopes,
    auth,
    ca,
    strictSsl,
    // Every credential of the user's yarn configuration is masked, sent anywhere or not.
    redactor: new Redactor([
      ...secretsOf(auth),
      ...secretsOf(Object.fromEntries((berry?.unbound ?? []).map((a, i) => [i, a]))),
    ]),
    berry: berry?.projects ?? new Map(),
    notices: berry?.notices ?? [],
    replaceRegistryHost: toReplaceRegistryHost(replaceHost),
  };
}

/** yarn's view, loaded (with its YAML reader) only when the scan has a berry lockfile. */
async function loadBerry(src: RegistryConfigSources) {
  if (src.berry === undefined || src.berry.length === 0) return undefined;
  const [{ loadYarnUserConfig }, { resolveBerry }] = await Promise.all([
    import('./yarn-user.js'),
    import('./yarn-config.js'),
  ]);
  const user = await loadYarnUserConfig(src.root, src.env);
  const resolved = resolveBerry(src.berry, user, src.allowed ?? [], src.override);
  const notices =
    user.problem !== undefined
      ? [`~/.yarnrc.yml could not be read (${user.problem}); its registries and credentials were not used.`]
      : [];
  let ca: string[] | undefined;
  if (user.caFile !== undefined) {
    // A CA file inside the scanned tree is the tree's to change, whoever names it: never trusted.
    const rel = path.relative(path.resolve(src.root), user.caFile);
    const inTree = !rel.startsWith('..') && !path.isAbsolute(rel);
    const pem = inTree
      ? undefined
      : (await readRegularFile(user.caFile, MAX_CA_BYTES).catch(() => undefined))?.toString('utf8');
    if (pem !== undefined) ca = splitPem(pem);
    else
      notices.push(
        inTree
          ? "yarn's CA file (httpsCaFilePath) is inside the scanned tree, so it was not trusted; TLS verification uses the default CAs."
          : "yarn's CA file (httpsCaFilePath) could not be read; TLS verification uses the default CAs.",
      );
  }
  return { ...resolved, notices, ...(ca !== undefined ? { ca } : {}), strictSsl: user.strictSsl };
}

/**
 * The registry the package manager would ask about `name`: its scope's registry, else the default — npm's from
 * `.npmrc`, yarn 2+'s (a `lockfile` in `config.berry`) from its own configuration.
 */
export function registryForPackage(name: string, config: RegistryConfig, lockfile?: string): string {
  const from = (lockfile !== undefined ? config.berry.get(lockfile) : undefined) ?? config;
  if (name.startsWith('@')) {
    const scoped = from.scopes[name.slice(0, name.indexOf('/'))];
    if (scoped !== undefined) return scoped;
  }
  return from.defaultRegistry;
}

/** Where a repository `.yarnrc.yml` that the policy does not allow sets `registry` for this lockfile, if it does. */
export function refusedRegistry(config: RegistryConfig, lockfile: string, registry: string): string | undefined {
  return config.berry.get(lockfile)?.refused.get(registry);
}

/** Credentials as npm-registry-fetch reads them (`//host/path/:_authToken` keys): sent only to matching hosts. */
export function authOptions(config: RegistryConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [dart, a] of Object.entries(config.auth)) {
    if (a.token !== undefined) out[`${dart}:_authToken`] = a.token;
    if (a.basic !== undefined) out[`${dart}:_auth`] = a.basic;
    if (a.username !== undefined) out[`${dart}:username`] = a.username;
    if (a.password !== undefined) out[`${dart}:_password`] = Buffer.from(a.password, 'utf8').toString('base64');
  }
  return out;
}

function secretsOf(auth: Readonly<Record<string, NpmrcAuth>>): string[] {
  const out: string[] = [];
  for (const a of Object.values(auth)) {
    if (a.token !== undefined) out.push(a.token);
    if (a.basic !== undefined) {
      out.push(a.basic);
      const decoded = Buffer.from(a.basic, 'base64').toString('utf8');
      out.push(decoded, ...decoded.split(':').slice(1));
    }
    if (a.password !== undefined) out.push(a.password);
    if (a.username !== undefined && a.password !== undefined) out.push(`${a.username}:${a.password}`);
  }
  return out.filter((s) => s !== '');
}

/**
 * A regular file only: a FIFO or device named `.npmrc` must not hang or feed the scan. Inside the tree a symlink is
 * not followed (`follow` false); the user's own file may be a symlink to their dotfiles.
 */
/** The user's own .npmrc (outside the tree: a symlink there is the user's choice), regular files only, bounded. */
async function readUserConfig(file: string): Promise<string | undefined> {
  return (await readRegularFile(file, MAX_NPMRC_BYTES).catch(() => undefined))?.toString('utf8');
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function withSlash(s: string): string {
  return s.endsWith('/') ? s : `${s}/`;
}
