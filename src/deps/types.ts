import type { DependencyGraph, PackageNode } from '../core/records.js';
import { isRecord } from '../core/is-record.js';
import { jsonNestingDepth } from '../core/json-depth.js';

/** How a dependency is declared: decides the dev/optional flags computed from reachability. */
export type EdgeKind = 'prod' | 'dev' | 'optional' | 'peer';

/** A dependency edge as the lockfile states it; `target` is the node index it resolves to, if any. */
export interface DraftEdge {
  readonly name: string;
  readonly spec: string;
  readonly kind: EdgeKind;
  readonly target: number | undefined;
}

/** A package entry before graph-wide facts (path, workspace, computed flags) are known. */
// `attestationIdentities`, `wheelsOnly` and `requiresPython` are Python's, whose graph toPythonGraph builds without drafts.
export type DraftNode = Omit<
  PackageNode,
  | 'dev'
  | 'optional'
  | 'peer'
  | 'workspace'
  | 'path'
  | 'lockfile'
  | 'attestationIdentities'
  | 'wheelsOnly'
  | 'requiresPython'
  | 'installedWith'
> & {
  /** Flags the lockfile itself records (npm, pnpm ≤ 6); otherwise computed from reachability. */
  readonly flags?: { readonly dev: boolean; readonly optional: boolean; readonly peer: boolean };
  readonly edges: DraftEdge[];
  /**
   * yarn berry: the entry's `conditions` (`os=linux & cpu=x64`). They exempt a missing checksum only when the package
   * is reached through optional dependencies alone (checks/integrity.ts).
   */
  readonly conditions?: string;
  /** Why the package manager will not enforce the integrity the entry records (CPD016), e.g. a berry cache key. */
  readonly integrityNotEnforced?: string;
  /**
   * npm: the entry says `hasShrinkwrap`, so npm installs its dependencies from the npm-shrinkwrap.json in its
   * tarball, not from the lockfile's entries below it (checks/npm-shrinkwrap.ts).
   */
  readonly shrinkwrapped?: true;
  /**
   * yarn berry: the entry's `version` field when it names another version than its `resolution`, which is what yarn
   * fetches (checks/berry-version.ts); `version` then holds the resolution's.
   */
  readonly versionField?: string;
  /**
   * bun: the package is trusted to run its lifecycle scripts only because `name` (its own or its alias) has the same
   * 32-bit hash as `listed`, a name `trustedDependencies` holds (Lockfile.hasTrustedDependency asks by hash;
   * checks/bun-trusted-hash.ts).
   */
  readonly trustedByHash?: { readonly name: string; readonly listed: string };
};

/** A project root in the lockfile (the root package or a workspace). */
export interface DraftImporter {
  /** Workspace path relative to the lockfile's folder, POSIX; '' for the root. */
  readonly path: string;
  /** Declared dependencies (name → spec) as the lockfile records them. */
  readonly declared: Record<string, string>;
  readonly edges: DraftEdge[];
}

/** Package.json contents a parser may use (yarn classic and npm v1 do not record the root's dependencies). */
export interface Manifest {
  readonly name?: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly workspaces?: readonly string[] | { readonly packages?: readonly string[] };
  /** yarn berry: per-dependency settings (`built`, `optional`, `unplugged`), read from the root manifest. */
  readonly dependenciesMeta?: unknown;
  /** `pnpm@10.4.1+sha512…`: which package manager (and major) installs this project. */
  readonly packageManager?: unknown;
  /** pnpm ≤ 10 settings (`onlyBuiltDependencies`, `overrides`…); pnpm 11 reads pnpm-workspace.yaml only. */
  readonly pnpm?: unknown;
  /** bun: the only dependencies whose lifecycle scripts run (`[]` = none; absent = Bun's built-in list). */
  readonly trustedDependencies?: unknown;
  /** Lifecycle scripts: what a bun or npm `file:` folder installs with (checks/folder-scripts.ts). */
  readonly scripts?: unknown;
  /** npm: `false` stops the implicit `node-gyp rebuild` of a package with a binding.gyp. */
  readonly gypfile?: unknown;
}

