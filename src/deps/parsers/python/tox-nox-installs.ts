import { posix } from 'node:path';
import { parse } from 'smol-toml';
import { MAX_TOML_DEPTH, isTable } from './toml.js';
import { breakArgsOptions } from './requirements-lines.js';
import { dockerfileCommands } from './dockerfile-commands.js';
import { isDockerfile } from '../../python-inputs.js';
import { makeCommands } from './make-commands.js';
import { yamlCommands } from './yaml-commands.js';

/**
 * tox and nox install packages without a `pip install` written anywhere: tox hands a `deps =` list to pip as a
 * requirements file, nox's `session.install(…)` runs pip with its arguments. So that the readers of install commands
 * (the files `-r` / `-c` name, the index options and PIP_* / UV_* variables) see them, each file is rewritten as
 * the shell commands it makes, one output line per input line: a finding keeps its line in the real file. tox reads
 * its configuration from any of tox.ini, setup.cfg (`[tox:tox]`), pyproject.toml (`[tool.tox]`) and tox.toml (tox's
 * `SOURCE_TYPES`: `ToxIni`, `SetupCfg`, `LegacyToml`, `ToxToml`, `TomlPyProject`); each is read (`tox -c` picks any).
 * Makefiles, CI YAML and Dockerfiles are rewritten the same way, as the lines their shell runs (make-commands.ts,
 * yaml-commands.ts, dockerfile-commands.ts).
 */
export function asInstallCommands(path: string, text: string): string {
  const base = posix.basename(path);
  // Make expands its variables before the shell runs a recipe line; a CI file's quoted YAML value is the script.
  if (/^(GNUmakefile|[Mm]akefile)$|\.mk$/.test(base)) return makeCommands(text);
  if (/\.ya?ml$/.test(base)) return yamlCommands(text);
  if (isDockerfile(base)) return dockerfileCommands(text);
  if (base === 'tox.ini') return toxCommands(text, () => true);
  if (base === 'setup.cfg') return setupCfgCommands(text);
  if (base === 'tox.toml') return toxTomlCommands(text, []);
  if (base === 'pyproject.toml') return toxTomlCommands(text, ['tool', 'tox']);
  if (base === 'noxfile.py') return noxCommands(text);
  return text;
}

/** The keys whose values tox installs or runs pip with (tox's `PythonDeps`, `PythonConstraints`). */
type ToxKey = 'deps' | 'constraints';

/**
 * tox.ini: every `deps` value line that is a pip option (`-r file`, `-c file`, `--index-url …`) becomes that option of
 * a `pip install`, as tox's `PythonDeps` (tox_env/python/pip/req_file.py, a `RequirementsFile` rooted at tox.ini)
 * reads it; every `constraints` line is a constraints file (`PythonConstraints` prefixes each with `-c`). A line a
 * factor guards (`py312: -r ci.txt`, tox's `expand_factors`) may run, so it counts. A requirement line becomes a
 * `pip install` of that requirement, judged as a command-line argument is. Other lines (`setenv`,
 * `install_command`, `commands`) stay as they are: they are shell-like commands and variable settings already.
 * As tox's `IniLoader.process_raw`: a `#` not escaped by `\` starts a comment wherever it is, and a line ending in
 * `\` goes on at the next (the joined value is written at its first line). Only the lines of sections `inSection`
 * accepts are read (setup.cfg's other sections are not tox's).
 */
