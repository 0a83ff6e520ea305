import path from 'node:path';
import {
  DEFAULT_NPM_REGISTRY,
  hasCredentials,
  npmrcFromEntries,
  npmrcFromEnv,
  parseNpmrc,
  type NpmrcAuth,
  type NpmrcConfig,
} from '../deps/npmrc.js';
import { trustedPart } from '../deps/npmrc-trust.js';
import { parseYarnrcV1 } from '../deps/yarnrc-v1.js';
import { pnpmWorkspaceRegistries } from '../deps/parsers/pnpm-workspace-registries.js';
import { Redactor } from './redact.js';
import { toReplaceRegistryHost } from './resolved-url.js';
import { readConfigInRoot, readRegularFile } from '../io/open-regular.js';
import { MAX_NPMRC_BYTES } from '../deps/read.js';
import type { BerryProject, BerryRegistries } from './yarn-config.js';
import { leavesBase } from '../core/relative-path.js';

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
  /** npm, pnpm and Bun lockfiles with a project configuration of their own (`NpmProject`), by path: their registries. */
  readonly npmProjects: ReadonlyMap<string, ProjectRegistries>;
  /** What the scan should say about the user's own configuration (e.g. a `~/.yarnrc.yml` yarn would refuse). */
  readonly notices: readonly string[];
  /**
   * npm's `replace-registry-host`, flattened (`registry.npmjs.org` by default): which lockfile URLs npm moves to the
   * configured registry before fetching (`npmFetchUrl`).
   */
  readonly replaceRegistryHost: string;
}

/**
 * The repository configuration one npm, pnpm, yarn 1 or Bun lockfile is installed with (`npmProjectsOf`), by path
 * from the root: which `.npmrc` files its package manager reads there, and a Bun project's bunfig.toml.
 */
export interface NpmProject {
  readonly lockfile: string;
  readonly kind: 'npm' | 'pnpm' | 'yarn-classic' | 'bun';
  /** Repository `.npmrc` files over the user's, lowest precedence first (the root's `.npmrc` only where it is read). */
  readonly npmrcs: readonly string[];
  /** Repository `.npmrc` files under the user's, lowest first: yarn 1 ranks parent folders' below the user's file. */
  readonly underUser?: readonly string[];
  /** yarn 1: its repository `.yarnrc` files under and over the user's `~/.yarnrc`, lowest first. */
  readonly yarnrcs?: { readonly underUser: readonly string[]; readonly overUser: readonly string[] };
  readonly bunfig?: string;
  /** pnpm: the pnpm-workspace.yaml of its workspace, whose `registry` and `registries` pnpm reads over `.npmrc`. */
  readonly pnpmWorkspace?: string;
}

/** The registries one project's package manager asks: its default and its scopes'. */
export interface ProjectRegistries {
  readonly defaultRegistry: string;
  readonly scopes: Readonly<Record<string, string>>;
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
  /** Other lockfiles with a project configuration of their own (`npmProjectsOf`). */
  readonly npmProjects?: readonly NpmProject[];
}

