import { readBerrySyml } from './berry-syml.js';
import type { DraftEdge, DraftImporter, DraftNode, Manifest, ParsedLockfile } from '../types.js';
import { LockfileError, errorLine, isRecord, splitDescriptor, str, strMap } from '../types.js';
import { yarnHeaderLines } from '../lines.js';
import { buildsDisabledBy } from './yarn-berry-builds.js';
import { classifyResolved } from '../source.js';
import type { Source } from '../source.js';
import { bindingParameter, cutTail } from '../../core/linear-text.js';

/**
 * `enableScripts: false` stops the build step of the project's install, not the preparation of a git dependency:
 * GitFetcher `cloneFromRemote` (and plugin-github's fetcher, on the repository's tarball) packs it with
 * `scriptUtils.prepareExternalProject`, which runs `yarn pack --install-if-needed` (or yarn 1's or npm's `install`
 * and `pack`) in a temporary folder — its dependencies' install scripts and its own prepack — with an environment
 * built without the project (`makeScriptEnv({binFolder})`), out of reach of the project's `.yarnrc.yml`.
 */
const GIT_PREPARED =
  "enableScripts: false does not stop it: yarn packs a git dependency its cache lacks by running an install and its prepack in a clone (prepareExternalProject), outside the project's .yarnrc.yml";

/**
 * yarn berry (2+) lockfiles, parsed with yarn's own `parseSyml`. Every entry except `__metadata` is a node,
 * workspace entries included (source `workspace`); they are also the importers. Berry records no download URL
 * for registry packages (only `::__archiveUrl=` when the registry layout is not standard) and its `checksum` is
 * yarn's cache-archive hash, not an SRI string.
 */
