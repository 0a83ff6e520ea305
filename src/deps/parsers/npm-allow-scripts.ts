import semver from 'semver';
import type { DraftNode, ParsedLockfile } from '../types.js';
import { isRecord } from '../types.js';
import { classifySpec } from '../source.js';

/**
 * How the pinned npm gates install scripts with `allowScripts` (RFC npm/rfcs#868), in arborist's rebuild
 * (`#buildQueues`, on `isScriptAllowed` of arborist lib/script-allowed.js): npm 11.19–11.x skips a node only when
 * the policy denies it (`=== false`; an unreviewed one still runs), npm ≥ 12 runs a node only when the policy allows
 * it (`=== true`).
 */
export type AllowScriptsGate = 'deny' | 'allow';

/**
 * npm's `allowScripts`, as far as it stops a package's install scripts: `npm install` and `npm ci` read the policy
 * from the root package.json (`resolveAllowScripts`: the CLI flag is refused in a project, and `.npmrc`
 * `allow-scripts` only lists packages to allow and loses to package.json), and arborist's rebuild skips the lifecycle
 * scripts of a node the gate keeps out (`AllowScriptsGate`). A deny wins over any allow; an allow never widens the
 * policy's allowlist (the tree is untrusted). `--dangerously-allow-all-scripts` bypasses the gate: the stage does not
 * pass the policy when the repository's `.npmrc` or the environment sets it.
 *
 * Under npm ≥ 12 the package.json policy must list something: without one, `.npmrc` files outside the repository
 * (the user's, the global one) may allow anything, so nothing is taken as blocked. Entries the matcher cannot decide
 * offline (git, shorthands) count as allowing every package not from the registry and each registry package they name,
 * never as blocking one: a package is marked unbuilt only where npm surely skips it. A git dependency never is: its
 * scripts run when npm fetches it, before the gate (`preparedAtFetch`).
 *
 * Entries are matched the way `matches` does for the forms it can decide offline: a registry name (`pkg`, `pkg@*`),
 * exact versions (`pkg@1.2.3`, `pkg@1.0.0 || 1.0.1`, compared with the version of the lockfile's `resolved` URL,
 * never the entry's own), and a `file:` path or tarball URL equal to `resolved`. Ranges are dropped as
 * `validatePolicy` drops them; aliases match nothing; a dist-tag (`pkg@latest`) denies nothing (the newer matcher
 * refuses tags) but allows by name (the older one read it so).
 */
export function applyNpmAllowScripts(
  parsed: ParsedLockfile,
  allowScripts: unknown,
  gate: AllowScriptsGate = 'deny',
): ParsedLockfile {
  if (!isRecord(allowScripts)) return parsed;
  const entries = Object.entries(allowScripts)
    .filter((kv): kv is [string, boolean] => typeof kv[1] === 'boolean')
    .map(([k, v]) => ({ entry: parseEntry(k), allow: v }))
    .filter((e) => e.entry.type !== 'dropped');
  const denies = entries.filter((e) => !e.allow).map((e) => e.entry);
  const allows = entries.filter((e) => e.allow).map((e) => e.entry);
  if (gate === 'deny' ? denies.length === 0 : entries.length === 0) return parsed;
  if (!parsed.nodes.some((n) => n.hasInstallScript === true)) return parsed;
  const edgesIn = incomingSpecs(parsed);
  const nodes = parsed.nodes.map((node, i) => {
    if (node.hasInstallScript !== true || preparedAtFetch(node)) return node;
    const specs = edgesIn.get(i) ?? [];
    const blocked =
      gate === 'deny'
        ? node.bundled !== true && denies.some((e) => matches(node, specs, e, 'deny'))
        : notAllowed(node, specs, denies, allows);
    return blocked ? { ...node, buildDisabled: 'npmAllowScripts' as const } : node;
  });
  return { ...parsed, nodes };
}

/**
 * A git dependency runs its install scripts before any gate sees it: pacote's GitFetcher `#prepareDir` spawns `npm
 * install` in the clone when its package.json has a preinstall, install, postinstall, build, prepack or prepare
 * script, and that install runs the clone's own root lifecycle (lib/commands/install.js). Only `ignoreScripts` stops
 * it; `allowScripts` gates arborist's rebuild alone. npm 12.2.3 (`allow-git=all`) and 11.21.3 ran a git dependency's
 * postinstall and prepare while reporting its scripts "blocked because they are not covered by allowScripts".
 */
function preparedAtFetch(node: DraftNode): boolean {
  return node.source === 'git';
}

/**
 * npm ≥ 12: rebuild runs a node's scripts when it is a workspace or `isScriptAllowed` is `true`; a bundled node is
 * never allowed (`inBundle` → null). Folders and links (workspaces, `file:` directories) are left as they are.
 */
