import type { Finding } from '../../core/finding.js';
import { lineOfFirst, yamlSectionKeyLines } from '../lines.js';
import { readPnpmPin } from '../parsers/pnpm-dep-path.js';

/** Where pnpm takes its pnpmfile settings from, for a lockfile. */
export interface PnpmfileSources {
  /** The pnpm-workspace.yaml beside the lockfile, read (pnpm 10+ reads settings there, over `.npmrc`). */
  readonly workspace?: { readonly path: string; readonly text: string; readonly settings: Record<string, unknown> };
  /** A key's value in the nearest `.npmrc` that sets it (`pnpmfile`, `ignore-pnpmfile`). */
  readonly npmrc: (key: string) => string | undefined;
  /** `packageManager` of the root package.json, which names the pnpm major when present. */
  readonly packageManager?: unknown;
  /** The nearest `.npmrc` that sets a key, for the location of a finding about its value. */
  readonly npmrcFile?: (key: string) => { readonly path: string; readonly text: string } | undefined;
}

/** The pnpmfiles pnpm loads when no setting names one: pnpm 11+ prefers `.pnpmfile.mjs`, pnpm ≤ 10 knows `.cjs` only. */
export const DEFAULT_PNPMFILES: readonly string[] = ['.pnpmfile.mjs', '.pnpmfile.cjs'];

/**
 * The pnpmfile a `pnpmfile` setting names, joined to the lockfile's folder `dir` (repo-relative, '' for the root) as
 * `getPnpmfilePath` / `pathAbsolute` (@pnpm/pnpmfile) join it; undefined for an absolute path or one above the scan.
 */
