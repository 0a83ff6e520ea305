import { parse as parseIni } from 'ini';
import { parsePnpmWorkspace } from '../../deps/parsers/pnpm-workspace.js';
import { parseYarnrcV1 } from '../../deps/yarnrc-v1.js';
import { parse as parseToml } from 'smol-toml';
import { parseYarnrcYml } from './yarn-settings.js';
import type { Finding } from '../../core/finding.js';
import { cutComment } from '../../core/linear-text.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { isAllowed } from '../../deps/npmrc-trust.js';
import type { InstallFileChange } from './install-files.js';
import { isRequirementsName } from './named-inputs.js';
import { PIP_INDEX_KEYS, pipConfigName, pipConfLines } from '../../deps/parsers/python/config-indexes.js';
import { hostOf } from '../../deps/parsers/python/checks/indexes.js';
import { isAllowedIndex } from '../../deps/parsers/python/checks/context.js';

/**
 * CPU025 / CPU026: a change to a package manager's configuration that the install on CI obeys. Each file is read as
 * its package manager reads it — `.npmrc` as ini (@npmcli/config), pip.conf as pip's `configparser` (`pipConf`),
 * `.yarnrc.yml` as YAML (berry's `parseSyml`), yarn 1's `.yarnrc` as `key value` lines, `bunfig.toml`, `uv.toml` and
 * pyproject's `[tool.uv]`, `[[tool.poetry.source]]` and `[[tool.pdm.source]]` as TOML — and flattened to dotted keys.
 * One finding per file and rule, every setting with its value at both revisions.
 */
type Flat = Map<string, string> & {
  /** Where each setting is read from, for a file whose settings know their lines (pip.conf: `pipConf`). */
  readonly lines?: ReadonlyMap<string, number>;
};

interface Watch {
  readonly key: RegExp;
  /** CPU025: where packages come from; CPU026: a safeguard. */
  readonly rule: 'CPU025' | 'CPU026';
  /** CPU026: whether a value (undefined = unset: the package manager's default) leaves the safeguard off. */
  readonly unsafe?: (v: string | undefined) => boolean;
  /** CPU026, instead of `unsafe`: whether the move from the base value to the head value drops the safeguard. */
  readonly weakened?: (before: string | undefined, after: string | undefined) => boolean;
}

const isFalse = (v: string | undefined) => v !== undefined && /^(false|0|no|off)$/i.test(v.trim());
const isSet = (v: string | undefined) => v !== undefined && v.trim() !== '';
const notTrue = (v: string | undefined) => v === undefined || !/^(true|1|yes|on)$/i.test(v.trim());
const source = (key: RegExp): Watch => ({ key, rule: 'CPU025' });
const guard = (key: RegExp, unsafe: (v: string | undefined) => boolean): Watch => ({ key, rule: 'CPU026', unsafe });

/**
 * Corepack's `packageManager` spec, `name@range`: split at the first `@` (`specUtils.parseSpec`); a range that parses
 * as a URL is downloaded and run as the package manager, else a version whose semver build part is `<algo>.<hex>`,
 * the hash `corepackUtils.installVersion` compares the download with (no hash: nothing is compared).
 */
function corepackSpec(v: string): { name: string; url: boolean; version: string; hash?: string } {
  const sep = v.indexOf('@');
  const range = sep < 0 ? '' : v.slice(sep + 1);
  const plus = range.indexOf('+');
  const hash = plus < 0 ? '' : range.slice(plus + 1);
  return {
    name: sep < 0 ? v : v.slice(0, sep),
    url: URL.canParse(range),
    version: plus < 0 ? range : range.slice(0, plus),
    ...(/^[a-z0-9]+\.[0-9a-f]+$/i.test(hash) ? { hash } : {}),
  };
}

/**
 * A `packageManager` moved to a URL (another program corepack runs in place of the package manager), or that lost
 * the hash corepack checks the download with, or pins the same release to another hash. A version move that keeps
 * a hash (as Renovate writes it), or one that never had any, is an update like any other.
 */
