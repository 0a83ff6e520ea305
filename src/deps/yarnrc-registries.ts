import type { RepoYarnrc } from './checks/yarnrc.js';
import { isAllowed } from './npmrc-trust.js';
import type { NpmrcConfig } from './npmrc.js';
import { DEFAULT_YARN_REGISTRY } from './yarnrc-files.js';
import { loadYarnUserConfig, registryUrl, type YarnUserConfig } from './yarnrc-user.js';

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

/**
 * Where yarn 2+ fetches one project's packages, as berry's `Configuration.find` ranks its levels (the environment,
 * then the project's rc files nearest first, then the home file) and plugin-npm's `npmConfigUtils.getScopeRegistry`
 * picks `npmScopes.<scope>.npmRegistryServer`, else `npmRegistryServer`, else registry.yarnpkg.com. One place for
 * the registry stage (which asks these registries, `allowed` by policy) and the offline checks (`'any'`: where yarn
 * installs from, judged by the checks themselves). `override` (`--npm-registry`) stands above all, online only.
 */
export function resolveBerryProject(
  project: BerryProject,
  user: YarnUserConfig,
  /** Registries a tree setting may name; 'any': where yarn installs from, allowed or not (the offline checks). */
  allowed: readonly string[] | 'any',
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
        if (url !== undefined && (allowed === 'any' || allowedTarget(url, s.target !== s.value, allowed))) return url;
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
  return { defaultRegistry, scopes, refused };
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
export function hiddenScopes(project: BerryProject): Set<string> {
  const out = new Set<string>();
  for (const y of project.yarnrcs)
    if (y.kind === 'ok')
      for (const slot of y.config.slots) if (slot.startsWith('npmScopes.')) out.add(`@${slot.slice(10)}`);
  return out;
}

/** The user's yarn configuration, read once per scan (keyed by the scan's context object). */
const userOfScan = new WeakMap<object, Promise<YarnUserConfig>>();

/**
 * Where yarn 2+ installs a project's packages from, in the shape the offline checks read (`registryFor`): the
 * repository `.yarnrc.yml` files in effect, and the user's own yarn configuration (`YARN_*`, `~/.yarnrc.yml`) as the
 * registry stage reads it. Credentials never.
 */
export async function berryInstallRegistries(
  inEffect: readonly RepoYarnrc[],
  scan: { readonly root: string; readonly options: { readonly env: Readonly<Record<string, string | undefined>> } },
): Promise<NpmrcConfig> {
  let user = userOfScan.get(scan);
  if (user === undefined) userOfScan.set(scan, (user = loadYarnUserConfig(scan.root, scan.options.env)));
  const r = resolveBerryProject({ lockfile: '', yarnrcs: inEffect }, await user, 'any', undefined);
  return { registry: r.defaultRegistry, scopes: { ...r.scopes }, auth: {}, ca: [], raw: {}, written: {} };
}