function toxCommands(text: string, inSection: (name: string) => boolean): string {
  let key: string | undefined;
  let reading = inSection('');
  const out: string[] = [];
  // A `deps` / `constraints` value line a trailing `\` continues: its pieces (joined once, at its end: a hostile
  // run of continued lines is not copied once per line) and its line.
  let held: { at: number; key: ToxKey; parts: string[] } | undefined;
  const emit = (at: number, k: ToxKey, content: string) => {
    out[at] = k === 'deps' ? depsCommand(content) : `pip install -c ${content}`;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    out.push('');
    const line = toxSubstitutions(raw);
    // A comment (`#` or ini's `;`) runs nothing; kept, a `;` would read as a shell separator. configparser drops a
    // comment line from inside a value; an empty line ends a continued one.
    if (/^\s*[#;]/.test(line)) return;
    if (line.trim() === '') {
      if (held) emit(held.at, held.key, held.parts.join('').trim());
      held = undefined;
      return;
    }
    const section = /^\[([^\]]*)\]/.exec(line);
    const setting = /^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (section) {
      reading = inSection(section[1]!.trim());
      key = undefined;
    } else if (setting) key = setting[1]!.toLowerCase();
    if (!reading) return;
    // tox's `_COMMENTS` (`(\s)*(?<!\\)#.*`), then `\#` is a `#`.
    const value = (setting ? setting[2]! : /^\s/.test(line) ? line : '')
      .replace(/\s*(?<!\\)#.*$/, '')
      .replace(/\\#/g, '#')
      .trim();
    // tox's `expand_factors`: `factors: value`.
    const content = value.replace(/^[\w{}.!,-]+:\s+/, '');
    if (key !== 'deps' && key !== 'constraints') {
      out[i] = line;
      return;
    }
    const parts = held?.parts ?? [];
    const at = held?.at ?? i;
    held = undefined;
    if (content.endsWith('\\')) {
      parts.push(content.slice(0, -1));
      held = { at, key, parts };
      return;
    }
    parts.push(content);
    const joined = parts.join('').trim();
    if (joined !== '') emit(at, key, joined);
  });
  if (held) emit(held.at, held.key, held.parts.join('').trim());
  return out.join('\n');
}

/**
 * The `pip install` one line of a `deps` value makes, as tox's `PythonDeps` hands it to pip in a requirements file: an
 * option line as it stands (`-r file`, `--index-url …`), a requirement line as one argument, its requirement up to
 * the first option word (pip's `break_args_options`; the options of a requirement line, `--hash` and build
 * settings, say nothing of where it comes from, and pip's `handle_requirement_line` ignores the rest).
 */
function depsCommand(content: string): string {
  return content.startsWith('-')
    ? `pip install ${content}`
    : `pip install ${shellQuote(breakArgsOptions(content).args)}`;
}

/**
 * setup.cfg is tox's configuration only with a `[tox:tox]` section (tox's `SetupCfg`), and then only its tox
 * sections are: `[tox:tox]`, `[testenv]` / `[testenv:name]` and `[pkgenv]`; the rest of the file is setuptools'.
 */
function setupCfgCommands(text: string): string {
  if (!/^\[\s*tox:tox\s*\]/m.test(text)) return text.replace(/[^\n]+/g, '');
  return toxCommands(text, (name) => /^(tox:tox|testenv(:.*)?|pkgenv)$/.test(name));
}
/**
 * tox.toml, or pyproject.toml's `[tool.tox]` (`prefix`). A `legacy_tox_ini` string is a tox.ini (tox's
 * `LegacyToml`), read as one at the lines it spans. The native form (tox's `TomlPyProject` / `ToxToml`, loaded by
 * `TomlLoader`) keeps each environment's settings in `env_run_base`, `env_pkg_base` and `env.<name>` tables:
 * `deps` and `constraints` lists, `set_env` a table, `install_command` a list of words; each item is written as the
 * command it makes at the line its string is on. Text that is no TOML, or has no tox table, runs nothing here.
 */
function toxTomlCommands(text: string, prefix: readonly string[]): string {
  const out = text.split(/\r?\n/).map(() => [] as string[]);
  let root: unknown;
  try {
    root = parse(text, { maxDepth: MAX_TOML_DEPTH, unsafeKeyBehaviour: 'drop' });
  } catch {
    return out.map(() => '').join('\n');
  }
  for (const key of prefix) root = isTable(root) ? root[key] : undefined;
  if (!isTable(root)) return out.map(() => '').join('\n');
  const legacy = root['legacy_tox_ini'];
  if (typeof legacy === 'string') legacyIni(text, legacy, out);
  const lineOf = stringLines(text);
  const envs = isTable(root['env']) ? Object.values(root['env']) : [];
  for (const env of [root['env_run_base'], root['env_pkg_base'], ...envs]) {
    if (isTable(env)) tomlEnvCommands(env, lineOf, out);
  }
  return out.map((commands) => commands.join(' ; ')).join('\n');
}

/** The `legacy_tox_ini` string read as tox.ini, each of its lines at the line of pyproject.toml it is on. */
function legacyIni(text: string, ini: string, out: string[][]): void {
  const opener = /^[ \t]*legacy_tox_ini[ \t]*=[ \t]*("""|'''|"|')(\r?\n)?/m.exec(text);
  if (!opener) return;
  // TOML drops the newline right after a multi-line string's opening quotes: its first line is the next one.
  const first = countLines(text.slice(0, opener.index)) + (opener[2] === undefined ? 0 : 1);
  toxCommands(dedent(ini), () => true)
    .split('\n')
    .forEach((command, k) => {
      if (command !== '') out[Math.min(first + k, out.length - 1)]!.push(command);
    });
}

/**
 * The text without the indent all its lines share: configparser reads an indented ini (a `legacy_tox_ini` written
 * inside pyproject.toml's indentation) by the indent of each line relative to the option before it.
 */
function dedent(text: string): string {
  // A loop, not `Math.min(...indents)`: a string of many lines would overflow the call stack as arguments.
  let cut = Infinity;
  for (const l of text.split('\n')) if (l.trim() !== '') cut = Math.min(cut, /^[ \t]*/.exec(l)![0].length);
  return cut === Infinity || cut === 0 ? text : text.replace(/^[^\n]*/gm, (l) => l.slice(Math.min(cut, l.length)));
}

/**
 * One environment table of the native form. A list item that is not a string (`{ replace = "env", … }`, tox's
 * `_replace`) is chosen when tox runs: a variable.
 */
function tomlEnvCommands(env: Record<string, unknown>, lineOf: (s: string) => number, out: string[][]): void {
  const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const word = (v: unknown) => (typeof v === 'string' ? toxSubstitutions(v) : '${TOX}');
  const at = (v: unknown, command: string) => out[typeof v === 'string' ? lineOf(v) : 0]!.push(command);
  for (const dep of items(env['deps'])) {
    const content = word(dep).trim();
    if (content !== '') at(dep, depsCommand(content));
  }
  for (const file of items(env['constraints'])) at(file, `pip install -c ${word(file).trim()}`);
  if (isTable(env['set_env'])) {
    for (const [name, value] of Object.entries(env['set_env'])) at(value, `${name}=${shellQuote(word(value))}`);
  }
  const install = items(env['install_command']);
  if (install.length > 0) at(install[0], install.map((w) => shellQuote(word(w))).join(' '));
}

/**
 * The 0-based line each string literal of a TOML text first appears on (0 for one not found), from one pass over
 * the text: a file of many strings is not searched once per string.
 */
function stringLines(text: string): (s: string) => number {
  const first = new Map<string, number>();
  for (const t of pythonTokens(text)) if (t.kind === 'str' && !first.has(t.text)) first.set(t.text, t.line - 1);
  return (s) => first.get(s) ?? 0;
}

function countLines(text: string): number {
  return countNewlines(text, 0, text.length);
}

/**
 * tox's substitutions: `{toxinidir}` / `{tox_root}` are the folder of tox.ini (where the named paths are looked
 * for first); any other `{…}` (`{env:REQS}`, `{posargs}`) is chosen when tox runs, written as a shell variable.
 */
function toxSubstitutions(line: string): string {
  return line.replace(/\{([^{}\s]*)\}/g, (_, name: string) =>
    name === 'toxinidir' || name === 'tox_root' ? '.' : '${TOX}',
  );
}

interface PyToken {
  readonly kind: 'str' | 'name' | 'punct';
  readonly text: string;
  readonly line: number;
  /** A string with `{…}` formatting (an f-string): what it holds is chosen when nox runs. */
  readonly formatted?: true;
}

/** Session methods that run a command: `install` runs `pip install` with its arguments (nox's `Session.install`). */
const NOX_RUNS = new Set(['install', 'run', 'run_always', 'run_install']);

/**
 * noxfile.py: each `session.install(a, b, …)` becomes `pip install a b …` (nox's `Session.install` runs
 * `self._run("pip", "install", *args)` in the noxfile's folder), each `session.run(…)` / `run_always` /
 * `run_install` the command its string arguments spell (`session.run("uv", "pip", "install", "-r", …)`), at the line
 * the call starts; an argument that is no string literal is a variable. A `"PIP_INDEX_URL": "…"` or
 * `env["PIP_INDEX_URL"] = "…"` becomes that variable's setting. Comments and the rest of the code are left out.
 * In a session whose backend is uv, `Session.install` runs `uv pip install` instead (`venv.venv_backend == "uv"`):
 * the backend its `@nox.session(venv_backend=…)` names, else `nox.options.default_venv_backend`; the code after a
 * session's decorator, up to the next session's, is taken as that session's.
 */
function noxCommands(text: string): string {
  const lines = text.split(/\r?\n/).map(() => [] as string[]);
  const toks = pythonTokens(text);
  const byDefault = toks.some((t, i) => t.text === 'default_venv_backend' && backendIsUv(toks, i));
  let uv = byDefault;
  // A call inside another's arguments is not read again: each token is read as one call's argument at most.
  let inCall = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.text === '@' && t.kind === 'punct' && sessionDecorator(toks, i + 1)) uv = sessionUsesUv(toks, i, byDefault);
    const call = t.kind === 'name' && NOX_RUNS.has(t.text) && toks[i - 1]?.text === '.' && toks[i + 1]?.text === '(';
    if (call && i >= inCall) {
      const { args, end } = callArguments(toks, i + 2);
      inCall = end;
      const words = args.map((a) => (a === undefined ? '${NOX}' : shellQuote(a)));
      const install = uv ? 'uv pip install' : 'pip install';
      lines[t.line - 1]!.push(t.text === 'install' ? `${install} ${words.join(' ')}` : words.join(' '));
      continue;
    }
    // `"PIP_INDEX_URL": "url"` (a dict) or `["PIP_INDEX_URL"] = "url"` (an assignment).
    if (t.kind !== 'str' || !/^(PIP|UV)_[A-Z_]+$/.test(t.text)) continue;
    const gap = toks[i + 1]?.text === ':' ? 2 : toks[i + 1]?.text === ']' && toks[i + 2]?.text === '=' ? 3 : 0;
    const value = toks[i + gap];
    if (gap > 0 && value?.kind === 'str' && value.formatted !== true) {
      lines[t.line - 1]!.push(`${t.text}=${shellQuote(value.text)}`);
    }
  }
  return lines.map((commands) => commands.join(' ; ')).join('\n');
}

/** `@session` / `@nox.session` (any module's `session`): a decorator that makes the function after it a session. */
function sessionDecorator(toks: readonly PyToken[], at: number): boolean {
  let i = at;
  while (toks[i]?.kind === 'name' && toks[i + 1]?.text === '.') i += 2;
  return toks[i]?.kind === 'name' && toks[i]!.text === 'session';
}

/**
 * Whether the session the decorator at `at` starts runs on uv: its `venv_backend=` up to the `def` (read at most
 * `MAX_CALL_TOKENS` tokens), else the default. nox takes the first backend of `"uv|virtualenv"` it finds installed.
 */
function sessionUsesUv(toks: readonly PyToken[], at: number, byDefault: boolean): boolean {
  for (let i = at + 1; i < Math.min(toks.length, at + MAX_CALL_TOKENS) && toks[i]!.text !== 'def'; i++) {
    if (toks[i]!.text === 'venv_backend' && toks[i]!.kind === 'name') return backendIsUv(toks, i) ?? byDefault;
  }
  return byDefault;
}

/** The string a `name = "…"` at `at` sets names uv as the backend; undefined when it is no string (`None`). */
function backendIsUv(toks: readonly PyToken[], at: number): boolean | undefined {
  const value = toks[at + 2];
  if (toks[at + 1]?.text !== '=' || value?.kind !== 'str') return undefined;
  return /^uv(\||$)/.test(value.text);
}

/** Tokens read of one call's arguments: a hostile file of unclosed calls must not be read once per call. */
const MAX_CALL_TOKENS = 256;

/**
 * Positional arguments from `start` to the closing `)`: a string literal's value, else undefined (a variable). Past
 * `MAX_CALL_TOKENS` the rest of the call is one argument not read (a variable).
 */
function callArguments(toks: readonly PyToken[], start: number): { args: (string | undefined)[]; end: number } {
  const out: (string | undefined)[] = [];
  let depth = 0;
  let arg: PyToken[] = [];
  const flush = () => {
    // `name=value` is a keyword argument (`silent=True`, `env={…}`), not part of the command.
    if (arg.length > 0 && !(arg[0]!.kind === 'name' && arg[1]?.text === '=')) {
      const literal = arg.every((a) => a.kind === 'str' && a.formatted !== true);
      out.push(literal ? arg.map((a) => a.text).join('') : undefined);
    }
    arg = [];
  };
  let i = start;
  for (; i < toks.length; i++) {
    if (i - start >= MAX_CALL_TOKENS) {
      flush();
      out.push(undefined);
      return { args: out, end: i };
    }
    const t = toks[i]!;
    if (t.kind === 'punct' && '([{'.includes(t.text)) depth++;
    if (t.kind === 'punct' && ')]}'.includes(t.text)) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && t.text === ',') flush();
    else arg.push(t);
  }
  flush();
  return { args: out, end: i };
}

/**
 * The tokens of Python source that matter here: string literals (their value; prefixes `r`, `b`, `u`, `f`; triple
 * quotes), names and single punctuation, each at the line it starts; comments skipped. Escapes other than a
 * backslash before a quote or a backslash are kept as written: an install argument is a path or a URL.
 */
function pythonTokens(text: string): PyToken[] {
  const out: PyToken[] = [];
  let line = 1;
  const re = /([rRbBuUfF]{0,2})('''|"""|'|")|([A-Za-z_]\w*)|(#[^\n]*)|(\n)|([^\s\w])/y;
  re.lastIndex = 0;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    const m = re.exec(text);
    if (!m) {
      re.lastIndex = at + 1;
      continue;
    }
    if (m[5] !== undefined) line++;
    else if (m[3] !== undefined) out.push({ kind: 'name', text: m[3], line });
    else if (m[6] !== undefined) out.push({ kind: 'punct', text: m[6], line });
    else if (m[2] !== undefined) {
      const raw = /[rR]/.test(m[1]!);
      const { value, end } = readString(text, re.lastIndex, m[2], raw);
      const formatted = /[fF]/.test(m[1]!) && /\{[^{]/.test(value) ? { formatted: true as const } : {};
      out.push({ kind: 'str', text: value, line, ...formatted });
      line += countNewlines(text, at, end);
      re.lastIndex = end;
    }
  }
  return out;
}

/** A string body from `from` to its closing `quote` (or the end of the line for an unclosed one-line string). */
function readString(text: string, from: number, quote: string, raw: boolean): { value: string; end: number } {
  let value = '';
  let i = from;
  while (i < text.length) {
    if (text.startsWith(quote, i)) return { value, end: i + quote.length };
    const c = text[i]!;
    if (c === '\n' && quote.length === 1) break;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      value += raw || (next !== '\\' && next !== "'" && next !== '"') ? c + next : next;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  return { value, end: i };
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}
