import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { posix } from 'node:path';
import type { DraftEdge, DraftImporter, DraftLocalRef, DraftNode, ParseOptions, ParsedLockfile } from '../types.js';
import { LockfileError, isRecord, refuseDeepLockfile, splitDescriptor, str } from '../types.js';
import { jsonPropertyLines, lineAt } from '../lines.js';
import { classifyResolved, classifySpec } from '../source.js';
import { DEP_FIELDS, declaredOf } from './npm-common.js';
import { BUN_DEFAULT_TRUSTED } from './bun-default-trusted.js';
import { readBunFirstWins } from './bun-first-wins.js';
import { bunTrustedNameHash } from './bun-name-hash.js';
import { platformsOf } from '../platforms.js';

/**
 * `lockfileVersion` values Bun's text lockfile has used (bun.lock.rs `Version::from_int`): 0 = v1.1.39–1.1.x, 1 = 1.2+
 * (workspace tuples lose their dependency object), 2 = the same content parsed more strictly (an off-registry npm
 * tarball must carry an integrity; a git `.bun-tag` must be a safe path), 3 = `overrides` values may be objects
 * (scoped rules). The `packages` tuples read here are the same in all four.
 */
const KNOWN_VERSIONS = new Set([0, 1, 2, 3]);

/**
 * Bun's text lockfile `bun.lock` (JSONC: comments and trailing commas). Follows Bun's own writer
 * (src/install/lockfile/bun.lock.zig, `Stringifier.saveFromBinary`): `workspaces` maps a folder ('' = root) to its
 * package.json dependencies; `packages` maps a key — a name, or `parent/child` for a second version under one
 * dependant — to a tuple whose first element is `name@resolution`:
 *   npm [id, registry ('' = default), INFO, integrity] · tarball [id, INFO, integrity?] · git/github
 *   [id, INFO, bun-tag, integrity?] · link:/file: [id, INFO] · workspace: [id] (a project, not a package).
 * Name and version come from the tuple, never the key: the key is where the package sits, and may be an alias.
 */
export function parseBun(file: string, text: string, options: ParseOptions = {}): ParsedLockfile {
  // The binary lockfile of Bun < 1.2 (bun.lockb, header `bun-lockfile-format-v0`) is Bun's in-memory layout: not read,
  // so every dependency it locks is unchecked, which CPD001 reports rather than a silent pass.
  if (file.endsWith('.lockb') || text.slice(0, 64).includes('bun-lockfile-format-v')) {
    throw new LockfileError(
      'LOCKFILE_UNSUPPORTED',
      file,
      'binary bun.lockb is not read, so none of its dependencies were checked; run `bun install --save-text-lockfile` (Bun ≥ 1.2) and commit bun.lock',
      1,
    );
  }
  let data = parseLockJsonc(file, text);
  let duplicateKeys: { key: string; line: number }[] = [];
  let lines = jsonPropertyLines(
    text,
    (path, prop) =>
      path.length === 1 && (path[0] === 'packages' || path[0] === 'workspaces' || path[0] === 'patchedDependencies')
        ? `${String(path[0])}\0${prop}`
        : path.length === 0
          ? `\0${prop}`
          : undefined,
    (key) => duplicateKeys.push({ key, line: 0 }),
  );
  // A repeated key: read it as Bun does (the first copy, or a refusal), not as JSON.parse does (the last).
  if (duplicateKeys.length > 0) ({ data, lines, duplicateKeys } = readBunFirstWins(file, text));
  const version = data.lockfileVersion;
  if (typeof version !== 'number' || !KNOWN_VERSIONS.has(version)) {
    throw new LockfileError(
      'LOCKFILE_UNSUPPORTED',
      file,
      `lockfileVersion ${JSON.stringify(version) ?? 'missing'} is not one Bun's text lockfile has used (0 to 3)`,
      lines.get('\0lockfileVersion') ?? 1,
    );
  }
  const pk = isRecord(data.packages) ? data.packages : {};
  // Bun builds the root package from `workspaces[""]` and refuses a lockfile without it (parseIntoBinaryLockfile:
  // "Missing a workspaces object property", "Expected root package"): a frozen install stops, a plain one resolves
  // everything afresh, so nothing in the file is what installs.
  const ws = data.workspaces;
  if (!isRecord(ws) || !isRecord(ws[''])) {
    throw new LockfileError(
      'LOCKFILE_SHAPE',
      file,
      `${isRecord(ws) ? 'no root package ("") in workspaces' : 'no workspaces object'}: Bun refuses such a lockfile, so a frozen install stops and a plain one resolves every dependency afresh`,
      lines.get(isRecord(ws) ? '\0workspaces' : '\0lockfileVersion') ?? 1,
    );
  }

  // Workspace tuples name projects: keep name → folder for resolving `workspace:` specs, but they are not packages.
  const keys = Object.keys(pk).filter((k) => !isProject(pk[k]));
  const index = new Map(keys.map((k, i) => [k, i]));
  const trusted = trustedOf(options.manifests?.[''], data);
  const nodes: DraftNode[] = keys.map((key) => {
    const node = toNode(key, pk[key], lines.get(`packages\0${key}`) ?? 1, index);
    return trustedBuild(node, trusted);
  });
  const importers: DraftImporter[] = Object.keys(ws).map((path) => {
    const entry = isRecord(ws[path]) ? ws[path] : {};
    const edges: DraftEdge[] = [];
    for (const [field, kind] of DEP_FIELDS) {
      const deps = isRecord(entry[field]) ? entry[field] : {};
      for (const [name, spec] of Object.entries(deps)) {
        if (typeof spec === 'string') edges.push({ name, spec, kind, target: resolve([], name, index) });
      }
    }
    return { path, declared: declaredOf(entry), edges };
  });
  const localRefs = patchFiles(data, lines);
  return {
    kind: 'bun',
    formatVersion: String(version),
    nodes,
    importers,
    resolveDeclared: (_importer, name, spec) =>
      /^(workspace|link|file):/.test(spec) ? 'unknown' : resolve([], name, index),
    ...(duplicateKeys.length > 0 ? { duplicateKeys, duplicateKept: 'first' as const } : {}),
    ...(localRefs.length > 0 ? { localRefs } : {}),
  };
}

