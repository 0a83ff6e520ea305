import type { NpmrcAuth } from '../deps/npmrc.js';
import { nerfDart } from '../deps/npmrc.js';
import {
  hiddenScopes,
  resolveBerryProject,
  type BerryProject,
  type BerryRegistries,
} from '../deps/yarnrc-registries.js';
import { registryUrl, type YarnAuth, type YarnUserConfig } from './yarn-user.js';

export type { BerryProject, BerryRegistries } from '../deps/yarnrc-registries.js';

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
    const resolved = asAskedRegistries(resolveBerryProject(project, user, allowed, override));
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

/** The registries of a project as the scanner asks them (a refused URL stays as written: it keys its packages). */
function asAskedRegistries(r: BerryRegistries): BerryRegistries {
  const asked = (url: string) => (r.refused.has(url) ? url : asAsked(url));
  return {
    ...r,
    defaultRegistry: asked(r.defaultRegistry),
    scopes: Object.fromEntries(Object.entries(r.scopes).map(([scope, url]) => [scope, asked(url)])),
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
 * npmHttpUtils `getAuthenticationHeader`: `npmAuthToken` as a Bearer token, else `npmAuthIdent` as Basic (base64 of
 * `user:password` when it holds a colon, else already base64).
 */
function toNpmrcAuth(a: YarnAuth): NpmrcAuth | undefined {
  if (a.token !== undefined) return { token: a.token };
  if (a.ident !== undefined)
    return { basic: a.ident.includes(':') ? Buffer.from(a.ident, 'utf8').toString('base64') : a.ident };
  return undefined;
}
