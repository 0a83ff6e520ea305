import { isRecord } from '../types.js';
import {
  isDepPathKey,
  pinnedPnpmTrustsDepPathOnly,
  readPnpmPin,
  registryIdentityOf,
  stripPeers,
} from './pnpm-dep-path.js';

/** Why pnpm will not run a dependency's install scripts (`PackageNode.buildDisabled`). */
export type PnpmBuildBlock =
  'onlyBuiltDependencies' | 'neverBuiltDependencies' | 'allowBuilds' | 'pnpmDefault' | 'ignoreScripts';

/** The settings pnpm reads for builds, from where each pnpm major reads them. */
export interface PnpmBuildSources {
  /** The lockfile's top level (pnpm 7/8 record `onlyBuiltDependencies`/`neverBuiltDependencies` there). */
  readonly lockfile: Readonly<Record<string, unknown>>;
  /** `pnpm` of the root package.json (pnpm ≤ 10 read it; pnpm 11 does not). */
  readonly manifestPnpm?: unknown;
  /** `packageManager` of the root package.json, e.g. `pnpm@10.4.1+sha512.…`. */
  readonly packageManager?: unknown;
  /** The parsed pnpm-workspace.yaml beside the lockfile (settings read from it since pnpm 10). */
  readonly workspace?: Readonly<Record<string, unknown>>;
  /** `dangerously-allow-all-builds` set in a repository `.npmrc` or the environment. */
  readonly npmrcAllowsAllBuilds?: boolean;
  /** `ignore-scripts=true` in the project's `.npmrc` or the environment. */
  readonly npmrcIgnoresScripts?: boolean;
  /** The `only-built-dependencies[]=` lines of the project's `.npmrc` (pnpm 9 reads them). */
  readonly npmrcOnlyBuilt?: readonly string[];
}

const BUILD_KEYS = [
  'onlyBuiltDependencies',
  'onlyBuiltDependenciesFile',
  'neverBuiltDependencies',
  'ignoredBuiltDependencies',
  'dangerouslyAllowAllBuilds',
  'allowBuilds',
] as const;

/** A package as pnpm's build policy is asked about it. */
interface BuildQuery {
  readonly name: string;
  /** The package's version (the entry's `version`, else its dependency path's). */
  readonly version: string;
  /** Its dependency path, peers suffix removed: `a@1.0.0`, `hello@file:hello-1.0.0.tgz`. */
  readonly depPath: string;
}

type Verdict = (pkg: BuildQuery) => PnpmBuildBlock | undefined;

/**
 * How a pnpm release matches allow-list entries: by the package's name and version, asked with both its version and
 * its dependency path's (`file:x.tgz` for a tarball; a doubt builds), or — pnpm ≥ 10.34.2 / 11.5.3 — by dependency
 * path, where a name or `name@version` allows only a registry path (`name@<semver>`).
 */
type Identity = 'package' | 'depPath';

/**
 * Which registry packages pnpm will not build. The settings and the default differ per pnpm major, and the lockfile
 * does not say which pnpm wrote it (pnpm 9, 10 and 11 all write lockfile 9.0): `packageManager` names the major when
 * present; otherwise every major that writes this lockfile version is a candidate and a package counts as not built
 * only when no candidate would build it. Before lockfile 9 (pnpm 7/8) the lockfile records the settings.
 */
export function pnpmBuildsDisabledBy(sources: PnpmBuildSources, lockfileMajor: number): Verdict {
  if (lockfileMajor < 9) return sources.npmrcIgnoresScripts === true ? ignoreAll : lockfileSettings(sources.lockfile);
  const pin = readPnpmPin(sources.packageManager);
  const pinned = pin?.major;
  // pnpm 9 reads no build setting from pnpm-workspace.yaml: a project that keeps them there installs with pnpm 10+.
  const yamlSettings = BUILD_KEYS.some((k) => sources.workspace?.[k] !== undefined);
  const majors = pinned !== undefined ? [pinned] : yamlSettings ? [10, 11] : [9, 10, 11];
  // Without a pinned release an older one may install, and it builds all a newer one builds (a doubt builds).
  const identity: Identity = pinnedPnpmTrustsDepPathOnly(pin) ? 'depPath' : 'package';
  const verdicts = majors.map((m) => verdictFor(m, sources, identity));
  return (pkg) => {
    let first: PnpmBuildBlock | undefined;
    for (const v of verdicts) {
      const block = v(pkg);
      if (block === undefined) return undefined;
      first ??= block;
    }
    return first;
  };
}