export function parseYarnBerry(
  file: string,
  text: string,
  manifests: Readonly<Record<string, Manifest>> | undefined,
  enableScripts = true,
): ParsedLockfile {
  let data: Record<string, unknown>;
  try {
    data = readBerrySyml(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new LockfileError(
      'LOCKFILE_SYNTAX',
      file,
      `not a valid yarn berry lockfile: ${firstLine(msg)}`,
      berryErrorLine(err, msg),
      { cause: err },
    );
  }
  const meta = data.__metadata;
  if (!isRecord(meta)) throw new LockfileError('LOCKFILE_SHAPE', file, 'yarn berry lockfile without __metadata', 1);
  const cacheKey = str(meta.cacheKey);
  const duplicateKeys: { key: string; line: number }[] = [];
  const headerLines = yarnHeaderLines(text, (key, line) => duplicateKeys.push({ key, line }));
  const byDescriptor = new Map<string, number>();
  const entries: { key: string; entry: Record<string, unknown> }[] = [];
  for (const [key, entry] of Object.entries(data)) {
    if (key === '__metadata') continue;
    const i = entries.length;
    entries.push({ key, entry: isRecord(entry) ? entry : {} });
    for (const d of key.split(',')) byDescriptor.set(d.trim(), i);
  }

  const rootEntry = entries.find(({ entry }) => str(entry.resolution)?.endsWith('@workspace:.'))?.entry;
  const buildDisabled = buildsDisabledBy(manifests?.[''], rootEntry, enableScripts);
  const importers: DraftImporter[] = [];
  const workspaceLocators = new Map<string, string>();
  const nodes: DraftNode[] = entries.map(({ key, entry }) => {
    const first = key.split(',')[0]!.trim();
    const resolution = str(entry.resolution) ?? first;
    const [name, reference] = splitDescriptor(resolution);
    const [keyName] = splitDescriptor(first);
    const source = berrySource(reference);
    const archiveUrl = bindingParameter(reference, '__archiveUrl', '&');
    const resolved = archiveUrl !== undefined ? safeDecode(archiveUrl) : urlOf(reference);
    // Project.setupResolutions builds the package from `parseLocator(resolution)`; `version` is only read into the
    // manifest. NpmSemverFetcher.getLocatorUrl downloads `semver.clean(reference)`: with yarn 4 and a loopback
    // registry, `version: 1.3.0` beside `resolution: "left-pad@npm:1.3.1"` installed left-pad 1.3.1.
    const field = str(entry.version) ?? '';
    const fetched = source === 'registry' ? npmReferenceVersion(reference) : undefined;
    const version = fetched ?? field;
    const checksum = str(entry.checksum);
    const notEnforced = checksum !== undefined ? checksumNotEnforced(checksum, cacheKey) : undefined;
    // A patched package is built like the one it patches (enableScripts and dependenciesMeta apply to both); a
    // `file:` folder or tarball is a hard-linked package built like any other (FileResolver / TarballFileResolver
    // `resolve`: `linkType: HARD`, then jsInstallUtils `extractBuildRequest`).
    const built = source === 'registry' || source === 'patch' || source === 'file';
    const disabled = built ? buildDisabled(name, version) : undefined;
    const optionalDeps = optionalByMeta(entry.dependenciesMeta);
    const edges: DraftEdge[] = Object.entries(strMap(entry.dependencies)).map(([dep, spec]) => ({
      name: dep,
      spec,
      kind: optionalDeps.has(dep) ? 'optional' : 'prod',
      target: byDescriptor.get(`${dep}@${spec}`) ?? byDescriptor.get(boundDescriptor(dep, spec, resolution)),
    }));
    const conditions = str(entry.conditions);
    if (source === 'workspace') {
      const wsPath = reference.slice('workspace:'.length).replace(/^\.\/?/, '');
      workspaceLocators.set(wsPath, resolution);
      importers.push({
        path: wsPath,
        declared: strMap(entry.dependencies),
        edges: withKinds(edges, manifests?.[wsPath]),
      });
    }
    return {
      name,
      version,
      ...(fetched !== undefined && fetched !== field ? { versionField: field } : {}),
      key,
      line: headerLines.get(first) ?? headerLines.get(key) ?? 1,
      ...(resolved !== undefined ? { resolved } : {}),
      ...(checksum !== undefined ? { integrity: checksum } : {}),
      ...(notEnforced !== undefined ? { integrityNotEnforced: notEnforced } : {}),
      source,
      ...(keyName !== name && keyName !== '' ? { alias: keyName } : {}),
      ...(disabled !== undefined ? { buildDisabled: disabled } : {}),
      edges: source === 'workspace' ? [] : edges,
      // Whether the conditions exempt the entry from a checksum depends on how it is reached (checks/integrity.ts);
      // as `platforms`, they say where the install scripts of an optional package run (deps/platforms.ts).
      ...(conditions !== undefined ? { conditions, platforms: conditions.slice(0, 200) } : {}),
    };
  });

  return {
    kind: 'yarn-berry',
    formatVersion: String(str(meta.version) ?? ''),
    ...(cacheKey !== undefined ? { cacheKey } : {}),
    ...(!enableScripts ? { sourceNotes: { git: GIT_PREPARED } } : {}),
    nodes,
    importers,
    ...(duplicateKeys.length > 0 ? { duplicateKeys } : {}),
    resolveDeclared: (importer, name, spec) => {
      const normal = /^[a-z]+:/i.test(spec) ? spec : `npm:${spec}`;
      const locator = workspaceLocators.get(importer);
      const hit =
        byDescriptor.get(`${name}@${normal}`) ??
        (locator !== undefined ? byDescriptor.get(boundDescriptor(name, spec, locator)) : undefined);
      if (hit !== undefined) return hit;
      return /^[\d^~<>=*xX| .-]/.test(spec) ? undefined : 'unknown';
    },
  };
}

/**
 * The descriptor yarn keys a dependency on a relative path under (`link:`, `portal:`, `file:`, `exec:`): the
 * resolvers' `bindDescriptor` (LinkResolver, PortalResolver, FileResolver, ExecResolver, via structUtils
 * `bindDescriptor`) add the parent's locator, so `l: "link:./x"` of `app@workspace:.` is locked as
 * `l@link:./x::locator=app%40workspace%3A.` (querystring-escaped, as in real lockfiles).
 */
function boundDescriptor(name: string, spec: string, parentLocator: string): string {
  return `${name}@${spec}::locator=${encodeURIComponent(parentLocator)}`;
}

/**
 * Why yarn will not compare a fetched archive with this checksum. `Project.setupResolutions` (@yarnpkg/core) prefixes
 * a bare checksum with the lockfile's `__metadata.cacheKey`; `Cache.fetchPackageFromCache` then treats a checksum
 * whose cache key differs from its own as written by an older cache format and replaces it with whatever it
 * downloaded (`checksumBehavior` becomes `update`, unless `--check-cache`). The yarn that wrote the lockfile has the
 * cache key of `__metadata`, so an entry whose prefix differs from it pins nothing.
 */
function checksumNotEnforced(checksum: string, cacheKey: string | undefined): string | undefined {
  const slash = checksum.indexOf('/');
  if (slash < 0 || cacheKey === undefined) return undefined;
  const key = checksum.slice(0, slash);
  return key === cacheKey ? undefined : `its checksum's cache key ${key} is not the lockfile's cacheKey ${cacheKey}`;
}

/** `npm:1.3.1::__archiveUrl=…` → `1.3.1` (the version NpmSemverFetcher / NpmHttpFetcher fetch); undefined if none. */
function npmReferenceVersion(reference: string): string | undefined {
  const v = /^npm:([^:]+)/i
    .exec(reference)?.[1]
    ?.trim()
    .replace(/^[=v]+/, '');
  return v === undefined || v === '' ? undefined : v;
}

/**
 * The dependencies an entry's `dependenciesMeta` marks `optional: true` (how berry records `optionalDependencies`).
 * Project.applyVirtualResolutionMutations (@yarnpkg/core) reads only the bare-name key
 * (`dependenciesMeta.get(ident).get(null)`), not `name@range` keys, when it decides an edge is optional.
 */
function optionalByMeta(meta: unknown): Set<string> {
  const out = new Set<string>();
  if (!isRecord(meta)) return out;
  for (const [dep, value] of Object.entries(meta)) {
    if (isRecord(value) && (value.optional === true || value.optional === 'true')) out.add(dep);
  }
  return out;
}

/** Workspace entries merge dev and prod dependencies; package.json tells them apart when available. */
function withKinds(edges: DraftEdge[], manifest: Manifest | undefined): DraftEdge[] {
  if (!manifest) return edges;
  return edges.map((e) =>
    manifest.dependencies?.[e.name] !== undefined
      ? e
      : manifest.devDependencies?.[e.name] !== undefined
        ? { ...e, kind: 'dev' as const }
        : manifest.optionalDependencies?.[e.name] !== undefined
          ? { ...e, kind: 'optional' as const }
          : e,
  );
}

function berrySource(reference: string): Source {
  const protocol = /^([a-z]+):/i.exec(reference)?.[1]?.toLowerCase();
  switch (protocol) {
    case 'npm':
      return 'registry';
    case 'workspace':
      return 'workspace';
    case 'patch':
      return 'patch';
    case 'link':
    case 'portal':
      return 'link';
    case 'file':
    case 'exec':
      return 'file';
    case 'git':
    case 'github':
    case 'git+ssh':
    case 'git+https':
      return 'git';
    case 'http':
    case 'https':
      return classifyResolved(cutTail(reference, '::')) === 'git' || reference.includes('#commit=') ? 'git' : 'tarball';
    case undefined:
    default:
      return 'unknown';
  }
}

/** The URL a tarball / git reference points at, without yarn's `::` parameters. */
function urlOf(reference: string): string | undefined {
  return /^(https?|git\+[a-z]+|git|ssh):/i.test(reference) ? cutTail(reference, '::') : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}

function berryErrorLine(err: unknown, msg: string): number | undefined {
  const mark = isRecord(err) && isRecord(err.mark) ? err.mark : undefined;
  const line = mark !== undefined && typeof mark.line === 'number' ? mark.line + 1 : undefined;
  return line ?? errorLine(msg);
}
