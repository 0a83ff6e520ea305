import picomatch from 'picomatch';
import type { Level } from '../../core/finding.js';
import type { Policy, RuleSetting } from '../../core/policy.js';
import type { MaliciousPackage, TrustedRegistry } from '../../core/trusted-registry.js';
import type { NpmrcConfig } from '../npmrc.js';
import { DEFAULT_NPM_REGISTRY } from '../npmrc.js';
import { toReplaceRegistryHost } from '../../registry/resolved-url.js';

/** Registries anyone can publish to: resolving a private scope from one of these is dependency confusion. */
export const PUBLIC_REGISTRIES: readonly string[] = [
  'https://registry.npmjs.org/',
  'https://registry.yarnpkg.com/',
  'https://registry.npmjs.com/',
  'https://registry.npmmirror.com/',
];

/** Everything the offline checks need, prepared once per lockfile. Pure data; no I/O. */
export interface CheckPolicy {
  /** URL prefixes (with trailing slash) packages may resolve from. */
  readonly allowedRegistries: readonly string[];
  readonly privateScopes: ReadonlySet<string>;
  readonly installScriptsAllowed: (name: string) => boolean;
  readonly sources: { readonly git: RuleSetting; readonly tarball: RuleSetting; readonly file: RuleSetting };
  readonly malicious: ReadonlyMap<string, readonly MaliciousPackage[]>;
  /** Registry a package without a resolved URL comes from (pnpm, yarn berry): scope registry, else default. */
  readonly registryFor: (name: string) => string;
  /** The registry the repository's .npmrc names for a scoped package's scope, if any. */
  readonly scopeRegistry: (name: string) => string | undefined;
  /** The file that names it (a `.npmrc` or bunfig.toml path), when the caller said which file each config is. */
  readonly scopeRegistryFile: (name: string) => string | undefined;
  /** The default registry the repository's .npmrc names (npm's registry.npmjs.org when none). */
  readonly defaultRegistry: string;
  /** npm's `replace-registry-host` as the repository's .npmrc sets it (registry/resolved-url.ts). */
  readonly replaceRegistryHost: string;
}

/** `files[i]`, when given, is the path `npmrcs[i]` was read from: findings name the file a scope mapping is in. */
export function toCheckPolicy(
  policy: Policy,
  registry: TrustedRegistry,
  npmrcs: readonly NpmrcConfig[],
  files: readonly string[] = [],
): CheckPolicy {
  const deps = policy.dependencies;
  // The repository's .npmrc says where npm installs from (registryFor), never what is allowed: the tree is
  // untrusted configuration (a pull request could otherwise allow its own registry). See checks/npmrc.ts.
  const allowed = [...new Set(deps.allowedRegistries.map(normalizePrefix))];
  const allowScripts = deps.allowInstallScripts.length > 0 ? picomatch([...deps.allowInstallScripts]) : () => false;
  const malicious = new Map<string, MaliciousPackage[]>();
  for (const m of registry.malicious) malicious.set(m.name, [...(malicious.get(m.name) ?? []), m]);
  // The .npmrc nearest the lockfile wins (listed first).
  const defaultRegistry = npmrcs.find((c) => c.registry !== undefined)?.registry ?? DEFAULT_NPM_REGISTRY;
  const scopeConfig = (name: string): number => {
    if (!name.startsWith('@')) return -1;
    const scope = name.slice(0, name.indexOf('/'));
    return npmrcs.findIndex((c) => c.scopes[scope] !== undefined);
  };
  const scopeRegistry = (name: string): string | undefined => {
    const at = scopeConfig(name);
    return at < 0 ? undefined : npmrcs[at]!.scopes[name.slice(0, name.indexOf('/'))];
  };
  return {
    allowedRegistries: allowed,
    privateScopes: new Set(deps.privateScopes.map((s) => s.replace(/\/\*?$/, '').toLowerCase())),
    installScriptsAllowed: (name) => allowScripts(name),
    sources: deps.sources,
    malicious,
    registryFor: (name) => scopeRegistry(name) ?? defaultRegistry,
    scopeRegistry,
    scopeRegistryFile: (name) => files[scopeConfig(name)],
    defaultRegistry,
    replaceRegistryHost: toReplaceRegistryHost(
      npmrcs.find((c) => c.raw['replace-registry-host'])?.raw['replace-registry-host'],
    ),
  };
}

/** Lower-case scheme and host, trailing slash: prefixes compare on whole path segments. */
export function normalizePrefix(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
    return `${u.protocol}//${u.host}${path}`.toLowerCase();
  } catch {
    return url.endsWith('/') ? url : `${url}/`;
  }
}

export function isUnder(url: string, prefixes: readonly string[]): boolean {
  let normal: string;
  try {
    const u = new URL(url);
    // Scheme-agnostic: http: is CPD006's finding, not a second "wrong host" one.
    normal = `//${u.host}${u.pathname}`.toLowerCase();
  } catch {
    return false;
  }
  return prefixes.some((p) => normal.startsWith(p.replace(/^[a-z][a-z0-9+.-]*:/, '')));
}

export function levelOf(setting: RuleSetting): Level | undefined {
  return setting === 'off' ? undefined : setting;
}
