import type { DependencyGraph, PackageNode } from '../core/records.js';
import { hasLineTerminator } from '../core/linear-text.js';
import { parseSri } from '../core/sri.js';

export type Source = PackageNode['source'];

const GIT_PREFIX = /^(git\+[a-z]+:|git:|github:|gitlab:|bitbucket:|gist:)/i;
/** Git hosts' archive endpoints: a tarball, but of a commit, not of a published version. */
const GIT_ARCHIVE =
  /^https?:\/\/(codeload\.github\.com\/|github\.com\/[^/]+\/[^/]+\/(tarball|archive)\/|gitlab\.com\/.*\/-\/archive\/|bitbucket\.org\/[^/]+\/[^/]+\/get\/)/i;

/** Classify a resolved location (URL, `file:`, git spec); undefined when there is none. */
export function classifyResolved(resolved: string | undefined): Source | undefined {
  if (resolved === undefined || resolved === '') return undefined;
  if (GIT_PREFIX.test(resolved) || GIT_ARCHIVE.test(resolved)) return 'git';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^#]*\.git(#|$)/i.test(resolved)) return 'git';
  if (/^file:/i.test(resolved)) return 'file';
  if (/^(link|portal):/i.test(resolved)) return 'link';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(resolved)) return isRegistryTarball(resolved) ? 'registry' : 'tarball';
  return 'unknown';
}

