import { posix } from 'node:path';

/**
 * tox and nox install packages without a `pip install` written anywhere: tox hands a `deps =` list to pip as a
 * requirements file, nox's `session.install(…)` runs pip with its arguments. So that the readers of install commands
 * (the files `-r` / `-c` name, the index options and PIP_* / UV_* variables) see them, each file is rewritten as
 * the shell commands it makes, one output line per input line: a finding keeps its line in the real file.
 */
export function asInstallCommands(path: string, text: string): string {
  const base = posix.basename(path);
  if (base === 'tox.ini') return toxCommands(text);
  if (base === 'noxfile.py') return noxCommands(text);
  return text;
}

/**
 * tox.ini: every `deps` value line that is a pip option (`-r file`, `-c file`, `--index-url …`) becomes that option of
 * a `pip install`, as tox's `PythonDeps` (tox_env/python/pip/req_file.py, a `RequirementsFile` rooted at tox.ini)
 * reads it; every `constraints` line is a constraints file (`PythonConstraints` prefixes each with `-c`). A line a
 * factor guards (`py312: -r ci.txt`, tox's `expand_factors`) may run, so it counts. A requirement line is left out
 * (tox's deps name unpinned test tools; the files they include are what pins). Other lines (`setenv`,
 * `install_command`, `commands`) stay as they are: they are shell-like commands and variable settings already.
 */
function toxCommands(text: string): string {
  let key: string | undefined;
  return text
    .split(/\r?\n/)
    .map((raw) => {
      const line = toxSubstitutions(raw);
      // A comment (`#` or ini's `;`) runs nothing; kept, a `;` would read as a shell separator.
      if (/^\s*[#;]/.test(line) || line.trim() === '') return '';
      const setting = /^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$/.exec(line);
      if (/^\[/.test(line)) key = undefined;
      else if (setting) key = setting[1]!.toLowerCase();
      const value = (setting ? setting[2]! : /^\s/.test(line) ? line : '').replace(/(^|\s)#.*$/, '').trim();
      // tox's `expand_factors`: `factors: value`.
      const content = value.replace(/^[\w{}.!,-]+:\s+/, '');
      if (key === 'deps') return content.startsWith('-') ? `pip install ${content}` : '';
      if (key === 'constraints') return content === '' ? '' : `pip install -c ${content}`;
      return line;
    })
    .join('\n');
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
 */
function noxCommands(text: string): string {
  const lines = text.split(/\r?\n/).map(() => [] as string[]);
  const toks = pythonTokens(text);
  // A call inside another's arguments is not read again: each token is read as one call's argument at most.
  let inCall = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const call = t.kind === 'name' && NOX_RUNS.has(t.text) && toks[i - 1]?.text === '.' && toks[i + 1]?.text === '(';
    if (call && i >= inCall) {
      const { args, end } = callArguments(toks, i + 2);
      inCall = end;
      const words = args.map((a) => (a === undefined ? '${NOX}' : shellQuote(a)));
      lines[t.line - 1]!.push(t.text === 'install' ? `pip install ${words.join(' ')}` : words.join(' '));
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
