import type { Finding } from '../../core/finding.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { parseAlias } from '../../deps/parsers/npm-common.js';
import { parsePnpmWorkspace } from '../../deps/parsers/pnpm-workspace.js';
import { classifySpec } from '../../deps/source.js';
import type { InstallFileChange } from './install-files.js';
import { unreadableConfig } from './install-settings.js';
import { BLOCKED_BY } from './enabled-builds.js';
import type { LinkedManifest, ProjectRole } from './project-manifests.js';

/**
 * What a project's own package.json (and pnpm-workspace.yaml) makes every install do:
 * - CPU027: lifecycle scripts of the project itself. npm runs the root's and each workspace's `preinstall`,
 *   `install`, `postinstall`, `prepare` on a plain `npm install` / `npm ci` (arborist `reify` → `runScript` for the
 *   root node, `--ignore-scripts` aside); yarn and pnpm do the same, pnpm also `pnpm:devPreinstall`.
 * - CPU028: overrides that force a package to a URL, git or file spec, or to another package (`npm:evil@1`): npm
 *   `overrides` (nested), yarn `resolutions`, pnpm `pnpm.overrides` / pnpm-workspace.yaml `overrides`, bun both.
 */
const LIFECYCLE = [
  'preinstall',
  'install',
  'postinstall',
  'preprepare',
  'prepare',
  'postprepare',
  'pnpm:devPreinstall',
];

/**
 * What pnpm and yarn 1 run for a folder they install as a dependency: pnpm's runPostinstallHooks and yarn 1's
 * PackageInstallScripts run these three and no `prepare`.
 */
const DEPENDENCY_LIFECYCLE = ['preinstall', 'install', 'postinstall'];

/**
 * Scripts an install runs for the package.json it was started in, never for a workspace: npm's `preunpack` before
 * anything is fetched and `prepublish` after the install scripts (npm lib/commands/install.js and ci.js `exec`; yarn 1
 * runs `prepublish` too, cli/commands/install.js `wrapLifecycle`), and `predependencies` / `dependencies` /
 * `postdependencies` once node_modules changed, which a clean install on CI always does (arborist reify.js `reify`).
 */
const ROOT_LIFECYCLE = ['preunpack', 'prepublish', 'predependencies', 'dependencies', 'postdependencies'];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `projects`: the package.json files an install runs the scripts of (project-manifests.ts); others are notes, and so
 * are the folders pnpm or yarn 2+ install as dependencies without building them (`unbuilt`, with the setting that
 * says so).
 */
export function manifestFindings(
  changes: readonly InstallFileChange[],
  projects: ReadonlyMap<string, ProjectRole>,
  unbuilt: ReadonlyMap<string, NonNullable<LinkedManifest['unbuilt']>> = new Map(),
): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    const name = c.path.slice(c.path.lastIndexOf('/') + 1);
    if ((name !== 'package.json' && name !== 'pnpm-workspace.yaml') || c.unread !== undefined) continue;
    const read = (text: string | undefined): Json | Error | undefined => {
      if (text === undefined) return undefined;
      try {
        if (name === 'package.json') {
          const v: unknown = JSON.parse(text);
          return isObj(v) ? v : {};
        }
        // As pnpm reads it (the scan's reader: js-yaml `load`, `<<` merge keys applied), so an override merged in
        // from `<<: {overrides: …}` is one pnpm applies.
        const ws = parsePnpmWorkspace(text);
        return 'error' in ws ? new Error(ws.error) : ws.settings;
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    };
    const before = read(c.base);
    const after = read(c.head);
    if (after instanceof Error) {
      out.push(unreadableConfig(c.path, after.message));
      continue;
    }
    const was = isObj(before) ? before : {};
    const now = after ?? {};
    if (name === 'package.json') {
      const scripts = (o: Json) => (isObj(o['scripts']) ? o['scripts'] : {});
      // A fixture's package.json runs the root's scripts too if someone installs in its folder.
      const role = projects.get(c.path);
      const events =
        role === 'workspace'
          ? LIFECYCLE
          : role === 'dependency'
            ? DEPENDENCY_LIFECYCLE
            : [...LIFECYCLE, ...ROOT_LIFECYCLE];
      const changed = events.filter((s) => typeof scripts(now)[s] === 'string' && scripts(now)[s] !== scripts(was)[s]);
      const runs = role ?? unbuilt.get(c.path) ?? 'nothing';
      if (changed.length > 0) out.push(scriptFinding(c, changed, scripts(was), scripts(now), runs));
    }
    const ob = overridesOf(name, was);
    const oh = overridesOf(name, now);
    const forced = [...oh].filter(([k, v]) => v !== ob.get(k) && offRegistry(k, v)).map(([k]) => k);
    if (forced.length > 0) out.push(overrideFinding(c, forced.sort(), ob, oh));
  }
  return out;
}

