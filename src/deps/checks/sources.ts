import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { CheckPolicy } from './context.js';
import { PUBLIC_REGISTRIES, isUnder, levelOf, normalizePrefix } from './context.js';
import { packageFinding } from './finding.js';
import { FULL_SHA, lockedGitRef } from './git-pin.js';
import { hostOf, isRuntimeRelease, onRegistryPath, parseRegistryTarball } from '../source.js';
import { splitDescriptor } from '../types.js';
import type { ParsedLockfile } from '../types.js';
import { npmResolvedRegistrySpec, parseAlias } from '../parsers/npm-common.js';
import { pushAll } from '../../core/push-all.js';
import { npmFetchUrl } from '../../registry/resolved-url.js';
import { trimEndRun } from '../../core/linear-text.js';

/** Where packages come from: hosts, transport, non-registry sources, name/URL agreement, private scopes. */
export function checkSources(
  graph: DependencyGraph,
  policy: CheckPolicy,
  /** What the package manager does with a git or tarball-URL source (ParsedLockfile.sourceNotes). */
  notes: ParsedLockfile['sourceNotes'] = {},
  /** Names an override puts another package under (`aliasOverrides`), to the packages put there. */
  overriddenTo: ReadonlyMap<string, readonly string[]> = new Map(),
): Finding[] {
  const out: Finding[] = [];
  // CPD005's evidence, read from the node when reported: a flood of it held a joined list and an object per package.
  const allowed = policy.allowedRegistries.join(' ');
  const notAllowedEvidence = (n: PackageNode) => ({ resolved: n.resolved ?? '', allowed });
  for (const node of graph.packages) {
    const resolved = node.resolved;
    const insecure = resolved !== undefined ? insecureFetch(resolved, graph.kind, policy) : undefined;
    if (resolved !== undefined && insecure !== undefined) {
      out.push(
        packageFinding(
          'CPD006',
          node,
          `is fetched over an insecure protocol (${insecure.slice(0, insecure.indexOf(':'))}:)${insecure === resolved ? '' : ` from ${insecure}`}`,
          insecure === resolved
            ? 'Use https (or git+ssh) and regenerate the lockfile.'
            : 'Set the registry the .npmrc names to https; npm moves the lockfile URL onto it.',
          insecure === resolved ? { resolved } : { resolved, fetched: insecure },
        ),
      );
    }
    // A tarball-URL dependency's host and missing integrity are CPD008's business, at the level policy gives
    // `sources.tarball`: one rule, so policy can keep a GitHub tarball below error.
    if (
      resolved !== undefined &&
      node.source === 'registry' &&
      /^https?:/i.test(resolved) &&
      !onRegistryPath(resolved, graph.kind)
    ) {
      if (!isUnder(resolved, policy.allowedRegistries)) {
        out.push(
          packageFinding(
            'CPD005',
            node,
            notAllowedHost,
            'Regenerate the entry from an allowed registry, or add the registry to dependencies.allowedRegistries in the policy (or your own ~/.npmrc) if you trust it; a repository .npmrc does not widen it.',
            notAllowedEvidence,
          ),
        );
      }
    }
    const escaped = registryPathEscape(node, graph.kind, policy);
    if (escaped) out.push(escaped);
    if (!(graph.kind === 'pnpm' && isRuntimeRelease(node.name, resolved ?? '', node.integrity)))
      pushAll(out, sourceKind(node, policy, notes));
    const mismatch = nameMismatch(node, graph.kind, policy, overriddenTo);
    if (mismatch) out.push(mismatch);
    const confusion = dependencyConfusion(node, policy, graph.kind);
    if (confusion) out.push(confusion);
  }
  return out;
}

const INSECURE = /^(http|git|git\+http|ftp|svn):/i;

/**
 * The URL a `resolved` is fetched from when that is over an insecure protocol, else undefined. npm moves a URL on
 * `replace-registry-host` to the configured registry, scheme included (arborist reify.js `registryResolved`): with
 * `registry=http://…` every https registry.npmjs.org entry of the lockfile is fetched over http. Only an npm
 * lockfile under an insecure registry needs the URL read when `resolved` itself is secure.
 */