/**
 * The patch files bun.lock's top-level `patchedDependencies` (`name@version` → path) applies at install. Bun reads
 * each at the project folder joined with the path (patch_install.zig `PatchTask.apply` and `calcHash`:
 * `bun.path.joinZBuf(&.{ project_dir, patchfile_path })`, a join that keeps a leading `/` of the second part under
 * the first), so an absolute path names a file inside the project and only `../` leaves it: the path is kept
 * relative to the lockfile's folder here.
 */
function patchFiles(data: Record<string, unknown>, lines: ReadonlyMap<string, number>): DraftLocalRef[] {
  if (!isRecord(data.patchedDependencies)) return [];
  const out: DraftLocalRef[] = [];
  for (const [name, v] of Object.entries(data.patchedDependencies)) {
    if (typeof v !== 'string' || v === '') continue;
    const slashed = v.replace(/\\/g, '/');
    const path = slashed.startsWith('/') ? posix.normalize(`.${slashed}`) : slashed;
    const line = lines.get(`patchedDependencies\0${name}`) ?? lines.get('\0patchedDependencies') ?? 1;
    out.push({ kind: 'patch', name, path, line });
  }
  return out;
}

/**
 * Bun runs a dependency's lifecycle scripts only when it is trusted (`Lockfile.hasTrustedDependency`, asked by the
 * installers with the dependency's own name — the alias it is installed under, not the package's name): with a
 * `trustedDependencies` list (the root package.json's; bun.lock repeats it at the top level) only the listed names,
 * `[]` none, whatever the resolution; without one, only names on Bun's built-in list (bun-default-trusted.ts), which
 * newer Bun applies to npm resolutions alone and older Bun to every one. A package from git, a tarball or a folder
 * that neither trusts is built by no Bun.
 */
