import type { RepoYarnrc } from '../deps/checks/yarnrc.js';
import type { NpmrcAuth } from '../deps/npmrc.js';
import { nerfDart } from '../deps/npmrc.js';
import { isAllowed } from '../deps/npmrc-trust.js';
import { DEFAULT_YARN_REGISTRY } from '../deps/yarnrc-files.js';
import { registryUrl, type YarnAuth, type YarnUserConfig } from './yarn-user.js';

/** Where yarn 2+ fetches the packages of one `yarn.lock`, in the shape `registryForPackage` reads. */
export interface BerryRegistries {
  readonly defaultRegistry: string;
  readonly scopes: Readonly<Record<string, string>>;
  /**
   * Registries a repository `.yarnrc.yml` names that the policy does not allow (CPD150), with where each is set:
   * yarn would install from them, so their packages are never verified against another registry, nor fetched.
   */
  readonly refused: ReadonlyMap<string, string>;
}

/** A berry lockfile and the repository `.yarnrc.yml` files in effect for it, nearest first (`effectiveYarnrcs`). */
export interface BerryProject {
  readonly lockfile: string;
  readonly yarnrcs: readonly RepoYarnrc[];
}

export interface BerryResolution {
  readonly projects: ReadonlyMap<string, BerryRegistries>;
  /** Credentials by nerf dart (`//host/path/`), from the user's configuration only. Secrets. */
  readonly auth: Readonly<Record<string, NpmrcAuth>>;
  /** Every credential of the user's configuration, bound or not, for the redactor. Secrets. */
  readonly unbound: readonly NpmrcAuth[];
}

/**
 * Resolve each berry project's registries as yarn does: `Configuration.find` ranks the environment, then the
 * project's rc files nearest first, then the home file (a plain setting: the first level that sets it; an
 * `npmScopes` entry: the nearest level's entry, whole), and plugin-npm's `npmConfigUtils.getScopeRegistry` picks
 * `npmScopes.<scope>.npmRegistryServer`, else `npmRegistryServer`, else registry.yarnpkg.com (asked as
 * registry.npmjs.org, its alias). `--registry` (`override`) stands above all, as it does for npm's default.
 *
 * The repository's files are untrusted configuration: a registry they name counts only when `allowed` (the
 * policy, plus what the user's own configuration names) has it, and their credentials are never read. The user's
 * credentials follow `npmConfigUtils.getAuthConfiguration` (scope, then `npmRegistries`, then top level) but are
 * bound to one registry each, never sent wherever the tree points: a scope's to that scope's registry; a top-level
 * one to the registry its own level names, else to the project's default registry when that is not refused.
 */
export function resolveBerry(
  projects: readonly BerryProject[],
  user: YarnUserConfig,
  policyAllowed: readonly string[],
  override: string | undefined,
): BerryResolution {
  const allowed = [
    ...policyAllowed,
    ...(user.registry !== undefined ? [user.registry.value] : []),
    ...Object.values(user.scopes).flatMap((s) => (s.registry !== undefined ? [s.registry] : [])),
    ...(override !== undefined && override !== '' ? [override] : []),
  ];
  const auth: Record<string, NpmrcAuth> = {};
  const bind = (registry: string, a: YarnAuth) => {
    const converted = toNpmrcAuth(a);
    if (converted !== undefined) auth[nerfDart(asAsked(registry))] ??= converted;
  };
  const out = new Map<string, BerryRegistries>();
  for (const project of projects) {
    const resolved = resolveProject(project, user, allowed, override);
    out.set(project.lockfile, resolved);
    // Scope first (getAuthConfiguration): a scope entry of the home file counts only when no repository file
    // sets that scope (the nearer entry wins whole, credentials and all, and the tree's are never used).
    for (const [scope, entry] of Object.entries(user.scopes)) {
      if (hiddenScopes(project).has(scope)) continue;
      const registry = resolved.scopes[scope] ?? resolved.defaultRegistry;
      if (!resolved.refused.has(registry)) bind(registry, entry.auth);
    }
  }
  for (const [key, a] of Object.entries(user.registries)) {
    // npmRegistries keys match with or without the protocol (`getRegistryConfiguration`).
    const url = registryUrl(key.startsWith('//') ? `https:${key}` : key);
    if (url !== undefined) bind(url, a);
  }
  const top: YarnAuth = {
    ...(user.token !== undefined ? { token: user.token.value } : {}),
    ...(user.ident !== undefined ? { ident: user.ident.value } : {}),
  };
  if (user.registry !== undefined) bind(user.registry.value, top);
  else for (const r of out.values()) if (!r.refused.has(r.defaultRegistry)) bind(r.defaultRegistry, top);
  const unbound: NpmrcAuth[] = [];
  for (const a of [top, ...Object.values(user.scopes).map((s) => s.auth), ...Object.values(user.registries)]) {
    if (a.token !== undefined) unbound.push({ token: a.token });
    if (a.ident !== undefined) unbound.push(toNpmrcAuth({ ident: a.ident })!);
  }
  return { projects: out, auth, unbound };
}