/**
 * npm's precedence (@npmcli/config `load`): the environment's `npm_config_*` over the project's `.npmrc` over the
 * user's (`npm_config_userconfig` or `$HOME/.npmrc`); a `--registry` flag over all. The environment is the user's
 * (a CI job's `NPM_CONFIG_REGISTRY`, `npm_config_@acme:registry`), trusted like their own file unless npm runs the
 * scan (see `underNpm`). The project's file is in the scanned (untrusted) tree, so only its allowed part
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
  const envConfig = npmrcFromEnv(env);
  let replaceHost = user?.raw['replace-registry-host'];
  // yarn 1's own user file (`YarnRegistry`: `~/.yarnrc`), read only when a yarn 1 lockfile is scanned.
  const yarnUser =
    env.HOME !== undefined && (src.npmProjects ?? []).some((p) => p.kind === 'yarn-classic')
      ? await readUserConfig(path.join(env.HOME, '.yarnrc')).then((text) =>
          text !== undefined ? yarnrcConfig(parseYarnrcV1(text), env) : undefined,
        )
      : undefined;
  const allowedByUser = [
    ...(src.allowed ?? []),
    ...[user, yarnUser].flatMap((c) => [
      ...(c?.registry !== undefined ? [c.registry] : []),
      ...Object.values(c?.scopes ?? {}),
    ]),
    ...(src.override !== undefined && src.override !== '' ? [src.override] : []),
  ];
  // Run by npm (`npx chainproof`, `npm exec`, `npm run`), the environment is not the user's alone: @npmcli/config
  // `setEnvs` exports every setting that is not npm's default as npm_config_* (the scanned project's own .npmrc
  // included: `registry`, `strict-ssl`, `cafile`) and sets npm_execpath. Then it is trusted no more than that file.
  const underNpm = env.npm_execpath !== undefined || env.npm_config_local_prefix !== undefined;
  const fromEnv = envConfig !== undefined && underNpm ? trustedPart(envConfig, allowedByUser) : envConfig;
  const allowed = [
    ...allowedByUser,
    ...(fromEnv?.registry !== undefined ? [fromEnv.registry] : []),
    ...Object.values(fromEnv?.scopes ?? {}),
  ];
  if (repoText !== undefined) {
    const repo = parseNpmrc(repoText, env);
    // Taken from the tree as npm takes it: it only moves npm's fetches onto the configured registry (or leaves
    // them where the lockfile says), never to a host the tree names.
    replaceHost = repo.raw['replace-registry-host'] ?? replaceHost;
    configs.push({ file: repoFile, config: trustedPart(repo, allowed) });
  }
  if (fromEnv !== undefined) {
    replaceHost = fromEnv.raw['replace-registry-host'] ?? replaceHost;
    // npm resolves an environment's relative `cafile` against its working directory.
    configs.push({ file: path.resolve('npm_config'), config: fromEnv });
  }
  const { defaultRegistry, scopes } = layeredRegistries(
    configs.map((c) => c.config),
    src.override,
  );
  const auth: Record<string, NpmrcAuth> = {};
  /** Every credential read, used or displaced: all are masked in output. */
  const read: NpmrcAuth[] = [];
  let ca: string[] = [];
  let strictSsl = true;
  for (const { file, config } of configs) {
    for (const [dart, a] of Object.entries(config.auth)) {
      auth[dart] = layered(auth[dart], a);
      read.push(a);
    }
    if (config.ca.length > 0) ca = [...config.ca];
    if (config.cafile !== undefined) {
      const pem = (
        await readRegularFile(path.resolve(path.dirname(file), config.cafile), MAX_CA_BYTES).catch(() => undefined)
      )?.toString('utf8');
      if (pem !== undefined) ca = splitPem(pem);
    }
    if (config.strictSsl !== undefined) strictSsl = config.strictSsl;
  }
  const root = configs.find((c) => c.file === repoFile)?.config;
  const envOf = envLayers(env, fromEnv, underNpm ? (c) => trustedPart(c, allowedByUser) : (c) => c);
  const projects = await loadNpmProjects(src, { user, yarnUser, root, envOf, allowed, env });
  for (const project of projects.values())
    for (const [dart, a] of Object.entries(project.auth)) {
      // Another repository file's credentials for an allowed registry: only where no other layer set any.
      if (!hasCredentials(auth[dart])) auth[dart] = { ...a };
      read.push(a);
    }
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
    redactor: new Redactor([...secretsOf([...read, ...Object.values(auth)]), ...secretsOf(berry?.unbound ?? [])]),
    berry: berry?.projects ?? new Map(),
    npmProjects: new Map([...projects].map(([lockfile, p]) => [lockfile, p.registries])),
    notices: berry?.notices ?? [],
    replaceRegistryHost: toReplaceRegistryHost(replaceHost),
  };
}

/**
 * The default registry and the scopes' over configuration layers, lowest precedence first (each layer's setting wins
 * over those before it), then `--registry` over all.
 */
function layeredRegistries(
  layers: readonly (NpmrcConfig | undefined)[],
  override: string | undefined,
): ProjectRegistries {
  let defaultRegistry = DEFAULT_NPM_REGISTRY;
  const scopes: Record<string, string> = {};
  for (const layer of layers) {
    if (layer?.registry) defaultRegistry = layer.registry;
    Object.assign(scopes, layer?.scopes);
  }
  if (override !== undefined && override !== '') defaultRegistry = withSlash(override);
  return { defaultRegistry, scopes };
}

/**
 * Each lockfile's registries as its package manager layers them, lowest precedence first (`npmProjectsOf` says which
 * repository files it reads): yarn 1's parent folders' `.npmrc`, the user's file, the project's `.npmrc` files (their
 * allowed part only), a Bun project's bunfig.toml, the environment as that package manager reads it (`envLayers`),
 * `--registry`. The credentials of those `.npmrc` files for allowed registries are returned for the caller; a
 * bunfig's are never read (`parseBunfig` drops them).
 */
