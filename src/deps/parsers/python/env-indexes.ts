import { pipConfigName, UNSAFE_STRATEGY } from './config-indexes.js';
import type { ConfigSetting, IndexSettings } from './config-indexes.js';
import { pipLongOption } from './pip-options.js';
import { shlexSplit } from './requirements-lines.js';

/**
 * The environment variables pip and uv read for where to download from (pip's `ConfigOptionParser` maps
 * `PIP_<OPTION>` onto each option; uv's `EnvVars`), and what each sets. Lists are whitespace-separated for pip
 * and for uv's index variables; `UV_INDEX` entries may be `name=url`.
 */
const VARS: Record<string, { key: string; tool: string; insecure?: true }> = {
  PIP_INDEX_URL: { key: 'index-url', tool: 'pip' },
  PIP_EXTRA_INDEX_URL: { key: 'extra-index-url', tool: 'pip' },
  PIP_FIND_LINKS: { key: 'find-links', tool: 'pip' },
  PIP_TRUSTED_HOST: { key: 'trusted-host', tool: 'pip', insecure: true },
  UV_INDEX_URL: { key: 'index-url', tool: 'uv' },
  UV_DEFAULT_INDEX: { key: 'default-index', tool: 'uv' },
  UV_EXTRA_INDEX_URL: { key: 'extra-index-url', tool: 'uv' },
  UV_INDEX: { key: 'index', tool: 'uv' },
  UV_FIND_LINKS: { key: 'find-links', tool: 'uv' },
  UV_INSECURE_HOST: { key: 'allow-insecure-host', tool: 'uv', insecure: true },
};
/**
 * pip reads every `PIP_<NAME>` variable as the option configuration.py `_normalize_name` makes of its name
 * (`get_environ_vars`: lower-cased, `_` read as `-`, a leading `--` dropped) and `ConfigOptionParser` looks up by its
 * long spellings: `PIP_Index_Url`, `PIP___INDEX_URL` and `PIP_PYPI_URL` (`--pypi-url`, an alias of `--index-url` in
 * cmdoptions) set the index as `PIP_INDEX_URL` does (checked with pip 24.2). The option a variable's name gives.
 */
export function pipOptionOf(name: string): string | undefined {
  if (!name.startsWith('PIP_')) return undefined;
  return pipConfigName(name.slice(4).toLowerCase());
}

/** Any `PIP_` variable, for envAssignmentReader: pipOptionOf says which option it sets. */
export const PIP_VARIABLE = 'PIP_[A-Za-z0-9_-]+';

/** The variable of VARS each pip index option is read as. */
const PIP_INDEX_OPTIONS: Record<string, string> = {
  'index-url': 'PIP_INDEX_URL',
  'pypi-url': 'PIP_INDEX_URL',
  'extra-index-url': 'PIP_EXTRA_INDEX_URL',
  'find-links': 'PIP_FIND_LINKS',
  'trusted-host': 'PIP_TRUSTED_HOST',
};
/**
 * The variable of VARS a `PIP_*` variable is to pip, whatever its spelling (`pipOptionOf`): `PIP_PYPI_URL` and
 * `PIP_Index_Url` are `PIP_INDEX_URL`. Undefined for a variable that sets no index or trusted host.
 */
export function pipIndexVariable(name: string): string | undefined {
  const option = pipOptionOf(name);
  return option === undefined ? undefined : PIP_INDEX_OPTIONS[option];
}
const indexAssignments = envAssignmentReader([...Object.keys(VARS).filter((n) => n.startsWith('UV_')), PIP_VARIABLE]);
const strategyAssignments = envAssignmentReader(['UV_INDEX_STRATEGY']);
/**
 * The variables uv and Poetry take an index's secret from: uv's `UV_INDEX_<NAME>_PASSWORD` (uv-static `EnvVars::
 * index_password`) and `UV_PUBLISH_PASSWORD` / `UV_PUBLISH_TOKEN`, Poetry's
 * `POETRY_HTTP_BASIC_<SOURCE>_PASSWORD` and `POETRY_PYPI_TOKEN_<NAME>` (its `Config` maps `POETRY_<KEY>` onto
 * `http-basic.<source>.password` / `pypi-token.<name>`). The user name alone is no secret.
 */