function insecureFetch(resolved: string, kind: DependencyGraph['kind'], policy: CheckPolicy): string | undefined {
  if (!INSECURE.test(resolved) && !(kind === 'npm' && INSECURE.test(policy.defaultRegistry))) return undefined;
  const fetched = fetchedUrl(resolved, kind, policy);
  return INSECURE.test(fetched) ? fetched : undefined;
}
// yarn 1 NpmRegistry.getRequestUrl: REGEX_REGISTRY_ENFORCED_HTTPS.
const YARN_ENFORCED_HTTPS = /^https?:\/\/([^/]+\.)?(yarnpkg\.com|npmjs\.(org|com))(\/|$)/i;

/**
 * The URL the package manager requests for a written `resolved`: npm moves a URL on `replace-registry-host`
 * (registry.npmjs.org by default) to the configured registry (arborist `#registryResolved`, registry/resolved-url.ts),
 * and yarn 1 upgrades http to https for npmjs and yarnpkg hosts (`NpmRegistry.getRequestUrl`). An `http:` URL on
 * registry.npmjs.org is therefore fetched over https from an https registry, and is no insecure download.
 */
function fetchedUrl(resolved: string, kind: DependencyGraph['kind'], policy: CheckPolicy): string {
  if (kind === 'npm') return npmFetchUrl(resolved, policy.defaultRegistry, policy.replaceRegistryHost) ?? resolved;
  if (kind === 'yarn-classic' && YARN_ENFORCED_HTTPS.test(resolved)) return resolved.replace(/^http:/i, 'https:');
  return resolved;
}

/**
 * CPD005 for a registry package whose `resolved` is a path, not a URL: pnpm (`pkgSnapshotToResolution`: `new
 * URL(tarball, registry + '/')`), yarn 1 (`NpmRegistry.getRequestUrl`: `url.resolve`) and yarn berry (`new
 * URL(registry + path)`) fetch it against the package's registry, and `..` segments climb out of that registry's
 * path: on an Artifactory or Nexus host, `../npm-untrusted/left-pad/-/left-pad-1.3.0.tgz` against
 * `…/api/npm/npm-virtual/` downloads from another repository of the same host, one the policy never allowed. A path
 * that stays under the registry is the configuration's business (CPD134), not each package's. npm and bun never
 * read a `resolved` so (npm's is a registry spec or a file path, npm-common.ts).
 */
function registryPathEscape(
  node: PackageNode,
  kind: DependencyGraph['kind'],
  policy: CheckPolicy,
): Finding | undefined {
  const resolved = node.resolved;
  if (resolved === undefined || node.source !== 'registry' || kind === 'npm' || kind === 'bun') return undefined;
  if (!onRegistryPath(resolved, kind)) return undefined;
  const registry = policy.registryFor(node.name);
  const fetched = onRegistry(resolved, registry, kind);
  if (fetched === resolved || isUnder(fetched, [normalizePrefix(registry)])) return undefined;
  if (isUnder(fetched, policy.allowedRegistries)) return undefined;
  return packageFinding(
    'CPD005',
    node,
    `has the resolved path ${resolved.slice(0, 200)}, which the package manager fetches against ${registry} as ${fetched.slice(0, 300)}: outside that registry, at a place the policy does not allow`,
    'Treat as lockfile injection: a package manager writes a full URL or a path under the registry, never one that climbs out of it. Delete the entry and regenerate it from an allowed registry.',
    { resolved, fetched, allowed: policy.allowedRegistries.join(' ') },
  );
}

/** CPD005's words, formatted when the message is read (the node has a `resolved` URL, or it would not be here). */
function notAllowedHost(node: PackageNode): string {
  const resolved = node.resolved ?? '';
  return `resolves from ${hostOf(resolved) ?? resolved}, which the policy does not allow`;
}

/** CPD007's advice for a git source the lockfile does not pin to a commit (CPD023 says that part). */
const GIT_TODO = 'Prefer a registry version; if not, pin a full commit SHA.';
/**
 * CPD007's advice for a git source locked to a full commit: pinning is done, what is left is the code at that commit,
 * which runs at install — npm prepares a git dependency in a temporary clone and runs its `prepare` script there
 * (pacote `GitFetcher` → `DirFetcher[_prepareDir]`), whatever the lockfile records of install scripts.
 */
const GIT_PINNED_TODO =
  'Prefer a registry version; if not, review the code at the locked commit before each update: fetching a git dependency runs its prepare script.';

