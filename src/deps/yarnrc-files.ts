import type { FileOpener } from '../core/file-source.js';
import type { DiscoveredFile } from '../core/files.js';
import type { RepoYarnrc } from './checks/yarnrc.js';
import { MAX_NPMRC_BYTES, dirOf, joinRel, readBounded } from './read.js';
import type { YarnrcSetting } from './yarnrc.js';

/** yarn berry's default `npmRegistryServer` (plugin-npm): an alias of registry.npmjs.org. */
export const DEFAULT_YARN_REGISTRY = 'https://registry.yarnpkg.com/';

const YARNRC = '.yarnrc.yml';

/**
 * The `.yarnrc.yml` files yarn reads for a project in `dir`, nearest first: `Configuration.findRcFiles` walks from
 * the project folder up to the filesystem root, and for a plain setting the first file that sets it wins
 * (`Configuration.use` skips a key that already has a source). Only files inside the scan root are seen. The
 * user's own `~/.yarnrc.yml` and the `YARN_*` environment are the runner's, not the repository's: they are read
 * apart (yarnrc-user.ts) and ranked with these by yarnrc-registries.ts, for the offline checks and the registry stage.
 */
export async function loadRepoYarnrcs(
  dir: string,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  files: FileOpener,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RepoYarnrc[]> {
  const out: RepoYarnrc[] = [];
  for (let d: string | undefined = dir; d !== undefined; d = d === '' ? undefined : dirOf(d)) {
    const f = byPath.get(joinRel(d, YARNRC));
    if (f) out.push(await readYarnrc(f, files, env));
  }
  return out;
}

async function readYarnrc(
  f: DiscoveredFile,
  files: FileOpener,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RepoYarnrc> {
  let text: string | undefined;
  try {
    text = await readBounded(files, f, MAX_NPMRC_BYTES);
  } catch (err) {
    // The error text of fs names the absolute path: only its code is reported.
    const code = (err as { code?: unknown }).code;
    return {
      kind: 'unreadable',
      path: f.path,
      reason: `it could not be opened (${typeof code === 'string' ? code : 'error'})`,
    };
  }
  if (text === undefined)
    return {
      kind: 'unreadable',
      path: f.path,
      reason: `it is over the ${MAX_NPMRC_BYTES}-byte limit`,
      // Over it when the tree was walked: CPD169 says so (deps/stage.ts `oversizedConfigs`). One that grew since is
      // CPD153's alone.
      ...(f.size > MAX_NPMRC_BYTES ? { tooLarge: true as const } : {}),
    };
  // Loaded only when a .yarnrc.yml exists: the deps stage holds no parsing library (test/cli/commands.test.ts).
  const { parseYarnrc, YarnrcError } = await import('./yarnrc.js');
  try {
    return { kind: 'ok', path: f.path, config: parseYarnrc(text, env) };
  } catch (err) {
    if (!(err instanceof YarnrcError)) throw err;
    return {
      kind: 'unreadable',
      path: f.path,
      reason: `not valid YAML (${err.message})`,
      ...(err.line !== undefined ? { line: err.line } : {}),
    };
  }
}

/**
 * What of each file is in effect for this project: a setting a nearer file also sets is overridden (a plain setting
 * by the nearest file; an `npmScopes` / `networkSettings` entry by the nearest file with that entry). An unreadable
 * file hides nothing: its settings are unknown.
 */
export function effectiveYarnrcs(yarnrcs: readonly RepoYarnrc[]): RepoYarnrc[] {
  const taken = new Set<string>();
  return yarnrcs.map((y) => {
    if (y.kind !== 'ok') return y;
    const settings = y.config.settings.filter((s) => !taken.has(s.slot));
    for (const slot of y.config.slots) taken.add(slot);
    return { ...y, config: { ...y.config, settings } };
  });
}

/** `enableScripts` in effect: the nearest readable file that sets it (undefined: yarn's default, scripts run). */
export function enableScriptsOf(yarnrcs: readonly RepoYarnrc[]): boolean | undefined {
  for (const y of yarnrcs) if (y.kind === 'ok' && y.config.enableScripts !== undefined) return y.config.enableScripts;
  return undefined;
}

/** One entry per file over several lockfiles: the union of what is in effect for any of them, in file order. */
export function mergeYarnrcs(all: readonly RepoYarnrc[]): RepoYarnrc[] {
  const byPath = new Map<string, RepoYarnrc>();
  for (const y of all) {
    const seen = byPath.get(y.path);
    if (seen === undefined || seen.kind !== 'ok' || y.kind !== 'ok') {
      byPath.set(y.path, seen ?? y);
      continue;
    }
    // Each lockfile parsed the file itself: settings are compared by what they say, not by identity.
    const id = (s: YarnrcSetting) => `${s.key}\0${s.line}\0${s.value}`;
    const have = new Set(seen.config.settings.map(id));
    const settings = [...seen.config.settings, ...y.config.settings.filter((s) => !have.has(id(s)))];
    byPath.set(y.path, { ...seen, config: { ...seen.config, settings } });
  }
  return [...byPath.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((y) => (y.kind === 'ok' ? { ...y, config: { ...y.config, settings: byLine(y.config.settings) } } : y));
}

function byLine<T extends { readonly line: number }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => a.line - b.line);
}
