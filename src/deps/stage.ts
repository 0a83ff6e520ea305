import type { Finding } from '../core/finding.js';
import type { DiscoveredFile } from '../core/files.js';
import type { ScanContext } from '../core/context.js';
import { Readable } from 'node:stream';
import type { DependencyGraph, PackageNode } from '../core/records.js';
import type { TarballFacts } from '../registry/tarball.js';
import { checkLocalTarballs, localTarballsOf } from './checks/local-tarballs.js';
import {
  builtFoldersOf,
  checkFolderScripts,
  folderScripts,
  type BuiltFolder,
  type FolderScripts,
} from './checks/folder-scripts.js';
import type { LocalTarball, LocalTarballFacts } from './checks/local-tarballs.js';
import type { Notification, Stage, StageInput, StageOutput } from '../core/stage.js';
import { errorMessage } from '../core/errors.js';
import { LOCKFILE_FORMATS } from '../discover/catalogue/index.js';
import { checkDependencies, patchUsesOf, toCheckPolicy } from './checks/index.js';
import { unreachedEntries } from './checks/unreached.js';
import { scopeBypassedLines } from './checks/scope-registry.js';
import type { LoadedManifest } from './checks/sync.js';
import { toDependencyGraph } from './graph.js';
import { parseLockfileOnDemand } from './parsers/index.js';
import { checkRepoNpmrc, committedCredentials, type RepoNpmrc } from './checks/npmrc.js';
import { pnpmWorkspaceRegistries, workspaceRegistryEntries } from './parsers/pnpm-workspace-registries.js';
import {
  loadedPnpmfiles,
  pluginPnpmfileFindings,
  pnpmfileFinding,
  unreviewedPnpmfileFinding,
  unreviewedPnpmfiles,
} from './checks/pnpmfile.js';
import { checkRepoYarnrc, yarnrcCredentials, type RepoYarnrc } from './checks/yarnrc.js';
import { effectiveYarnrcs, enableScriptsOf, loadRepoYarnrcs, mergeYarnrcs } from './yarnrc-files.js';
import { npmrcFromEntries, npmrcFromEnv, parseNpmrc, type NpmrcConfig } from './npmrc.js';
import { configFileOf, credentialFileOf, type ConfigFile } from './credential-files.js';
import {
  MAX_LOCKFILE_BYTES,
  MAX_MANIFEST_BYTES,
  MAX_NPMRC_BYTES,
  dirOf,
  joinRel,
  readBounded,
  toLoadedManifest,
  workspaceDirs,
  workspaceGlobs,
  workspaceMatcher,
} from './read.js';
import type { YarnScalar } from './parsers/yarn-v1-syntax.js';
import type { DraftNode, Manifest, ParsedLockfile } from './types.js';
import { LockfileError } from './types.js';
import { lockfilesNotRead } from './lockfile-precedence.js';
import { checkUnlockedManifests, lockedBy, type LockedProject } from './checks/unlocked-manifests.js';
import { sourcesNpmRefuses } from './parsers/npm-allow-scripts.js';

/** A project manifest by the exact name npm, yarn, pnpm and bun read. */
const PACKAGE_JSON = /(^|\/)package\.json$/;

/**
 * The dependency stage: every lockfile (including a file only *named* like one) is read, parsed into a
 * DependencyGraph and checked offline against the policy, the trusted registry's malicious list, the .npmrc
 * registries and the package.json files beside it. A lockfile that cannot be read or parsed is a CPD001 finding;
 * the other lockfiles are still scanned.
 */
export const depsStage: Stage = {
  name: 'deps',
  async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    const candidates = input.files.filter(
      (f) => LOCKFILE_FORMATS.has(f.format) || (f.claimed !== undefined && LOCKFILE_FORMATS.has(f.claimed)),
    );
    // A lockfile the package manager never reads is said once and not judged (deps/lockfile-precedence.ts).
    const notRead = lockfilesNotRead(candidates, byPath);
    const lockfiles = candidates.filter((f) => !notRead.ignored.has(f.path));
    // The exact name every package manager reads (as app/stages.ts `hasWork`): `template-package.json` is data.
    const manifestFiles = new Map(input.files.filter((f) => PACKAGE_JSON.test(f.path)).map((f) => [f.path, f]));
    // The `npm_config_*` settings are the scan's environment, the same for every lockfile: read once.
    const envNpmrc = npmrcFromEnv(ctx.options.env);
    ctx.progress.start('lockfiles', lockfiles.length);
    const results = await Promise.all(
      lockfiles.map((file) =>
        ctx.limit(async () => {
          const r = await scanLockfile(file, byPath, manifestFiles, envNpmrc, ctx).catch(
            (err: unknown): LockfileResult => ({
              findings: [unparseable(file, errorMessage(err), undefined)],
              graphs: [] as DependencyGraph[],
              notifications: [] as Notification[],
            }),
          );
          ctx.progress.tick();
          return r;
        }),
      ),
    );
    ctx.progress.done();
    // A .yarnrc.yml shared by several yarn.lock files is reported once.
    const yarnrcs = mergeYarnrcs(results.flatMap((r) => r.yarnrcs ?? []));
    const allowed = toCheckPolicy(ctx.policy, ctx.registry, []).allowedRegistries;
    return {
      findings: [
        ...results.flatMap((r) => r.findings),
        ...checkRepoYarnrc(yarnrcs, allowed),
        ...oversizedConfigs(input.files),
        ...(await configCredentials(input.files, ctx)),
        ...(await unlockedManifests(manifestFiles, candidates, byPath, ctx)),
      ],
      graphs: results.flatMap((r) => r.graphs),
      notifications: [...notRead.notifications, ...results.flatMap((r) => r.notifications)],
    };
  },
};