function sourceKind(node: PackageNode, policy: CheckPolicy, notes: ParsedLockfile['sourceNotes']): Finding[] {
  const where = node.resolved ?? node.key;
  const note = node.source === 'git' || node.source === 'tarball' ? notes?.[node.source] : undefined;
  const noted = note !== undefined ? `; ${note}` : '';
  switch (node.source) {
    case 'git': {
      const level = levelOf(policy.sources.git);
      return level
        ? [
            packageFinding(
              'CPD007',
              node,
              `is installed from git (${where})${noted}`,
              FULL_SHA.test(lockedGitRef(where)) ? GIT_PINNED_TODO : GIT_TODO,
              { resolved: where },
              level,
            ),
          ]
        : [];
    }
    case 'tarball': {
      const level = levelOf(policy.sources.tarball);
      return level
        ? [
            packageFinding(
              'CPD008',
              node,
              `is installed from a tarball URL (${where})${node.integrity === undefined ? ' with no integrity pinning its bytes' : ''}${noted}`,
              node.version.startsWith('runtime:')
                ? "This is a runtime pnpm installs for devEngines.runtime: re-resolve it (pnpm install) so each platform's archive comes from the runtime's own releases with a digest, and review who edited the lockfile."
                : 'Depend on a registry version instead, or accept tarballs in the policy.',
              { resolved: where, integrity: node.integrity !== undefined },
              level,
            ),
          ]
        : [];
    }
    case 'file': {
      const level = levelOf(policy.sources.file);
      return level
        ? [
            packageFinding(
              'CPD009',
              node,
              `is installed from a local path (${where})`,
              'Use a workspace or a published version.',
              { resolved: where },
              level,
            ),
          ]
        : [];
    }
    case 'registry':
    case 'link':
    case 'workspace':
    case 'patch':
    case 'unknown':
      return [];
  }
}

/** Lockfile injection: the registry URL (or yarn descriptor) names another package or version than the entry. */
function nameMismatch(
  node: PackageNode,
  kind: DependencyGraph['kind'],
  policy: CheckPolicy,
  overriddenTo: ReadonlyMap<string, readonly string[]>,
): Finding | undefined {
  if (node.resolved !== undefined && node.source === 'registry') {
    const url = parseRegistryTarball(
      kind === 'npm' || kind === 'bun' ? node.resolved : onRegistry(node.resolved, policy.registryFor(node.name), kind),
    );
    if (url && node.version === '' && url.name === node.name) {
      // An entry with no version is incomplete, not a swap: nothing says which release was meant.
      return packageFinding(
        'CPD010',
        node,
        `has no version in the lockfile; only its resolved URL says ${url.name}${url.version !== undefined ? `@${url.version}` : ''}`,
        'The entry is incomplete: regenerate the lockfile with the package manager. If nobody edited it by hand, find out what wrote it.',
        { expected: 'a version', actual: '(none)', resolved: node.resolved },
      );
    }
    if (url && (url.name !== node.name || (url.version !== undefined ? url.version !== node.version : true))) {
      return packageFinding(
        'CPD010',
        node,
        `has a resolved URL that downloads ${url.name}${url.version !== undefined ? `@${url.version}` : ` (${url.fileName}.tgz)`}`,
        'Treat as lockfile injection: delete the entry and regenerate it from the registry.',
        {
          expected: `${node.name}@${node.version}`,
          actual: `${url.name}@${url.version ?? url.fileName}`,
          resolved: node.resolved,
        },
      );
    }
  }
  // A link's or a folder's `resolved` is the path of its target, never fetched.
  const spec = kind === 'npm' && node.source === 'registry' ? npmResolvedRegistrySpec(node.resolved) : undefined;
  if (spec !== undefined && spec !== node.version) {
    return packageFinding(
      'CPD010',
      node,
      `has a resolved value (${(node.resolved ?? '').slice(0, 200)}) that npm reads as a registry spec: it installs ${node.name}@${spec.slice(0, 200)} from the registry, not version ${node.version || '(none)'}`,
      'Treat as lockfile injection: npm never writes a bare version or tag as `resolved`. Delete the entry and regenerate it from the registry.',
      { expected: `${node.name}@${node.version}`, actual: `${node.name}@${spec}`, resolved: node.resolved ?? '' },
    );
  }
  const alias = kind === 'npm' ? npmResolvedAlias(node) : undefined;
  if (alias !== undefined) {
    return packageFinding(
      'CPD010',
      node,
      `has a resolved value (${alias.written.slice(0, 200)}) that downloads ${alias.name}@${alias.range}`,
      'Treat as lockfile injection: npm never writes an alias as `resolved`. Delete the entry and regenerate it from the registry.',
      { expected: `${node.name}@${node.version}`, actual: `${alias.name}@${alias.range}`, resolved: alias.written },
    );
  }
  if (kind === 'yarn-classic' || kind === 'yarn-berry') {
    // Every descriptor of the entry must name the resolved package, or alias it explicitly (`x@npm:real@…`).
    for (const d of node.key.split(', ')) {
      const [name, range] = splitDescriptor(d);
      // yarn 1 writes a resolutions alias's entry under the name's own ranges too: the override asked for it (CPD172).
      const overridden = name === node.alias && overriddenTo.get(name)?.includes(node.name) === true;
      if (name !== node.name && !overridden && !range.startsWith(`npm:${node.name}@`) && range !== `npm:${node.name}`) {
        return packageFinding(
          'CPD010',
          node,
          `is locked under the descriptor ${d}, which names another package`,
          'Treat as lockfile injection: delete the entry and regenerate it.',
          {
            expected: name,
            actual: node.name,
          },
        );
      }
    }
  }
  return undefined;
}