function notAllowed(
  node: DraftNode,
  specs: readonly EdgeIn[],
  denies: readonly Entry[],
  allows: readonly Entry[],
): boolean {
  if (node.source === 'workspace' || node.source === 'link' || !node.key.includes('node_modules/')) return false;
  if (node.bundled === true) return true;
  if (denies.some((e) => matches(node, specs, e, 'deny'))) return true;
  return !allows.some((e) => matches(node, specs, e, 'allow'));
}

/** The first npm that reads `allowScripts` (npm/cli 11.19.0, RFC npm/rfcs#868). */
const ALLOW_SCRIPTS_NPM = '11.19.0';
/** The first npm that runs only what `allowScripts` allows (rebuild's `isScriptAllowed(…) === true`). */
const ALLOW_ONLY_NPM = '12.0.0';

/**
 * How the npm a root package.json makes install reads `allowScripts`, if it makes one that reads it:
 * `devEngines.packageManager` naming npm with a range and `onFail` left at `error` (npm ≥ 10.9 `checkDevEngines`
 * refuses to install with another; `warn` and `ignore` let it go on), judged by the oldest npm the ranges admit.
 * Anything else installs with the runner's npm, which on Node 20 and 22 is npm 10: it ignores `allowScripts` and
 * runs every script, so a denial there must not hide a package's scripts (an attacker's `"evil": false` would
 * otherwise make chainproof look away while npm 10 runs them). A `packageManager: "npm@…"` pin is such an
 * "anything else": corepack runs that npm only where its npm shim is enabled, which `corepack enable` does not do by
 * default, and npm itself does not check the field.
 */
export function allowScriptsGate(root: Record<string, unknown> | undefined): AllowScriptsGate | undefined {
  const floor = devEnginesNpmFloor(root);
  if (floor === undefined || semver.lt(floor, ALLOW_SCRIPTS_NPM)) return undefined;
  return semver.gte(floor, ALLOW_ONLY_NPM) ? 'allow' : 'deny';
}

/** npm 12's default of `allow-git` and `allow-remote` ("none"): it fetches no git or tarball-URL dependency. */
const REFUSES_BY_DEFAULT_NPM = '12.0.0';

/**
 * The dependency sources the npm package.json pins refuses to fetch: npm ≥ 12 defaults `allow-git` and `allow-remote`
 * to "none" (npm 12.0.0 changelog, npm/cli#9466: "set them to \"all\" (or \"root\") to install git or user-supplied
 * tarball-URL dependencies"), and stops with EALLOWGIT / EALLOWREMOTE. `setting` gives the value the repository and
 * the environment set; a value other than "none" is taken as allowing (`root` allows the root's own). Without a
 * devEngines pin (corepack has no npm shim), the runner's npm installs, which may be older: nothing is refused.
 */
export function sourcesNpmRefuses(
  root: Record<string, unknown> | undefined,
  setting: (key: 'allow-git' | 'allow-remote') => string | undefined,
): ReadonlySet<'git' | 'tarball'> {
  const floor = devEnginesNpmFloor(root);
  const out = new Set<'git' | 'tarball'>();
  if (floor === undefined || semver.lt(floor, REFUSES_BY_DEFAULT_NPM)) return out;
  const refuses = (key: 'allow-git' | 'allow-remote') => (setting(key)?.trim().toLowerCase() ?? 'none') === 'none';
  if (refuses('allow-git')) out.add('git');
  if (refuses('allow-remote')) out.add('tarball');
  return out;
}

/** The oldest npm `devEngines.packageManager` lets install, when every npm entry makes npm refuse another. */
function devEnginesNpmFloor(root: Record<string, unknown> | undefined): string | undefined {
  const devEngines = root?.['devEngines'];
  const declared = isRecord(devEngines) ? devEngines['packageManager'] : undefined;
  const entries = (Array.isArray(declared) ? declared : [declared]).filter(isRecord).filter((e) => e['name'] === 'npm');
  let floor: string | undefined;
  for (const e of entries) {
    if (e['onFail'] === 'warn' || e['onFail'] === 'ignore') return undefined;
    const range = typeof e['version'] === 'string' ? semver.validRange(e['version']) : null;
    const min = range === null ? null : semver.minVersion(range);
    if (min === null) return undefined;
    if (floor === undefined || semver.lt(min, floor)) floor = min.version;
  }
  return floor;
}

type Entry =
  | { readonly type: 'registry'; readonly name: string; readonly versions: readonly string[] | undefined }
  | { readonly type: 'tag'; readonly name: string }
  | { readonly type: 'resolved'; readonly spec: string }
  | { readonly type: 'undecided'; readonly key: string }
  | { readonly type: 'dropped' };

const NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/i;

/**
 * npa(key) for the forms decided offline. `dropped`: what `validatePolicy` drops (ranges other than exact versions)
 * or npa refuses; `undecided`: a git or hosted key, or anything else this does not match as npm would.
 */