/**
 * The package.json files no lockfile covers (checks/unlocked-manifests.ts), read bounded; one that cannot be read
 * was a project nobody installs from, or is reported by the stage that reads it (the lockfile's, when there is one).
 */
async function unlockedManifests(
  manifestFiles: ReadonlyMap<string, DiscoveredFile>,
  lockfiles: readonly DiscoveredFile[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
): Promise<Finding[]> {
  // A package.json beside a lockfile is that lockfile's project; the workspace lists are read only for one that lies
  // below a lockfile's folder.
  const lockDirs = new Set(lockfiles.map((f) => dirOf(f.path)));
  let projects: LockedProject[] | undefined;
  const loaded: LoadedManifest[] = [];
  for (const [path, f] of [...manifestFiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (lockDirs.has(dirOf(path))) continue;
    projects ??= await lockedProjects(lockfiles, manifestFiles, byPath, ctx);
    if (lockedBy(path, projects)) continue;
    const text = await readManifestText(ctx, f);
    const m = text === undefined ? undefined : toLoadedManifest('', path, text);
    if (m !== undefined) loaded.push(m);
  }
  return checkUnlockedManifests(loaded, toCheckPolicy(ctx.policy, ctx.registry, []));
}

// The scan's package.json (and pnpm-workspace.yaml) texts, read once however many checks ask: the lockfile reading
// and the unlocked-manifest check both want a root's workspaces (test/app/io-edge.test.ts counts the opens).
const manifestTexts = new WeakMap<ScanContext, Map<string, Promise<string | undefined>>>();

/** A manifest's text read bounded, once per scan; undefined when it cannot be read. */
function readManifestText(ctx: ScanContext, f: DiscoveredFile): Promise<string | undefined> {
  let texts = manifestTexts.get(ctx);
  if (!texts) manifestTexts.set(ctx, (texts = new Map<string, Promise<string | undefined>>()));
  let text = texts.get(f.path);
  if (!text) texts.set(f.path, (text = readBounded(ctx.files, f, MAX_MANIFEST_BYTES).catch(() => undefined)));
  return text;
}

/**
 * Each lockfile's folder with the workspaces its project lists: the package.json `workspaces` globs (npm, yarn, bun)
 * and pnpm-workspace.yaml `packages` (pnpm), `!` globs excluding. A file that cannot be read lists none, so its
 * folders below are judged as projects of their own.
 */
async function lockedProjects(
  lockfiles: readonly DiscoveredFile[],
  manifestFiles: ReadonlyMap<string, DiscoveredFile>,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
): Promise<LockedProject[]> {
  const read = async (f: DiscoveredFile | undefined) => (f === undefined ? undefined : readManifestText(ctx, f));
  const out: LockedProject[] = [];
  for (const dir of new Set(lockfiles.map((f) => dirOf(f.path)))) {
    const manifest = await read(manifestFiles.get(joinRel(dir, 'package.json')));
    const globs = workspaceGlobs(manifest === undefined ? undefined : toLoadedManifest('', '', manifest)?.data);
    const pnpm = await read(byPath.get(joinRel(dir, 'pnpm-workspace.yaml')));
    if (pnpm !== undefined) globs.push(...(await import('./parsers/pnpm-workspace.js')).pnpmWorkspacePackages(pnpm));
    out.push({ dir, lists: workspaceMatcher(globs) });
  }
  return out;
}

/** The repository configuration files npm, yarn, bun and pnpm read whatever their size, with the bound we read them to. */
const CONFIG_BOUNDS: Readonly<Record<ConfigFile, number>> = {
  '.npmrc': MAX_NPMRC_BYTES,
  '.yarnrc': MAX_NPMRC_BYTES,
  '.yarnrc.yml': MAX_NPMRC_BYTES,
  'bunfig.toml': MAX_NPMRC_BYTES,
  'pnpm-workspace.yaml': MAX_MANIFEST_BYTES,
};

/**
 * Whether a configuration file was past its bound when the tree was walked: CPD169 (`oversizedConfigs`) says so
 * once, so a lockfile that reads it adds no notification of its own for the same cause. One that grew since the walk
 * is still said where it is read.
 */
function reportedTooLarge(f: DiscoveredFile): boolean {
  const name = configFileOf(f.path);
  return name !== undefined && f.size > CONFIG_BOUNDS[name];
}

/**
 * CPD169 for each package-manager configuration file of the tree past the bound it is read to. The package manager
 * reads it whole (@npmcli/config `#loadFile` → `ini.parse` of the full text; yarn, bun and pnpm alike), so padding
 * one would otherwise hide its credentials (CPD168), registry switches (CPD134, CPD150) and `strict-ssl=false`
 * behind a notification. Once per file, wherever it is: every reader of it skips it.
 */
function oversizedConfigs(files: readonly DiscoveredFile[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    const name = configFileOf(f.path);
    const bound = name === undefined ? undefined : CONFIG_BOUNDS[name];
    if (bound === undefined || f.size <= bound) continue;
    out.push({
      ruleId: 'CPD169',
      message: `${f.path} is ${f.size} bytes, over the ${bound}-byte limit for package-manager configuration, and was not read; the package manager reads it whole, so its credentials, registries, TLS settings and script switches were not checked. Cut it down to the settings it needs.`,
      location: { path: f.path },
      artifact: { kind: 'file', path: f.path },
      evidence: { size: f.size, limit: bound },
    });
  }
  return out;
}

/**
 * CPD168 for every `.npmrc`, `.yarnrc.yml` and bunfig.toml of the tree, with or without a lockfile beside it: a
 * library that commits no lockfile still commits its `.npmrc`, and npm, yarn and bun read the project's own. Each
 * file once, here only: the per-lockfile checks (CPD134, CPD150…) judge what a file means for that lockfile's
 * install, not what it holds. A file too large to read is CPD169 (`oversizedConfigs`); one that cannot be opened or
 * parsed is said where a lockfile reads it, not here.
 */
async function configCredentials(files: readonly DiscoveredFile[], ctx: ScanContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of files) {
    const base = credentialFileOf(f.path);
    if (base === undefined) continue;
    const text = await readBounded(ctx.files, f, MAX_NPMRC_BYTES).catch(() => undefined);
    if (text === undefined) continue;
    try {
      let found: Finding | undefined;
      if (base === '.npmrc')
        found = committedCredentials({ path: f.path, text, config: parseNpmrc(text, ctx.options.env) });
      else if (base === '.yarnrc.yml')
        found = yarnrcCredentials(f.path, (await import('./yarnrc.js')).parseYarnrc(text, ctx.options.env));
      else {
        const { config, keys, credentials } = (await import('./bunfig.js')).parseBunfig(f.path, text);
        found = committedCredentials({ path: f.path, text, config, keys, credentials: credentials ?? [] });
      }
      if (found) out.push(found);
    } catch {
      // Unparseable: the package manager refuses it too, and a lockfile beside it says so (CPD153, a notification).
    }
  }
  return out;
}

interface LockfileResult {
  findings: Finding[];
  graphs: DependencyGraph[];
  notifications: Notification[];
  /** The `.yarnrc.yml` files in effect for a yarn.lock (yarn 2+ reads them; yarn 1 and npm do not). */
  yarnrcs?: RepoYarnrc[];
}

async function scanLockfile(
  file: DiscoveredFile,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  manifestFiles: ReadonlyMap<string, DiscoveredFile>,
  envNpmrc: NpmrcConfig | undefined,
  ctx: ScanContext,
): Promise<LockfileResult> {
  let text = await readBounded(ctx.files, file, MAX_LOCKFILE_BYTES);
  if (text === undefined) {
    return fail(file, `is ${file.size} bytes, over the ${MAX_LOCKFILE_BYTES}-byte limit for lockfiles`, undefined);
  }
  // arborist `Shrinkwrap.load` reads an npm lockfile as `data = sw || lock || '{}'`: an empty file is falsy, so npm
  // takes it for no lockfile at all (and reads the package-lock beside an empty shrinkwrap, lockfile-precedence.ts).
  // It locks nothing and installs nothing: said once, not a parse failure. Whitespace is not empty there: it fails
  // JSON.parse and npm ignores the lockfile with a warning, which CPD001 reports.
  if (text === '' && (file.format === 'npm-lockfile' || file.claimed === 'npm-lockfile')) {
    return {
      findings: [],
      graphs: [],
      notifications: [
        {
          level: 'note',
          message: `${file.path} is empty: npm reads it as no lockfile (arborist Shrinkwrap.load), so it locks nothing and was not judged`,
          path: file.path,
        },
      ],
    };
  }
  const dir = dirOf(file.path);
  const notifications: Notification[] = [];
  const manifests = new Map<string, LoadedManifest>();
  const loadManifest = async (importer: string) => {
    if (manifests.has(importer)) return;
    const path = joinRel(joinRel(dir, importer), 'package.json');
    const mf = manifestFiles.get(path);
    if (!mf) return;
    const mtext = await readManifestText(ctx, mf);
    const loaded = mtext !== undefined ? toLoadedManifest(importer, path, mtext) : undefined;
    if (loaded) manifests.set(importer, loaded);
    else
      notifications.push({
        level: 'warning',
        message: `${path} could not be read as JSON; lockfile sync not checked for it`,
        path,
      });
  };
  await loadManifest('');
  for (const ws of workspaceDirs(dir, workspaceGlobs(manifests.get('')?.data), manifestFiles)) await loadManifest(ws);

  const isYarn = file.format === 'yarn-lockfile' || file.claimed === 'yarn-lockfile';
  const yarnrcs = isYarn ? await loadRepoYarnrcs(dir, byPath, ctx.files, ctx.options.env) : [];
  const enableScripts = enableScriptsOf(yarnrcs);
  const inEffect = effectiveYarnrcs(yarnrcs);
  const yarnV1 = isYarn ? await loadYarnrcV1s(dir, byPath, ctx, notifications) : undefined;
  const yarnrcV1s = yarnV1?.layers ?? [];
  const isPnpm = file.format === 'pnpm-lockfile' || file.claimed === 'pnpm-lockfile';
  const workspace = isPnpm ? await loadPnpmWorkspace(dir, byPath, ctx, notifications) : undefined;
  const pnpmWorkspace = workspace?.settings;

  const isBun = file.format === 'bun-lockfile' || file.claimed === 'bun-lockfile';
  const repoNpmrcs = [
    ...(isBun ? await loadBunfig(dir, byPath, ctx, notifications) : []),
    ...(await loadNpmrcs(dir, byPath, ctx, notifications)),
  ];
  let parsed;
  try {
    const given: Record<string, Manifest> = {};
    for (const [k, m] of manifests) given[k] = m.data;
    const npmrcIgnores = npmrcIgnoresScripts(dir, repoNpmrcs, envNpmrc);
    parsed = await parseLockfileOnDemand(file.path, text, {
      manifests: given,
      ...(npmrcSwitchOn(repoNpmrcs, envNpmrc, 'dangerously-allow-all-scripts') ? { npmAllScriptsRun: true } : {}),
      ...(isPnpm && npmrcSwitchOn(repoNpmrcs, envNpmrc, 'dangerously-allow-all-builds')
        ? { pnpmNpmrcAllBuilds: true }
        : {}),
      ...(npmrcIgnores ? { npmrcIgnoresScripts: true } : {}),
      ...(isPnpm ? npmrcOnlyBuilt(dir, repoNpmrcs) : {}),
      ...(enableScripts !== undefined ? { enableScripts } : {}),
      ...(pnpmWorkspace !== undefined ? { pnpmWorkspace } : {}),
    });
    parsed = withScriptsIgnored(parsed, npmrcIgnores, yarnV1?.ignoresScripts);
    if (parsed.kind === 'npm') parsed = withSourcesRefused(parsed, given[''], dir, repoNpmrcs, envNpmrc);
  } catch (err) {
    if (err instanceof LockfileError) return { ...fail(file, err.message, err.line), yarnrcs: inEffect };
    return { ...fail(file, errorMessage(err), undefined), yarnrcs: inEffect };
  }
  // Nothing below reads the text (up to 64 MB): let it go before the graph and the findings are built.
  text = undefined;
  for (const imp of parsed.importers) await loadManifest(imp.path);
  const graph = toDependencyGraph(file.path, parsed);
  const denied = graph.packages.filter((n) => n.buildDisabled === 'npmAllowScripts').length;
  // Said once: only npm ≥ 11.19 reads allowScripts; an older npm runs these scripts.
  if (denied > 0)
    notifications.push({
      level: 'note',
      message: `${file.path}: ${denied} package(s) with install scripts are kept from running by package.json allowScripts, and package.json makes an npm that reads it install (devEngines: 11.19+ skips what it denies, 12+ runs only what it allows), so they do not run and are not reported (CPD012)`,
      path: file.path,
    });
  if ((parsed.allowScriptsUnpinned ?? 0) > 0)
    notifications.push({
      level: 'note',
      message: `${file.path}: package.json allowScripts denies the install scripts of ${parsed.allowScriptsUnpinned} package(s), but nothing makes npm ≥ 11.19 install (devEngines.packageManager with onFail error; a packageManager pin is not enforced, as corepack has no npm shim by default): npm 10 (Node 20's and 22's) ignores allowScripts and runs them, so they are reported (CPD012)`,
      path: file.path,
    });
  // yarn 1 reads `.yarnrc` beside `.npmrc` (yarn 2+ reads neither): npm-registry.js `getRegistry` takes npm's scope
  // setting, then yarn's, then npm's `registry`, then yarn's, so the `.yarnrc` layers rank under every `.npmrc`.
  const installConfigs = parsed.kind === 'yarn-classic' ? [...repoNpmrcs, ...yarnrcV1s] : repoNpmrcs;
  // yarn 2+ never reads .npmrc: its registries come from .yarnrc.yml (plugin-npm npmConfigUtils.getScopeRegistry).
  // The user's YARN_* and ~/.yarnrc.yml count as the registry stage counts them (deps/yarnrc-registries.ts).
  const registrySources =
    parsed.kind === 'yarn-berry'
      ? [await (await import('./yarnrc-registries.js')).berryInstallRegistries(inEffect, ctx)]
      : installConfigs.map((n) => n.config);
  const policy = toCheckPolicy(
    ctx.policy,
    ctx.registry,
    registrySources,
    parsed.kind === 'yarn-berry' ? [] : installConfigs.map((n) => n.path),
  );
  const patches = await loadPatches(patchUsesOf(graph, parsed), byPath, ctx, notifications);
  const tarballs = await loadLocalTarballs(localTarballsOf(graph), byPath, ctx, notifications);
  const folders = await loadBuiltFolders(graph.kind, builtFoldersOf(graph), byPath, manifestFiles, ctx, notifications);
  const findings = [
    ...checkDependencies(graph, parsed, policy, [...manifests.values()], patches, [
      ...checkLocalTarballs(graph, tarballs, policy),
      ...checkFolderScripts(folders, policy),
    ]),
    ...checkRepoNpmrc(
      workspace !== undefined ? [...installConfigs, workspaceAsNpmrc(workspace)] : installConfigs,
      policy.allowedRegistries,
    ),
    ...(isPnpm ? pnpmfileFindings(dir, file.path, workspace, repoNpmrcs, manifests.get('')?.data, byPath) : []),
  ];
  // The registry stage asks nothing about entries the frozen install leaves out, as the checks above judge none.
  const notInstalled = unreachedEntries(graph, parsed).map((p) => p.line);
  // Nor does it report again the resolved URL of an entry CPD162 reports: that one finding is the URL's cause.
  const scopeBypassed = scopeBypassedLines(graph, policy);
  return {
    findings,
    graphs: [
      notInstalled.length > 0 || scopeBypassed.length > 0
        ? {
            ...graph,
            ...(notInstalled.length > 0 ? { notInstalled } : {}),
            ...(scopeBypassed.length > 0 ? { scopeBypassed } : {}),
          }
        : graph,
    ],
    notifications,
    yarnrcs: inEffect,
  };
}

/** CPD167 for the pnpmfiles pnpm loads for this lockfile: the tree's, and config dependencies' (checks/pnpmfile.ts). */
function pnpmfileFindings(
  dir: string,
  lockfile: string,
  workspace: PnpmWorkspaceFile | undefined,
  npmrcs: readonly RepoNpmrc[],
  root: Manifest | undefined,
  byPath: ReadonlyMap<string, DiscoveredFile>,
): Finding[] {
  // The nearest .npmrc that sets a key is listed first; pnpm-workspace.yaml's settings win over it (pnpm 10+).
  const npmrc = (key: string) => npmrcs.find((n) => n.config.raw[key] !== undefined)?.config.raw[key];
  const sources = {
    ...(workspace !== undefined ? { workspace } : {}),
    npmrc,
    npmrcFile: (key: string) => npmrcs.find((n) => n.config.raw[key] !== undefined),
    packageManager: root?.packageManager,
  };
  return [
    ...loadedPnpmfiles(dir, sources, (p) => byPath.has(p)).map((p) => pnpmfileFinding(p, lockfile)),
    ...unreviewedPnpmfiles(dir, sources).map((u) => unreviewedPnpmfileFinding(u, lockfile)),
    ...pluginPnpmfileFindings(sources, lockfile),
  ];
}

/**
 * The pnpm-workspace.yaml beside a pnpm lockfile (pnpm keeps the lockfile at the workspace root): pnpm 10+ reads
 * its build settings there. One that cannot be read is said, and its settings are not assumed.
 */
interface PnpmWorkspaceFile {
  readonly path: string;
  readonly text: string;
  readonly settings: Record<string, unknown>;
}

/**
 * A pnpm-workspace.yaml's registries (`registry`, `registries`), which pnpm reads over `.npmrc`
 * (pnpm-workspace-registries.ts), judged as a repository `.npmrc`'s are: one the policy does not allow is CPD134,
 * at the line that names it, under the key the file writes.
 */
function workspaceAsNpmrc(w: PnpmWorkspaceFile): RepoNpmrc {
  const entries = workspaceRegistryEntries(w.settings);
  const lines = w.text.split('\n');
  const keys: Record<string, { key: string; line: number | undefined }> = {};
  for (const e of entries) {
    const at = lines.findIndex((l) => l.includes(e.url));
    keys[e.key] = { key: e.written, line: at < 0 ? undefined : at + 1 };
  }
  return { path: w.path, text: w.text, config: pnpmWorkspaceRegistries(w.settings), keys, credentials: [] };
}

async function loadPnpmWorkspace(
  dir: string,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
  notifications: Notification[],
): Promise<PnpmWorkspaceFile | undefined> {
  const f = byPath.get(joinRel(dir, 'pnpm-workspace.yaml'));
  if (!f) return undefined;
  const text = await readManifestText(ctx, f);
  const parsed =
    text !== undefined ? (await import('./parsers/pnpm-workspace.js')).parsePnpmWorkspace(text) : undefined;
  if (parsed !== undefined && 'settings' in parsed) return { path: f.path, text: text!, settings: parsed.settings };
  if (text === undefined && reportedTooLarge(f)) return undefined;
  const why = parsed === undefined ? 'could not be read' : `is ${parsed.error}`;
  notifications.push({
    level: 'warning',
    message: `${f.path} ${why}; its pnpm settings (which dependencies may build) are not assumed`,
    path: f.path,
  });
  return undefined;
}

/**
 * The repository's patch files a yarn berry or pnpm lockfile applies at install, read so the checks can see what
 * they add (CPD024). A file that is not in the scan is left out (the install fails without it); one that cannot be
 * read is said, so its changes are not taken as none.
 */
async function loadPatches(
  uses: readonly { path: string }[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
  notifications: Notification[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { path } of uses) {
    const f = byPath.get(path);
    if (!f || out.has(path)) continue;
    const text = await readBounded(ctx.files, f, MAX_MANIFEST_BYTES).catch(() => undefined);
    if (text !== undefined) out.set(path, text);
    else
      notifications.push({
        level: 'warning',
        message: `${path} could not be read; whether the patch adds install scripts was not checked`,
        path,
      });
  }
  return out;
}

/**
 * The install scripts of each built `file:` folder (checks/folder-scripts.ts): its package.json, read bounded as a
 * manifest, and whether it holds a binding.gyp. One that cannot be read is said, never passed.
 */
async function loadBuiltFolders(
  kind: DependencyGraph['kind'],
  folders: readonly BuiltFolder[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
  manifestFiles: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
  notifications: Notification[],
): Promise<Map<PackageNode, FolderScripts>> {
  const out = new Map<PackageNode, FolderScripts>();
  const absent: string[] = [];
  for (const { node, folders: candidates } of folders) {
    // The first candidate the scan holds: a folder the install cannot find fails it, and runs nothing.
    const folder = candidates.find((d) => manifestFiles.has(joinRel(d, 'package.json'))) ?? candidates[0]!;
    const manifest = joinRel(folder, 'package.json');
    const f = manifestFiles.get(manifest);
    const gyp = byPath.has(joinRel(folder, 'binding.gyp'));
    if (f === undefined) {
      // npm keeps the lockfile's entry when the folder has no package.json (`rpj(...).catch(() => null)`), and
      // rebuild still looks for a binding.gyp on disk.
      if (gyp && kind === 'npm') out.set(node, { manifest, scripts: folderScripts(kind, {}, true) });
      else absent.push(manifest);
      continue;
    }
    const text = await readManifestText(ctx, f);
    const data = text === undefined ? undefined : toLoadedManifest(dirOf(manifest), manifest, text)?.data;
    if (data === undefined) {
      notifications.push({
        level: 'warning',
        message: `${manifest} (the file: folder of ${node.name}) could not be read as JSON; its install scripts were not checked`,
        path: manifest,
      });
      continue;
    }
    // Measured with Bun 1.2.0 and 1.4.5: a trusted `file:` folder's postinstall ran, an untrusted one's was blocked.
    out.set(node, { manifest, scripts: folderScripts(kind, data, gyp) });
  }
  // Counted once: the install fails on (Bun) or reads nothing from (npm) a folder without package.json, so these
  // are most likely outside what was scanned.
  if (absent.length > 0)
    notifications.push({
      level: 'note',
      message: `${absent.length} ${kind === 'bun' ? 'trusted bun ' : ''}file: folder(s) have no package.json in the scan (${absent.slice(0, 3).join(', ')}${absent.length > 3 ? ', …' : ''}); their install scripts were not checked`,
      path: absent[0]!,
    });
  return out;
}

/**
 * The `file:` tarballs a lockfile installs from the repository, hashed and their top-level package.json read as the
 * registry stage reads a download (registry/tarball.ts `inspectTarball`: bounded, never extracted, nothing run). A
 * tarball not in the scan is left out (the install fails without it); one that cannot be read, or only in part, is
 * said, so its integrity and scripts are not taken as checked.
 */
async function loadLocalTarballs(
  tarballs: readonly LocalTarball[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
  notifications: Notification[],
): Promise<Map<PackageNode, LocalTarballFacts>> {
  const out = new Map<PackageNode, LocalTarballFacts>();
  if (tarballs.length === 0) return out;
  const { DEFAULT_TARBALL_BOUNDS, inspectTarball } = await import('../registry/tarball.js');
  const { parseSri, strongestAlgorithm } = await import('../verify/npm/sri.js');
  const bounds = DEFAULT_TARBALL_BOUNDS;
  for (const { node, candidates } of tarballs) {
    const f = candidates.map((c) => byPath.get(c)).find((x) => x !== undefined);
    if (f === undefined) continue;
    const algorithm = strongestAlgorithm(parseSri(node.integrity)) ?? 'sha512';
    let facts: TarballFacts | undefined;
    try {
      if (f.size > bounds.maxBytes) throw new Error(`it is larger than ${bounds.maxBytes} bytes`);
      const src = await ctx.files.open(f.abs, f.path, f);
      try {
        facts = await inspectTarball(Readable.from(chunksOf(src, f.size)), algorithm, bounds);
      } finally {
        await src.close();
      }
    } catch (err) {
      notifications.push({
        level: 'warning',
        message: `${f.path} (the file: tarball of ${node.name}) could not be read (${errorMessage(err)}); its integrity and install scripts were not checked`,
        path: f.path,
      });
      continue;
    }
    if (facts.problems.length > 0)
      notifications.push({
        level: 'warning',
        message: `${f.path} (the file: tarball of ${node.name}) was not fully read: ${facts.problems.join('; ').slice(0, 300)}; its install scripts were not checked`,
        path: f.path,
      });
    out.set(node, { path: f.path, facts });
  }
  return out;
}

/** A file's bytes in 1 MiB reads. */
async function* chunksOf(src: { read(offset: number, length: number): Promise<Buffer> }, size: number) {
  const step = 1024 * 1024;
  for (let at = 0; at < size; at += step) {
    const buf = await src.read(at, Math.min(step, size - at));
    if (buf.length === 0) return;
    yield buf;
  }
}

/**
 * The bunfig.toml beside a bun lockfile (bun reads it from the project folder it installs in): its `[install]`
 * registry, scopes and CA are judged like a repository `.npmrc` (CPD134 / CPD135) and say where packages whose
 * bun.lock registry is `""` come from. Listed before `.npmrc`. One that cannot be read or parsed is said.
 */
async function loadBunfig(
  dir: string,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
  notifications: Notification[],
): Promise<RepoNpmrc[]> {
  const f = byPath.get(joinRel(dir, 'bunfig.toml'));
  if (!f) return [];
  const text = await readBounded(ctx.files, f, MAX_NPMRC_BYTES).catch(() => undefined);
  try {
    if (text === undefined) throw new Error('could not be read');
    const { parseBunfig } = await import('./bunfig.js');
    const { config, keys } = parseBunfig(f.path, text);
    return [{ path: f.path, text, config, keys }];
  } catch (err) {
    if (text === undefined && reportedTooLarge(f)) return [];
    notifications.push({
      level: 'warning',
      message: `${f.path} ${text === undefined ? 'could not be read' : `is not valid TOML (${errorMessage(err)})`}: bun refuses to install with it, and its registries were not judged`,
      path: f.path,
    });
    return [];
  }
}

/**
 * yarn 1's `.yarnrc` in the lockfile's folder and each parent up to the scan root, nearest first (`YarnRegistry`
 * `loadConfig` over `getPossibleConfigLocations`), as `.npmrc` layers judged like a repository `.npmrc` (CPD134,
 * CPD135). A `--registry` line is a command-line option rc.js `getRcArgs` prepends to yarn's arguments, and
 * `BaseRegistry.init` sets that override over the files' `registry`: it is read as the file's `registry`. yarn
 * stops at a file its syntax refuses: said, and none of its settings judged. Credentials are not yarn's to read
 * here (`NpmRegistry.getAuth` reads npm's), so none are kept. Also whether yarn 1 runs lifecycle scripts at all
 * under these files and the environment (`yarnV1IgnoresScripts`).
 */
async function loadYarnrcV1s(
  dir: string,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
  notifications: Notification[],
): Promise<{ layers: RepoNpmrc[]; ignoresScripts: YarnV1Scripts }> {
  const { readYarnrcV1, yarnV1EnvIgnoresScripts, yarnV1IgnoresScripts } = await import('./yarnrc-v1.js');
  const out: RepoNpmrc[] = [];
  const values: ReadonlyMap<string, YarnScalar>[] = [];
  for (let d: string | undefined = dir; d !== undefined; d = d === '' ? undefined : dirOf(d)) {
    const f = byPath.get(joinRel(d, '.yarnrc'));
    if (!f) continue;
    const text = await readBounded(ctx.files, f, MAX_NPMRC_BYTES).catch(() => undefined);
    const read = text !== undefined ? readYarnrcV1(text) : undefined;
    if (text === undefined || read === undefined || 'error' in read) {
      if (text === undefined && reportedTooLarge(f)) continue;
      notifications.push({
        level: 'warning',
        message: `${f.path} ${read !== undefined && 'error' in read ? `is not valid .yarnrc syntax (${read.error}): yarn 1 stops with that error` : 'could not be read'}; its registries were not judged`,
        path: f.path,
      });
      continue;
    }
    const settings = new Map(read.settings);
    const written = new Map([...read.settings.keys()].map((k) => [k, k]));
    const cli = settings.get('--registry');
    if (cli !== undefined) {
      settings.set('registry', cli);
      written.set('registry', '--registry');
    }
    settings.delete('--registry');
    const keys: Record<string, { key: string; line: number | undefined }> = {};
    for (const [key, as] of written) keys[key] = { key: as, line: read.lines.get(as) };
    const config = { ...npmrcFromEntries(settings, ctx.options.env), auth: {} };
    out.push({ path: f.path, text, config, keys, credentials: [] });
    values.push(read.values);
  }
  const projectHasOne = out[0]?.path === joinRel(dir, '.yarnrc');
  const all = yarnV1IgnoresScripts(values, projectHasOne, ctx.options.env);
  return { layers: out, ignoresScripts: { all, gitPrepare: yarnV1EnvIgnoresScripts(ctx.options.env) === true } };
}

/** `.npmrc` in the lockfile's folder and each parent up to the scan root, nearest first. */
async function loadNpmrcs(
  dir: string,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  ctx: ScanContext,
  notifications: Notification[],
): Promise<RepoNpmrc[]> {
  const out: RepoNpmrc[] = [];
  for (let d: string | undefined = dir; d !== undefined; d = d === '' ? undefined : dirOf(d)) {
    const f = byPath.get(joinRel(d, '.npmrc'));
    if (!f) continue;
    const text = await readBounded(ctx.files, f, MAX_NPMRC_BYTES).catch(() => undefined);
    if (text === undefined) {
      if (!reportedTooLarge(f))
        notifications.push({
          level: 'warning',
          message: `${f.path} could not be read; its registries are not allowed`,
          path: f.path,
        });
      continue;
    }
    out.push({ path: f.path, text, config: parseNpmrc(text, ctx.options.env) });
  }
  return out;
}

/**
 * A boolean switch set in the repository's `.npmrc` files or the environment (`npm_config_*`, any case): npm's
 * `dangerously-allow-all-scripts` (@npmcli/config definitions; arborist rebuild then skips the `allowScripts` gate),
 * pnpm 10's `dangerously-allow-all-builds`. Any value but `false` counts: assuming scripts run is the safe side.
 */
function npmrcSwitchOn(npmrcs: readonly RepoNpmrc[], env: NpmrcConfig | undefined, key: string): boolean {
  const on = (v: string | undefined) => v !== undefined && v !== 'false';
  return npmrcs.some((n) => on(n.config.raw[key])) || on(env?.raw[key]);
}

/**
 * `ignore-scripts` as npm and pnpm read it: the environment (`npm_config_ignore_scripts`, a layer above the project's
 * config), else the `.npmrc` in the lockfile's folder — the project's own, the one file of the tree they read it
 * from. Only `true` counts: assuming scripts run is the safe side. Bun is not told (its parser ignores it); yarn 1
 * never reads it (deps/yarnrc-v1.ts `yarnV1IgnoresScripts`).
 */
function npmrcIgnoresScripts(dir: string, npmrcs: readonly RepoNpmrc[], env: NpmrcConfig | undefined): boolean {
  return projectSetting(dir, npmrcs, env, 'ignore-scripts')?.trim().toLowerCase() === 'true';
}

/** A setting as npm reads it from what the repository shows: the environment, else the project's `.npmrc`. */
function projectSetting(
  dir: string,
  npmrcs: readonly RepoNpmrc[],
  env: NpmrcConfig | undefined,
  key: string,
): string | undefined {
  return env?.raw[key] ?? npmrcs.find((n) => n.path === joinRel(dir, '.npmrc'))?.config.raw[key];
}

/** npm: the git and tarball-URL sources the pinned npm refuses (parsers/npm-allow-scripts.ts `sourcesNpmRefuses`). */
function withSourcesRefused(
  parsed: ParsedLockfile,
  root: Manifest | undefined,
  dir: string,
  npmrcs: readonly RepoNpmrc[],
  env: NpmrcConfig | undefined,
): ParsedLockfile {
  const refused = sourcesNpmRefuses(root as Record<string, unknown> | undefined, (key) =>
    projectSetting(dir, npmrcs, env, key),
  );
  if (refused.size === 0) return parsed;
  const notes: Partial<Record<'git' | 'tarball', string>> = {};
  for (const source of refused) {
    const [key, code] = source === 'git' ? ['allow-git', 'EALLOWGIT'] : ['allow-remote', 'EALLOWREMOTE'];
    // npm 12 stops the install: the source is fetched, and its scripts run, only where the command line or the
    // user's configuration allows it.
    notes[source] =
      `npm ≥ 12 (package.json devEngines) refuses it (${code}): neither the project's .npmrc nor the environment sets ${key}, so only --${key} or the user's .npmrc lets it install`;
  }
  return { ...parsed, sourceNotes: notes };
}

/**
 * Whether yarn 1 runs no lifecycle script: `all` for its build step, `gitPrepare` also for the preparation of a git
 * dependency, which only the environment reaches (yarnrc-v1.ts `yarnV1EnvIgnoresScripts`).
 */
interface YarnV1Scripts {
  readonly all: boolean;
  readonly gitPrepare: boolean;
}

/**
 * Every dependency's build off when the lockfile's package manager is told to run no script: npm by `ignore-scripts`
 * (@npmcli/config; arborist's reify then runs no dependency's lifecycle scripts: with it in the project's .npmrc,
 * npm 11.19.1 installed a file: tarball without running its postinstall, and exports it to the `npm install` pacote
 * runs in a git dependency's clone), yarn 1 by its own `ignore-scripts` (its `Install` skips the build step; a git
 * dependency's preparation, which yarn.lock cannot show, only under `gitPrepare`). pnpm weighs `.npmrc` against
 * pnpm-workspace.yaml per major in its parser (parsers/pnpm-builds.ts); bun and yarn berry read neither.
 */
function withScriptsIgnored(parsed: ParsedLockfile, npm: boolean, yarnV1: YarnV1Scripts | undefined): ParsedLockfile {
  if (parsed.kind === 'npm' ? !npm : parsed.kind !== 'yarn-classic' || yarnV1?.all !== true) return parsed;
  const keepGit = parsed.kind === 'yarn-classic' && yarnV1?.gitPrepare !== true;
  const ignored = (n: DraftNode) =>
    keepGit && n.source === 'git' ? n : { ...n, buildDisabled: 'ignoreScripts' as const };
  return { ...parsed, nodes: parsed.nodes.map(ignored) };
}

/**
 * pnpm 9's `only-built-dependencies[]=` lines in the project's `.npmrc` (the lockfile's folder, as for
 * `ignore-scripts`). Only the ini array form is read: a plain `only-built-dependencies=name` line built nothing
 * under pnpm 9.15.9, not even `name`; it is left out, so its packages are reported as built (the safe side).
 */
function npmrcOnlyBuilt(dir: string, npmrcs: readonly RepoNpmrc[]): { pnpmNpmrcOnlyBuilt?: readonly string[] } {
  const list = npmrcs.find((n) => n.path === joinRel(dir, '.npmrc'))?.config.lists?.['only-built-dependencies'];
  return list !== undefined ? { pnpmNpmrcOnlyBuilt: list } : {};
}

function fail(file: DiscoveredFile, reason: string, line: number | undefined): LockfileResult {
  return {
    findings: [unparseable(file, reason, line)],
    graphs: [],
    notifications: [
      { level: 'error', message: `${file.path} not scanned: ${reason}`, path: file.path, ruleId: 'CPD001' },
    ],
  };
}

function unparseable(file: DiscoveredFile, reason: string, line: number | undefined): Finding {
  return {
    ruleId: 'CPD001',
    message: `${file.path} could not be read as a lockfile: ${reason}${line !== undefined ? ` (line ${line})` : ''}. None of its dependencies were checked; regenerate it with the package manager and commit it.`,
    location: { path: file.path, ...(line !== undefined ? { line } : {}) },
    artifact: { kind: 'file', path: file.path },
    evidence: { reason: reason.slice(0, 300), format: file.claimed ?? file.format },
  };
}
