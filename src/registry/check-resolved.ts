import type { DependencyGraph } from '../core/records.js';
import { projectRegistries, type RegistryConfig } from './config.js';
import { packageFinding, spec, where } from './findings.js';
import type { VersionMeta } from './packument.js';
import { npmFetchUrl, sameUrl } from './resolved-url.js';
import type { CheckState } from './state.js';

/** Public registries whose URLs npm rewrites to the configured registry (`replace-registry-host`). */
const PUBLIC_HOSTS = new Set(['registry.npmjs.org', 'registry.yarnpkg.com', 'registry.npmjs.com']);

/** The package manager that installs a lockfile of each kind, as CPD107 names it ("bun fetches …"). */
const FETCHER: Partial<Record<DependencyGraph['kind'], string>> = {
  npm: 'npm',
  'yarn-classic': 'yarn',
  'yarn-berry': 'yarn',
  pnpm: 'pnpm',
  bun: 'bun',
};

/** The lockfile's `resolved` against the tarball URL the registry publishes for the version (CPD107). */
export function checkResolved(state: CheckState, meta: VersionMeta, config: RegistryConfig): void {
  const { pkg, registry } = state;
  if (pkg.resolved === undefined || meta.tarball === undefined) return;
  // A `resolved` without a URL scheme names no download URL: npm reads it as a registry spec (consistentResolve;
  // reify fetches the version it names through the packument) and yarn 1 as a path on the package's registry
  // (NpmRegistry.getRequestUrl). Which package and version that installs is CPD010's business, the bytes CPD100's.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(pkg.resolved) && !/^npm:/i.test(pkg.resolved)) return;
  // What npm fetches is the lockfile's URL after its registry-host rewrite (onto the default registry, as arborist
  // does): the very URL the registry publishes agrees, wherever it is hosted (a blob host, a proxy's base URL).
  const fetched = npmFetchUrl(
    pkg.resolved,
    projectRegistries(config, state.graph.lockfile).defaultRegistry,
    config.replaceRegistryHost,
  );
  if (sameUrl(pkg.resolved, meta.tarball) || (fetched !== undefined && sameUrl(fetched, meta.tarball))) return;
  // A scoped entry locked elsewhere than its .npmrc scope registry: the deps stage's CPD162 is the finding for that
  // cause (with the count), and the registry it is fetched from is the configured one, not "another registry".
  if (scopeBypassedIn(state.graph).has(pkg.line)) {
    state.notes.push(`resolved outside its scope's registry (CPD162): npm fetches ${fetched ?? pkg.resolved}`);
    return;
  }
  const resolved = tarballKey(pkg.resolved, registry);
  const published = tarballKey(meta.tarball, registry);
  if (resolved === undefined || published === undefined || resolved !== published) {
    const base = baseBelow(fetched ?? pkg.resolved, published);
    const bypass = scopeBypassOf(pkg.name, registry, fetched ?? pkg.resolved, config, state.graph.lockfile);
    state.findings.push(
      packageFinding(
        pkg,
        'CPD107',
        `${spec(pkg)} (${where(pkg)}) resolves to ${pkg.resolved}, but the registry publishes this version at ${meta.tarball}. ${FETCHER[state.graph.kind] ?? 'npm'} fetches ${fetched ?? pkg.resolved}${bypass !== undefined ? `, from the default registry, not from ${registry}, the registry the npm configuration names for ${bypass}` : ''}: regenerate the entry and review the change.`,
        {
          expected: meta.tarball,
          actual: pkg.resolved,
          ...(fetched !== undefined && fetched !== pkg.resolved ? { fetched } : {}),
          ...(base !== undefined ? { resolvedBase: base } : {}),
          ...(bypass !== undefined ? { scope: bypass, scopeRegistry: registry } : {}),
        },
      ),
    );
  }
}

/**
 * The scope, when a scoped package's registry is its scope's (`@corp:registry=B`, from any npm configuration the scan
 * reads: the user's ~/.npmrc too, which the deps stage's CPD162 cannot see) and npm fetches it from below the default
 * registry instead: arborist reify `#registryResolved` fetches a lockfile's `resolved` as written, so the scope
 * mapping never applies. The default registry is configured, so "nothing here verified it" would be wrong: the cause
 * is the bypassed mapping.
 */
function scopeBypassOf(
  name: string,
  registry: string,
  fetched: string,
  config: RegistryConfig,
  lockfile: string,
): string | undefined {
  if (!name.startsWith('@')) return undefined;
  const fallback = projectRegistries(config, lockfile).defaultRegistry;
  // Below both (the scope registry a sub-path of the default): the scope's own registry, the longer prefix.
  if (sameUrl(fallback, registry) || !isBelow(fetched, fallback) || isBelow(fetched, registry)) return undefined;
  return name.slice(0, name.indexOf('/'));
}

/** `url` is `prefix` or below it, compared on origin and whole path segments. */
function isBelow(url: string, prefix: string): boolean {
  try {
    const [u, p] = [new URL(url), new URL(prefix)];
    const dir = p.pathname.endsWith('/') ? p.pathname : `${p.pathname}/`;
    return u.origin === p.origin && u.pathname.startsWith(dir);
  } catch {
    return false;
  }
}

/** `graph.scopeBypassed` as a set, built once per graph however many of its packages ask. */
const bypassedByGraph = new WeakMap<DependencyGraph, ReadonlySet<number>>();
const NO_LINES: ReadonlySet<number> = new Set();

function scopeBypassedIn(graph: DependencyGraph): ReadonlySet<number> {
  if (graph.scopeBypassed === undefined) return NO_LINES;
  let lines = bypassedByGraph.get(graph);
  if (lines === undefined) bypassedByGraph.set(graph, (lines = new Set(graph.scopeBypassed)));
  return lines;
}

/**
 * The base URL npm's fetch URL puts the registry's own tarball path (`published`, below the registry) under, when
 * it does: the mark of a lockfile written against another registry, which `groupRegistryCauses` reports once.
 */
function baseBelow(resolved: string, published: string | undefined): string | undefined {
  if (published === undefined || published === '') return undefined;
  let u: URL;
  try {
    u = new URL(resolved);
  } catch {
    return undefined;
  }
  let path: string;
  try {
    path = decodeURIComponent(u.pathname).replace(/%2f/gi, '/');
  } catch {
    return undefined;
  }
  return path.endsWith(`/${published}`) ? `${u.origin}${path.slice(0, path.length - published.length)}` : undefined;
}

/** The tarball's path below its registry, when the URL is on that registry or a public one npm rewrites. */
function tarballKey(url: string, registry: string): string | undefined {
  let u: URL;
  let r: URL;
  try {
    u = new URL(url);
    r = new URL(registry);
  } catch {
    return undefined;
  }
  const p = decodeURIComponent(u.pathname).replace(/%2f/gi, '/');
  if (u.origin === r.origin && u.pathname.startsWith(r.pathname)) return p.slice(decodeURIComponent(r.pathname).length);
  if (PUBLIC_HOSTS.has(u.hostname)) return p.slice(1);
  return undefined;
}
