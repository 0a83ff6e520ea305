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
  return `pkg:npm/${ns}${encodeUriComponent(base)}${purlVersion(version)}`;
}

/** purl for PyPI: the PEP 503 name (lower case, runs of `-_.` as `-`), version percent-encoded. */
export function pypiPurl(name: string, version: string): string {
  return `pkg:pypi/${encodeUriComponent(pep503Name(name))}${purlVersion(version)}`;
}

/**
 * A purl's `@version`, or nothing for a package locked at no version (a requirements.txt line `peft` or `torch>=2`):
 * purl-spec puts the `@` only before a version, and `pkg:pypi/peft@` is no purl — parsePackagePurl below refuses it,
 * so a suppression could not be written with the key the JSON report showed.
 */
function purlVersion(version: string): string {
  return version === '' ? '' : `@${encodeUriComponent(version)}`;
}

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower-cased — the name pip and an index compare projects by. */
export function pep503Name(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * packaging's `canonicalize_version` (utils.py): the spelling of a PEP 440 version that every spelling of the same
 * release shares: `str(Version(v))` (version.py `__str__`: `v1.0-ALPHA.1` → `1.0a1`, `1.0-1` → `1.0.post1`,
 * `01.02` → `1.2`, epoch `0!` dropped, local labels lower-cased with `.` separators) with the release's trailing zeros
 * stripped (`1.16.0` → `1.16`, as `Version.__eq__` ignores them). Two strings give one result exactly when packaging's
 * `Version` objects are equal, so a key never merges two releases pip tells apart. The local label stays: `2.1.0+cpu`
 * is another build with other files and hashes than `2.1.0` (`Version("2.1.0+cpu") != Version("2.1.0")`); only a
 * specifier (`==2.1.0`) ignores a candidate's label, and a key names what was locked, not a range. A string PEP 440
 * cannot parse (a URL pin, `===` arbitrary text) is returned unaltered, as packaging does, and so matches only itself.
 * Numbers stay digit strings (no float rounding): `1.9007199254740993` is not `1.9007199254740992`.
 */
export function pep440Canonical(version: string): string {
  return pep440Format(version, true) ?? version;
}

/**
 * `str(packaging.version.Version(v))` (version.py `__str__`): the normalized spelling with the release as written
 * (`1.16.0` stays `1.16.0`), as wheel and sdist file names carry it; undefined when PEP 440 cannot parse `v`.
 */
export function pep440String(version: string): string | undefined {
  return pep440Format(version, false);
}

function pep440Format(version: string, stripTrailingZero: boolean): string | undefined {
  const m = PEP440.exec(version);
  if (!m?.groups) return undefined;
  const g = m.groups;
  const int = (digits: string | undefined) => (digits ?? '0').replace(/^0+(?=\d)/, '');
  const release = g.release!.split('.').map(int);
  // `_TrimmedRelease`: at least one number stays (`0.0` → `0`).
  if (stripTrailingZero) while (release.length > 1 && release[release.length - 1] === '0') release.pop();
  let out = int(g.epoch) === '0' ? '' : `${int(g.epoch)}!`;
  out += release.join('.');
  if (g.pre_l !== undefined) out += `${PRE_LABEL[g.pre_l.toLowerCase()]}${int(g.pre_n)}`;
  if (g.post !== undefined) out += `.post${int(g.post_n1 ?? g.post_n2)}`;
  if (g.dev !== undefined) out += `.dev${int(g.dev_n)}`;
  if (g.local !== undefined) {
    const parts = g.local.split(/[-_.]/).map((x) => (/^\d+$/.test(x) ? int(x) : x.toLowerCase()));
    out += `+${parts.join('.')}`;
  }
  return out;
}

/** Two spellings of one PyPI release (`1.0` and `1.0.0`, `1.0a1` and `1.0-alpha.1`): `Version.__eq__`. */
export function samePep440Version(a: string, b: string): boolean {
  return a === b || pep440Canonical(a) === pep440Canonical(b);
}

/**
 * The identity of one release within its ecosystem, for comparing entries of two lockfiles or revisions: npm's
 * `name@version` as written (semver strings are compared as written by npm), PyPI's PEP 503 name with the
 * `pep440Canonical` version, so `six==1.16` in requirements.txt and `six 1.16.0` in uv.lock are one release.
 */
export function releaseId(ecosystem: Ecosystem, name: string, version: string): string {
  return ecosystem === 'pypi' ? `${pep503Name(name)}@${pep440Canonical(version)}` : `${name}@${version}`;
}

/** packaging version.py `VERSION_PATTERN`, anchored with surrounding whitespace and case-insensitive as `Version`. */
const PEP440 = new RegExp(
  '^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?:post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?dev[-_.]?(?<dev_n>[0-9]+)?)?)' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
  'i',
);

/** packaging's `_parse_letter_version`: the alternative spellings of a pre-release label. */
const PRE_LABEL: Readonly<Record<string, string>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

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

/**
 * npm versions compare as written (semver strings, which npm keys its tree by); a PyPI version by PEP 440, as pip
 * compares releases (package-key.ts `pep440Canonical`): a suppression of `six@1.16.0` covers the `six==1.16` pip
 * installs as that release, and `torch@2.1.0` never covers the other build `2.1.0+cpu`.
 */
export function sameVersion(ecosystem: Ecosystem, written: string, locked: string): boolean {
  return ecosystem === 'pypi' ? samePep440Version(written, locked) : written === locked;
}