/** Classify a declared spec (package.json range, yarn descriptor range) when no resolved location exists. */
export function classifySpec(spec: string): Source {
  if (/^workspace:/.test(spec)) return 'workspace';
  if (/^patch:/.test(spec)) return 'patch';
  if (/^(link|portal):/.test(spec)) return 'link';
  if (/^file:/.test(spec) || /^\.{0,2}\//.test(spec)) return 'file';
  if (/^(https?):\/\//.test(spec)) return classifyResolved(spec) ?? 'tarball';
  if (GIT_PREFIX.test(spec) || isGitHubShorthand(spec)) return 'git';
  return 'registry';
}

export interface RegistryTarball {
  /** Package name the URL path names (decoded). */
  readonly name: string;
  /** Version from the file name, when the file name starts with the unscoped name. */
  readonly version: string | undefined;
  /** The file name without `.tgz`, decoded (`foo-1.0.0`, or `@scope/foo-1.0.0` in GitLab's form). */
  readonly fileName: string;
}

/** The URL's path when it ends `/-/<file>.tgz`, with where `/-/` starts and the file name. */
function tarballLayout(url: string): { pathname: string; dash: number; fileName: string } | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const dash = pathname.lastIndexOf('/-/');
  if (dash < 0) return undefined;
  const fileName = pathname.slice(dash + 3);
  if (!fileName.endsWith('.tgz') || !isFileName(safeDecode(fileName))) return undefined;
  return { pathname, dash, fileName };
}

/**
 * A tarball's file name: no folder, or the one folder of a scope. GitLab's npm registry serves
 * `…/packages/npm/@scope/name/-/@scope/name-1.0.0.tgz` (`tarball_url` with the package file's `"#{name}-#{version}.tgz"`),
 * and registry.npmjs.org and Artifactory answer that form too; npm fetches `resolved` as written either way.
 */
function isFileName(decoded: string): boolean {
  const slash = decoded.indexOf('/');
  return slash < 0 || (decoded.startsWith('@') && slash > 1 && !decoded.includes('/', slash + 1));
}

/**
 * Parse the registry tarball layout `<registry>/<name>/-/<unscoped>-<version>.tgz` (npm, Yarn, Verdaccio,
 * Artifactory, GitHub Packages all use it), or with the scoped name in the file name (`<name>-<version>.tgz`,
 * GitLab). Returns undefined for other URLs.
 */
export function parseRegistryTarball(url: string): RegistryTarball | undefined {
  const layout = tarballLayout(url);
  if (!layout) return githubPackagesTarball(url);
  const { pathname, dash, fileName } = layout;
  const before = safeDecode(pathname.slice(0, dash)).split('/');
  const last = before[before.length - 1] ?? '';
  const prev = before[before.length - 2] ?? '';
  const name = prev.startsWith('@') ? `${prev}/${last}` : last;
  if (name === '') return undefined;
  const unscoped = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  const base = safeDecode(fileName.slice(0, -4));
  // A scoped file name must be the path's own full name; `@other/x-1.0.0.tgz` under `@scope/x` names no version.
  const prefix = base.startsWith('@') ? name : unscoped;
  const version = base.startsWith(`${prefix}-`) ? base.slice(prefix.length + 1) : undefined;
  return { name, version, fileName: base };
}

/**
 * `parseRegistryTarball(url) !== undefined` without building the name, version and object: every registry entry
 * of a lockfile is classified, and on a 130k-package lockfile those went straight to the collector.
 */
export function isRegistryTarball(url: string): boolean {
  const layout = tarballLayout(url);
  if (!layout) return githubPackagesTarball(url) !== undefined;
  const { pathname, dash } = layout;
  // parseRegistryTarball's name is empty only when the last segment before `/-/` is, and the one before that is
  // no `@scope`.
  const before = safeDecode(pathname.slice(0, dash));
  const slash = before.lastIndexOf('/');
  if (slash < before.length - 1) return true;
  if (slash <= 0) return false;
  return before.startsWith('@', before.lastIndexOf('/', slash - 1) + 1);
}

/**
 * GitHub Packages' npm registry publishes its tarballs (`dist.tarball`, so the lockfile's `resolved`) at
 * `https://npm.pkg.github.com/download/@scope/name/<version>/<digest>`, not under `/-/`. npm installs them as
 * registry packages (the declared range goes to the scope's registry), so they are registry tarballs here too.
 * Only that host: the same path on any other host stays a plain tarball URL.
 */
function githubPackagesTarball(url: string): RegistryTarball | undefined {
  if (!/^https:\/\/npm\.pkg\.github\.com\/download\/@/i.test(url)) return undefined;
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = /^\/download\/(@[^/]+)\/([^/]+)\/([^/]+)\/[0-9a-f]{40,128}$/i.exec(safeDecode(pathname));
  if (!m) return undefined;
  const [, scope, unscoped, version] = m as unknown as [string, string, string, string];
  return { name: `${scope}/${unscoped}`, version, fileName: `${unscoped}-${version}` };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `https://registry.npmjs.org/x` → `registry.npmjs.org`; undefined when not a URL. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * `owner/repo` or `owner/repo#ref` (npm's GitHub shorthand): `/^[^@/\s:]+\/[^/\s]+(#.*)?$/.test(spec)`, by hand (the
 * repository part and the fragment both take `#…`, and a long one that failed was split every way: quadratic).
 */
export function isGitHubShorthand(spec: string): boolean {
  const slash = spec.indexOf('/');
  if (slash < 1 || /[@\s:]/.test(spec.slice(0, slash))) return false;
  const rest = spec.slice(slash + 1);
  // The repository part: up to the first `/` or white space; all of it, or a `#` inside it starts the fragment.
  const stop = rest.search(/[/\s]/);
  if (stop < 0) return rest.length > 0;
  const hash = rest.indexOf('#', 1);
  return hash > 0 && hash < stop && !hasLineTerminator(rest.slice(hash));
}

/**
 * Where pnpm's runtime resolvers take a runtime's release archives from (`node@runtime:…` and the like, locked as
 * BinaryResolution `url`s): @pnpm/node.resolver's DEFAULT_NODE_MIRROR_BASE_URL (`https://nodejs.org/download/release/`,
 * other channels beside it) and UNOFFICIAL_NODE_MIRROR_BASE_URL (musl builds), and the GitHub releases the Bun and
 * Deno resolvers read. A configured `node-mirror` is another host, and is judged as any tarball URL.
 */
const RUNTIME_RELEASES: Readonly<Record<string, readonly string[]>> = {
  node: ['https://nodejs.org/download/', 'https://unofficial-builds.nodejs.org/download/'],
  bun: ['https://github.com/oven-sh/bun/releases/download/'],
  deno: ['https://github.com/denoland/deno/releases/download/'],
};

/**
 * A runtime's own release archive, pinned by a well-formed SHA-256 or stronger digest the package manager checks at
 * download: what pnpm's resolver writes for `devEngines.runtime`, and no tarball dependency a policy needs to hear of.
 */
export function isRuntimeRelease(name: string, url: string, integrity: string | undefined): boolean {
  const prefixes = Object.hasOwn(RUNTIME_RELEASES, name) ? RUNTIME_RELEASES[name]! : [];
  // The URL as fetch reads it: dot segments (also `%2e`) and backslashes resolved, so none climbs out of the releases.
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    return false;
  }
  if (!prefixes.some((p) => href.startsWith(p))) return false;
  if (integrity === undefined) return false;
  const { hashes, rejected } = parseSri(integrity, 'strict');
  return rejected.length === 0 && hashes.length > 0 && hashes.every((h) => h.algorithm !== 'sha1');
}

/**
 * A `resolved` the package manager takes against the package's registry: one without a scheme, and for pnpm also
 * `http(s):<path>` without `//`, which `new URL(tarball, registry + '/')` (pkgSnapshotToResolution) reads as a
 * reference relative to a registry of that scheme (WHATWG: a special scheme equal to the base's, no authority), and
 * as an absolute URL against another. With pnpm 9.15.9 and an http registry `…/npm-virtual/`, `tarball:
 * 'http:../npm-untrusted/left-pad/-/left-pad-1.3.0.tgz'` was fetched from `…/npm-untrusted/` and installed.
 */
export function onRegistryPath(resolved: string, kind: DependencyGraph['kind'] | undefined): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(resolved) || (kind === 'pnpm' && /^https?:(?!\/\/)/i.test(resolved));
}

/**
 * Whether npm reads a `file:` path (or a bare one) as a tarball rather than a folder: npm-package-arg's `isFilename`
 * (`fromFile`), its ending `.tgz`, `.tar.gz` or `.tar`, in any case.
 */
export function isNpmFileTarball(p: string): boolean {
  return /\.(?:tgz|tar\.gz|tar)$/i.test(p);
}