export interface ParseOptions {
  /** package.json of each workspace by path relative to the lockfile folder ('' = root). */
  readonly manifests?: Readonly<Record<string, Manifest>>;
  /** yarn berry: `enableScripts` of the `.yarnrc.yml` in effect (src/deps/yarnrc.ts); undefined is yarn's default, true. */
  readonly enableScripts?: boolean;
  /** pnpm: the pnpm-workspace.yaml beside the lockfile, parsed (its build settings and catalogs). */
  readonly pnpmWorkspace?: Readonly<Record<string, unknown>>;
  /** npm: `dangerously-allow-all-scripts` is set (repository `.npmrc` or environment), so `allowScripts` denies nothing. */
  readonly npmAllScriptsRun?: boolean;
  /** pnpm: `dangerously-allow-all-builds` is set in a repository `.npmrc` or the environment (pnpm 10 reads it there). */
  readonly pnpmNpmrcAllBuilds?: boolean;
  /**
   * pnpm: `ignore-scripts=true` in the project's `.npmrc` or the environment (deps/stage.ts `npmrcIgnoresScripts`),
   * which pnpm-workspace.yaml may override (parsers/pnpm-builds.ts). npm and yarn 1 take theirs in deps/stage.ts.
   */
  readonly npmrcIgnoresScripts?: boolean;
  /** pnpm 9: the `only-built-dependencies[]=` lines of the project's `.npmrc` (deps/stage.ts `npmrcOnlyBuilt`). */
  readonly pnpmNpmrcOnlyBuilt?: readonly string[];
}

export interface ParsedLockfile {
  readonly kind: DependencyGraph['kind'];
  readonly formatVersion: string;
  /** yarn berry: `__metadata.cacheKey` (DependencyGraph.cacheKey). */
  readonly cacheKey?: string;
  readonly nodes: readonly DraftNode[];
  readonly importers: readonly DraftImporter[];
  /**
   * The importers were guessed from the lockfile alone (yarn 1 and npm v1 without a package.json: the entries
   * nothing else requires), not read from what the project declares: reachability from them says nothing about what
   * the package manager installs (checks/unreached.ts).
   */
  readonly importersInferred?: true;
  /**
   * The node a declared dependency of `importer` is locked to: an index, `undefined` when the lockfile has no
   * entry for it, or 'unknown' when the spec cannot be matched offline (e.g. a git spec yarn rewrote).
   */
  resolveDeclared(importer: string, name: string, spec: string): number | undefined | 'unknown';
  /** Paths read at install that belong to no package entry (pnpm importer `link:` targets, patch files). */
  readonly localRefs?: readonly DraftLocalRef[];
  /**
   * pnpm 9: the range a `catalog:` / `catalog:<name>` spec stands for, as the lockfile's `catalogs` records it
   * (what pnpm resolved it with); undefined when the lockfile records none.
   */
  catalogRange?(name: string, spec: string): string | undefined;
  /**
   * npm: where the legacy `dependencies` tree (read by npm 6) disagrees with `packages` (read by npm ≥ 7), when the
   * lockfile has both; see parsers/npm-legacy.ts.
   */
  readonly legacyDisagreements?: readonly LegacyDisagreement[];
  /**
   * npm, bun and yarn lockfiles: keys written more than once where it matters (a package entry, a top-level section),
   * each at the line of a later copy. The parsers, like the package managers, keep the last copy, except where
   * `duplicateKept` says the first (Bun's top-level sections).
   */
  readonly duplicateKeys?: readonly { readonly key: string; readonly line: number }[];
  readonly duplicateKept?: 'first';
  /**
   * yarn 1: the line of the first `<<<<<<<` of a merge conflict yarn resolves itself (parsers/yarn-classic.ts). The
   * lockfile is read as yarn reads it then, both sides merged; `duplicateKeys` holds the keys both sides write.
   */
  readonly mergeConflictLine?: number;
  /**
   * yarn 1: where yarn's own grammar rejected the file and why. yarn then read it as YAML (parsers/yarn-v1-yaml.ts),
   * and so was it read here; for a conflict, the first side read that way, at the file's line.
   */
  readonly readAsYaml?: { readonly line: number; readonly reason: string };
  /**
   * npm: packages with install scripts that package.json `allowScripts` denies, left to run because nothing pins an
   * npm that reads `allowScripts` (parsers/npm-allow-scripts.ts `allowScriptsGate`).
   */
  readonly allowScriptsUnpinned?: number;
  /**
   * What the package manager does with every git or tarball-URL dependency of this lockfile that the source's
   * finding (CPD007, CPD008) should say: the npm package.json pins refuses it (deps/stage.ts `withSourcesRefused`),
   * yarn 2+ prepares a git dependency whatever `enableScripts` says (parsers/yarn-berry.ts).
   */
  readonly sourceNotes?: Readonly<Partial<Record<'git' | 'tarball', string>>>;
  /**
   * pnpm: the `overrides` of the pnpm-workspace.yaml beside the lockfile (key → spec), where pnpm 10 reads them
   * (checks/overrides.ts `overridesOf` takes them with package.json's: a name either forces is forced).
   */
  readonly workspaceOverrides?: Readonly<Record<string, string>>;
  /** pnpm: settings the lockfile records that differ from the configuration (parsers/pnpm-settings.ts). */
  readonly pnpmSettingMismatches?: readonly PnpmSettingMismatch[];
  /** pnpm 9: dependency paths a snapshot needs that the lockfile has no entry for, at the snapshot's line. */
  readonly missingEntries?: readonly { readonly key: string; readonly line: number }[];
}

