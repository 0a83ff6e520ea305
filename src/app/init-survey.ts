import { open } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { noProgress, offlineScanOptions, silentLogger, type ScanContext } from '../core/context.js';
import type { FileFormat, FsPath } from '../core/files.js';
import { MODEL_FORMATS } from '../core/files.js';
import type { DependencyGraph } from '../core/records.js';
import { EMPTY_REGISTRY } from '../core/trusted-registry.js';
import { publicHttpUrl } from '../core/url.js';
import { parseNpmrc } from '../deps/npmrc.js';
import { parseYarnrc, type YarnrcConfig } from '../deps/yarnrc.js';
import { depsStage } from '../deps/stage.js';
import { pythonDepsStage } from '../deps/parsers/python/stage.js';
import { ScanHasher } from './scan-digests.js';
import { createFileOpener } from '../io/file-source.js';
import { DEFAULT_SKIP_DIRS, walkTree } from '../discover/walk.js';
import { familiesOf } from '../models/families.js';
import { DEFAULT_POLICY } from '../trust/policy/default.js';
import { buildTrustMaterial } from './trust.js';

/** What `chainproof init` learns about a repository to write a starting policy. Paths are repo-relative POSIX. */
export interface RepoSurvey {
  readonly lockfiles: readonly { readonly path: string; readonly kind: string; readonly packages: number }[];
  /** Lockfiles that could not be parsed, with why. */
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
  /** Registries configured in .npmrc files (credentials stripped). */
  readonly npmrcRegistries: readonly string[];
  /** Scope → registry from .npmrc files. */
  readonly npmrcScopes: Readonly<Record<string, string>>;
  /** Registries packages were actually resolved from, with the lockfiles that say so. */
  readonly resolvedRegistries: Readonly<Record<string, readonly string[]>>;
  /** Scopes of the repository's own packages (package.json `name`). */
  readonly ownScopes: readonly string[];
  /** Packages whose lockfile entry says they run install scripts. */
  readonly installScripts: readonly string[];
  /** Dependencies from git, tarball URLs or local paths. */
  readonly nonRegistry: readonly { readonly name: string; readonly source: string; readonly lockfile: string }[];
  readonly models: readonly {
    readonly path: string;
    readonly format: FileFormat;
    readonly size: number;
    readonly pickle: boolean;
  }[];
  /** `owner/repo` of a GitHub `origin` remote, for example signer identities. */
  readonly githubRepo?: string;
}

const MAX_TEXT_BYTES = 64 * 1024 * 1024;

/**
 * The lockfiles exactly as a scan reads them: the real walk, then the real dependency stage (offline, embedded
 * default policy), so init and scan cannot disagree about which lockfiles exist or what they hold. A lockfile the
 * stage cannot parse comes back as its CPD001 finding.
 */
async function scanLockfiles(
  root: string,
  walk: Awaited<ReturnType<typeof walkTree>>,
  env: Record<string, string | undefined>,
): Promise<{ graphs: readonly DependencyGraph[]; unreadable: { path: string; reason: string }[] }> {
  const trust = await buildTrustMaterial(DEFAULT_POLICY, EMPTY_REGISTRY, root);
  const limit = pLimit(4);
  const ctx: ScanContext = {
    root,
    trust,
    policy: trust.policy,
    registry: trust.registry,
    options: offlineScanOptions(env),
    logger: silentLogger,
    progress: noProgress,
    signal: new AbortController().signal,
    limit: (fn) => limit(fn),
    files: createFileOpener(),
    // Lockfile stages hash nothing; a hasher made on first use costs nothing unless asked.
    digests: new ScanHasher({ cacheDir: undefined }),
  };
  const input = { files: walk.files, skipped: walk.skipped, graphs: [], models: [] };
  // npm and Python lockfiles, each read by its own stage exactly as `scan` reads them.
  const outs = [await depsStage.run(input, ctx), await pythonDepsStage.run(input, ctx)];
  const unreadable = outs
    .flatMap((o) => o.findings ?? [])
    .filter((f) => f.ruleId === 'CPD001' || f.ruleId === 'CPP001' || f.ruleId === 'CPP002')
    .map((f) => ({ path: f.location.path, reason: f.message.split('\n')[0] ?? f.message }));
  return { graphs: outs.flatMap((o) => o.graphs ?? []), unreadable };
}