async function loadNpmProjects(
  src: RegistryConfigSources,
  layers: {
    readonly user: NpmrcConfig | undefined;
    readonly yarnUser: NpmrcConfig | undefined;
    readonly root: NpmrcConfig | undefined;
    readonly envOf: (kind: NpmProject['kind'] | 'yarn-rc', pnpmWorkspace?: NpmrcConfig) => readonly NpmrcConfig[];
    readonly allowed: readonly string[];
    readonly env: Record<string, string | undefined>;
  },
): Promise<Map<string, { registries: ProjectRegistries; auth: Readonly<Record<string, NpmrcAuth>> }>> {
  const out = new Map<string, { registries: ProjectRegistries; auth: Readonly<Record<string, NpmrcAuth>> }>();
  const parsed = new Map<string, NpmrcConfig | undefined>([['.npmrc', layers.root]]);
  const read = async (file: string, parse: (text: string) => NpmrcConfig): Promise<NpmrcConfig | undefined> => {
    if (!parsed.has(file)) {
      const text = (await readConfigInRoot(src.root, path.join(src.root, file), MAX_NPMRC_BYTES))?.toString('utf8');
      let config: NpmrcConfig | undefined;
      try {
        config = text !== undefined ? trustedPart(parse(text), layers.allowed) : undefined;
      } catch {
        config = undefined; // a bunfig.toml bun refuses: the deps stage says so
      }
      parsed.set(file, config);
    }
    return parsed.get(file);
  };
  const npmrc = (file: string) => read(file, (text) => parseNpmrc(text, layers.env));
  const { parseBunfig } = await import('../deps/bunfig.js');
  const yarnrc = (file: string) => read(file, (text) => yarnrcConfig(parseYarnrcV1(text), layers.env));
  const { parsePnpmWorkspace } = await import('../deps/parsers/pnpm-workspace.js');
  const workspaceYaml = (file: string) =>
    read(file, (text) => {
      const parsed = parsePnpmWorkspace(text);
      return pnpmWorkspaceRegistries('settings' in parsed ? parsed.settings : {});
    });
  for (const { lockfile, kind, npmrcs, underUser = [], bunfig, yarnrcs, pnpmWorkspace } of src.npmProjects ?? []) {
    // yarn 1 asks npm's settings first (`NpmRegistry.getRegistry`: the scope's, then the default), yarn's after: its
    // layers sit under every npm layer, and a scope it maps still comes before npm's default registry.
    const yarn =
      yarnrcs !== undefined
        ? [
            ...(await Promise.all(yarnrcs.underUser.map(yarnrc))),
            layers.yarnUser,
            ...(await Promise.all(yarnrcs.overUser.map(yarnrc))),
            ...layers.envOf('yarn-rc'),
          ]
        : [];
    const under = await Promise.all(underUser.map(npmrc));
    const over = await Promise.all(npmrcs.map(npmrc));
    const bun = bunfig !== undefined ? await read(bunfig, (text) => parseBunfig(bunfig, text).config) : undefined;
    const workspace = pnpmWorkspace !== undefined ? await workspaceYaml(pnpmWorkspace) : undefined;
    const auth: Record<string, NpmrcAuth> = {};
    // The root file's credentials are already the scan's (loadRegistryConfig); the others' fill in for this lockfile.
    [...underUser, ...npmrcs].forEach((file, i) => {
      if (file !== '.npmrc') Object.assign(auth, [...under, ...over][i]?.auth);
    });
    out.set(lockfile, {
      registries: layeredRegistries(
        [...yarn, ...under, layers.user, ...over, bun, ...layers.envOf(kind, workspace)],
        src.override,
      ),
      auth,
    });
  }
  return out;
}

/**
 * The environment as each package manager reads it for registries, lowest precedence first. npm: every
 * `npm_config_*` (`npmrcFromEnv`). yarn 1 (`BaseRegistry.mergeEnv`, before its files, which only fill what is unset):
 * it lower-cases a name and then looks that name up, so only names written in lower case count — `npm_config_*` for
 * its npm settings, `yarn_*` for its own (`yarn-rc`). pnpm: npm's (@pnpm/npm-conf `addEnv`), then
 * `pnpm_config_registry` over them (@pnpm/config `getConfig`: `parseEnvVars` reads `pnpm_config_` + lower_snake_case
 * and sets `registries.default`). Bun reads no `npm_config_@scope:registry`: only the first of `BUN_CONFIG_REGISTRY`,
 * `NPM_CONFIG_REGISTRY`, `npm_config_registry` (exactly so spelled) that is a non-empty http(s) URL
 * (PackageManagerOptions.zig `load`), over bunfig.toml and `.npmrc`. `guard` is applied as to the npm layer.
 */