function parseEntry(key: string): Entry {
  const k = key.trim();
  if (/^file:/.test(k) || /^https?:\/\//i.test(k)) return { type: 'resolved', spec: k };
  const at = k.indexOf('@', k.startsWith('@') ? 1 : 0);
  const name = at < 0 ? k : k.slice(0, at);
  const spec = at < 0 ? '' : k.slice(at + 1).trim();
  if (!NAME.test(name)) return { type: 'undecided', key: k };
  if (spec === '' || spec === '*') return { type: 'registry', name, versions: undefined };
  // isExactVersionDisjunction: exact versions joined by `||`; a `version` key is its cleaned version.
  const versions = spec.split('||').map((p) => semver.valid(p.trim(), { loose: true }));
  if (versions.every((v): v is string => v !== null)) return { type: 'registry', name, versions };
  if (semver.validRange(spec, { loose: true }) !== null) return { type: 'dropped' };
  // npa reads any other spec a URI component leaves alone as a dist-tag, and refuses the rest (`Invalid tag name`).
  if (encodeURIComponent(spec) === spec) return { type: 'tag', name };
  return spec.startsWith('npm:') ? { type: 'dropped' } : { type: 'undecided', key: k };
}

function matches(node: DraftNode, edgeSpecs: readonly EdgeIn[], e: Entry, as: 'deny' | 'allow'): boolean {
  if (e.type === 'dropped') return false;
  if (e.type === 'resolved') return node.resolved === e.spec;
  // Said only so far as npm surely says it: an undecided key may allow what is not from the registry, or a registry
  // package whose name it holds (a name this reads otherwise than npm), but never denies.
  if (e.type === 'undecided') return as === 'allow' && (!isRegistryNode(edgeSpecs) || e.key.includes(node.name));
  // isRegistryNode → arborist's isRegistryDependency: every incoming edge's spec is a registry spec.
  if (!isRegistryNode(edgeSpecs)) return false;
  const trusted = trustedIdentity(node, edgeSpecs);
  if (trusted === undefined || trusted.name !== e.name) return false;
  if (e.type === 'tag') return as === 'allow';
  if (e.versions === undefined) return true;
  // matchRegistry: a key with versions matches nothing without a version from the resolved URL.
  if (trusted.version === undefined) return false;
  return e.versions.some((v) => semver.eq(trusted.version!, v, { loose: true }));
}

const isRegistryNode = (edgeSpecs: readonly EdgeIn[]) =>
  edgeSpecs.length > 0 && edgeSpecs.every((s) => isRegistrySpec(s.spec));

interface EdgeIn {
  readonly name: string;
  readonly spec: string;
}

function incomingSpecs(parsed: ParsedLockfile): Map<number, EdgeIn[]> {
  const out = new Map<number, EdgeIn[]>();
  const add = (edges: readonly { name: string; spec: string; target: number | undefined }[]) => {
    for (const e of edges)
      if (e.target !== undefined) {
        const list = out.get(e.target);
        if (list) list.push(e);
        else out.set(e.target, [e]);
      }
  };
  for (const imp of parsed.importers) add(imp.edges);
  for (const n of parsed.nodes) add(n.edges);
  return out;
}

/** npa(spec).registry: a range, version, tag or `npm:` alias; not a URL, path, git or workspace spec. */
function isRegistrySpec(spec: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && classifySpec(spec) === 'registry';
}

/** getTrustedRegistryIdentity: name and version from the resolved URL (versionFromTgz), else the name from an edge. */
function trustedIdentity(
  node: DraftNode,
  edgeSpecs: readonly EdgeIn[],
): { name: string; version: string | undefined } | undefined {
  const fromUrl = node.resolved !== undefined ? versionFromTgz(node.resolved) : undefined;
  if (fromUrl !== undefined) return fromUrl;
  const first = edgeSpecs[0];
  if (first === undefined) return undefined;
  // nameFromEdges: an alias names its real package, never the folder.
  const alias = /^npm:((?:@[^/@]+\/)?[^@]+)/.exec(first.spec);
  return { name: alias !== null ? alias[1]! : first.name, version: undefined };
}

/** arborist lib/version-from-tgz.js with an empty name: only the registry layout `…/<name>/-/<name>-<v>.tgz`. */
function versionFromTgz(url: string): { name: string; version: string } | undefined {
  if (!/^https?:\//.test(url)) return undefined;
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const base = pathname.slice(pathname.lastIndexOf('/') + 1);
  if (!base.endsWith('.tgz')) return undefined;
  const split = pathname.slice(1).split('/-/');
  if (split.length < 2 || split.pop() !== base) return undefined;
  const pre = (split.pop() ?? '').split(/\/|%2f/i);
  const project = pre.pop() ?? '';
  const scope = pre.pop();
  if (!base.startsWith(`${project}-`)) return undefined;
  const version = semver.parse(base.slice(project.length + 1, -4))?.version;
  if (version === undefined) return undefined;
  return { name: scope !== undefined && scope.startsWith('@') ? `${scope}/${project}` : project, version };
}