function resolveProject(
  project: BerryProject,
  user: YarnUserConfig,
  allowed: readonly string[],
  override: string | undefined,
): BerryRegistries {
  const refused = new Map<string, string>();
  const fromTree = (key: 'npmRegistryServer' | { scope: string }): string | undefined => {
    for (const y of project.yarnrcs) {
      if (y.kind !== 'ok') continue;
      for (const s of y.config.settings) {
        if (s.kind !== 'registry') continue;
        if (typeof key === 'string' ? s.scope !== undefined : s.scope !== key.scope) continue;
        const url = registryUrl(s.target ?? s.value);
        if (url !== undefined && allowedTarget(url, s.target !== s.value, allowed)) return url;
        // Refused, it is known by the value as written: an expanded `${VAR}` may hold a secret of the runner.
        refused.set(s.value, `${y.path}:${s.line} (${s.key})`);
        return s.value;
      }
    }
    return undefined;
  };
  const overridden = override !== undefined && override !== '' ? registryUrl(override) : undefined;
  const env = user.registry?.source === 'environment' ? user.registry.value : undefined;
  const home = user.registry?.source === 'home' ? user.registry.value : undefined;
  const defaultRegistry = overridden ?? env ?? fromTree('npmRegistryServer') ?? home ?? DEFAULT_YARN_REGISTRY;

  const scopes: Record<string, string> = {};
  const hidden = hiddenScopes(project);
  for (const y of project.yarnrcs)
    if (y.kind === 'ok')
      for (const s of y.config.settings)
        if (s.kind === 'registry' && s.scope !== undefined && scopes[s.scope] === undefined) {
          const url = fromTree({ scope: s.scope });
          if (url !== undefined) scopes[s.scope] = url;
        }
  for (const [scope, entry] of Object.entries(user.scopes))
    if (!hidden.has(scope) && entry.registry !== undefined) scopes[scope] = entry.registry;
  // A refused URL stays as written: it is the key that keeps its packages from being asked anywhere.
  const asked = (url: string) => (refused.has(url) ? url : asAsked(url));
  return {
    defaultRegistry: asked(defaultRegistry),
    scopes: Object.fromEntries(Object.entries(scopes).map(([scope, url]) => [scope, asked(url)])),
    refused,
  };
}

/**
 * registry.yarnpkg.com, yarn's default, is an alias domain of registry.npmjs.org (plugin-npm's `getOidcToken`
 * rewrites one to the other): it is asked as registry.npmjs.org, whose signing keys the scanner also carries.
 */
function asAsked(url: string): string {
  try {
    const u = new URL(url);
    if (u.hostname !== 'registry.yarnpkg.com') return url;
    u.hostname = 'registry.npmjs.org';
    return u.href;
  } catch {
    return url;
  }
}

/**
 * A registry the tree names counts when the policy (or the user) allows it. One that a `${VAR}` of the runner's
 * environment helped build must be an allowed registry exactly, not merely under one: otherwise a pull request
 * could carry a secret to an allowed host in a URL path (`https://allowed.example/${CI_TOKEN}/`).
 */
function allowedTarget(url: string, expanded: boolean, allowed: readonly string[]): boolean {
  if (!isAllowed(url, allowed)) return false;
  if (!expanded) return true;
  const key = (u: string) =>
    registryUrl(u)
      ?.replace(/^https?:/, '')
      .toLowerCase();
  return allowed.some((a) => key(a) === key(url));
}

/** Scopes some repository file sets (with or without a registry): they hide the home file's entry for the scope. */
function hiddenScopes(project: BerryProject): Set<string> {
  const out = new Set<string>();
  for (const y of project.yarnrcs)
    if (y.kind === 'ok')
      for (const slot of y.config.slots) if (slot.startsWith('npmScopes.')) out.add(`@${slot.slice(10)}`);
  return out;
}

/**
 * npmHttpUtils `getAuthenticationHeader`: `npmAuthToken` as a Bearer token, else `npmAuthIdent` as Basic (base64 of
 * `user:password` when it holds a colon, else already base64).
 */
function toNpmrcAuth(a: YarnAuth): NpmrcAuth | undefined {
  if (a.token !== undefined) return { token: a.token };
  if (a.ident !== undefined)
    return { basic: a.ident.includes(':') ? Buffer.from(a.ident, 'utf8').toString('base64') : a.ident };
  return undefined;
}
