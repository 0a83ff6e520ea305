import semver from 'semver';
import type { DraftNode, ParsedLockfile } from '../types.js';
import { isRecord } from '../types.js';
import { classifySpec } from '../source.js';

/**
 * npm ≥ 11.19's `allowScripts` (RFC npm/rfcs#868), as far as it stops a package's install scripts: `npm install` and
 * `npm ci` read the policy from the root package.json (`resolveAllowScripts`: the CLI flag is refused in a project,
 * and `.npmrc` `allow-scripts` only lists packages to allow, so only package.json can deny), and arborist's rebuild
 * (`#buildQueues`) skips the lifecycle scripts of a node for which `isScriptAllowed` (arborist
 * lib/script-allowed.js) is `false`: some entry matching it says `false` (a deny wins over any allow). An unreviewed
 * or allowed package still runs them, so only a denial changes a verdict, and an allow never widens the policy's
 * allowlist (the tree is untrusted). `--dangerously-allow-all-scripts` bypasses the gate: the stage does not pass
 * the policy when the repository's `.npmrc` or the environment sets it.
 *
 * Entries are matched the way `matches` does for the forms it can decide offline: a registry name (`pkg`, `pkg@*`),
 * exact versions (`pkg@1.2.3`, `pkg@1.0.0 || 1.0.1`, compared with the version of the lockfile's `resolved` URL,
 * never the entry's own), and a `file:` path or tarball URL equal to `resolved`. Ranges and dist-tags are dropped as
 * `validatePolicy` drops them; aliases match nothing. Git entries are not matched here: such a package keeps its
 * finding (never a silent pass).
 */
export function applyNpmAllowScripts(parsed: ParsedLockfile, allowScripts: unknown): ParsedLockfile {
  if (!isRecord(allowScripts)) return parsed;
  const denies = Object.entries(allowScripts)
    .filter(([, v]) => v === false)
    .map(([k]) => parseEntry(k))
    .filter((e): e is Entry => e !== undefined);
  if (denies.length === 0 || !parsed.nodes.some((n) => n.hasInstallScript === true)) return parsed;
  const edgesIn = incomingSpecs(parsed);
  const nodes = parsed.nodes.map((node, i) => {
    if (node.hasInstallScript !== true || node.bundled === true) return node;
    const specs = edgesIn.get(i) ?? [];
    return denies.some((e) => matches(node, specs, e)) ? { ...node, buildDisabled: 'npmAllowScripts' as const } : node;
  });
  return { ...parsed, nodes };
}

/** The first npm that reads `allowScripts` (npm/cli 11.19.0, RFC npm/rfcs#868). */
const ALLOW_SCRIPTS_NPM = '11.19.0';

/**
 * Whether the root package.json pins an npm that reads `allowScripts`, so that denials hold for whoever installs:
 * `packageManager: "npm@<version>"` (corepack runs exactly that npm), or `devEngines.packageManager` naming npm with
 * a range no older npm satisfies and `onFail` left at `error` (npm ≥ 10.9 `checkDevEngines` refuses to install with
 * another; `warn` and `ignore` let it go on). Anything else installs with the runner's npm, which on Node 20 and 22
 * is npm 10: it ignores `allowScripts` and runs every script, so a denial there must not hide a package's scripts
 * (an attacker's `"evil": false` would otherwise make chainproof look away while npm 10 runs them).
 */
export function pinsAllowScriptsNpm(root: Record<string, unknown> | undefined): boolean {
  const pm = typeof root?.['packageManager'] === 'string' ? /^npm@([^+\s]+)/.exec(root['packageManager'].trim()) : null;
  if (pm) return semver.valid(pm[1]) !== null && semver.gte(pm[1]!, ALLOW_SCRIPTS_NPM);
  const devEngines = root?.['devEngines'];
  const declared = isRecord(devEngines) ? devEngines['packageManager'] : undefined;
  const entries = (Array.isArray(declared) ? declared : [declared]).filter(isRecord).filter((e) => e['name'] === 'npm');
  return (
    entries.length > 0 &&
    entries.every((e) => {
      if (e['onFail'] === 'warn' || e['onFail'] === 'ignore') return false;
      const range = typeof e['version'] === 'string' ? semver.validRange(e['version']) : null;
      const min = range === null ? null : semver.minVersion(range);
      return min !== null && semver.gte(min, ALLOW_SCRIPTS_NPM);
    })
  );
}

type Entry =
  | { readonly type: 'registry'; readonly name: string; readonly versions: readonly string[] | undefined }
  | { readonly type: 'resolved'; readonly spec: string };

const NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/i;

/** npa(key) for the forms decided offline; undefined for what `validatePolicy` drops or this cannot decide. */
function parseEntry(key: string): Entry | undefined {
  const k = key.trim();
  if (/^file:/.test(k) || /^https?:\/\//i.test(k)) return { type: 'resolved', spec: k };
  const at = k.indexOf('@', k.startsWith('@') ? 1 : 0);
  const name = at < 0 ? k : k.slice(0, at);
  const spec = at < 0 ? '' : k.slice(at + 1).trim();
  if (!NAME.test(name)) return undefined;
  if (spec === '' || spec === '*') return { type: 'registry', name, versions: undefined };
  // isExactVersionDisjunction: exact versions joined by `||`; a `version` key is its cleaned version.
  const versions = spec.split('||').map((p) => semver.valid(p.trim(), { loose: true }));
  if (versions.some((v) => v === null)) return undefined;
  return { type: 'registry', name, versions: versions as string[] };
}

function matches(node: DraftNode, edgeSpecs: readonly EdgeIn[], e: Entry): boolean {
  if (e.type === 'resolved') return node.resolved === e.spec;
  // isRegistryNode → arborist's isRegistryDependency: every incoming edge's spec is a registry spec.
  if (edgeSpecs.length === 0 || !edgeSpecs.every((s) => isRegistrySpec(s.spec))) return false;
  const trusted = trustedIdentity(node, edgeSpecs);
  if (trusted === undefined || trusted.name !== e.name) return false;
  if (e.versions === undefined) return true;
  // Unverifiable version (no resolved URL): a deny still blocks (`failClosed`).
  if (trusted.version === undefined) return true;
  return e.versions.some((v) => semver.eq(trusted.version!, v, { loose: true }));
}

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
