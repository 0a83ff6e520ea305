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

/** The key of a file's verification record (a model file, a signed folder): `file:<repo-relative path>`. */
export function fileKey(path: string): string {
  return `${FILE_KEY}${path}`;
}

const FILE_KEY = 'file:';

/**
 * The shard a verification record belongs to: the key its subject is sharded by. A package's record goes with the
 * package's findings (pipeline.ts `shardKeyOf`: its purl); a file's record goes with its model record and findings,
 * which are sharded by the bare path, so `file:` is dropped. Hashing `file:<path>` put a model's status in another
 * shard than the model, and that shard's CycloneDX BOM said `unchecked` for a model whose check failed.
 */
export function recordShardKey(key: string): string {
  return key.startsWith(FILE_KEY) ? key.slice(FILE_KEY.length) : key;
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
  return `pkg:pypi/${encodeUriComponent(pep503Name(name))}@${encodeUriComponent(version)}`;
}

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower-cased — the name pip and an index compare projects by. */
export function pep503Name(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** A package named by a purl: its ecosystem, name (npm scope included) and, when given, version; all decoded. */
export interface PurlPackage {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version?: string;
}

/**
 * Read `pkg:npm/<name>[@<version>]` or `pkg:pypi/<name>[@<version>]`, the spelling of `packageKey` and of the
 * CycloneDX `purl` (an npm scope as `%40scope/` or `@scope/`). A string for why it is not one, when it is not.
 * purl-spec: the type is case-insensitive and components are percent-decoded; qualifiers and subpaths do not name
 * a package version, so they are refused rather than dropped.
 */
export function parsePackagePurl(text: string): PurlPackage | string {
  const m = /^pkg:([A-Za-z]+)\/([^?#]+)$/.exec(text);
  const expected = 'expected pkg:npm/<name>[@<version>] or pkg:pypi/<name>[@<version>]';
  if (!m) return `${expected} (no qualifiers or subpath)`;
  const type = m[1]!.toLowerCase();
  if (type !== 'npm' && type !== 'pypi') return `${expected}: chainproof reads npm and PyPI packages, not ${type}`;
  let rest: string;
  try {
    rest = decodeURIComponent(m[2]!);
  } catch {
    return `${expected}: bad percent-encoding`;
  }
  const at = rest.lastIndexOf('@');
  const name = at > 0 ? rest.slice(0, at) : rest;
  const version = at > 0 ? rest.slice(at + 1) : undefined;
  if (name === '' || version === '') return `${expected}: empty name or version`;
  if (type === 'pypi' && /[@/]/.test(name)) return `${expected}: a PyPI name has no namespace`;
  return { ecosystem: type, name, ...(version !== undefined ? { version } : {}) };
}