function corepackWeakened(before: string | undefined, after: string | undefined): boolean {
  if (after === undefined || after === before) return false;
  const h = corepackSpec(after);
  if (h.url) return true;
  if (before === undefined) return false;
  const b = corepackSpec(before);
  if (b.hash === undefined || b.url) return false;
  return h.hash === undefined || (h.name === b.name && h.version === b.version && h.hash !== b.hash);
}

const FILE_WATCHES: Readonly<Record<string, readonly Watch[]>> = {
  // @npmcli/config definitions; pnpm reads the same file (config/config's npmrc keys).
  '.npmrc': [
    source(/^registry$/),
    source(/^@[^:]+:registry$/),
    guard(/^ignore-scripts$/, notTrue),
    guard(/^strict-ssl$/, isFalse),
    // `ca[]=…` lines are read by ini as an array: `ca.0`, `ca.1`.
    guard(/^(ca|cafile)(\.\d+)?$/, isSet),
    guard(/^package-lock$/, isFalse),
    guard(/^frozen-lockfile$/, isFalse),
    guard(/^verify-store-integrity$/, isFalse),
    guard(/^dangerously-allow-all-builds$/, (v) => !notTrue(v)),
    // Programs npm and pnpm run themselves: a script shell, the git binary for git dependencies, NODE_OPTIONS.
    guard(/^(script-shell|shell|git|node-options|onload-script)$/, isSet),
    // pnpm's requireHooks loads the pnpmfile these name on every install (@pnpm/pnpmfile).
    guard(/^(global-)?pnpmfile$/, isSet),
  ],
  // pnpm-workspace.yaml holds every setting `.npmrc` accepts, in camelCase (pnpm 10.6, pnpm/pnpm#9211; pnpm 11
  // reads only auth from `.npmrc`), and `registries` in both of its shapes (URL values by `default` / `@scope`, or
  // URL keys). `dangerouslyAllowAllBuilds` and the build lists are the parser's (enabled-builds.ts), overrides
  // manifest-changes.ts's.
  'pnpm-workspace.yaml': [
    source(/^(registry|registries\..+|namedRegistries\..+)$/),
    guard(/^ignoreScripts$/, notTrue),
    guard(/^strictSsl$/, isFalse),
    guard(/^(ca|cafile)(\.\d+)?$/, isSet),
    guard(/^frozenLockfile$/, isFalse),
    guard(/^verifyStoreIntegrity$/, isFalse),
    guard(/^(scriptShell|nodeOptions)$/, isSet),
    guard(/^(global)?[pP]npmfile$/, isSet),
    // Installed before anything else, its pnpmfile loaded on every install when it is a `pnpm-plugin-*` (pnpm 10.14,
    // @pnpm/config-deps-installer): a new or re-pinned entry is new code the install runs.
    { key: /^configDependencies\..+$/, rule: 'CPU026', weakened: (b, h) => h !== undefined && h !== b },
  ],
  // berry's core settings (Configuration.ts) and plugin-npm's.
  '.yarnrc.yml': [
    source(/^npmRegistryServer$/),
    source(/^npmScopes\.[^.]+\.npmRegistryServer$/),
    source(/^unsafeHttpWhitelist(\.\d+)?$/),
    guard(/^enableStrictSsl$/, isFalse),
    guard(/^(caFilePath|httpsCaFilePath)$/, isSet),
    guard(/^checksumBehavior$/, (v) => v !== undefined && /^(ignore|update|reset)$/.test(v.trim())),
    guard(/^enableScripts$/, (v) => !isFalse(v)),
    guard(/^enableImmutableInstalls$/, isFalse),
    guard(/^enableHardenedMode$/, isFalse),
    // Code yarn loads and runs: its own release, plugins.
    guard(/^yarnPath$/, isSet),
    guard(/^plugins(\.\d+)?(\.path)?$/, isSet),
    // Files whose variables (NODE_OPTIONS…) yarn 4 puts into every script it starts (named-code.ts reads them).
    { key: /^injectEnvironmentFiles(\.\d+)?$/, rule: 'CPU026', weakened: (b, h) => h !== undefined && h !== b },
  ],
  // yarn 1's `.yarnrc` (src/rc.js `getRcConfigForCwd`, read with its lockfile parser): config keys, and `--cmd.flag` /
  // `--*.flag` keys that `getRcArgs` adds to every `yarn install` (or every command).
  '.yarnrc': [
    source(/^(--(\*|install|add)\.)?registry$/),
    source(/^@[^:]+:registry$/),
    guard(/^(--(\*|install|add)\.)?ignore-scripts$/, notTrue),
    guard(/^strict-ssl$/, isFalse),
    guard(/^(ca|cafile)$/, isSet),
    // yarn runs the file `yarn-path` names instead of itself (`yarn-path` is one of rc.js's PATH_KEYS).
    guard(/^yarn-path$/, isSet),
    guard(/^(--(\*|install)\.)?(no-lockfile|update-checksums|skip-integrity-check)$/, (v) => !notTrue(v)),
    guard(/^(--(\*|install)\.)?frozen-lockfile$/, isFalse),
  ],
  // bun's bunfig.toml `[install]` (docs: runtime/bunfig).
  'bunfig.toml': [
    source(/^install\.registry(\.url)?$/),
    source(/^install\.scopes\.[^.]+(\.url)?$/),
    guard(/^install\.(cafile|ca)$/, isSet),
    guard(/^install\.frozenLockfile$/, isFalse),
  ],
  // pip's `--no-binary` / `--only-binary` in a requirements file (req_file.py SUPPORTED_OPTIONS: options of the whole
  // file, whatever line they are on), as `formatControl` leaves them: a package built from its sdist runs its own
  // setup.py / PEP 517 backend at install, a wheel runs nothing.
  requirements: [
    { key: /^--no-binary$/, rule: 'CPU026', weakened: widened },
    { key: /^--only-binary$/, rule: 'CPU026', weakened: (b, h) => widened(h, b) },
  ],
  // The project's own manifest: corepack's `packageManager` (the release of yarn or pnpm every command runs).
  'package.json': [{ key: /^packageManager$/, rule: 'CPU026', weakened: corepackWeakened }],
  // pip's configuration (`pip config`: [global] and [install] sections).
  'pip.conf': [
    // Every name pip reads an index from (`pypi-url` is `--index-url`'s alias), as the head scan reads them.
    source(new RegExp(`^(global|install)\\.(${[...PIP_INDEX_KEYS].join('|')})$`)),
    guard(/^(global|install)\.trusted-host$/, isSet),
    guard(/^(global|install)\.cert$/, isSet),
    { key: /^(global|install)\.no-binary$/, rule: 'CPU026', weakened: widened },
    { key: /^(global|install)\.only-binary$/, rule: 'CPU026', weakened: (b, h) => widened(h, b) },
  ],
  // uv's settings (`uv.toml`, or `[tool.uv]` in pyproject.toml); `extra-index-url` and `find-links` are lists.
  'uv.toml': [
    source(/^(index-url|extra-index-url(\.\d+)?|find-links(\.\d+)?|index\.\d+\.url)$/),
    guard(/^allow-insecure-host(\.\d+)?$/, isSet),
    guard(/^index-strategy$/, (v) => v !== undefined && v.startsWith('unsafe')),
    guard(/^(no-verify-hashes)$/, (v) => !notTrue(v)),
    guard(/^verify-hashes$/, isFalse),
    // Builds from source (uv's `no-binary`, `no-build` settings): running the packages' build backends at install.
    guard(/^no-binary$/, (v) => !notTrue(v)),
    guard(/^no-binary-package(\.\d+)?$/, isSet),
    guard(/^no-build$/, notTrue),
    guard(/^no-build-package(\.\d+)?$/, (v) => !isSet(v)),
    // `[pip]`: what `uv pip install` / `uv pip sync` read over the top-level settings (uv-settings PipOptions), so a
    // workflow that installs with `uv pip` takes its index and its safeguards from here.
    source(/^pip\.(index-url|extra-index-url(\.\d+)?|find-links(\.\d+)?)$/),
    guard(/^pip\.allow-insecure-host(\.\d+)?$/, isSet),
    guard(/^pip\.index-strategy$/, (v) => v !== undefined && v.startsWith('unsafe')),
    guard(/^pip\.verify-hashes$/, isFalse),
    guard(/^pip\.require-hashes$/, notTrue),
    // A list here (`:all:` or names): any entry new at its place builds another package from its sdist.
    { key: /^pip\.no-binary(\.\d+)?$/, rule: 'CPU026', weakened: (b, h) => h !== undefined && h !== b },
    guard(/^pip\.no-build$/, notTrue),
  ],
};
// pyproject.toml: uv's settings under `[tool.uv]`, Poetry's `[[tool.poetry.source]]` and PDM's `[[tool.pdm.source]]`
// (each a package index the resolver asks; PDM's `verify_ssl = false` drops TLS for it).
const WATCHES: Readonly<Record<string, readonly Watch[]>> = {
  ...FILE_WATCHES,
  'pyproject.toml': [
    ...FILE_WATCHES['uv.toml']!.map((w) => ({ ...w, key: new RegExp(`^tool\\.uv\\.${w.key.source.slice(1)}`) })),
    source(/^tool\.(poetry|pdm)\.source\.\d+\.url$/),
    guard(/^tool\.pdm\.source\.\d+\.verify_ssl$/, isFalse),
    // The project's own build: `pip install .` and `uv sync` (an editable or built project) install
    // `[build-system] requires` into an isolated environment, unpinned by any lockfile (uv locks no build
    // dependencies), and run the backend it names (pip `load_pyproject_toml`, uv-build-frontend `SourceBuild::setup`).
    { key: /^build-system\.requires$/, rule: 'CPU026', weakened: newBuildRequirement },
    // Another backend than the base built with; an in-tree one (`backend-path`) is the repository's own code.
    { key: /^build-system\.build-backend$/, rule: 'CPU026', weakened: (b, h) => b !== undefined && h !== b },
    { key: /^build-system\.backend-path(\.\d+)?$/, rule: 'CPU026', weakened: (b, h) => h !== undefined && h !== b },
  ],
};

