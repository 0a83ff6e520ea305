import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { parseYarnrcYml } from './yarn-settings.js';
import type { Finding } from '../../core/finding.js';
import { settingLineValue } from '../../core/linear-text.js';
import { hashWorkingFiles } from './git.js';
import { isDefaultPnpmfile, namedBy } from './named-inputs.js';
import type { Snapshot } from './snapshot.js';

/** One file of code a setting names: yarn's release or a plugin, a pnpmfile; or yarn's environment files. */
interface NamedCode {
  readonly path: string;
  readonly setting: string;
  readonly config: string;
  /** Who runs it, for the message. */
  readonly runBy: string;
  /** An environment file: its variables (NODE_OPTIONS among them) reach every script yarn starts. */
  readonly env?: true;
}

/**
 * yarn 4 loads the files `injectEnvironmentFiles` lists (default `.env.yarn?`, a trailing `?` = optional), relative
 * to the project folder, into the environment of every script and binary it starts (`Configuration` →
 * `makeScriptEnv`): a `NODE_OPTIONS=--require ./x.js` there runs code in every lifecycle script of the install.
 */
const YARN_ENV_DEFAULT = '.env.yarn';

/**
 * CPU026: code the package manager runs because a setting names it, rewritten in place. The setting's own change is
 * watched (install-settings.ts), but yarn berry's `main.ts` `runBinary` runs whatever file `yarnPath` names on every
 * command, its plugin loader (`getPluginConfiguration` → `Configuration.find`) `require`s each `plugins[].path`, yarn 1
 * runs `yarn-path` (rc.js), and pnpm's `requireHooks` loads the pnpmfile on every install: a change to that file's
 * content alone is the same as pointing the setting at new code. An added pnpmfile is the head scan's CPD167.
 */
export async function namedCodeFindings(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  headPaths: readonly string[],
  headText: (p: string) => string | undefined,
): Promise<Finding[]> {
  const named = namedCode(headPaths, headText);
  if (named.length === 0) return [];
  const headOids = head ? new Map<string, string>() : await workTreeOids(dir, named);
  const out: Finding[] = [];
  const done = new Set<string>();
  for (const n of named) {
    const before = base.entries.get(n.path)?.oid;
    const after = head ? head.entries.get(n.path)?.oid : headOids.get(n.path);
    if (after === undefined || after === before || done.has(n.path)) continue;
    // A pnpmfile new at the head is reported by the head scan (CPD167), which now sees it.
    if (before === undefined && n.runBy === 'pnpm') continue;
    done.add(n.path);
    const what = n.env
      ? `it is an environment file ${n.config} names in \`${n.setting}\`: yarn puts its variables (NODE_OPTIONS, PATH…) into every script and binary it starts, the install's lifecycle scripts in CI included`
      : `it is the code ${n.config} names in \`${n.setting}\`, which ${n.runBy} runs on every ${n.runBy === 'pnpm' ? 'install' : 'command'} (an install in CI included)`;
    out.push({
      ruleId: 'CPU026',
      message: `${n.path} ${before === undefined ? 'is new' : 'changed'}: ${what}. Read the new file before merging; land it in a pull request of its own.`,
      location: { path: n.path, line: 1 },
      artifact: { kind: 'file', path: n.path },
      evidence: { setting: n.setting, config: n.config, before: before ?? '(absent)', after },
    });
  }
  return out.sort((a, b) => (a.location.path < b.location.path ? -1 : 1));
}