/** Walk the repository (as a scan would) and collect facts. Reads files; never runs or unpickles anything. */
export async function surveyRepository(root: string, env: Record<string, string | undefined>): Promise<RepoSurvey> {
  const walk = await walkTree(root, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS });
  const { files } = walk;
  const scanned = await scanLockfiles(root, walk, env);
  const lockfiles: { path: string; kind: string; packages: number }[] = [];
  const unreadable = scanned.unreadable;
  const npmrcRegistries = new Set<string>();
  const npmrcScopes: Record<string, string> = {};
  const resolved = new Map<string, Set<string>>();
  const ownScopes = new Set<string>();
  const installScripts = new Set<string>();
  const nonRegistry: { name: string; source: string; lockfile: string }[] = [];
  const models: { path: string; format: FileFormat; size: number; pickle: boolean }[] = [];

  for (const f of files) {
    if (MODEL_FORMATS.has(f.format)) {
      models.push({ path: f.path, format: f.format, size: f.size, pickle: familiesOf(f.format).includes('pickle') });
    } else if (f.format === 'npmrc') {
      const text = await readText(f.abs);
      if (text === undefined) continue;
      const rc = parseNpmrc(text, env);
      // A registry built from `${VAR}` is not offered: the policy would hold the value of the environment variable.
      if (rc.registry !== undefined && rc.written['registry'] === undefined) addUrl(npmrcRegistries, rc.registry);
      for (const [scope, url] of Object.entries(rc.scopes)) {
        const clean = rc.written[`${scope}:registry`] === undefined ? registryBase(url) : undefined;
        if (clean === undefined) continue;
        npmrcScopes[scope] = clean;
        npmrcRegistries.add(clean);
      }
    } else if (f.format === 'yarnrc') {
      // yarn 2+ takes its registries from .yarnrc.yml (npmRegistryServer, npmScopes); init offers them like .npmrc's.
      const text = await readText(f.abs);
      const rc = text !== undefined ? yarnrcOrUndefined(text, env) : undefined;
      for (const s of rc?.settings ?? []) {
        const clean = s.kind === 'registry' ? registryBase(s.target ?? s.value) : undefined;
        if (clean === undefined) continue;
        npmrcRegistries.add(clean);
        if (s.scope !== undefined) npmrcScopes[s.scope] = clean;
      }
    } else if (f.format === 'package-json') {
      const name = packageName(await readText(f.abs));
      if (name?.startsWith('@') === true && name.includes('/')) ownScopes.add(name.slice(0, name.indexOf('/')));
    }
  }
  for (const graph of scanned.graphs) {
    lockfiles.push({ path: graph.lockfile, kind: graph.kind, packages: graph.packages.length });
    // Registries, install scripts and sources below are npm policy; Python's index settings are its own section.
    if (graph.ecosystem === 'pypi') continue;
    for (const p of graph.packages) {
      if (p.hasInstallScript === true) installScripts.add(p.name);
      if (p.source === 'git' || p.source === 'tarball' || p.source === 'file') {
        nonRegistry.push({ name: p.name, source: p.source, lockfile: graph.lockfile });
      }
      if (p.source === 'registry' && p.resolved !== undefined) {
        const base = tarballRegistry(p.resolved, p.name);
        if (base !== undefined) (resolved.get(base) ?? resolved.set(base, new Set()).get(base)!).add(graph.lockfile);
      }
    }
  }
  const githubRepo = await githubOrigin(root);
  return {
    lockfiles,
    unreadable,
    npmrcRegistries: [...npmrcRegistries].sort(),
    npmrcScopes,
    resolvedRegistries: Object.fromEntries([...resolved].sort().map(([k, v]) => [k, [...v].sort()])),
    ownScopes: [...ownScopes].sort(),
    installScripts: [...installScripts].sort(),
    nonRegistry,
    models,
    ...(githubRepo !== undefined ? { githubRepo } : {}),
  };
}

/**
 * The registry a tarball URL came from: the part before `/<name>/-/` (npm, Verdaccio, Artifactory, Nexus all lay
 * tarballs out so), else the origin. Credentials, query and fragment are dropped: they must never reach a file.
 */
export function tarballRegistry(url: string, name: string): string | undefined {
  for (const n of [name, name.replace('/', '%2f'), name.replace('/', '%2F')]) {
    const i = url.indexOf(`/${n}/-/`);
    if (i >= 0) return registryBase(url.slice(0, i + 1));
  }
  try {
    return registryBase(new URL(url).origin);
  } catch {
    return undefined;
  }
}

/** A registry URL without credentials, query or fragment, ending in `/`; undefined when it is not http(s). */
export function registryBase(url: string): string | undefined {
  const u = publicHttpUrl(url);
  if (u === undefined) return undefined;
  const s = u.toString();
  return s.endsWith('/') ? s : `${s}/`;
}

/** A `.yarnrc.yml` yarn cannot parse offers no registries (the scan reports it as CPD153). */
function yarnrcOrUndefined(text: string, env: Record<string, string | undefined>): YarnrcConfig | undefined {
  try {
    return parseYarnrc(text, env);
  } catch {
    return undefined;
  }
}

function addUrl(set: Set<string>, url: string): void {
  const clean = registryBase(url);
  if (clean !== undefined) set.add(clean);
}

function packageName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    const name = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)['name'] : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

async function githubOrigin(root: string): Promise<string | undefined> {
  const text = await readText(path.join(root, '.git', 'config'));
  const m = text && /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(text);
  const url = m?.[1];
  const gh = url && /github\.com[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url);
  return gh ? `${gh[1]}/${gh[2]}` : undefined;
}

async function readText(abs: FsPath): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(abs, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > MAX_TEXT_BYTES) return undefined;
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
