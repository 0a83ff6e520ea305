import semver from 'semver';

/** A lockfile key without its peers suffix: `a@1.0.0(b@2.0.0)` → `a@1.0.0`. */
export function stripPeers(key: string): string {
  const p = key.indexOf('(');
  return p < 0 ? key : key.slice(0, p);
}

/**
 * The registry identity a dependency path spells (`parse`, @pnpm/dependency-path): `name@<semver>`. A path whose
 * version is no semver (`file:x.tgz`, a tarball URL, a git URL) has none.
 */
export function registryIdentityOf(depPath: string): { name: string; version: string } | undefined {
  const at = depPath.indexOf('@', 1);
  if (at < 0) return undefined;
  const version = stripPeers(depPath.slice(at + 1));
  return semver.valid(version) !== null ? { name: depPath.slice(0, at), version } : undefined;
}

/**
 * `isDepPathAllowBuildKey` (@pnpm/builder.policy, pnpm ≥ 10.34.2 and ≥ 11.5.3): an allow-list entry that names a
 * dependency path rather than a package — a peers suffix, or a version that is a source (`name@file:x.tgz`,
 * `name@https://…`, `name@git+…#sha`), or a nameless path with `/` or `:`. Such an entry matches that path only.
 */
export function isDepPathKey(entry: string): boolean {
  if (stripPeers(entry) !== entry) return true;
  if (entry.includes('||')) return false;
  const at = entry.indexOf('@', 1);
  if (at >= 0) {
    const version = entry.slice(at + 1);
    if (semver.valid(version) !== null) return false;
    return version.includes(':') || version.includes('/') || version.includes('#');
  }
  if (entry.startsWith('@')) return false;
  return entry.includes('/') || entry.includes(':');
}

/**
 * Whether the pnpm that `packageManager` pins trusts a package name only for a registry dependency path: pnpm
 * 10.34.2 and 11.5.3 made `createAllowBuildFunction` take the dependency path, so `onlyBuiltDependencies: [x]` /
 * `allowBuilds: { x: true }` no longer build a `file:` or URL tarball named x (10.34.1 and 11.5.2 asked with the
 * package's name and version). Read from the pnpm bundles of those releases; an unpinned pnpm may be older.
 */
export function pinnedPnpmTrustsDepPathOnly(packageManager: unknown): boolean {
  const m = /^pnpm@(\d+\.\d+\.\d+)/.exec(typeof packageManager === 'string' ? packageManager.trim() : '');
  const v = m ? semver.valid(m[1]) : null;
  if (v === null) return false;
  const major = semver.major(v);
  return major === 10 ? semver.gte(v, '10.34.2') : major === 11 ? semver.gte(v, '11.5.3') : major > 11;
}
