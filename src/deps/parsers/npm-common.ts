import type { DraftEdge, EdgeKind } from '../types.js';
import { forEachStr, isRecord, str } from '../types.js';
import { classifyResolved, isNpmFileTarball, type Source } from '../source.js';

/** Dependency maps of a package.json-like object and the edge kind each gives. */
export const DEP_FIELDS: readonly (readonly [string, EdgeKind])[] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
  ['devDependencies', 'dev'],
];

/**
 * Node's module resolution over lockfile locations: from folder `from`, look for `from/node_modules/name`, then
 * in each parent folder up to the root. Built once per lockfile; a lookup builds no key string where none can
 * match: on a 130k-package lockfile, concatenating and hashing a candidate key for every folder of every edge was
 * a second of the parse.
 */
export class NodeModulesIndex {
  private readonly byKey = new Map<string, number>();
  /** `node_modules/<name>` keys by `<name>`: the root folder's lookups. */
  private readonly top = new Map<string, number>();
  /** Folders `loc` with some key `loc/node_modules/…`: only these can answer below the root. */
  private readonly nested = new Set<string>();

  constructor(keys: readonly string[]) {
    keys.forEach((key, i) => {
      this.byKey.set(key, i);
      if (key.startsWith('node_modules/')) this.top.set(key.slice('node_modules/'.length), i);
      for (let j = key.indexOf('/node_modules/'); j > 0; j = key.indexOf('/node_modules/', j + 1))
        this.nested.add(key.slice(0, j));
    });
  }

  /** The index of lockfile key `key`. */
  get(key: string): number | undefined {
    return this.byKey.get(key);
  }

  /** Where `require(name)` from folder `from` lands, as Node searches (`Module._nodeModulePaths`). */
  resolve(from: string, name: string): number | undefined {
    if (this.nested.size === 0) return this.top.get(name);
    let loc = from;
    for (;;) {
      if (loc === '') return this.top.get(name);
      if (this.nested.has(loc)) {
        const hit = this.byKey.get(`${loc}/node_modules/${name}`);
        if (hit !== undefined) return hit;
      }
      const slash = loc.lastIndexOf('/');
      loc = slash < 0 ? '' : loc.slice(0, slash);
    }
  }
}

/** Edges for the dependency maps of `entry` (only the kinds in `kinds`), resolved from folder `from`. */
export function edgesOf(
  entry: Record<string, unknown>,
  kinds: readonly EdgeKind[],
  from: string,
  index: NodeModulesIndex,
): DraftEdge[] {
  const edges: DraftEdge[] = [];
  for (const [field, kind] of DEP_FIELDS) {
    if (!kinds.includes(kind)) continue;
    const deps = entry[field];
    if (!isRecord(deps)) continue;
    for (const name of Object.keys(deps)) {
      const spec = str(deps[name]);
      if (spec !== undefined) edges.push({ name, spec, kind, target: index.resolve(from, name) });
    }
  }
  // An exact-size copy: a pushed-to array keeps room for 17 elements, and most packages have a few edges.
  return edges.length === 0 ? NO_EDGES : edges.slice();
}

/** Shared by every entry without dependencies; frozen, so a push throws instead of adding to all of them. */
const NO_EDGES = Object.freeze([]) as unknown as DraftEdge[];

/**
 * name → spec of the edge the package manager installs for a name in several maps. Arborist's `Node[_loadDeps]`
 * adds peer, then prod, optional and (for top-level and workspace nodes) dev edges, each replacing the one before:
 * a library's `devDependencies: {x: "^1.3.5"}` beside `peerDependencies: {x: ">= 1.2.0"}` installs `^1.3.5`. Bun
 * reads a workspace's maps the same way.
 */
const DECLARED_ORDER = ['peerDependencies', 'dependencies', 'optionalDependencies', 'devDependencies'] as const;

