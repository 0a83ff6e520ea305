import { encodeUriComponent } from './uri-component.js';

/** The package ecosystems chainproof reads lockfiles of. A graph without one is npm's (records.ts `DependencyGraph`). */
export type Ecosystem = 'npm' | 'pypi';

/** A graph's ecosystem: absent means npm. */
export function ecosystemOf(g: { readonly ecosystem?: Ecosystem }): Ecosystem {
  return g.ecosystem ?? 'npm';
}

/**
 * The one key of a package version, everywhere: verification records (`verifications[].key`), shard keys and the
 * CycloneDX findings count and status of a library. It is the package's purl, so an npm and a PyPI package of the
 * same name and version (`six@1.16.0` in package-lock.json and uv.lock) are two packages, as they are to their
 * package managers, and a library's key is its `bom-ref`.
 */
export function packageKey(ecosystem: Ecosystem, name: string, version: string): string {
  return ecosystem === 'pypi' ? pypiPurl(name, version) : npmPurl(name, version);
}

/** purl for npm: the scope is the namespace, `@` percent-encoded; name and version percent-encoded. */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const ns = slash > 0 ? `${encodeUriComponent(name.slice(0, slash))}/` : '';
  const base = slash > 0 ? name.slice(slash + 1) : name;
  return `pkg:npm/${ns}${encodeUriComponent(base)}@${encodeUriComponent(version)}`;
}

/** purl for PyPI: the PEP 503 name (lower case, runs of `-_.` as `-`), version percent-encoded. */
export function pypiPurl(name: string, version: string): string {
  return `pkg:pypi/${encodeUriComponent(name.replace(/[-_.]+/g, '-').toLowerCase())}@${encodeUriComponent(version)}`;
}