function trustedBuild(node: DraftNode, trusted: TrustedList | undefined): DraftNode {
  // The folder (alias) is the name Bun asks about; the package's own name is asked too, so a doubt builds.
  const names = node.alias !== undefined ? [node.alias, node.name] : [node.name];
  if (trusted === undefined)
    return names.some((n) => BUN_DEFAULT_TRUSTED.has(n)) ? node : { ...node, buildDisabled: 'bunDefaultTrusted' };
  if (names.some((n) => trusted.names.has(n))) return node;
  // The list is kept and asked as 32-bit name hashes by Bun 1.2 (bun-name-hash.ts), the built-in list by name: a
  // name the list does not hold but whose hash it does is trusted all the same, and said so (CPD170).
  for (const name of names) {
    const listed = trusted.hashes.get(bunTrustedNameHash(name));
    if (listed !== undefined) return { ...node, trustedByHash: { name, listed } };
  }
  return { ...node, buildDisabled: 'trustedDependencies' };
}

/** A `trustedDependencies` list: its names, and Bun's hash of each with the first name that has it. */
interface TrustedList {
  readonly names: ReadonlySet<string>;
  readonly hashes: ReadonlyMap<number, string>;
}

/** The `trustedDependencies` list in effect (the root package.json's, else the copy bun.lock keeps). */
function trustedOf(
  root: { trustedDependencies?: unknown } | undefined,
  data: Record<string, unknown>,
): TrustedList | undefined {
  const list = Array.isArray(root?.trustedDependencies)
    ? root.trustedDependencies
    : Array.isArray(data.trustedDependencies)
      ? data.trustedDependencies
      : undefined;
  if (list === undefined) return undefined;
  const names = list.filter((n): n is string => typeof n === 'string');
  const hashes = new Map<number, string>();
  for (const n of names) {
    const h = bunTrustedNameHash(n);
    if (!hashes.has(h)) hashes.set(h, n);
  }
  return { names: new Set(names), hashes };
}

function toNode(key: string, raw: unknown, line: number, index: ReadonlyMap<string, number>): DraftNode {
  const tuple = Array.isArray(raw) ? (raw as unknown[]) : [];
  const [name, resolution] = splitDescriptor(str(tuple[0]) ?? key);
  const kind = resolutionKind(resolution);
  // Where INFO and the integrity sit depends on the resolution (see parseBun).
  const info = kind === 'npm' ? tuple[2] : tuple[1];
  const integrity = str(kind === 'npm' ? tuple[3] : kind === 'git' ? tuple[3] : kind === 'tarball' ? tuple[2] : '');
  const registry = kind === 'npm' ? str(tuple[1]) : undefined;
  const resolved =
    kind === 'npm'
      ? registry !== ''
        ? registry
        : undefined
      : kind === 'git'
        ? gitFetched(resolution, str(tuple[2]))
        : resolution;
  // A local tarball is written as its bare path (`x@vendor/x.tgz`, Resolution.local_tarball): not a GitHub shorthand.
  const source =
    kind === 'npm'
      ? (classifyResolved(registry) ?? 'registry')
      : kind === 'tarball' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(resolution)
        ? 'file'
        : classifySpec(resolution);
  const path = keyPath(key);
  const at = path[path.length - 1] ?? key;
  const meta = isRecord(info) ? info : {};
  const edges: DraftEdge[] = [];
  for (const [field, edgeKind] of DEP_FIELDS) {
    const deps = isRecord(meta[field]) ? meta[field] : {};
    for (const [dep, spec] of Object.entries(deps)) {
      if (typeof spec === 'string') edges.push({ name: dep, spec, kind: edgeKind, target: resolve(path, dep, index) });
    }
  }
  // bun.lock.zig: `os` and `cpu` of every entry but a workspace are read into Package.Meta (`libc` is not).
  const platforms = /^workspace:/.test(resolution) ? undefined : platformsOf(meta, BUN_PLATFORM_FIELDS);
  return {
    name,
    version: kind === 'npm' ? resolution : '',
    key,
    line,
    // Bun 1.4.5 writes `hasInstallScript` for a `file:` folder with lifecycle scripts and for a registry package
    // whose metadata says so (measured: esbuild); Bun 1.2.0 writes none: only its presence says something. A package
    // it marks is judged here (CPD012), and the registry stage does not judge it again (CPD136).
    ...(meta.hasInstallScript === true ? { hasInstallScript: true } : {}),
    ...(platforms !== undefined ? { platforms } : {}),
    ...(resolved !== undefined ? { resolved } : {}),
    ...(integrity !== undefined && integrity !== '' ? { integrity } : {}),
    ...(integrity !== undefined && /\S\s+\S/.test(integrity.trim()) ? { integrityNotEnforced: SEVERAL_HASHES } : {}),
    source: source === 'unknown' && kind === 'npm' ? 'registry' : source,
    ...(at !== name ? { alias: at } : {}),
    edges,
  };
}