function envLayers(
  env: Readonly<Record<string, string | undefined>>,
  npmEnv: NpmrcConfig | undefined,
  guard: (config: NpmrcConfig) => NpmrcConfig,
): (kind: NpmProject['kind'] | 'yarn-rc', pnpmWorkspace?: NpmrcConfig) => readonly NpmrcConfig[] {
  const registryLayer = (url: string | undefined) =>
    url !== undefined ? [guard({ ...emptyLayer(), registry: withSlash(url) })] : [];
  const npm = npmEnv !== undefined ? [npmEnv] : [];
  const pnpmRegistry = env.pnpm_config_registry;
  const pnpmOwn = registryLayer(pnpmRegistry !== undefined && pnpmRegistry !== '' ? pnpmRegistry : undefined);
  // pnpm-workspace.yaml's registries sit between the two (see `pnpmWorkspaceRegistries`).
  const pnpm = (workspace: NpmrcConfig | undefined) => [
    ...npm,
    ...(workspace !== undefined ? [workspace] : []),
    ...pnpmOwn,
  ];
  const bun = registryLayer(
    ['BUN_CONFIG_REGISTRY', 'NPM_CONFIG_REGISTRY', 'npm_config_registry']
      .map((name) => env[name])
      .find((v) => v !== undefined && /^https?:\/\//.test(v)),
  );
  const yarn1 = (prefix: string) => {
    const entries = Object.entries(env).flatMap(([name, value]): [string, string][] =>
      name === name.toLowerCase() && name.startsWith(prefix) && value !== undefined && value !== ''
        ? [[name.slice(prefix.length).replace(/__/g, '.').replace(/_/g, '-'), value]]
        : [],
    );
    return entries.length > 0 ? [guard(yarnrcConfig(new Map(entries), {}))] : [];
  };
  const yarnNpm = yarn1('npm_config_');
  const yarnOwn = yarn1('yarn_');
  return (kind, pnpmWorkspace) =>
    kind === 'bun'
      ? bun
      : kind === 'pnpm'
        ? pnpm(pnpmWorkspace)
        : kind === 'yarn-classic'
          ? yarnNpm
          : kind === 'yarn-rc'
            ? yarnOwn
            : npm;
}

/** yarn 1 settings as an `.npmrc` layer of registries only: yarn sends npm's credentials, never `.yarnrc`'s (`NpmRegistry.getAuth`). */
function yarnrcConfig(settings: ReadonlyMap<string, string>, env: Record<string, string | undefined>): NpmrcConfig {
  return { ...npmrcFromEntries(settings, env), auth: {}, ca: [] };
}

function emptyLayer(): NpmrcConfig {
  return { scopes: {}, auth: {}, ca: [], raw: {}, written: {} };
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
    const inTree = !leavesBase(rel);
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
  const from = projectRegistries(config, lockfile);
  if (name.startsWith('@')) {
    const scoped = from.scopes[name.slice(0, name.indexOf('/'))];
    if (scoped !== undefined) return scoped;
  }
  return from.defaultRegistry;
}

/** The registries the package manager of `lockfile` asks: yarn 2+'s, a subfolder project's `.npmrc`, or the root's. */
export function projectRegistries(config: RegistryConfig, lockfile: string | undefined): ProjectRegistries {
  if (lockfile === undefined) return config;
  return config.berry.get(lockfile) ?? config.npmProjects.get(lockfile) ?? config;
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

/**
 * One registry's credentials after a higher layer (`over`): its fields win, except that a legacy top-level credential
 * never replaces a scoped one of a lower layer (a repository's `_authToken=…` does not displace the user's
 * `//host/:_authToken`), and a scoped one replaces a legacy one whole.
 */
function layered(under: NpmrcAuth | undefined, over: NpmrcAuth): NpmrcAuth {
  if (under === undefined) return { ...over };
  if (over.legacy === true && under.legacy !== true && hasCredentials(under)) return under;
  if (under.legacy === true && over.legacy !== true && hasCredentials(over)) return { ...over };
  // The unset variables said of a credential are the ones of the value in effect.
  const { unresolved, ...kept } = under;
  return hasCredentials(over) ? { ...kept, ...over } : { ...kept, ...(unresolved ? { unresolved } : {}), ...over };
}

function secretsOf(auth: Iterable<NpmrcAuth>): string[] {
  const out: string[] = [];
  for (const a of auth) {
    if (a.token !== undefined) out.push(a.token);
    if (a.basic !== undefined) {
      out.push(a.basic);
      const decoded = Buffer.from(a.basic, 'base64').toString('utf8');
      out.push(decoded, ...decoded.split(':').slice(1));
    }
    if (a.password !== undefined) out.push(a.password);
    if (a.username !== undefined && a.password !== undefined) out.push(`${a.username}:${a.password}`);
  }
  // A value that is only unset `${NAME}` references is the file's text, not a secret: masking it would hide which
  // variable was missing.
  return out.filter((s) => s !== '' && !/^(?:\$\{[^${}]+\})+$/.test(s));
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