export function declaredOf(entry: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of DECLARED_ORDER) {
    forEachStr(entry[field], (name, spec) => {
      out[name] = spec;
    });
  }
  return out;
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`; a folder key (`packages/x`) → undefined. */
export function nameFromKey(key: string): string | undefined {
  const i = key.lastIndexOf('node_modules/');
  if (i < 0 || (i > 0 && key[i - 1] !== '/')) return undefined;
  return key.slice(i + 'node_modules/'.length);
}

/** npm alias spec `npm:real@range` → [real, range]. */
export function parseAlias(spec: string): [string, string] | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const rest = spec.slice(4);
  const at = rest.indexOf('@', 1);
  return at < 0 ? [rest, ''] : [rest.slice(0, at), rest.slice(at + 1)];
}

/**
 * The source of an npm lockfile's `resolved` as npm reads it. Arborist does not take the value as a URL: loadVirtual
 * passes it through consistentResolve, which parses it with npm-package-arg (`npa(resolved, root)`), and reify
 * fetches what that names. So a value without a URL scheme is still installed: a path (`../x.tgz`, `/x`, `~/x`) is a
 * local file or folder relative to the project (npa isFileSpec / hasSlashes / isFileType → fromFile), `user/repo` a
 * GitHub shorthand (hosted-git-info isGitHubShorthand, tried before the path test) and `git@host:path` an ssh git
 * remote (npa isGit), `npm:other@1.0.0` an alias fetched from the registry (checks/sources.ts nameMismatch compares
 * it with the entry). Anything else npa calls a registry spec (`2.0.0`, `latest`, `evil@1.0.0`): consistentResolve
 * keeps its rawSpec and reify's #extractOrLink fetches `<entry name>@<that spec>` from the registry, whatever the
 * entry's `version` says (npmResolvedRegistrySpec). With npm 11.19 and a loopback registry, `npm ci` installed b@2.0.0
 * for a `b` entry of version 1.0.0 resolved to `2.0.0` or `latest`: 'registry'.
 */
export function npmResolvedSource(resolved: string | undefined): Source | undefined {
  const source = classifyResolved(resolved);
  if (source !== 'unknown' || resolved === undefined) return source;
  // npa: isURL comes first; a one-letter scheme is a Windows drive (isPosixFile's `[a-zA-Z]:`), `npm:` an alias
  // (isAliasSpec): pacote's RegistryFetcher installs the version it names of another package from the registry.
  if (/^[a-z]:/i.test(resolved)) return 'file';
  if (/^npm:/i.test(resolved)) return 'registry';
  // npa's isURL (`/^(?:git[+])?[a-z]+:/i`) values go to `new URL` (fromURL), which needs no `//` after an http(s)
  // scheme and reads `\` as `/`: `https:evil.example/x.tgz` is a remote tarball on evil.example, and npm 11.19
  // fetched `http:127.0.0.1:<port>/…` from that host. Classified as the URL npm fetches, not as no source at all.
  if (/^https?:/i.test(resolved)) return classifyResolved(whatwgHref(resolved)) ?? 'unknown';
  if (NPA_URL.test(resolved)) return 'unknown';
  if (/^[^@]+@[^:.]+\.[^:]+:.+$/i.test(resolved)) return 'git';
  if (/^(?:\.|~\/|\/)/.test(resolved)) return 'file';
  if (isGitHubShorthand(resolved)) return 'git';
  if (resolved.includes('/') || isNpmFileTarball(resolved)) return 'file';
  return 'registry';
}

/**
 * The spec npm installs the entry at when its `resolved` is a registry spec, not a URL, path or git remote: what
 * arborist's consistentResolve keeps of `npa(resolved)` — the rawSpec after a `name@` (the name is dropped; `*` when
 * empty), else the whole value (npa reads `2.0.0`, `latest` as a package name with spec `*`, and consistentResolve
 * then returns the raw value; `^1.0.0` is no valid name, so it is the spec itself). Undefined for any other value.
 */
export function npmResolvedRegistrySpec(resolved: string | undefined): string | undefined {
  if (resolved === undefined || resolved === '' || /^npm:/i.test(resolved)) return undefined;
  if (npmResolvedSource(resolved) !== 'registry' || NPA_URL.test(resolved)) return undefined;
  const at = resolved.indexOf('@', 1);
  return at < 0 ? resolved : resolved.slice(at + 1) || '*';
}

/** npm-package-arg's isURL: a value npa reads with `new URL`, never as a registry spec or a path. */
const NPA_URL = /^(?:git\+)?[a-z]+:/i;

/** The WHATWG form of a URL (what npa and fetch read), or the value itself when it is none. */
function whatwgHref(value: string): string {
  try {
    return new URL(value).href;
  } catch {
    return value;
  }
}

/** hosted-git-info's isGitHubShorthand (from-url.js): `user/repo[#committish]`, nothing before `#` that says otherwise. */
function isGitHubShorthand(arg: string): boolean {
  const hash = arg.indexOf('#');
  const head = hash < 0 ? arg : arg.slice(0, hash);
  const slash = head.indexOf('/');
  return (
    slash > 0 && head.indexOf('/', slash + 1) < 0 && !/[\s@:]/.test(head) && !head.endsWith('/') && !arg.startsWith('.')
  );
}