/** A setting pnpm compares between its lockfile and its configuration before a frozen install. */
export interface PnpmSettingMismatch {
  readonly field:
    'catalogs' | 'overrides' | 'patchedDependencies' | 'packageExtensionsChecksum' | 'ignoredOptionalDependencies';
  /** Line of the lockfile's key (1 when the lockfile has none). */
  readonly line: number;
  readonly detail: string;
  /** overrides: the keys (`name`, `name@range`, `parent>name`) that differ. */
  readonly keys?: readonly string[];
}

/** One place where the two halves of an npm lockfile install different things. */
export interface LegacyDisagreement {
  /** The `packages` key the legacy entry stands for. */
  readonly key: string;
  /** Line of the legacy entry. */
  readonly line: number;
  /** What differs: `integrity`, `resolved`, `version`, `link`, or `entry` (no `packages` entry at all). */
  readonly field: string;
  readonly legacy: string;
  readonly packages: string;
}

/** A path the package manager reads at install, relative to the lockfile's folder, at the line that names it. */
export interface DraftLocalRef {
  readonly kind: 'link' | 'patch';
  /** The dependency linked, or the `name@version` patched. */
  readonly name: string;
  readonly path: string;
  readonly line: number;
  /** pnpm importer links: the importer whose dependency it is. */
  readonly importer?: string;
  /** pnpm importer links: the folder is no project of the workspace (pnpm-workspace.yaml `packages`, or the root). */
  readonly notWorkspace?: true;
  /** pnpm `patchedDependencies`: the hash the lockfile records for the patch file (compared by pnpm at install). */
  readonly hash?: string;
}

export type LockfileErrorCode = 'LOCKFILE_SYNTAX' | 'LOCKFILE_SHAPE' | 'LOCKFILE_UNSUPPORTED';

/** A lockfile that cannot be read as what its name says. Carries the 1-based line where known. */
export class LockfileError extends Error {
  readonly code: LockfileErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  constructor(code: LockfileErrorCode, file: string, message: string, line?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockfileError';
    this.code = code;
    this.file = file;
    this.line = line;
  }
}

/** JSON lockfiles (npm v1 nests a level per dependency depth, Bun's tuples a few): real ones stay far below this. */
const MAX_LOCKFILE_DEPTH = 1000;

/**
 * Refuse a JSON lockfile nested deeper than any real one before parsing it: the parsers' line finders and the
 * readers after them recurse over the tree (300,000 nested arrays overflowed the stack).
 */
export function refuseDeepLockfile(file: string, text: string): void {
  if (jsonNestingDepth(text, MAX_LOCKFILE_DEPTH) > MAX_LOCKFILE_DEPTH)
    throw new LockfileError('LOCKFILE_SHAPE', file, `nests deeper than ${MAX_LOCKFILE_DEPTH} levels`, 1);
}

/** Attacker-controlled data: only plain objects count as maps. */
export { isRecord };

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A name → string map (dependencies, specifiers); non-string values are dropped. */
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  forEachStr(v, (k, s) => (out[k] = s));
  return out;
}

/** strMap's entries without building the map: per-entry readers of a 100k-package lockfile call this a lot. */
export function forEachStr(v: unknown, each: (key: string, value: string) => void): void {
  if (!isRecord(v)) return;
  for (const k of Object.keys(v)) {
    const s = str(v[k]);
    if (s !== undefined) each(k, s);
  }
}

/** `@scope/name@range` / `name@range` → [name, range]; the first `@` after position 0 separates them. */
export function splitDescriptor(descriptor: string): [string, string] {
  const at = descriptor.indexOf('@', 1);
  return at < 0 ? [descriptor, ''] : [descriptor.slice(0, at), descriptor.slice(at + 1)];
}

/** A `line:column` (or `line N`) in a third-party parser's message. */
export function errorLine(message: string): number | undefined {
  const m = /\b(?:line )?(\d+):(\d+)\b/.exec(message) ?? /\bline (\d+)\b/.exec(message);
  const n = m ? Number(m[1]) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
