import { isRecord, str } from '../types.js';

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

type Verdict = (name: string, version: string) => PnpmBuildBlock | undefined;

/**
 * Which registry packages pnpm will not build. The settings and the default differ per pnpm major, and the lockfile
 * does not say which pnpm wrote it (pnpm 9, 10 and 11 all write lockfile 9.0): `packageManager` names the major when
 * present; otherwise every major that writes this lockfile version is a candidate and a package counts as not built
 * only when no candidate would build it. Before lockfile 9 (pnpm 7/8) the lockfile records the settings.
 */
export function pnpmBuildsDisabledBy(sources: PnpmBuildSources, lockfileMajor: number): Verdict {
  if (lockfileMajor < 9) return sources.npmrcIgnoresScripts === true ? ignoreAll : lockfileSettings(sources.lockfile);
  const pinned = pinnedPnpmMajor(sources.packageManager);
  // pnpm 9 reads no build setting from pnpm-workspace.yaml: a project that keeps them there installs with pnpm 10+.
  const yamlSettings = BUILD_KEYS.some((k) => sources.workspace?.[k] !== undefined);
  const majors = pinned !== undefined ? [pinned] : yamlSettings ? [10, 11] : [9, 10, 11];
  const verdicts = majors.map((m) => verdictFor(m, sources));
  return (name, version) => {
    let first: PnpmBuildBlock | undefined;
    for (const v of verdicts) {
      const block = v(name, version);
      if (block === undefined) return undefined;
      first ??= block;
    }
    return first;
  };
}

/** The major of `packageManager: "pnpm@10.4.1+sha512…"` (`parsePackageManager`, @pnpm/config); undefined otherwise. */
export function pinnedPnpmMajor(packageManager: unknown): number | undefined {
  const m = /^pnpm@(\d+)\./.exec(str(packageManager)?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
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
function verdictFor(major: number, sources: PnpmBuildSources): Verdict {
  const manifest = isRecord(sources.manifestPnpm) ? sources.manifestPnpm : {};
  const workspace = sources.workspace ?? {};
  if (ignoresScripts(major, sources)) return ignoreAll;
  if (major <= 9) {
    const rc = sources.npmrcOnlyBuilt !== undefined ? { onlyBuiltDependencies: sources.npmrcOnlyBuilt } : {};
    return allowBuildVerdict({ ...rc, ...manifest }, false);
  }
  if (major === 10) {
    // pnpm 10 reads `dangerously-allow-all-builds` from `.npmrc` as well (10.9+); package.json and pnpm-workspace.yaml
    // settings are laid over the `.npmrc` ones. pnpm 12.26.0 did not read it there: 10.34.9 built a postinstall with
    // it, 12.26.0 refused the install ("Ignored build scripts").
    const rc = sources.npmrcAllowsAllBuilds === true ? { dangerouslyAllowAllBuilds: true } : {};
    return allowBuildVerdict({ ...rc, ...manifest, ...workspace }, true);
  }
  return allowBuildsMap(workspace);
}

/**
 * `createAllowBuildFunction` (@pnpm/builder.policy): `onlyBuiltDependencies` (names or `name@1.0.0 || 2.0.0`) wins;
 * else a non-empty `neverBuiltDependencies` builds all but its names; else everything builds — except that pnpm 10
 * starts from an empty `onlyBuiltDependencies` when none of the three is set. `dangerouslyAllowAllBuilds` sets
 * `neverBuiltDependencies: []` (`getConfig`). `onlyBuiltDependenciesFile` names a JSON list we do not read: its
 * names are unknown, so nothing is assumed unbuilt then.
 */
function allowBuildVerdict(settings: Readonly<Record<string, unknown>>, defaultNone: boolean): Verdict {
  if (settings.onlyBuiltDependenciesFile !== undefined) return () => undefined;
  const only = names(settings.onlyBuiltDependencies);
  if (only !== undefined) {
    const allowed = expandVersionSpecs(only);
    return (name, version) =>
      allowed.has(name) || allowed.has(`${name}@${version}`) ? undefined : 'onlyBuiltDependencies';
  }
  if (settings.dangerouslyAllowAllBuilds === true) return () => undefined;
  const never = names(settings.neverBuiltDependencies);
  if (never !== undefined && never.length > 0) {
    const blocked = new Set(never);
    return (name) => (blocked.has(name) ? 'neverBuiltDependencies' : undefined);
  }
  if (never !== undefined || !defaultNone) return () => undefined;
  return () => 'pnpmDefault';
}

/**
 * pnpm 11's `allowBuilds: { name: true, "name@1.0.0": false }`: a package builds when its entry (the exact version's
 * first) is true, or under `dangerouslyAllowAllBuilds`; nothing else builds.
 */
function allowBuildsMap(workspace: Readonly<Record<string, unknown>>): Verdict {
  if (workspace.dangerouslyAllowAllBuilds === true) return () => undefined;
  const map = isRecord(workspace.allowBuilds) ? workspace.allowBuilds : {};
  const allowed = new Map<string, boolean>();
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== 'boolean') continue;
    for (const k of expandVersionSpecs([key])) allowed.set(k, value);
  }
  return (name, version) => {
    const hit = allowed.get(`${name}@${version}`) ?? allowed.get(name);
    return hit === true ? undefined : hit === false ? 'allowBuilds' : 'pnpmDefault';
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
    return (name) => (set.has(name) ? undefined : 'onlyBuiltDependencies');
  }
  const never = names(data.neverBuiltDependencies);
  if (never !== undefined) {
    const set = new Set(never);
    return (name) => (set.has(name) ? 'neverBuiltDependencies' : undefined);
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