/**
 * One pnpm major's verdict. pnpm 9 reads the settings from package.json `pnpm`, over `only-built-dependencies[]=`
 * lines in `.npmrc`, and builds everything by default (9.15.9, a file: tarball with a postinstall: not built under
 * `only-built-dependencies[]=other` or `[]=` alone, built under `[]=hello-build` or when package.json's list names
 * it; the camelCase key and `never-built-dependencies[]=` in `.npmrc` changed nothing); pnpm 10 also reads
 * pnpm-workspace.yaml (its keys win, `getOptionsFromPnpmSettings` assigned after `getOptionsFromRootManifest` in
 * `getConfig`) and builds nothing that no setting allows; pnpm 11 reads
 * pnpm-workspace.yaml only and allows builds through its `allowBuilds` map.
 */
function verdictFor(major: number, sources: PnpmBuildSources, identity: Identity): Verdict {
  const manifest = isRecord(sources.manifestPnpm) ? sources.manifestPnpm : {};
  const workspace = sources.workspace ?? {};
  if (ignoresScripts(major, sources)) return ignoreAll;
  if (major <= 9) {
    const rc = sources.npmrcOnlyBuilt !== undefined ? { onlyBuiltDependencies: sources.npmrcOnlyBuilt } : {};
    return allowBuildVerdict({ ...rc, ...manifest }, false, 'package');
  }
  if (major === 10) {
    // pnpm 10 reads `dangerously-allow-all-builds` from `.npmrc` as well (10.9+); package.json and pnpm-workspace.yaml
    // settings are laid over the `.npmrc` ones. pnpm 12.26.0 did not read it there: 10.34.9 built a postinstall with
    // it, 12.26.0 refused the install ("Ignored build scripts").
    const rc = sources.npmrcAllowsAllBuilds === true ? { dangerouslyAllowAllBuilds: true } : {};
    return allowBuildVerdict({ ...rc, ...manifest, ...workspace }, true, identity);
  }
  return allowBuildsMap(workspace, identity);
}

/**
 * `createAllowBuildFunction` (@pnpm/builder.policy): `onlyBuiltDependencies` (names or `name@1.0.0 || 2.0.0`) wins;
 * else a non-empty `neverBuiltDependencies` builds all but its names; else everything builds — except that pnpm 10
 * starts from an empty `onlyBuiltDependencies` when none of the three is set. `dangerouslyAllowAllBuilds` sets
 * `neverBuiltDependencies: []` (`getConfig`). `onlyBuiltDependenciesFile` names a JSON list we do not read: its
 * names are unknown, so nothing is assumed unbuilt then.
 */
function allowBuildVerdict(
  settings: Readonly<Record<string, unknown>>,
  defaultNone: boolean,
  identity: Identity,
): Verdict {
  if (settings.onlyBuiltDependenciesFile !== undefined) return () => undefined;
  const only = names(settings.onlyBuiltDependencies);
  if (only !== undefined) {
    const listed = allowListMatcher(only, identity);
    return (pkg) => (listed(pkg) ? undefined : 'onlyBuiltDependencies');
  }
  if (settings.dangerouslyAllowAllBuilds === true) return () => undefined;
  const never = names(settings.neverBuiltDependencies);
  if (never !== undefined && never.length > 0) {
    const blocked = new Set(never);
    return ({ name }) => (blocked.has(name) ? 'neverBuiltDependencies' : undefined);
  }
  if (never !== undefined || !defaultNone) return () => undefined;
  return () => 'pnpmDefault';
}

/**
 * pnpm 11's `allowBuilds: { name: true, "name@1.0.0": false }` (`createAllowBuildFunction`): an entry set to false
 * wins over one set to true, a true entry builds, `dangerouslyAllowAllBuilds` builds everything, and nothing else
 * builds.
 */
