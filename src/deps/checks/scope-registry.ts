import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { npmFetchUrl } from '../../registry/resolved-url.js';
import { hostOf } from '../source.js';
import type { CheckPolicy } from './context.js';
import { isUnder, normalizePrefix } from './context.js';
import { redactUrls } from './finding.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';

/** The package managers that read .npmrc scopes and fetch a lockfile's tarball URL as written. */
const MANAGERS: Partial<
  Record<DependencyGraph['kind'], { name: string; why: string; relock: string; config?: string }>
> = {
  npm: {
    name: 'npm',
    why: "npm installs a lockfile's URL as written (only registry.npmjs.org URLs are moved, to the default registry)",
    relock: 'npm install --package-lock-only',
  },
  pnpm: {
    name: 'pnpm',
    why: "pnpm fetches a lockfile's `tarball` as written and uses the scope registry only for entries without one",
    relock: 'pnpm install --lockfile-only',
  },
  bun: {
    name: 'Bun',
    why: 'Bun downloads the URL a package tuple records and uses the scope registry only for an empty one',
    relock: 'bun install --lockfile-only',
  },
  'yarn-berry': {
    name: 'yarn',
    why: "yarn 2+ fetches a resolution's `__archiveUrl` as written (NpmHttpFetcher) and builds the URL from the scope registry only without one",
    relock: 'yarn install --mode=update-lockfile',
    config: '.yarnrc.yml (npmScopes)',
  },
  'yarn-classic': {
    name: 'yarn',
    why: "yarn 1 requests a lockfile's `resolved` URL as written",
    relock: 'yarn install --force',
  },
};

/**
 * CPD162: a scoped package the repository's .npmrc maps to its own registry (`@corp:registry=…`) is locked to a
 * tarball elsewhere, and the package manager installs it from there. arborist fetches a lockfile's `resolved` as
 * written (`#registryResolved`), except that a URL on the `replace-registry-host` (registry.npmjs.org by default) is
 * moved to the *default* registry, never to the scope's. pnpm (9/10: `pkgSnapshotToResolution` resolves a
 * `resolution.tarball` against the scope registry, so an absolute URL stays), Bun (a tuple's non-empty registry
 * string is the tarball URL, `bun.lock` `res.npm.url`) and yarn 1 (`NpmRegistry.getRequestUrl` returns a URL
 * `resolved` unchanged) fetch it as written; each derives the URL from the scope registry only when the lockfile
 * records none. So a private-scope package locked to registry.npmjs.org installs whatever the public registry serves
 * under that name: the dependency-confusion shape, which a reviewer reading the .npmrc takes as covered. yarn 2+
 * reads its scopes from .yarnrc.yml (`npmScopes`) and fetches a resolution's `::__archiveUrl=` as written. Not reported where another rule already says it: a host the policy does not allow (CPD005), a
 * scope the policy marks private (CPD011). One finding per scope and place fetched from, with the count.
 */
export function checkScopeRegistries(graph: DependencyGraph, policy: CheckPolicy): Finding[] {
  const manager = MANAGERS[graph.kind];
  if (manager === undefined) return [];
  const groups = new Map<string, { scope: string; registry: string; fetched: string; nodes: PackageNode[] }>();
  for (const node of graph.packages) {
    const bypass = scopeBypass(graph, node, policy);
    if (bypass === undefined) continue;
    const key = `${bypass.scope}\0${bypass.fetched}`;
    const g = groups.get(key) ?? { ...bypass, nodes: [] };
    g.nodes.push(node);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ scope, registry, fetched, nodes }) => {
    const first = nodes[0]!;
    const names = nodes.map((n) => `${n.name}@${n.version}`);
    return {
      ruleId: 'CPD162',
      message: redactUrls(
        `${graph.lockfile} locks ${nodes.length} ${scope} package${nodes.length === 1 ? '' : 's'} (${names.slice(0, 10).join(', ')}${nodes.length > 10 ? ', …' : ''}) to tarballs that ${manager.name} fetches from ${hostOf(fetched) ?? fetched}, not from ${registry}, the registry ${policy.scopeRegistryFile(first.name) ?? manager.config ?? '.npmrc'} names for ${scope}: ${manager.why}, so the scope mapping does not apply. Regenerate the entries with the scope registry configured (\`${manager.relock}\`) and check what the other registry serves under these names.`,
      ),
      location: { path: graph.lockfile, line: first.line },
      artifact: packageArtifact(ecosystemOf(graph), first.name, first.version),
      evidence: {
        count: nodes.length,
        scope,
        scopeRegistry: redactUrls(registry),
        fetchedFrom: redactUrls(fetched),
        packages: names.join(', ').slice(0, 1000),
      },
      ...(nodes.length > 1
        ? { related: nodes.slice(1, 1000).map((n) => ({ path: graph.lockfile, line: n.line })) }
        : {}),
    };
  });
}

/** The lockfile lines of the entries CPD162 reports: later stages leave their resolved URL to it (records.ts). */
export function scopeBypassedLines(graph: DependencyGraph, policy: CheckPolicy): number[] {
  if (MANAGERS[graph.kind] === undefined) return [];
  return graph.packages.filter((node) => scopeBypass(graph, node, policy) !== undefined).map((node) => node.line);
}

/** CPD162's condition for one entry: its scope's registry and the origin the package manager fetches it from. */
function scopeBypass(
  graph: DependencyGraph,
  node: PackageNode,
  policy: CheckPolicy,
): { scope: string; registry: string; fetched: string } | undefined {
  const resolved = node.resolved;
  if (node.source !== 'registry' || resolved === undefined || !/^https?:/i.test(resolved)) return undefined;
  const registry = policy.scopeRegistry(node.name);
  if (registry === undefined) return undefined;
  const scope = node.name.slice(0, node.name.indexOf('/'));
  if (policy.privateScopes.has(scope.toLowerCase()) || !isUnder(resolved, policy.allowedRegistries)) return undefined;
  const fetched =
    graph.kind === 'npm' ? npmFetchUrl(resolved, policy.defaultRegistry, policy.replaceRegistryHost) : resolved;
  if (fetched === undefined || isUnder(fetched, [normalizePrefix(registry)])) return undefined;
  return { scope, registry, fetched: `${new URL(fetched).origin}/` };
}
