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

/** What `packageManager` pins of pnpm: a major (`pnpm@10.5`), and the release when it names one in full. */
export interface PnpmPin {
  readonly major: number;
  readonly version: string | undefined;
}

/**
 * The one reader of `packageManager: "pnpm@10.4.1+sha512…"` (`parsePackageManager`, @pnpm/config: the version
 * after `@`, before `+`). `pnpm@10.5` names the major but no release; undefined when it pins no pnpm.
 */
export function readPnpmPin(packageManager: unknown): PnpmPin | undefined {
  const text = typeof packageManager === 'string' ? packageManager.trim() : '';
  const major = /^pnpm@(\d+)\./.exec(text);
  if (!major) return undefined;
  const full = /^pnpm@(\d+\.\d+\.\d+)/.exec(text);
  return { major: Number(major[1]), version: (full && semver.valid(full[1])) ?? undefined };
}

/**
 * Whether the pinned pnpm trusts a package name only for a registry dependency path: pnpm 10.34.2 and 11.5.3 made
 * `createAllowBuildFunction` take the dependency path, so `onlyBuiltDependencies: [x]` / `allowBuilds: { x: true }`
 * no longer build a `file:` or URL tarball named x (10.34.1 and 11.5.2 asked with the package's name and version).
 * Read from the pnpm bundles of those releases; a pin without a full release (or none) may be older.
 */
export function pinnedPnpmTrustsDepPathOnly(pin: PnpmPin | undefined): boolean {
  if (pin?.version === undefined) return false;
  const { major, version } = pin;
  return major === 10 ? semver.gte(version, '10.34.2') : major === 11 ? semver.gte(version, '11.5.3') : major > 11;
}