/**
 * Bun reads one `sha…-<base64>` value (integrity.zig `Integrity.parse`: the algorithm before the first `-`, then the
 * rest base64-decoded), and a value it cannot decode — several space-separated hashes, as SRI allows and npm's ssri
 * reads — is no integrity at all (`Tag.unknown`; newer Bun: "Unsupported or malformed integrity hash; ignoring").
 */
const SEVERAL_HASHES =
  'Bun reads a single hash and ignores a value holding several (Integrity.parse), so the tarball is installed unchecked';

/** The platform fields bun reads from a bun.lock entry (Negatable `fromJson` into `meta.os` / `meta.arch`). */
const BUN_PLATFORM_FIELDS = ['os', 'cpu'] as const;

type ResolutionKind = 'npm' | 'git' | 'tarball' | 'local';

/**
 * What Bun fetches for a git or github entry, as a location whose `#` names the ref. A `git+` repository is cloned
 * and the tuple's third element (the `.bun-tag`, read into `Repository.resolved`) is checked out
 * (`enqueueGitForCheckout`), whatever the first element's `#` says. A `github:` one is downloaded from
 * `api.github.com/repos/<owner>/<repo>/tarball/<committish>` with the committish of the first element
 * (`allocGitHubURL`); Bun's own writer puts the commit there (`Repository.Formatter`: the `.bun-tag` after its last
 * `-`, a short hex id for GitHub's `owner-repo-<sha>`).
 */
function gitFetched(resolution: string, bunTag: string | undefined): string {
  if (!/^git\+/i.test(resolution)) return resolution;
  const hash = resolution.lastIndexOf('#');
  const repo = hash < 0 ? resolution : resolution.slice(0, hash);
  return bunTag === undefined || bunTag === '' ? repo : `${repo}#${bunTag}`;
}

function resolutionKind(resolution: string): ResolutionKind {
  if (/^(git\+|github:|gitlab:|bitbucket:|git:)/i.test(resolution)) return 'git';
  if (/^(link|file|workspace|root):/.test(resolution)) return 'local';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(resolution) || /\.(tgz|tar\.gz)$/i.test(resolution)) return 'tarball';
  return 'npm';
}

function isProject(raw: unknown): boolean {
  const id = Array.isArray(raw) ? str(raw[0]) : undefined;
  return id !== undefined && /^(workspace|root):/.test(splitDescriptor(id)[1]);
}

/** `parent/@s/child` → ['parent', '@s/child']: a key is a path of package names, scoped names keep their `/`. */
function keyPath(key: string): string[] {
  const out: string[] = [];
  const parts = key.split('/');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    out.push(p.startsWith('@') && i + 1 < parts.length ? `${p}/${parts[++i]!}` : p);
  }
  return out;
}

/** Bun's hoisting, like node_modules: `a/b/dep`, then `a/dep`, then `dep`. */
function resolve(from: readonly string[], name: string, index: ReadonlyMap<string, number>): number | undefined {
  for (let n = from.length; n >= 0; n--) {
    const hit = index.get([...from.slice(0, n), name].join('/'));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** JSONC as Bun writes and reads it: comments and trailing commas allowed, nothing else. */
function parseLockJsonc(file: string, text: string): Record<string, unknown> {
  refuseDeepLockfile(file, text);
  const errors: ParseError[] = [];
  const data: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined) {
    throw new LockfileError(
      'LOCKFILE_SYNTAX',
      file,
      `not valid JSONC: ${printParseErrorCode(first.error)}`,
      lineAt(text, first.offset),
    );
  }
  if (!isRecord(data)) throw new LockfileError('LOCKFILE_SHAPE', file, 'the top level is not a JSON object', 1);
  return data;
}