export function pnpmfilePath(dir: string, name: string): string | undefined {
  const trimmed = name.trim();
  if (/^([a-z]:)?[\\/]/i.test(trimmed)) return undefined;
  const parts: string[] = dir === '' ? [] : dir.split('/');
  for (const seg of trimmed.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

/**
 * The pnpm majors that may install a lockfile: the `packageManager` pin's, else 9, 10 and 11+, which all write
 * lockfile 9.0. Unlike build settings (pnpm-builds.ts), a pnpm-workspace.yaml that sets the pnpmfile does not rule
 * out pnpm 9: it reads no setting there and loads `.pnpmfile.cjs` (checked with pnpm 9.15.9 beside `pnpmfile:
 * hooks/a.cjs`), so the setting would hide the default file from a pnpm 9 install.
 */
function candidateMajors(sources: PnpmfileSources): number[] {
  const pinned = readPnpmPin(sources.packageManager)?.major;
  return pinned !== undefined ? [pinned] : [9, 10, 11];
}

/** The repository pnpmfiles some candidate pnpm loads for a lockfile in `dir`, among the tree's files (`has`). */
export function loadedPnpmfiles(dir: string, sources: PnpmfileSources, has: (path: string) => boolean): string[] {
  const out = new Set<string>();
  for (const major of candidateMajors(sources)) for (const p of pnpmfilesOfMajor(dir, major, sources, has)) out.add(p);
  return [...out].sort();
}

/**
 * A setting as one pnpm major reads it: pnpm-workspace.yaml since pnpm 10, over `.npmrc`, which pnpm 11+ reads for
 * registries and credentials only (checked with pnpm 12.26.0: `.npmrc` `pnpmfile`, `ignore-pnpmfile` and
 * `global-pnpmfile` changed nothing; pnpm 9.15.9 and 10.34.9 followed all three).
 */
function settingOf(major: number, sources: PnpmfileSources, yamlKey: string, rcKey: string): unknown {
  const yaml = major >= 10 ? sources.workspace?.settings[yamlKey] : undefined;
  if (yaml !== undefined) return yaml;
  return major <= 10 ? sources.npmrc(rcKey) : undefined;
}

/** `ignorePnpmfile` / `ignore-pnpmfile` in effect for one major: no pnpmfile is loaded, global or not. */
function ignored(major: number, sources: PnpmfileSources): boolean {
  const ignore = settingOf(major, sources, 'ignorePnpmfile', 'ignore-pnpmfile');
  return ignore === true || ignore === 'true';
}

/** The non-empty strings of a setting that is a path or a list of paths. */
function pathsOf(setting: unknown): string[] {
  return (Array.isArray(setting) ? setting : [setting]).filter(
    (n): n is string => typeof n === 'string' && n.trim() !== '',
  );
}

/**
 * One pnpm major's repository pnpmfiles (`installConfigDepsAndLoadHooks` → `requireHooks`, @pnpm/pnpmfile):
 * `ignorePnpmfile` loads none; `globalPnpmfile` / `global-pnpmfile` is loaded relative to the lockfile's folder like
 * any other (pnpm 9.15.9, 10.34.9 and 12.26.0 ran a repository file named so); the `pnpmfile` setting — a list too in
 * pnpm-workspace.yaml since pnpm 10 — names every other file loaded; unset, `tryLoadDefaultPnpmfile` loads
 * `.pnpmfile.cjs`, and pnpm 11+ `.pnpmfile.mjs` instead when it exists (checked: pnpm 12.26.0 ran a `.pnpmfile.mjs`,
 * pnpm 10.34.9 did not load it). A named file that is missing stops the install (PNPMFILE_NOT_FOUND with pnpm
 * 9.15.9, 10.34.9 and 12.26.0): no default is loaded then.
 */
function pnpmfilesOfMajor(
  dir: string,
  major: number,
  sources: PnpmfileSources,
  has: (path: string) => boolean,
): string[] {
  if (ignored(major, sources)) return [];
  const globals = pathsOf(settingOf(major, sources, 'globalPnpmfile', 'global-pnpmfile'));
  const named = pathsOf(settingOf(major, sources, 'pnpmfile', 'pnpmfile'));
  const defaults = major >= 11 ? DEFAULT_PNPMFILES : ['.pnpmfile.cjs'];
  const first = named.length > 0 ? [] : defaults.filter((n) => has(pnpmfilePath(dir, n)!)).slice(0, 1);
  return [...globals, ...named, ...first]
    .map((n) => pnpmfilePath(dir, n))
    .filter((p): p is string => p !== undefined && has(p));
}

/** A pnpmfile setting that names a file no review of the repository sees, and where it is set. */
export interface UnreviewedPnpmfile {
  /** The setting's value, as written. */
  readonly name: string;
  /** `pnpmfile`, `global-pnpmfile`, `globalPnpmfile`. */
  readonly setting: string;
  /** The repo-relative config file that sets it (pnpm-workspace.yaml or `.npmrc`). */
  readonly path: string;
  readonly line: number;
  /** Inside the repository but under node_modules, which the install writes. */
  readonly installed: boolean;
}

/**
 * The pnpmfile settings some candidate pnpm reads that name a file outside the repository (absolute, `~`, or `..`
 * past the scan's root) or under node_modules: `requireHooks` loads each at `pathAbsolute(setting, prefix)` on every
 * install, from wherever it is on the installing machine, so its code is never the reviewed tree's. One per config
 * file and value.
 */
export function unreviewedPnpmfiles(dir: string, sources: PnpmfileSources): UnreviewedPnpmfile[] {
  const out = new Map<string, UnreviewedPnpmfile>();
  for (const major of candidateMajors(sources)) {
    if (ignored(major, sources)) continue;
    for (const [yamlKey, rcKey] of SETTING_KEYS) {
      const fromYaml = major >= 10 && sources.workspace?.settings[yamlKey] !== undefined;
      for (const name of pathsOf(settingOf(major, sources, yamlKey, rcKey))) {
        // path-absolute reads a leading `~` as the user's home folder.
        const inTree = /^~([\\/]|$)/.test(name.trim()) ? undefined : pnpmfilePath(dir, name);
        const installed = inTree !== undefined && /(^|\/)node_modules\//.test(inTree);
        if (inTree !== undefined && !installed) continue;
        const file = fromYaml ? sources.workspace : sources.npmrcFile?.(rcKey);
        const key = `${file?.path ?? ''}\0${name}`;
        if (file === undefined || out.has(key)) continue;
        const setting = fromYaml ? yamlKey : rcKey;
        out.set(key, { name, setting, path: file.path, line: lineOfFirst(file.text, name), installed });
      }
    }
  }
  return [...out.values()];
}

/** The pnpmfile settings: pnpm-workspace.yaml's name, `.npmrc`'s. */
const SETTING_KEYS = [
  ['globalPnpmfile', 'global-pnpmfile'],
  ['pnpmfile', 'pnpmfile'],
] as const;

/** CPD167 for a pnpmfile setting naming a file outside the reviewed tree (`unreviewedPnpmfiles`). */
export function unreviewedPnpmfileFinding(u: UnreviewedPnpmfile, lockfile: string): Finding {
  const name = u.name.slice(0, 300);
  const where = u.installed ? 'under node_modules, which the install itself writes' : 'outside the repository';
  // A named pnpmfile that is missing stops the install (PNPMFILE_NOT_FOUND); a missing global one is not said to.
  const missing = u.setting === 'pnpmfile' ? ' (where the file is missing, pnpm refuses to install)' : '';
  return {
    ruleId: 'CPD167',
    message: `${u.path}:${u.line} sets ${u.setting} to ${name}, a file ${where}: pnpm loads it (requireHooks) on every install of ${lockfile}, including --frozen-lockfile and --ignore-scripts, from wherever it is on the installing machine, so code nobody reviewed runs and its hooks can rewrite dependency manifests${missing}. Keep the pnpmfile in the repository or remove the setting.`,
    location: { path: u.path, line: u.line },
    artifact: { kind: 'file', path: u.path },
    evidence: { lockfile, setting: u.setting, pnpmfile: name },
  };
}

/**
 * A `configDependencies` name pnpm takes for a plugin (`isPluginName`, @pnpm/cli.utils `calcPnpmfilePathsOfPluginDeps`):
 * `pnpm-plugin-*`, `@pnpm/plugin-*`, `@scope/pnpm-plugin-*`.
 */
function isPluginName(name: string): boolean {
  if (name.startsWith('pnpm-plugin-')) return true;
  return name.startsWith('@') && (name.startsWith('@pnpm/plugin-') || name.includes('/pnpm-plugin-'));
}

/**
 * CPD167 for the config dependencies whose pnpmfile pnpm loads: pnpm 10.14+ installs `configDependencies` before
 * anything else and puts a plugin's `pnpmfile.mjs` / `pnpmfile.cjs` first in the list `requireHooks` loads
 * (`installConfigDepsAndLoadHooks`), unless the pnpmfile is ignored. That code comes from the registry, not the
 * repository, so the finding stands at the pnpm-workspace.yaml line that names the package.
 */
export function pluginPnpmfileFindings(sources: PnpmfileSources, lockfile: string): Finding[] {
  const ws = sources.workspace;
  const deps = ws?.settings.configDependencies;
  if (ws === undefined || deps === null || typeof deps !== 'object' || Array.isArray(deps)) return [];
  if (!candidateMajors(sources).some((m) => m >= 10 && !ignored(m, sources))) return [];
  const lines = yamlSectionKeyLines(ws.text, ['configDependencies']).get('configDependencies');
  return Object.keys(deps)
    .filter(isPluginName)
    .sort()
    .map((name) => {
      const line = lines?.get(name) ?? lineOfFirst(ws.text, name);
      // pnpm 10 writes `<version>+<integrity>`; a bare version otherwise.
      const spec = (deps as Record<string, unknown>)[name];
      const version = typeof spec === 'string' ? spec.split('+')[0]!.trim() : '';
      return {
        ruleId: 'CPD167',
        message: `${ws.path}:${line} installs ${name} as a pnpm config dependency: pnpm (10.14+) loads its pnpmfile (requireHooks) on every install of ${lockfile}, before the lockfile's packages and including --frozen-lockfile and --ignore-scripts, so code from the registry runs and its hooks can rewrite dependency manifests and pnpm's settings. Review that package version like an install script; only --ignore-pnpmfile skips it.`,
        location: { path: ws.path, line },
        artifact: { kind: 'package', ecosystem: 'npm', name, version },
        evidence: { lockfile, configDependency: name },
      };
    });
}

/**
 * CPD167: `requireHooks` (@pnpm/pnpmfile) loads the pnpmfile on every `pnpm install` — `--frozen-lockfile` and
 * `--ignore-scripts` included; only `--ignore-pnpmfile` skips it — so its top-level code and hooks run on every
 * machine that installs, and `readPackage` can rewrite any dependency's manifest. One finding per file; the file is
 * never loaded by the scan.
 */
export function pnpmfileFinding(path: string, lockfile: string): Finding {
  return {
    ruleId: 'CPD167',
    message: `${path} is loaded by pnpm (requireHooks) on every install of ${lockfile}, including --frozen-lockfile and --ignore-scripts: its code runs and its hooks can rewrite dependency manifests. Review it like an install script; only --ignore-pnpmfile skips it.`,
    location: { path, line: 1 },
    artifact: { kind: 'file', path },
    evidence: { lockfile },
  };
}