/** A PEP 508 requirement's project name, normalised; a direct URL (`name @ url`) keeps its URL, as another spec. */
function buildRequirement(spec: string): [string, string] {
  const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec)?.[1] ?? spec.trim();
  return [name.toLowerCase().replace(/[-_.]+/g, '-'), /^[^;]*@/.test(spec) ? spec.trim() : ''];
}

/**
 * `[build-system] requires` (kept as a JSON list): a project name the base did not build with, or a direct URL that
 * changed. A range moved for a name already there (`setuptools>=61` → `>=68`) is an update like any other.
 */
function newBuildRequirement(before: string | undefined, after: string | undefined): boolean {
  const list = (v: string | undefined): Map<string, string> => {
    let xs: unknown;
    try {
      xs = v === undefined ? [] : JSON.parse(v);
    } catch {
      xs = [];
    }
    return new Map((Array.isArray(xs) ? xs : []).filter((x) => typeof x === 'string').map(buildRequirement));
  };
  const [b, h] = [list(before), list(after)];
  // A project new to the change (or new to `[build-system]`) brings its build requirements with it: only a direct URL
  // there is more than any new project needs.
  if (before === undefined) return [...h.values()].some((url) => url !== '');
  return [...h].some(([name, url]) => !b.has(name) || (url !== '' && b.get(name) !== url));
}