function allowBuildsMap(workspace: Readonly<Record<string, unknown>>, identity: Identity): Verdict {
  if (workspace.dangerouslyAllowAllBuilds === true) return () => undefined;
  const map = isRecord(workspace.allowBuilds) ? workspace.allowBuilds : {};
  const entries = Object.entries(map);
  const keysSetTo = (value: boolean) => entries.filter(([, v]) => v === value).map(([k]) => k);
  // A false name entry names the package whatever its source (pnpm 11.29: `matchesPackageSpec` of the disallowed
  // specs is asked before the identity is trusted); a true one needs a registry path.
  const denied = allowListMatcher(keysSetTo(false), identity, true);
  const allowed = allowListMatcher(keysSetTo(true), identity);
  return (pkg) => (denied(pkg) ? 'allowBuilds' : allowed(pkg) ? undefined : 'pnpmDefault');
}

/**
 * Whether an allow list (names, `name@1.0.0 || 2.0.0`, or — pnpm ≥ 10.34.2 / 11.5.3 — dependency paths) names a
 * package. By `package` identity it is asked with the version and with the dependency path's version; by `depPath`
 * (`createAllowBuildFunction` of those releases) a dependency-path entry matches its path, and a name or version
 * only a registry path (`nameOfAnySource`: a bare name matches any path, as pnpm 11's disallowed entries do):
 * `hello@file:hello-1.0.0.tgz` is not built by `onlyBuiltDependencies: [hello]` (pnpm 10.34.9 printed "Ignored build
 * scripts: hello@file:hello-1.0.0.tgz").
 */
function allowListMatcher(
  list: readonly string[],
  identity: Identity,
  nameOfAnySource = false,
): (pkg: BuildQuery) => boolean {
  if (identity === 'package') {
    const specs = expandVersionSpecs(list);
    const pathVersion = (depPath: string) => depPath.slice(depPath.indexOf('@', 1) + 1);
    return ({ name, version, depPath }) =>
      specs.has(name) || specs.has(`${name}@${version}`) || specs.has(`${name}@${pathVersion(depPath)}`);
  }
  const depPaths = new Set(list.filter(isDepPathKey).map(stripPeers));
  const specs = expandVersionSpecs(list.filter((e) => !isDepPathKey(e)));
  return ({ name, depPath }) => {
    if (depPaths.has(depPath)) return true;
    const id = registryIdentityOf(depPath);
    if (id === undefined) return nameOfAnySource && specs.has(name);
    return specs.has(id.name) || specs.has(`${id.name}@${id.version}`);
  };
}

const ignoreAll: Verdict = () => 'ignoreScripts';

/**
 * `ignoreScripts` stops every dependency's build: pnpm 9 and 10 read `ignore-scripts` from `.npmrc`, pnpm 10+ reads
 * `ignoreScripts` from pnpm-workspace.yaml (over `.npmrc`), pnpm 11+ not from `.npmrc` (checked with a postinstall
 * every build setting allowed: 9.15.9 and 10.34.9 skipped it under `.npmrc`, 10.34.9 and 12.26.0 under the YAML
 * key, 12.26.0 ran it under `.npmrc`).
 */
function ignoresScripts(major: number, sources: PnpmBuildSources): boolean {
  const rc = major <= 10 && sources.npmrcIgnoresScripts === true;
  const yaml = major >= 10 ? sources.workspace?.ignoreScripts : undefined;
  return yaml !== undefined ? yaml === true : rc;
}

/** pnpm 7/8: the settings recorded at the lockfile's top level (a frozen install refuses one that differs). */
function lockfileSettings(data: Readonly<Record<string, unknown>>): Verdict {
  const only = names(data.onlyBuiltDependencies);
  if (only !== undefined) {
    const set = new Set(only);
    return ({ name }) => (set.has(name) ? undefined : 'onlyBuiltDependencies');
  }
  const never = names(data.neverBuiltDependencies);
  if (never !== undefined) {
    const set = new Set(never);
    return ({ name }) => (set.has(name) ? 'neverBuiltDependencies' : undefined);
  }
  return () => undefined;
}

/** `expandPackageVersionSpecs` (@pnpm/config.version-policy): `nx@21.6.4 || 21.6.5` → `nx@21.6.4`, `nx@21.6.5`. */
function expandVersionSpecs(specs: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const spec of specs) {
    const at = spec.indexOf('@', 1);
    if (at < 0) {
      out.add(spec);
      continue;
    }
    const name = spec.slice(0, at);
    for (const v of spec.slice(at + 1).split('||')) if (v.trim() !== '') out.add(`${name}@${v.trim()}`);
  }
  return out;
}

function names(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : undefined;
}