const credentialAssignments = envAssignmentReader([
  'UV_INDEX_[A-Za-z0-9_]+_PASSWORD',
  'UV_PUBLISH_(?:PASSWORD|TOKEN)',
  'POETRY_HTTP_BASIC_[A-Za-z0-9_]+_PASSWORD',
  'POETRY_PYPI_TOKEN_[A-Za-z0-9_]+',
]);
/** The uv settings that add an index beside the default one. */
const UV_EXTRA = new Set(['--extra-index-url', '--index', 'UV_EXTRA_INDEX_URL', 'UV_INDEX']);

/**
 * The settings of the named variables one line of a Dockerfile, workflow or script makes, `[name, value]` with the
 * value's quotes removed: `ENV X=v` / `ARG X=v` / `export X=v` / `X=v cmd` / `X: v` (YAML), and Dockerfile's old
 * `ENV X v` (the rest of the line).
 */
export function envAssignmentReader(names: readonly string[]): (line: string) => [string, string][] {
  const alt = names.join('|');
  const assign = new RegExp(
    `(?:^|[\\s;&|(])(?:export\\s+)?(${alt})\\s*(?:=|:\\s)\\s*("[^"]*"|'[^']*'|[^\\s;&|#]*)`,
    'g',
  );
  const oldEnv = new RegExp(`^\\s*ENV\\s+(${alt})\\s+(\\S.*)$`);
  return (line) => {
    const old = oldEnv.exec(line);
    if (old && !/^\S*=/.test(old[2]!)) return [[old[1]!, old[2]!.trim()]];
    return [...line.matchAll(assign)].map((m) => [m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2')]);
  };
}

/**
 * The index settings a Dockerfile, workflow or script gives pip / uv through their environment variables or on an
 * install's command line, each at its line; undefined when it sets none. A value that is itself a variable (`${{ secrets.X }}`, `$X`) says nothing
 * here and is skipped, as is one that is not a URL (the checks read http(s) values only).
 */
export function envIndexSettings(file: string, text: string): IndexSettings | undefined {
  const indexes: ConfigSetting[] = [];
  const insecureHosts: ConfigSetting[] = [];
  const credentialLines: number[] = [];
  const tools = new Set<string>();
  const lines = text.split(/\r?\n/);
  const strategies = unsafeStrategies(lines);
  // The shell command a line continues (`\` at the end of the lines before it) decides whose options it holds:
  // counted line by line, so a long run of continued lines is not re-read.
  let command = { uv: false, pip: 0, uvPip: 0 };
  lines.forEach((raw, i) => {
    const count = (re: RegExp) => (raw.match(re) ?? []).length;
    command = {
      uv: command.uv || /\buv\b/.test(raw),
      pip: command.pip + count(/\bpip3?\s+install\b/g),
      uvPip: command.uvPip + count(/\buv\s+pip\s+install\b/g),
    };
    // Every `pip install` of the command is `uv pip install` (or it runs uv alone): its options are uv's.
    const uvOnly = command.uv && command.pip === command.uvPip;
    if (!raw.trimEnd().endsWith('\\')) command = { uv: false, pip: 0, uvPip: 0 };
    if (/^\s*#/.test(raw)) return;
    for (const o of commandLineOptions(raw, uvOnly)) {
      tools.add(o.tool);
      const unsafe = o.tool === 'uv' && UV_EXTRA.has(o.key) ? (strategies.byLine[i] ?? strategies.env) : undefined;
      const extra =
        o.key === '--extra-index-url' && o.tool === 'pip'
          ? { pipExtra: true as const }
          : unsafe !== undefined
            ? { uvUnsafe: unsafe }
            : {};
      (o.insecure ? insecureHosts : indexes).push({ key: o.key, value: o.value, line: i + 1, ...extra });
    }
    if (!/(PIP|UV|POETRY)_/.test(raw)) return;
    // A `$` is a variable the shell or the CI runner fills in (`${{ secrets.T }}`): only a written value is a secret.
    if (credentialAssignments(raw).some(([, value]) => value !== '' && !value.includes('$')))
      credentialLines.push(i + 1);
    for (const [written, value] of indexAssignments(raw)) {
      const name = written.startsWith('PIP_') ? pipIndexVariable(written) : written;
      if (name === undefined) continue;
      const v = VARS[name]!;
      tools.add(v.tool);
      for (const item of value.split(/[\s,]+/).filter((x) => x !== '')) {
        const url = v.key === 'index' ? item.replace(/^[\w.-]+=(?=[a-z][a-z0-9+.-]*:)/i, '') : item;
        const unsafe = UV_EXTRA.has(name) ? (strategies.env ?? strategies.anyCommand) : undefined;
        const setting = {
          key: `${written} (${v.key})`,
          value: v.insecure ? url.toLowerCase() : url,
          line: i + 1,
          ...(name === 'PIP_EXTRA_INDEX_URL' ? { pipExtra: true as const } : {}),
          ...(unsafe !== undefined ? { uvUnsafe: unsafe } : {}),
        };
        (v.insecure ? insecureHosts : indexes).push(setting);
      }
    }
  });
  if (indexes.length === 0 && insecureHosts.length === 0 && credentialLines.length === 0) return undefined;
  return { file, tool: [...tools].sort().join(' and '), indexes, insecureHosts, credentialLines };
}

/**
 * The unsafe uv `index-strategy` in force: per line, the one its shell command passes (`--index-strategy
 * unsafe-best-match`, on any of the lines a trailing `\` joins), and the one `UV_INDEX_STRATEGY` sets for the file's
 * commands (uv-cli `IndexArgs`: the option, else the variable). `anyCommand` is some command's, for the extra indexes
 * the environment gives every command.
 */
function unsafeStrategies(lines: readonly string[]): {
  byLine: (string | undefined)[];
  env: string | undefined;
  anyCommand: string | undefined;
} {
  const byLine: (string | undefined)[] = [];
  let env: string | undefined;
  let anyCommand: string | undefined;
  let start = 0;
  let found: string | undefined;
  lines.forEach((raw, i) => {
    if (raw.includes('UV_INDEX_STRATEGY')) {
      for (const [, value] of strategyAssignments(raw)) if (UNSAFE_STRATEGY.test(value)) env ??= value;
    }
    const option = /--index-strategy(?:=|\s+)["']?([\w-]+)/.exec(raw)?.[1];
    if (option !== undefined && UNSAFE_STRATEGY.test(option)) found ??= option;
    if (raw.trimEnd().endsWith('\\')) return;
    for (let k = start; k <= i; k++) byLine[k] = found;
    anyCommand ??= found;
    start = i + 1;
    found = undefined;
  });
  for (let k = start; k < lines.length; k++) byLine[k] = found;
  return { byLine, env, anyCommand: anyCommand ?? found };
}

/**
 * Index options on a `pip install` / `uv pip install` / `uv add|sync|lock` command line (a `RUN`, a workflow `run:`,
 * a script; continuation lines of one command are read on their own): `--index-url`, `--extra-index-url`,
 * `--find-links`, `--trusted-host`, uv's `--index`, `--default-index`, `--allow-insecure-host`, as `--opt value` or
 * `--opt=value`, and those pipx's `--pip-args` hands pip; pipenv's `-i` / `--index`. The short `-i` / `-f` count
 * only on a line that names pip, pipx, pipenv or uv (`-f` is `rm -f` elsewhere).
 */
function commandLineOptions(line: string, uvOnly: boolean): CommandLineOption[] {
  if (!line.includes('--') && !/\s-[if]\S*/.test(line)) return [];
  const names = /\b(pip3?|pipx|pipenv|uv)\b/.test(line);
  // A GitHub Actions expression (`${{ secrets.T }}`) is replaced by the runner before the shell reads the line: one
  // word with what surrounds it, never split at its spaces (a URL's host read as `https://ci:${{`).
  const shell = line.includes('${{') ? line.replace(/\$\{\{[^}]*\}\}/g, (e) => e.replace(/\s+/g, '')) : line;
  const words = shlexSplit(shell) ?? shell.split(/\s+/).map((w) => w.replace(/^(["'])(.*)\1$/, '$2'));
  const out: CommandLineOption[] = [];
  readOptions(words, names, uvOnly, out);
  // pipenv's `-i` / `--index` (cli/options.py `index_option`) is the index it installs from, as pip's --index-url.
  if (/\bpipenv\b/.test(line) && !/\buv\b/.test(line)) {
    return out.map((o) => (o.key === '--index' || o.key === '--index-url' ? { ...o, tool: 'pipenv' } : o));
  }
  return out;
}

interface CommandLineOption {
  readonly key: string;
  readonly value: string;
  readonly tool: string;
  readonly insecure: boolean;
}

/** The index options among a command's words into `out`; `names` when the words are pip's, uv's or pipx's own. */
function readOptions(words: readonly string[], names: boolean, uvOnly: boolean, out: CommandLineOption[]): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let opt;
    let value;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq > 0 ? w.slice(0, eq) : w;
      // pipx hands `--pip-args` to pip, split as the shell splits (pipx main.py `get_pip_args`: `shlex.split`).
      if (name === '--pip-args') {
        readOptions(shlexSplit((eq > 0 ? w.slice(eq + 1) : words[++i]) ?? '') ?? [], true, false, out);
        continue;
      }
      // pip's optparse takes a long option by any unambiguous prefix (`--extra-index` is `--extra-index-url`).
      opt = CLI_OPTIONS[name] ?? (names && !uvOnly ? CLI_OPTIONS[pipLongOption(name)] : undefined);
      value = opt && (eq > 0 ? w.slice(eq + 1) : words[++i]);
    } else if (names && /^-[if]/.test(w)) {
      opt = CLI_OPTIONS[w.slice(0, 2)];
      value = w.length > 2 ? w.slice(2) : words[++i];
    }
    if (opt === undefined || value === undefined || value === '') continue;
    // `uv pip install --extra-index-url` is uv's option (its default first-index strategy), not pip's.
    if (opt.tool === 'pip' && uvOnly) opt = { ...opt, tool: 'uv' };
    const item = opt.key === '--index' ? value.replace(/^[\w.-]+=(?=[a-z][a-z0-9+.-]*:)/i, '') : value;
    out.push({ key: opt.key, value: opt.insecure ? item.toLowerCase() : item, tool: opt.tool, insecure: opt.insecure });
  }
}

const CLI_OPTIONS: Record<string, { key: string; tool: string; insecure: boolean }> = {
  '--index-url': { key: '--index-url', tool: 'pip', insecure: false },
  '-i': { key: '--index-url', tool: 'pip', insecure: false },
  '--extra-index-url': { key: '--extra-index-url', tool: 'pip', insecure: false },
  '--find-links': { key: '--find-links', tool: 'pip', insecure: false },
  '-f': { key: '--find-links', tool: 'pip', insecure: false },
  '--trusted-host': { key: '--trusted-host', tool: 'pip', insecure: true },
  // cmdoptions `index_url`: `-i`, `--index-url` and `--pypi-url` are one option.
  '--pypi-url': { key: '--index-url', tool: 'pip', insecure: false },
  '--index': { key: '--index', tool: 'uv', insecure: false },
  '--default-index': { key: '--default-index', tool: 'uv', insecure: false },
  '--allow-insecure-host': { key: '--allow-insecure-host', tool: 'uv', insecure: true },
};