/**
 * A registry package's `resolved` without a protocol as the package manager requests it, against the package's
 * registry: yarn 1's `NpmRegistry.getRequestUrl` (`url.resolve(registry + '/', path)`), pnpm's
 * `pkgSnapshotToResolution` (`new URL(tarball, registry + '/')`), yarn berry's `npmHttpUtils.get` for an
 * `__archiveUrl` that is no URL (`new URL(registry + path)`, the registry without its trailing slash); npm fetches a
 * registry spec there too. A URL stays as it is.
 */
function onRegistry(resolved: string, registry: string, kind?: DependencyGraph['kind']): string {
  if (!onRegistryPath(resolved, kind)) return resolved;
  try {
    if (kind === 'yarn-berry') return new URL(trimEndRun(registry, '/') + resolved).toString();
    return new URL(resolved, registry.endsWith('/') ? registry : `${registry}/`).toString();
  } catch {
    return resolved;
  }
}

function dependencyConfusion(
  node: PackageNode,
  policy: CheckPolicy,
  kind: DependencyGraph['kind'],
): Finding | undefined {
  if (!node.name.startsWith('@') || node.source !== 'registry') return undefined;
  const scope = node.name.slice(0, node.name.indexOf('/')).toLowerCase();
  if (!policy.privateScopes.has(scope)) return undefined;
  const from =
    node.resolved !== undefined
      ? onRegistry(node.resolved, policy.registryFor(node.name), kind)
      : policy.registryFor(node.name);
  if (!isUnder(from, PUBLIC_REGISTRIES.map(normalizePrefix))) return undefined;
  return packageFinding(
    'CPD011',
    node,
    `is in the private scope ${scope} but resolves from the public registry ${hostOf(from) ?? from}`,
    `Map ${scope} to your private registry in .npmrc and regenerate the lockfile; check what the public package contains.`,
    {
      resolved: from,
      scope,
    },
  );
}

/**
 * An npm `resolved` of the form `npm:real@spec` naming another package or version than the entry. npm-package-arg
 * reads it as an alias (arborist loadVirtual → consistentResolve keeps it, reify #extractOrLink passes
 * `<folder>@npm:real@spec` to pacote), and RegistryFetcher installs `real` at the version `spec` picks under the
 * entry's folder: with npm 11.19 and a loopback registry, `"resolved": "npm:evil@1.0.0"` on a left-pad entry installed
 * evil and ran its postinstall.
 */
function npmResolvedAlias(node: PackageNode): { name: string; range: string; written: string } | undefined {
  const written = node.resolved;
  if (written === undefined || !/^npm:/i.test(written)) return undefined;
  const [name, range] = parseAlias(`npm:${written.slice(4)}`) ?? ['', ''];
  return name === node.name && range === node.version ? undefined : { name, range: range || '*', written };
}