function namedCode(headPaths: readonly string[], headText: (p: string) => string | undefined): NamedCode[] {
  const out: NamedCode[] = [];
  const pnpmDirs = new Set(
    headPaths.filter((p) => /(^|\/)(pnpm-lock\.yaml|pnpm-workspace\.yaml)$/.test(p)).map((p) => dirOf(p)),
  );
  for (const p of headPaths) {
    if (p.split('/').includes('node_modules')) continue;
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (isDefaultPnpmfile(p) && pnpmDirs.has(dirOf(p)))
      out.push({ path: p, setting: 'pnpmfile', config: 'the pnpm default', runBy: 'pnpm' });
    if (base !== '.yarnrc.yml' && base !== '.yarnrc' && base !== '.npmrc' && base !== 'pnpm-workspace.yaml') continue;
    const text = headText(p);
    if (text === undefined) continue;
    if (base === '.yarnrc.yml')
      for (const [setting, v] of yarnrcCode(text)) {
        const env = setting.startsWith('injectEnvironmentFiles');
        out.push({ ...at(p, v, setting, 'yarn'), ...(env ? { env: true as const } : {}) });
      }
    else if (base === '.yarnrc') {
      // `/^[ \t]*"?yarn-path"?[ \t]+"?([^"\r\n]+?)"?[ \t]*$/m`, in one pass (the expression was cubic).
      const v = settingLineValue(text, /[ \t]*"?yarn-path"?/y, 1, '"', '"\r\n');
      if (v !== undefined) out.push(at(p, v, 'yarn-path', 'yarn'));
    } else
      for (const n of namedBy(p, text, false))
        out.push({ path: n.path, setting: 'pnpmfile', config: p, runBy: 'pnpm' });
  }
  // A yarn project without a .yarnrc.yml of its own still loads the default environment file beside its lockfile.
  const rcDirs = new Set(headPaths.filter((p) => /(^|\/)\.yarnrc\.yml$/.test(p)).map(dirOf));
  for (const lock of headPaths.filter((p) => /(^|\/)yarn\.lock$/.test(p) && !p.split('/').includes('node_modules')))
    if (!rcDirs.has(dirOf(lock)))
      out.push({
        ...at(lock, YARN_ENV_DEFAULT, 'injectEnvironmentFiles (default)', 'yarn'),
        config: 'yarn 4 (its default)',
        env: true,
      });
  return out.filter((n) => n.path !== '');
}

/** `yarnPath` and each `plugins` entry (a path, or `{ path, spec }`) of a `.yarnrc.yml`; nothing when it won't parse. */
function yarnrcCode(text: string): [string, string][] {
  let data: unknown;
  try {
    data = parseYarnrcYml(text);
  } catch {
    return []; // install-settings.ts reports an unreadable .yarnrc.yml (CPU030)
  }
  const rec = (o: unknown) =>
    o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  const out: [string, string][] = [];
  const yarnPath = rec(data)?.['yarnPath'];
  if (typeof yarnPath === 'string') out.push(['yarnPath', yarnPath]);
  const envFiles = rec(data)?.['injectEnvironmentFiles'];
  if (envFiles === undefined) out.push(['injectEnvironmentFiles (default)', YARN_ENV_DEFAULT]);
  else if (Array.isArray(envFiles))
    envFiles.forEach((f: unknown, i) => {
      if (typeof f === 'string') out.push([`injectEnvironmentFiles.${i}`, f.replace(/\?$/, '')]);
    });
  const plugins = rec(data)?.['plugins'];
  if (Array.isArray(plugins))
    plugins.forEach((x: unknown, i) => {
      const p = typeof x === 'string' ? x : rec(x)?.['path'];
      if (typeof p === 'string') out.push([`plugins.${i}.path`, p]);
    });
  return out;
}

/** A path a setting in `config` gives, resolved against the config's folder (berry's path settings, rc.js). */
function at(config: string, value: string, setting: string, runBy: string): NamedCode {
  const joined = path.posix.normalize(path.posix.join(dirOf(config), value.trim().replace(/\\/g, '/')));
  const inside = !path.posix.isAbsolute(value.trim()) && !joined.startsWith('../') && joined !== '..';
  return { path: inside ? joined : '', setting, config, runBy };
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** The working-tree files' object ids (regular files only: a symlink is CPU030's, symlinked-inputs.ts). */
async function workTreeOids(dir: string, named: readonly NamedCode[]): Promise<Map<string, string>> {
  const files: string[] = [];
  for (const n of new Set(named.map((x) => x.path)))
    if ((await lstat(path.join(dir, ...n.split('/'))).catch(() => undefined))?.isFile()) files.push(n);
  return files.length > 0 ? hashWorkingFiles(dir, files) : new Map();
}