/** Every override as `path > name` → spec, from each field the package managers read. */
function overridesOf(file: string, o: Json): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (field: string, prefix: string, v: unknown, depth: number) => {
    if (depth > 16 || out.size > 10_000) return;
    if (typeof v === 'string') out.set(`${field}: ${prefix}`, v);
    else if (isObj(v))
      for (const [k, x] of Object.entries(v))
        walk(field, prefix === '' ? k : k === '.' ? prefix : `${prefix} > ${k}`, x, depth + 1);
  };
  if (file === 'pnpm-workspace.yaml') walk('overrides', '', o['overrides'], 0);
  else {
    walk('overrides', '', o['overrides'], 0);
    walk('resolutions', '', o['resolutions'], 0);
    walk('pnpm.overrides', '', isObj(o['pnpm']) ? o['pnpm']['overrides'] : undefined, 0);
  }
  return out;
}

/** The name an override key forces: npm `a > b`, pnpm `a@1>b@2`, yarn `**\/b` or `a/@s/b@^1` → `b` / `@s/b`. */
function forcedName(key: string): string {
  // The part after the last `>` (`split(/\s*>\s*/).pop()`, whose white-space runs backtracked on a hostile key).
  const rest = key.slice(key.indexOf(': ') + 2);
  const gt = rest.lastIndexOf('>');
  const seg = gt < 0 ? rest : rest.slice(gt + 1).replace(/^\s+/, '');
  // No package name is this long (npm allows 214 characters): past it the expression below would backtrack.
  if (seg.length > 1024) return seg;
  return /((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?$/.exec(seg)?.[1] ?? seg;
}

/** A spec that installs from outside the registry, or another package under the name (`npm:other@…`). */
function offRegistry(key: string, spec: string): boolean {
  if (spec.startsWith('$') || spec === '-' || spec === '') return false;
  const alias = parseAlias(spec);
  if (alias) return alias[0] !== forcedName(key);
  const kind = classifySpec(spec);
  return kind !== 'registry' && kind !== 'workspace';
}

/** A manifest value as a finding quotes it: URLs' credentials redacted, 200 characters at most. */
export const shown = (v: unknown) => (typeof v === 'string' ? redactUrls(v).slice(0, 200) : '(none)');

/**
 * Who runs a package.json's install scripts: every install (as the project's own, a workspace's or a folder's it
 * installs as a dependency), pnpm or yarn once a setting allows the folder's build, or none.
 */
type ScriptRunner = ProjectRole | 'nothing' | NonNullable<LinkedManifest['unbuilt']>;

/** What every install runs, by the folder's role: said as the package manager runs it. */
const RUN_AS: Readonly<Record<ProjectRole, string>> = {
  root: "The project's own install scripts run on every install",
  // npm runs a workspace's and a linked folder's lifecycle scripts as the root's (arborist rebuild.js, links too).
  workspace: "An install runs the lifecycle scripts of this workspace or linked folder as it does the project's own",
  // pnpm runPostinstallHooks, yarn 1 PackageInstallScripts, yarn 2+ extractBuildRequest: the three install hooks.
  dependency:
    'The package manager installs this folder as a dependency and runs its preinstall, install and postinstall (not prepare) on every install',
};

function scriptFinding(
  c: InstallFileChange,
  names: readonly string[],
  was: Json,
  now: Json,
  runs: ScriptRunner,
): Finding {
  const pairs = names.map((n) => `${n}: ${shown(was[n])} → ${shown(now[n])}`).join('; ');
  // Who runs the scripts on an install of the repository; undefined where none does.
  const runner = typeof runs === 'string' && runs !== 'nothing' ? RUN_AS[runs] : undefined;
  return {
    ruleId: 'CPU027',
    // A package.json that is neither a project root (lockfile beside it, or the repository root) nor a workspace —
    // a fixture, an example — runs its scripts only when someone installs in that folder; a folder pnpm or yarn
    // installs without building runs them only once someone allows its build: said, not alarmed.
    ...(runner !== undefined ? {} : { level: 'note' as const }),
    message:
      runner !== undefined
        ? `${c.path} ${pairs}. ${runner}, in CI with its secrets; review the command and what it fetches before merging.`
        : typeof runs === 'string' // 'nothing': every other role has a runner
          ? `${c.path} ${pairs}. No install of this repository runs it (the folder is neither a project with a lockfile nor a workspace); it runs only if someone installs in that folder.`
          : unbuiltMessage(c.path, pairs, runs),
    location: { path: c.path, line: lineOfKey(c.head!, names[0]!) },
    artifact: { kind: 'file', path: c.path },
    evidence: {
      scripts: names.join(' '),
      before: names.map((n) => `${n}=${shown(was[n])}`).join('\n'),
      after: names.map((n) => `${n}=${shown(now[n])}`).join('\n'),
    },
  };
}

/** A folder the package manager installs as a dependency without running its scripts, and what would enable them. */
function unbuiltMessage(path: string, pairs: string, { name, by }: NonNullable<LinkedManifest['unbuilt']>): string {
  // yarn 2+ holds a build back by its own settings (yarn-berry-builds.ts); every other block here is pnpm's.
  const yarn = by === 'enableScripts' || by === 'dependenciesMeta';
  const allow = yarn
    ? `\`enableScripts: true\` in .yarnrc.yml, \`dependenciesMeta\` built: true for ${name}`
    : `\`pnpm approve-builds\`, a build setting naming ${name}`;
  return `${path} ${pairs}. ${yarn ? 'yarn' : 'pnpm'} installs this folder as the dependency ${name} but does not run its install scripts (${BLOCKED_BY[by]}); they run once someone allows its build (${allow}), so review them before anyone does.`;
}

function overrideFinding(
  c: InstallFileChange,
  keys: readonly string[],
  was: ReadonlyMap<string, string>,
  now: ReadonlyMap<string, string>,
): Finding {
  const pairs = keys.map((k) => `${k}: ${shown(was.get(k))} → ${shown(now.get(k))}`);
  const first = keys[0]!;
  return {
    ruleId: 'CPU028',
    message: `${c.path} forces ${keys.length === 1 ? 'a package' : `${keys.length} packages`} off the registry: ${pairs.join('; ')}. Every resolution of the name, deep in the tree too, installs that instead. Restore the override from the base revision unless the new source was reviewed.`,
    location: { path: c.path, line: lineOfKey(c.head!, forcedKeyText(first)) },
    artifact: { kind: 'file', path: c.path },
    evidence: {
      overrides: keys.join('\n'),
      before: keys.map((k) => `${k}=${shown(was.get(k))}`).join('\n'),
      after: keys.map((k) => `${k}=${shown(now.get(k))}`).join('\n'),
    },
  };
}

const forcedKeyText = (k: string) =>
  k
    .slice(k.indexOf(': ') + 2)
    .split(' > ')
    .pop() ?? k;

/**
 * The 1-based line where `"key":` (JSON) or `key:` (YAML, in block or flow style, as in `<<: {overrides: {key: …}}`)
 * is written, or 1. A caller that looks up many keys passes the lines, split once.
 */
export function lineOfKey(text: string | readonly string[], key: string): number {
  const flow = (l: string) => [`{${key}:`, `{ ${key}:`, `, ${key}:`, `,${key}:`].some((k) => l.includes(k));
  const i = (typeof text === 'string' ? text.split('\n') : text).findIndex(
    (l) => l.includes(`"${key}"`) || l.trimStart().startsWith(`${key}:`) || l.includes(`'${key}'`) || flow(l),
  );
  return i < 0 ? 1 : i + 1;
}