function kindOf(p: string): string | undefined {
  if (isRequirementsName(p)) return 'requirements';
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (base === 'pip.ini') return 'pip.conf';
  return base in WATCHES ? base : undefined;
}

/** The settings of one side, flattened; `undefined` for a file that is not there, an Error for one that will not parse. */
function flatten(p: string, text: string | undefined): Flat | Error | undefined {
  if (text === undefined) return undefined;
  const kind = kindOf(p)!;
  try {
    let data: unknown;
    if (kind === '.yarnrc') return parseYarnrcV1(text);
    if (kind === 'requirements') return requirementFormats(text);
    if (kind === 'pip.conf') return pipConf(text);
    if (kind === '.npmrc') data = parseIni(text);
    // Only the setting: the rest of a manifest, and a manifest that does not parse, are manifest-changes.ts's.
    else if (kind === 'package.json') data = { packageManager: at(parseJsonOr(text), 'packageManager') };
    else if (kind === '.yarnrc.yml') data = parseYarnrcYml(text);
    else if (kind === 'pnpm-workspace.yaml') {
      // As pnpm reads it, `<<` merge keys applied (manifest-changes.ts reads the overrides the same way).
      const ws = parsePnpmWorkspace(text);
      if ('error' in ws) return new Error(ws.error);
      data = ws.settings;
    } else data = parseToml(text, { maxDepth: 32 });
    let requires: unknown;
    if (kind === 'pyproject.toml') {
      const tool = at(data, 'tool');
      const build = at(data, 'build-system');
      requires = at(build, 'requires');
      data = {
        tool: {
          uv: at(tool, 'uv'),
          poetry: { source: at(at(tool, 'poetry'), 'source') },
          pdm: { source: at(at(tool, 'pdm'), 'source') },
        },
        'build-system': { 'build-backend': at(build, 'build-backend'), 'backend-path': at(build, 'backend-path') },
      };
    }
    const out: Flat = new Map();
    flattenInto(out, '', data, 0);
    // One value for the whole list: an entry inserted at the front is one new requirement, not every index moved.
    if (Array.isArray(requires)) out.set('build-system.requires', JSON.stringify(requires));
    return out;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * pip.conf / pip.ini as pip reads it (configuration.py `_construct_parser`: configparser.RawConfigParser), flattened
 * to `section.name`: `=` or `:` after the name, indented lines continuing the value (a list's URLs, kept as its
 * white-space-separated words), `#` / `;` only at the start of a line, names lower-cased and, as pip's
 * `_normalize_name` does, `_` read as `-` and a leading `--` dropped. What RawConfigParser refuses — a setting before
 * any section, a line that is no setting, a name or section given twice — makes pip refuse the file: an Error.
 */
function pipConf(text: string): Flat {
  // Each value's words, joined once at the end: a file of continuation lines stays linear.
  const words = new Map<string, string[]>();
  const lines = new Map<string, number>();
  // What RawConfigParser holds (names lower-cased, not yet normalised): `index_url` and `index-url` are two names
  // to it, one to pip (the later wins, as pip's `_normalized_keys` loop overwrites).
  const seen = new Set<string>();
  let section: string | undefined;
  let key: string | undefined;
  for (const l of pipConfLines(text)) {
    if (l.kind === 'continuation') {
      words.get(key!)!.push(l.value);
    } else if (l.kind === 'section') {
      section = l.name;
      if (seen.has(`[${section}]`)) throw new Error(`line ${l.line}: section [${section}] given twice`);
      seen.add(`[${section}]`);
    } else if (l.kind === 'invalid' || section === undefined) {
      throw new Error(`line ${l.line}: not a setting inside a [section]`);
    } else {
      if (seen.has(`${section}\0${l.name}`)) throw new Error(`line ${l.line}: ${l.name} given twice in [${section}]`);
      seen.add(`${section}\0${l.name}`);
      key = `${section}.${pipConfigName(l.name)}`;
      // Set anew, not appended to: the later of `index_url` / `index-url` wins.
      words.set(key, [l.value.trim()]);
      lines.set(key, l.line);
    }
  }
  return Object.assign(new Map([...words].map(([k, v]) => [k, v.filter((w) => w !== '').join(' ')])), { lines });
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A requirements file's `--no-binary` / `--only-binary` sets, each a sorted comma list, as pip builds them: options
 * lines after `\\` continuations are joined and `#` comments dropped (req_file.py `preprocess`), every value applied
 * in order by `FormatControl.handle_mutual_excludes` (`:all:` clears both sets, `:none:` the one named, a name moves
 * from the other set to this one).
 */
function requirementFormats(text: string): Flat {
  const sets = { '--no-binary': new Set<string>(), '--only-binary': new Set<string>() };
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const tokens = cutComment(raw).trim().split(/\s+/);
    if (!tokens[0]?.startsWith('-')) continue;
    for (let i = 0; i < tokens.length; i++) {
      const m = /^(--no-binary|--only-binary)(?:=(.*))?$/.exec(tokens[i]!);
      if (!m) continue;
      const option = m[1] as keyof typeof sets;
      const value = m[2] ?? tokens[++i] ?? '';
      const other = option === '--no-binary' ? '--only-binary' : '--no-binary';
      for (const name of value.split(',')) {
        if (name === ':all:') {
          sets[other].clear();
          sets[option].clear();
          sets[option].add(':all:');
        } else if (name === ':none:') sets[option].clear();
        else if (name !== '') {
          const canonical = name.toLowerCase().replace(/[-_.]+/g, '-');
          sets[other].delete(canonical);
          sets[option].add(canonical);
        }
      }
    }
  }
  const out: Flat = new Map();
  for (const [k, v] of Object.entries(sets)) if (v.size > 0) out.set(k, [...v].sort().join(','));
  return out;
}

/** Whether a pip format-control list (`:all:` or names, comma-separated) now covers a package it did not. */
function widened(before: string | undefined, after: string | undefined): boolean {
  const names = (v: string | undefined) =>
    new Set(
      (v ?? '')
        .split(',')
        .map((n) =>
          n
            .trim()
            .toLowerCase()
            .replace(/[-_.]+/g, '-'),
        )
        .filter((n) => n !== '' && n !== ':none:'),
    );
  const [b, h] = [names(before), names(after)];
  if (b.has(':all:')) return false;
  return [...h].some((n) => !b.has(n));
}

const at = (o: unknown, k: string): unknown =>
  o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined;

function flattenInto(out: Flat, prefix: string, v: unknown, depth: number): void {
  if (depth > 16 || out.size > 10_000) return;
  if (v === null || v === undefined) return;
  if (typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) flattenInto(out, prefix === '' ? k : `${prefix}.${k}`, x, depth + 1);
    return;
  }
  if (prefix !== '' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    out.set(prefix, String(v));
}

/**
 * Where the head file sets `key`; 1 when the change removed the file, or the setting. A pip.conf setting's line is the
 * one pip reads it from (`pipConf`): the later of `index_url` and `index-url`, the key's spelling in the file not pip's.
 */
function settingLine(kind: string, head: string | undefined, settings: Flat, key: string): number {
  if (head === undefined) return 1;
  return kind === 'pip.conf' ? (settings.lines?.get(key) ?? 1) : lineOf(head, key);
}

/** The 1-based line that sets `key` (its last segment) in `text`, or 1. */
function lineOf(text: string, key: string): number {
  const leaf =
    key
      .split('.')
      .filter((s) => !/^\d+$/.test(s))
      .pop() ?? key;
  const esc = leaf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `key = v` (ini, TOML), `key: v` (YAML), `key v` (yarn 1's .yarnrc).
  const re = new RegExp(`^\\s*(-\\s*)?["']?${esc}(\\[\\])?["']?(\\s*[=:]|\\s)`);
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i < 0 ? 1 : i + 1;
}

const shown = (v: string | undefined) => (v === undefined ? '(unset)' : redactUrls(v).slice(0, 200));

/** The files pip, uv, Poetry and PDM read their indexes from: judged against the policy's Python indexes. */
const PYTHON_KINDS: ReadonlySet<string> = new Set(['pip.conf', 'uv.toml', 'pyproject.toml']);

/**
 * `allowed`: the policy's registries (and trusted mirrors); `pythonAllowed`: the index prefixes Python packages may
 * come from (python/checks/context.ts `allowedPythonIndexes`, the list the scan's CPP070 reads). A repoint to one of
 * them is still a change to review, but one the policy already accepts: a warning (the `patch` gate still stops it),
 * an error otherwise.
 */
export function installSettingFindings(
  changes: readonly InstallFileChange[],
  allowed: readonly string[],
  pythonAllowed: readonly string[] = [],
): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    const kind = kindOf(c.path);
    if (kind === undefined || c.unread !== undefined) continue;
    const before = flatten(c.path, c.base);
    const after = flatten(c.path, c.head);
    if (after instanceof Error) {
      // A pnpm-workspace.yaml that does not parse is manifest-changes.ts's CPU030: one finding for one file.
      if (kind !== 'pnpm-workspace.yaml') out.push(unreadableConfig(c.path, after.message));
      continue;
    }
    const was = before instanceof Map ? before : new Map<string, string>();
    const now: Flat = after ?? new Map<string, string>();
    const byRule = new Map<'CPU025' | 'CPU026', string[]>();
    for (const key of [...new Set([...was.keys(), ...now.keys()])].sort()) {
      const w = WATCHES[kind]!.find((x) => x.key.test(key));
      if (!w) continue;
      const b = was.get(key);
      const h = now.get(key);
      const hit =
        w.rule === 'CPU025'
          ? h !== undefined && h !== b
          : w.weakened
            ? w.weakened(b, h)
            : w.unsafe!(h) && !w.unsafe!(b);
      if (hit) byRule.set(w.rule, [...(byRule.get(w.rule) ?? []), key]);
    }
    for (const [rule, keys] of byRule) {
      const pairs = keys.map((k) => `${k}: ${shown(was.get(k))} → ${shown(now.get(k))}`);
      const what =
        rule === 'CPU025'
          ? 'points the install at another registry or index'
          : 'turns off a safeguard of the install (TLS, integrity, lockfile, install scripts) or makes it run another program';
      const accepts = (v: string) =>
        PYTHON_KINDS.has(kind) ? pythonIndexAllowed(v, pythonAllowed) : isAllowed(v, allowed);
      const vetted = rule === 'CPU025' && keys.every((k) => accepts(now.get(k) ?? ''));
      out.push({
        ruleId: rule,
        ...(vetted ? { level: 'warning' as const } : {}),
        message: `${c.path} ${what}: ${pairs.join('; ')}${vetted ? ' (a registry the policy allows)' : ''}. The package manager obeys it on the next install in CI. Land configuration changes in a pull request of their own and approve them by hand.`,
        location: { path: c.path, line: settingLine(kind, c.head, now, keys[0]!) },
        artifact: { kind: 'file', path: c.path },
        evidence: {
          settings: keys.join(' '),
          before: keys.map((k) => `${k}=${shown(was.get(k))}`).join(' '),
          after: keys.map((k) => `${k}=${shown(now.get(k))}`).join(' '),
          // What repointed-indexes.ts matches the head scan's CPP070 against: every host, not the display's first 200
          // characters.
          ...(rule === 'CPU025' ? { hosts: settingHosts(keys.map((k) => now.get(k) ?? '')) } : {}),
        },
      });
    }
  }
  return out;
}

/**
 * The hosts of the URLs the values set (a pip list value holds several, separated by white space), lower-cased as
 * CPP070's `host` is (checks/indexes.ts `hostOf`), sorted and space-separated.
 */
function settingHosts(values: readonly string[]): string {
  const urls = values.flatMap((v) => v.split(/\s+/)).filter((u) => /^https?:\/\//i.test(u));
  return [...new Set(urls.map(hostOf))].sort().join(' ');
}

/**
 * Whether every URL of a Python index setting (a pip list holds several, separated by white space) lies under an
 * allowed prefix, as config-indexes.ts judges each for CPP070; a local path or an empty value is no allowed index.
 */
function pythonIndexAllowed(value: string, allowed: readonly string[]): boolean {
  const urls = value.split(/\s+/).filter((u) => u !== '');
  return urls.length > 0 && urls.every((u) => /^https?:\/\//i.test(u) && isAllowedIndex(u, allowed));
}

/** CPU030: an install input the change touched that could not be read or parsed at the head; not compared. */
export function unreadableConfig(p: string, why: string): Finding {
  return {
    ruleId: 'CPU030',
    message: `${p} could not be read at the head revision (${why.split('\n')[0]!.slice(0, 200)}); the install settings it changes were not compared.`,
    location: { path: p },
    evidence: { file: p, reason: why.split('\n')[0]!.slice(0, 200) },
  };
}
