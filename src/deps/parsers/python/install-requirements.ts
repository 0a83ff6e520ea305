import { posix } from 'node:path';
import { dockerfileCopySource, folderTest } from './dockerfile-copies.js';
import type { HeredocBody } from './dockerfile-heredocs.js';
import type { DiscoveredFile, FileFormat } from '../../../core/files.js';
import type { Finding } from '../../../core/finding.js';
import { pyFileFinding } from './checks/finding.js';
import { shellSplit } from './shell-split.js';
import { envAssignmentReader } from './env-indexes.js';
import { inDirectory, toolCommandAt } from './global-options.js';
import { namedCondaEnvironments } from './conda-environments.js';
import { commandFolders, installCommands } from './install-arguments.js';
import type { InstallArgument, RunScript } from './install-arguments.js';
import { pipLongOption } from './pip-options.js';
import { applyFormatOption } from './requirements.js';
import { envFormatControl } from './env-format-control.js';
import { CI_YAML, ciShells, type CiShell } from './yaml-commands.js';
import { uvFormatControl } from './uv-format-control.js';
import type { PyFormatControl, PyLineAt } from './types.js';

/**
 * Files `uv pip install -r` reads as project metadata, not requirements (uv-requirements'
 * `RequirementsSource::from_requirements_file`: pyproject.toml, setup.py, setup.cfg, a `.py` / `.pyw` PEP 723 script,
 * a pylock.toml); pip refuses them as requirements files.
 */
export const PROJECT_FILE = /\.(py|pyw|cfg|toml)$/i;

/** A requirements file an install command names: `pip install -r <path>` / `-c <path>`, as written, at its line. */
export interface NamedRequirementsFile {
  readonly written: string;
  readonly line: number;
  /** Named only by `-c` / `--constraint`: pip reads it as constraints, which install nothing. */
  readonly constraint: boolean;
  /**
   * A bare word of `uv pip sync` / `pip-sync`, whose positional arguments are requirements files: it may as well be
   * an option's value (`--python 3.12`), so it counts only where it is a file beside the command or at the root.
   */
  readonly positional?: true;
  /** Read only by a compile (`uv pip compile <file>`, `pip-compile <file>`): its ranges resolve into the output. */
  readonly compileInput?: true;
  /**
   * The `--no-binary` / `--only-binary` of the pip command naming it, at their lines (commandFormatControl): the
   * same object for every file of one command, which pip reads into one install.
   */
  readonly formatControl?: PyFormatControl;
}

/**
 * What a named file is in the repository: the files it can be, or why none could be read. `rewritten`: the build
 * writes it in a way nothing can follow (a RUN heredoc write that may not run, or that a later command changes), so
 * it is said unread even though the build writes it (a file the build only generates is not).
 */
export type NamedFileTarget =
  | { readonly paths: readonly string[] }
  | { readonly unread: string; readonly heredoc?: HeredocBody; readonly rewritten?: true };

export interface Word {
  readonly text: string;
  readonly line: number;
}

/**
 * The program a word runs (`/venv/bin/pip` is `pip`); a Makefile recipe may start with `@`, `-` or `+`. A variable
 * the file does not set, named after the program (`$(PIP)`, `${UV}`, `$PIP`: set by an included makefile, the
 * environment or `make PIP=…`), is read as that program.
 */
export function program(word: Word | undefined): string {
  const text = word?.text.replace(/^[@+-]+/, '') ?? '';
  const variable = /^\$(?:\((\w+)\)|\{(\w+)\}|(\w+))$/.exec(text);
  if (variable) return (variable[1] ?? variable[2] ?? variable[3]!).toLowerCase();
  return text.replace(/^.*\//, '');
}

/** Words that end one shell command and start the next. */
export const SEPARATORS = new Set(['&&', '||', ';', '|', '&', '(', ')']);
/** pip's (and `uv pip`'s) file options: pip's `cmdoptions.requirements` / `constraints`, uv's `--requirements` alias. */
const FILE_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['-r', false],
  ['--requirement', false],
  ['--requirements', false],
  ['-c', true],
  ['--constraint', true],
  ['--constraints', true],
]);
/** uv's `--with-requirements` (`uv run`, `uv tool install`, `uvx`: uv-cli `RunArgs`, `ToolInstallArgs`, `ToolRunArgs`). */
const WITH_REQUIREMENTS: ReadonlyMap<string, boolean> = new Map([['--with-requirements', false]]);
/** `pipx inject -r` / `--requirement` (pipx main.py's `inject` parser, action `append`). */
const PIPX_INJECT_FILES: ReadonlyMap<string, boolean> = new Map([
  ['-r', false],
  ['--requirement', false],
]);
/**
 * The files a compile reads beside its inputs, each of which only narrows or replaces versions: `-c` /
 * `--constraint`, uv's `--override` and `-b` / `--build-constraint` (uv-cli `PipCompileArgs`; pip-tools'
 * `pip-compile -c`).
 */
const COMPILE_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['-c', true],
  ['--constraint', true],
  ['--constraints', true],
  ['--override', true],
  ['--overrides', true],
  ['-b', true],
  ['--build-constraint', true],
  ['--build-constraints', true],
]);
/** A compile's output file options, whose value is the file written, not an input. */
const OUTPUT_OPTIONS = new Set(['-o', '--output-file']);
/** `pipenv install -r` / `--requirements` (pipenv cli/options.py `requirementstxt_option`: imported, then installed). */
const PIPENV_FILES: ReadonlyMap<string, boolean> = new Map([
  ['-r', false],
  ['--requirements', false],
]);

/**
 * The commands that read requirements files, by their words (toolCommandAt): their file options, or `sync`, whose
 * positional arguments are the files, or `compile`, whose positional arguments are the inputs it resolves. `pip
 * install` (also `/venv/bin/pip`, `python -m pip`, `uv pip install`), and `pip wheel` / `pip download`, which take
 * pip's `-r` / `-c` too (commands/wheel.py, download.py `cmdoptions.requirements()`) and fetch from the indexes the
 * files name, building an sdist's metadata; `uv pip sync` and pip-tools' `pip-sync`; `uv add -r` / `-c` read
 * requirements and constraints files as `uv pip install` does (uv-cli `AddArgs`). `uv pip compile` and pip-tools'
 * `pip-compile` (uv-cli `PipCompileArgs.src_file`, pip-tools `src_files`) resolve their inputs against the indexes
 * those files name, building what has no wheel to learn its dependencies: their options are judged as an install's.
 */
type FileCommand = ReadonlyMap<string, boolean> | 'sync' | 'compile';
const FILE_COMMANDS: ReadonlyMap<string, FileCommand> = new Map<string, FileCommand>([
  ['pip install', FILE_OPTIONS],
  ['pip wheel', FILE_OPTIONS],
  ['pip download', FILE_OPTIONS],
  ['uv pip install', FILE_OPTIONS],
  ['uv pip sync', 'sync'],
  ['pip-sync', 'sync'],
  ['uv pip compile', 'compile'],
  ['pip-compile', 'compile'],
  ['uv add', FILE_OPTIONS],
  ['uv run', WITH_REQUIREMENTS],
  ['uv tool install', WITH_REQUIREMENTS],
  ['uv tool run', WITH_REQUIREMENTS],
  ['uvx', WITH_REQUIREMENTS],
  ['pipx inject', PIPX_INJECT_FILES],
  ['pipenv install', PIPENV_FILES],
]);

/**
 * The requirements and constraints files the `pip install` / `python -m pip install` / `uv pip install` commands of
 * a Dockerfile, workflow or script read, and the files `uv pip sync` / `pip-sync` install exactly. pip opens each (`req_file.parse_requirements` → `get_file_content`)
 * whatever its name, so a file named `deps/pins.lst` is as much a requirements file as `requirements.txt` is. Lines
 * continued by a `\` are one command; a command ends at a shell separator. A file named by `-r` anywhere is read as
 * requirements even if another command names it by `-c`. `commands`: the shellCommands of `file`.
 */
export function namedRequirementsFiles(
  commands: readonly (readonly Word[])[],
  file: string,
  envControl?: PyFormatControl,
  /** The shell a command's line runs in (ciShells): commands of one keep the folder a `cd` moved to. */
  shellOf?: (line: number) => CiShell | undefined,
): NamedRequirementsFile[] {
  const byPath = new Map<string, NamedRequirementsFile>();
  // A file a command with --no-binary / --only-binary names is kept apart for that command.
  const controls = new Map<PyFormatControl, number>();
  // A shell script runs in one shell, so a `cd` on one line moves the lines after it; a Dockerfile's `RUN`, a
  // Makefile recipe line and a CI step each start a shell of their own, where the folder starts afresh per command.
  const script = SHELL_SCRIPT.test(file) ? shellFolder() : undefined;
  const shells = new Map<number, ShellFolder>();
  const folderOf = (command: readonly Word[]): ShellFolder => {
    const at = shellOf?.(command[0]?.line ?? 0);
    if (at === undefined) return shellFolder();
    const shell = shells.get(at.id) ?? shellFolder(at.folder);
    shells.set(at.id, shell);
    return shell;
  };
  for (const command of commands) {
    for (const found of fileOptions(command, file, script ?? folderOf(command), envControl)) {
      const fc = found.formatControl;
      if (fc !== undefined && !controls.has(fc)) controls.set(fc, controls.size);
      // A bare `sync` word is looked for apart: the same name after `-r` is found where `-r` files are.
      const apart = fc === undefined ? '' : `\0${controls.get(fc)!}`;
      // Each command's stdin is its own: `-r /dev/stdin` on two lines reads two texts.
      const own = found.written === '/dev/stdin' ? `\0${found.line}` : '';
      const key = `${found.positional === true ? 'p' : 'o'}\0${found.written}${apart}${own}`;
      const before = byPath.get(key);
      if (before === undefined || (before.constraint && !found.constraint)) byPath.set(key, found);
    }
  }
  return [...byPath.values()];
}

/**
 * Where a named file is in the repository. The path is what the install sees: relative to the folder it runs in (a
 * script's, a workflow's repository root, a Dockerfile's WORKDIR) or absolute inside an image (`COPY deps /deps`
 * then `-r /deps/pins.lst`). So it is looked for as written beside the naming file and at the root, then by its
 * longest trailing part some repository file ends with (`deps/pins.lst`, else `pins.lst`); each file found is one
 * pip may read. A URL, a `$variable` or a path no file ends with cannot be read here and says so.
 */
export function locateNamedFile(
  namedBy: string,
  written: string,
  files: ReadonlySet<string>,
  byBaseName: ReadonlyMap<string, readonly string[]>,
  exactOnly = false,
): NamedFileTarget {
  if (/^[a-z][a-z0-9+.-]*:/i.test(written)) return { unread: 'it is a URL pip downloads' };
  if (/[$`]/.test(written)) return { unread: 'a variable chooses it when the install runs' };
  const dir = posix.dirname(namedBy);
  if (!written.startsWith('/')) {
    for (const joined of [posix.join(dir, written), posix.normalize(written)]) {
      if (files.has(joined)) return { paths: [joined] };
    }
  }
  if (exactOnly) return { unread: 'no file of the repository is at that path' };
  const parts = written.split('/').filter((p) => p !== '' && p !== '.');
  const from = parts.lastIndexOf('..') + 1;
  const base = parts.at(-1);
  const sameName = base !== undefined && from < parts.length ? (byBaseName.get(base) ?? []) : [];
  for (let k = parts.length - from; k >= 1 && sameName.length > 0; k--) {
    const tail = parts.slice(parts.length - k).join('/');
    const paths = sameName.filter((p) => p === tail || p.endsWith(`/${tail}`));
    if (paths.length > 0) return { paths: [...paths].sort().slice(0, MAX_SAME_NAME) };
  }
  return { unread: 'no file of the repository is at that path' };
}

/** Named files located per install file at most. */
const MAX_NAMED = 256;

/** Files read for one name at most: a name matched by a handful of files is one of them, not a file per folder. */
const MAX_SAME_NAME = 8;

/**
 * The names of the files the text's commands write (`pip freeze > r.txt`, `poetry export -o r.txt`, `pip-compile
 * --output-file r.txt`, `uv pip compile -o r.txt`): one it installs from is made by the build, and its source (a
 * lockfile) is what is checked. One pass over the commands, whatever the number of named files.
 */
function filesWrittenByBuild(commands: readonly (readonly Word[])[]): Set<string> {
  const out = new Set<string>();
  for (const command of commands) {
    for (let i = 0; i < command.length; i++) {
      const w = command[i]!.text;
      const target = /^(?:>>?|-o|--output|--output-file)$/.test(w)
        ? command[i + 1]?.text
        : /^(?:>>?|--output=|--output-file=)(.+)$/.exec(w)?.[1];
      if (target !== undefined) out.add(posix.basename(target));
    }
  }
  return out;
}

/**
 * The `-r` / `-c` values of the install commands among one shell command's words, those of a pip command with its
 * format control (commandFormatControl).
 */
function fileOptions(
  words: readonly Word[],
  file: string,
  /** Where an earlier `cd` moved (`RUN cd app && pip install -r r.txt` reads app/r.txt). */
  cwd: ShellFolder,
  envControl?: PyFormatControl,
): NamedRequirementsFile[] {
  const out: NamedRequirementsFile[] = [];
  let installing: FileCommand | undefined;
  let control: { formatControl?: PyFormatControl } = {};
  // The folder the command runs in (`uv --directory app …`): its relative file names are read there.
  let directory: string | undefined;
  const at = (value: string) => cwd.at(inDirectory(directory, value));
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.text;
    if (SEPARATORS.has(w)) {
      installing = undefined;
      cwd.separator(w);
      continue;
    }
    if (installing === undefined && (w === 'cd' || w === 'pushd')) {
      const to = words[i + 1]?.text;
      cwd.change(to === undefined || SEPARATORS.has(to) ? undefined : to, w === 'pushd');
      i += to === undefined || SEPARATORS.has(to) ? 0 : 1;
      installing = NOT_INSTALLING;
      continue;
    }
    if (installing === undefined && w === 'popd') {
      cwd.pop();
      installing = NOT_INSTALLING;
      continue;
    }
    if (installing === undefined) {
      const found = toolCommandAt(words, i);
      installing = FILE_COMMANDS.get(found.command);
      // uv takes `--directory` after the command too (`uv pip install -r r.txt --directory app` reads app/r.txt).
      directory = commandFolders(words, found).directory;
      const fc = pipFormatControl(words, found.command, found.next, file, envControl);
      control = fc === undefined ? {} : { formatControl: fc };
      // Past the words the program read as its own options, whatever the command.
      i = found.next - 1;
      continue;
    }
    if (installing === 'compile' && OUTPUT_OPTIONS.has(w)) {
      i++;
      continue;
    }
    if ((installing === 'sync' || installing === 'compile') && !w.startsWith('-')) {
      const written = at(w);
      // A compile installs nothing: only what `uv pip sync` installs is built under the command's control.
      const how = installing === 'compile' ? { compileInput: true as const } : control;
      out.push({ written, line: words[i]!.line, constraint: false, positional: true, ...how });
      continue;
    }
    const eq = w.indexOf('=');
    const name = w.startsWith('--') && eq > 0 ? w.slice(0, eq) : /^-[rcb]/.test(w) ? w.slice(0, 2) : w;
    const options = installing === 'sync' ? FILE_OPTIONS : installing === 'compile' ? COMPILE_OPTIONS : installing;
    const constraint = options.get(name);
    if (constraint === undefined) continue;
    // `--requirement=x`, or a short option glued to its value (`-rx`: optparse takes the rest of the word).
    const glued = w.length > name.length ? w.slice(name.length + (name.startsWith('--') ? 1 : 0)) : undefined;
    const value = glued ?? words[++i]?.text;
    if (value !== undefined && value !== '' && !SEPARATORS.has(value)) {
      out.push({
        written: at(value),
        line: words[Math.min(i, words.length - 1)]!.line,
        constraint,
        ...control,
      });
    }
  }
  return out;
}

/** The words of a `cd` command: no install, up to the next separator. */
const NOT_INSTALLING: ReadonlyMap<string, boolean> = new Map();

/** A shell script by its name: the whole file is one shell's commands. */
const SHELL_SCRIPT = /\.(sh|bash)$/;

/** Where a shell's `cd` / `pushd` / `popd` moved, for the file names of the commands after them (shellFolder). */
interface ShellFolder {
  at: (written: string) => string;
  change: (to: string | undefined, push: boolean) => void;
  pop: () => void;
  separator: (word: string) => void;
}

/**
 * The folder a shell's `cd` / `pushd` moved to, for the file names of the commands after it (`RUN cd app && pip
 * install -r r.txt`: a Dockerfile's `RUN` is one shell, its WORKDIR where it starts); `popd` goes back to where the
 * last `pushd` left. A `( … )` subshell's `cd` ends at its `)`. A `cd` the shell cannot follow (`cd $DIR`, `cd -`,
 * `cd ~`, `cd` alone) leaves names as written: they are then looked for by their base name (locateNamedFile).
 */
function shellFolder(
  /** Where the shell starts (a CI step's working directory); null: a folder only the run knows. */
  start?: string | null,
): ShellFolder {
  // undefined: where the shell started; null: where a cd the shell cannot follow went.
  let folder: string | null | undefined = start;
  const saved: (string | null | undefined)[] = [];
  // bash's directory stack: where each `pushd` left from.
  const pushed: (string | null | undefined)[] = [];
  return {
    at: (written) => (folder === null ? written : inDirectory(folder, written)),
    change: (to, push) => {
      if (push) pushed.push(folder);
      if (folder === null) return;
      folder = to === undefined || to === '-' || /^~|[$`*?]/.test(to) ? null : posix.normalize(inDirectory(folder, to));
    },
    // bash's `popd` with an empty stack fails and stays.
    pop: () => {
      if (pushed.length > 0) folder = pushed.pop();
    },
    separator: (word) => {
      if (word === '(') saved.push(folder);
      else if (word === ')' && saved.length > 0) folder = saved.pop();
    },
  };
}

/** The commands whose own `--no-binary` / `--only-binary` set the format control their `-r` files start from. */
const PIP_FORMAT_COMMANDS = new Set(['pip install', 'pip wheel', 'pip download']);
/** uv's, whose sets combine its own way (uvFormatControl); it reads no PIP_* variable. */
const UV_FORMAT_COMMANDS = new Set(['uv pip install', 'uv pip sync']);

/** The control of each command read (by the words it is in and where its arguments start). */
const controls = new WeakMap<readonly Word[], Map<number, PyFormatControl | undefined>>();

/**
 * The format control of the command found at `start` of `words` (toolCommandAt's `next`) when it is a pip install
 * (commandFormatControl, from the PIP_* variables of the file: `envControl`) or a `uv pip` one (uvFormatControl):
 * one object per command, whoever asks — fileOptions for its `-r` files, installCommands
 * for its arguments — as commandSourceBuilds judges them together, pip reading them into one install.
 */
export function pipFormatControl(
  words: readonly Word[],
  command: string,
  start: number,
  file: string,
  envControl?: PyFormatControl,
): PyFormatControl | undefined {
  const uv = UV_FORMAT_COMMANDS.has(command);
  if (!uv && !PIP_FORMAT_COMMANDS.has(command)) return undefined;
  let byStart = controls.get(words);
  if (byStart === undefined) controls.set(words, (byStart = new Map<number, PyFormatControl | undefined>()));
  if (!byStart.has(start))
    byStart.set(start, uv ? uvFormatControl(words, start, file) : commandFormatControl(words, start, file, envControl));
  return byStart.get(start);
}

/**
 * The `--no-binary` / `--only-binary` of the pip command whose arguments start at `start`, wherever they stand among
 * them, applied in order (pip's `FormatControl.handle_mutual_excludes`, optparse matching an abbreviation): pip sets
 * the finder's format control from them before it reads any `-r` file (req_file.get_line_parser takes it as the
 * lines' default), so a file's packages are built from source by them unless the file's own lines say otherwise.
 * Undefined when the command has none.
 */
function commandFormatControl(
  words: readonly Word[],
  start: number,
  file: string,
  envControl: PyFormatControl | undefined,
): PyFormatControl | undefined {
  const noBinary = new Map<string, PyLineAt>(envControl?.noBinary);
  const onlyBinary = new Map<string, PyLineAt>(envControl?.onlyBinary);
  let seen = envControl !== undefined;
  for (let i = start; i < words.length && !SEPARATORS.has(words[i]!.text); i++) {
    const w = words[i]!.text;
    if (!w.startsWith('--')) continue;
    const eq = w.indexOf('=');
    const name = pipLongOption(eq > 0 ? w.slice(0, eq) : w);
    if (name !== '--no-binary' && name !== '--only-binary') continue;
    const value = eq > 0 ? words[i]! : words[++i];
    const text = eq > 0 ? w.slice(eq + 1) : value?.text;
    // pip aborts the command on a value that looks like an option (`handle_mutual_excludes` raises CommandError)
    // or none: nothing is installed.
    if (value === undefined || text === undefined || text.startsWith('-') || SEPARATORS.has(text)) return undefined;
    const at = { file, line: value.line };
    applyFormatOption(name === '--no-binary' ? 'no-binary' : 'only-binary', text, at, noBinary, onlyBinary);
    seen = true;
  }
  return seen ? { noBinary, onlyBinary } : undefined;
}

/**
 * The shell commands of a file as word lists: lines a trailing `\` continues are one, a comment (a word starting
 * with `#`) cut off, words and control operators split as sh splits them (shellSplit: quotes group and are removed,
 * `(cd app&&pip …)` is `(` `cd` `app` `&&` `pip` …; a line whose quotes do not close here, a YAML block's or an
 * apostrophe's, is split with its quotes kept as text), a `{ …; }` group's braces dropped. Each word keeps its line. A Dockerfile's exec form (`RUN ["pip", "install", "x"]`) is its words.
 */
export function shellCommands(text: string): Word[][] {
  const commands: Word[][] = [];
  let words: Word[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const continued = raw.trimEnd().endsWith('\\');
    const exec = words.length === 0 && !continued ? execForm(raw) : undefined;
    if (exec !== undefined) {
      if (exec.length > 0) commands.push(exec.map((text) => ({ text, line: index + 1 })));
      return;
    }
    const body = withoutShellComment(continued ? raw.trimEnd().slice(0, -1) : raw);
    let expression: string | undefined;
    for (const token of shellSplit(body) ?? shellSplit(body, false)!.map(unquote)) {
      if (token === '') continue;
      // A `{ …; }` group runs in the shell itself (its `cd` stays): its braces only start and end commands.
      if ((token === '{' || token === '}') && expression === undefined && startsCommand(words)) continue;
      // A workflow's `${{ matrix.file }}` is one value, whatever its spaces: GitHub puts it in before the shell runs.
      if (expression !== undefined || token.startsWith('${{')) {
        expression = expression === undefined ? token : `${expression} ${token}`;
        if (!expression.endsWith('}}')) continue;
        words.push({ text: expression, line: index + 1 });
        expression = undefined;
        continue;
      }
      words.push({ text: token, line: index + 1 });
    }
    if (!continued) {
      if (words.length > 0) commands.push(withShellScripts(words));
      words = [];
    }
  });
  if (words.length > 0) commands.push(withShellScripts(words));
  return commands;
}

/** Whether the next word starts a command: the first of the line, or after a separator. */
function startsCommand(words: readonly Word[]): boolean {
  const last = words.at(-1)?.text;
  return last === undefined || SEPARATORS.has(last);
}

/** The shells whose `-c` argument is a command line they run. */
const SHELLS = /^(?:a|ba|da|k|z)?sh$/;

/**
 * A command's words with the script a shell runs (`bash -c "pip install …"`, `sh -ec '…'`, `bash -o pipefail -c …`:
 * POSIX sh's `-c`, the first operand being the command string) spliced in as the words of its own commands, each at
 * the script's line, then a `;`: the string is what the shell runs, not one word. Nested shells are read in turn
 * (the string is shorter each time).
 */
function withShellScripts(words: readonly Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    out.push(words[i]!);
    if (!SHELLS.test(program(words[i]))) continue;
    let j = i + 1;
    let runs = false;
    for (; j < words.length && !runs && /^[-+]/.test(words[j]!.text); j++) {
      const flag = words[j]!.text;
      if (flag === '-o' || flag === '+o') j++;
      else runs = /^-[A-Za-z]*c[A-Za-z]*$/.test(flag);
    }
    const script = words[j];
    if (!runs || script === undefined) continue;
    out.push(...words.slice(i + 1, j));
    for (const command of shellCommands(script.text)) {
      out.push(...command.map((w) => ({ text: w.text, line: script.line })), { text: ';', line: script.line });
    }
    i = j;
  }
  return out;
}

/**
 * The words of a Dockerfile `RUN` in exec form, a JSON array the builder runs without a shell (`RUN ["pip",
 * "install", "x"]`); a shell it names with `-c` runs its string as a command line. Undefined for any other line.
 */
function execForm(line: string): string[] | undefined {
  const json = /^\s*RUN\s+(\[.*\])\s*$/i.exec(line)?.[1];
  if (json === undefined) return undefined;
  let words: unknown;
  try {
    words = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(words) || !words.every((w): w is string => typeof w === 'string')) return undefined;
  const [shell, flag, command] = words;
  if (/(^|\/)(ba|da)?sh$/.test(shell ?? '') && flag === '-c' && command !== undefined) {
    return shellCommands(command).flatMap((c) => [...c.map((w) => w.text), ';']);
  }
  return words;
}

/** The line up to its first word that starts with `#` (the shell's comment). */
function withoutShellComment(line: string): string {
  const m = /(^|[ \t])#/.exec(line);
  return m ? line.slice(0, m.index) : line;
}

function unquote(word: string): string {
  return word.length >= 2 && (word[0] === '"' || word[0] === "'") && word.at(-1) === word[0] ? word.slice(1, -1) : word;
}

/** The configuration file each variable names, in the format its tool reads it as. */
const CONFIG_VARIABLES: ReadonlyMap<string, FileFormat> = new Map<string, FileFormat>([
  ['PIP_CONFIG_FILE', 'pip-config'],
  ['UV_CONFIG_FILE', 'uv-config'],
]);
const configAssignments = envAssignmentReader([...CONFIG_VARIABLES.keys()]);

/** A configuration file an install names by a variable, as written, at its line, in the format its tool reads. */
interface NamedConfigFile {
  readonly written: string;
  readonly line: number;
  readonly format: FileFormat;
}

/**
 * The configuration files a Dockerfile, workflow or script points pip or uv at: pip's `Configuration` loads the file
 * `PIP_CONFIG_FILE` names (`_iter_config_files`, none at all when it is `os.devnull`), uv the `UV_CONFIG_FILE` one
 * instead of its own search, whatever the file is called (`ci/pip-ci.cfg` is no pip.conf by name); and a file copied
 * to a pip.conf (copiedPipConfig).
 */
function namedConfigFiles(text: string): NamedConfigFile[] {
  const out: NamedConfigFile[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*#/.test(raw)) return;
    if (raw.includes('pip.conf') || raw.includes('pip.ini')) {
      for (const written of copiedPipConfig(raw)) out.push({ written, line: i + 1, format: 'pip-config' });
    }
    if (!raw.includes('_CONFIG_FILE')) return;
    for (const [name, written] of configAssignments(raw)) {
      if (written !== '' && written !== '/dev/null')
        out.push({ written, line: i + 1, format: CONFIG_VARIABLES.get(name)! });
    }
  });
  return out;
}

/**
 * The sources a line's Dockerfile `COPY` / `ADD` or shell `cp` puts at a path named pip.conf (pip.ini on Windows):
 * where pip looks for its configuration (configuration.py `get_configuration_files`: `/etc/pip.conf`,
 * `/etc/xdg/pip/pip.conf`, `~/.config/pip/pip.conf`, `~/.pip/pip.conf`, `sys.prefix/pip.conf` of a virtualenv), so
 * pip reads the repository's file whatever it is called there (`COPY ci/pip-settings.ini /etc/pip.conf`). One source
 * and one destination only; `COPY --from=…` copies from another stage or image, not the repository.
 */
function copiedPipConfig(line: string): string[] {
  const out: string[] = [];
  const words = line.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const isCopy = (i === 0 && /^(COPY|ADD)$/i.test(words[i]!)) || program({ text: words[i]!, line: 0 }) === 'cp';
    if (!isCopy) continue;
    const operands: string[] = [];
    let fromElsewhere = false;
    for (i++; i < words.length && !SEPARATORS.has(words[i]!); i++) {
      const w = words[i]!;
      if (w.startsWith('--from')) fromElsewhere = true;
      if (!w.startsWith('-')) operands.push(unquote(w));
    }
    const [source, target] = operands;
    if (fromElsewhere || operands.length !== 2 || /[$`]/.test(source!)) continue;
    if (/(^|[/\\])pip\.(conf|ini)$/.test(target!)) out.push(source!);
  }
  return out;
}

/** A file the install commands of one file name, as written, and where it is in the repository. */
export interface LocatedName<N> {
  readonly named: N;
  readonly target: NamedFileTarget;
}

/** A named file that cannot be read here, and why: counted in CPP003, never passed. */
interface UnreadName {
  readonly written: string;
  readonly line: number;
  readonly why: string;
}

/** What the install commands of one file name, located: installInputs and a review's snapshot read the same. */
export interface InstallNames {
  /** The first MAX_NAMED requirements files. */
  readonly requirements: readonly LocatedName<NamedRequirementsFile>[];
  readonly configs: readonly LocatedName<NamedConfigFile>[];
  /** The requirement arguments of the commands (`pip install git+https://…`). */
  readonly args: readonly InstallArgument[];
  /** The first MAX_NAMED scripts `uv run` / `pipx run` run, whose inline metadata they install. */
  readonly scripts: readonly LocatedName<RunScript>[];
  /** The first MAX_NAMED conda environment files `conda env create -f` builds from, with their `pip:` lists. */
  readonly condaEnvs: readonly LocatedName<RunScript>[];
  /** Requirements files, scripts and environment files past MAX_NAMED: counted as not read, never passed. */
  readonly past: readonly UnreadName[];
  /** The base names of the files the commands write (`pip freeze > r.txt`): computed when first asked. */
  readonly written: () => ReadonlySet<string>;
}

/** The repository's paths as locateNamedFile looks them up, built once per scan (or per review revision). */
export interface InstallTree {
  readonly files: ReadonlySet<string>;
  readonly byBaseName: ReadonlyMap<string, readonly string[]>;
}

/**
 * The requirements files `-r` / `-c` / `uv pip sync` read, the configuration files PIP_CONFIG_FILE / UV_CONFIG_FILE
 * point at, the scripts `uv run` / `pipx run` run and the conda environment files `conda env create` builds from, of
 * the install commands of `envPath` (its text as asInstallCommands gives it), each located in the repository
 * (locateNamedFile); and the requirement arguments of those commands. The text is split into shell commands once.
 */
export function locateInstallNames(
  envPath: string,
  text: string,
  { files, byBaseName }: InstallTree,
  /**
   * The file as written, when it is a Dockerfile (where a COPY heredoc's body is read from) or a CI file (whose YAML
   * says which lines one shell runs, ciShells).
   */
  raw?: string,
): InstallNames {
  const commands = shellCommands(text);
  const envControl = envFormatControl(envPath, text);
  const { args, scripts } = installCommands(commands, envPath, envControl);
  const past: UnreadName[] = [];
  // A Dockerfile's install reads what its COPY put at the path, from its WORKDIR (`COPY ci/prod.txt reqs.txt`).
  const copied = dockerfileCopySource(envPath, text, (p) => files.has(p), folderTest(files), raw);
  // Bounded on a hostile file naming thousands: the rest is counted as not read, never passed.
  const bounded = <N extends { readonly written: string; readonly line: number }>(
    all: readonly N[],
    exact: (n: N) => boolean,
  ): LocatedName<N>[] => {
    for (const named of all.slice(MAX_NAMED)) past.push({ ...named, why: `past the first ${MAX_NAMED} named files` });
    return all.slice(0, MAX_NAMED).map((named) => {
      const source = copied?.(named.written, named.line);
      return {
        named,
        target: source ?? locateNamedFile(envPath, named.written, files, byBaseName, exact(named)),
      };
    });
  };
  // A script or environment file named twice is located once.
  const once = (named: readonly RunScript[]) => [...new Map(named.map((s) => [s.written, s])).values()];
  let written: Set<string> | undefined;
  return {
    requirements: bounded(
      namedRequirementsFiles(
        commands,
        envPath,
        envControl,
        CI_YAML.test(envPath) ? ciShells(envPath, raw ?? text) : undefined,
      ),
      (n) => n.positional === true,
    ),
    configs: bounded(namedConfigFiles(text), () => false),
    args,
    scripts: bounded(once(scripts), (s) => s.exact),
    condaEnvs: bounded(once(namedCondaEnvironments(commands)), (s) => s.exact),
    past,
    // Only a file that cannot be read asks (a second pass over the commands).
    written: () => (written ??= filesWrittenByBuild(commands)),
  };
}

/** The kind of file each name of InstallNames is, as a review reads it next. */
type InstallNameKind = 'requirements' | 'config' | 'code';

/**
 * The repository files the install commands of `envPath` (its text as asInstallCommands gives it) name, located as
 * installInputs and installCommandFindings locate them (locateInstallNames). A review lays them out beside the file
 * at both revisions, so the scan of each reads the same inputs: a script's inline metadata and a conda environment
 * file's `pip:` list too.
 */
export function installNamedPaths(
  envPath: string,
  text: string,
  tree: InstallTree,
  /** The file as written (locateInstallNames). */
  raw?: string,
): { path: string; kind: InstallNameKind }[] {
  const names = locateInstallNames(envPath, text, tree, raw);
  const found = (located: readonly LocatedName<unknown>[], kind: InstallNameKind) =>
    located.flatMap(({ target }) => ('paths' in target ? target.paths.map((path) => ({ path, kind })) : []));
  return [
    ...found(names.requirements, 'requirements'),
    ...found(names.configs, 'config'),
    ...found(names.scripts, 'code'),
    ...found(names.condaEnvs, 'config'),
  ];
}

/** A file an install command reads as requirements, to be scanned as one. */
export interface InstallInput {
  readonly file: DiscoveredFile;
  readonly constraints: boolean;
  /**
   * Only a compile reads it as its input (NamedRequirementsFile's `compileInput`); `false` when an install's `-r`
   * names it, whatever its name (`pip install -r requirements.in` installs it).
   */
  readonly compileInput?: boolean;
}

/** A Dockerfile's COPY heredoc an install reads as requirements (`COPY <<EOF /tmp/r.txt`, `pip install -r /tmp/r.txt`). */
export interface HeredocInput {
  /** The Dockerfile, where the body's lines are and its findings are reported. */
  readonly file: string;
  readonly body: HeredocBody;
  readonly constraints: boolean;
}

/** The tree's paths, and by base name in the order given: where installInputs and a review look a named file up. */
export function installTree(paths: Iterable<string>): InstallTree {
  const files = new Set(paths);
  const byBaseName = new Map<string, string[]>();
  for (const p of files) {
    const base = posix.basename(p);
    const same = byBaseName.get(base);
    if (same) same.push(p);
    else byBaseName.set(base, [p]);
  }
  return { files, byBaseName };
}

/**
 * The files the install commands of Dockerfiles, workflows and scripts read with `-r` / `-c` that are not already
 * scanned as Python dependency files (their names say nothing: `deps/pins.lst`, `ci/prod.lock`), each to be read as
 * pip reads it; and CPP003 for each named file that cannot be read here (a URL, a variable, a path no file of the
 * repository is at), one per install file with the count. A file the same text writes (`pip freeze > r.txt`) is
 * made by the build, not unchecked. Files of another format (pyproject.toml, which `uv pip install -r` reads)
 * are left to their own readers. `envNames`: each install file's path with its locateInstallNames.
 */
export function installInputs(
  byPath: ReadonlyMap<string, DiscoveredFile>,
  envNames: readonly (readonly [string, InstallNames])[],
): {
  inputs: InstallInput[];
  heredocs: HeredocInput[];
  configs: DiscoveredFile[];
  findings: Finding[];
  installed: Set<string>;
} {
  const inputs = new Map<string, InstallInput>();
  const heredocs = new Map<string, HeredocInput>();
  const installed = new Set<string>();
  const configs = new Map<string, DiscoveredFile>();
  const findings: Finding[] = [];
  for (const [envPath, names] of envNames) {
    const unread: UnreadName[] = [];
    for (const { named, target } of names.requirements) {
      if ('unread' in target && target.heredoc !== undefined) {
        // A COPY heredoc's body is the file: read where the Dockerfile holds it, as requirements.
        const key = `${envPath}\0${target.heredoc.from}`;
        const before = heredocs.get(key);
        if (before === undefined || (before.constraints && !named.constraint)) {
          heredocs.set(key, { file: envPath, body: target.heredoc, constraints: named.constraint });
        }
        continue;
      }
      if ('unread' in target) {
        const generated = target.rewritten !== true && names.written().has(posix.basename(named.written));
        if (named.positional !== true && !generated) {
          unread.push({ ...named, why: target.unread });
        }
        continue;
      }
      for (const path of target.paths) {
        const f = byPath.get(path)!;
        if (!named.constraint && named.compileInput !== true) installed.add(path);
        // Scanned already by its name, or another format's file: its own reader judges it.
        if (f.format !== 'other' || f.claimed !== undefined || PROJECT_FILE.test(path)) continue;
        const before = inputs.get(path);
        if (before === undefined || stricter(named, before)) {
          // Said either way: left unset, the lockfile checks would take any `*.in` for a compile's input by its name.
          const compileInput = named.compileInput === true;
          inputs.set(path, {
            file: { ...f, claimed: 'pip-requirements' },
            constraints: named.constraint,
            compileInput,
          });
        }
      }
    }
    for (const { named, target } of names.configs) {
      for (const path of 'paths' in target ? target.paths : []) {
        const f = byPath.get(path)!;
        // A pip.conf / uv.toml by name is read already.
        if (f.format === 'other' && !configs.has(path)) configs.set(path, { ...f, format: named.format });
      }
    }
    unread.push(...names.past);
    if (unread.length > 0) findings.push(unreadFinding(envPath, unread));
  }
  const byName = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
  return {
    inputs: [...inputs.values()].sort((a, b) => byName(a.file, b.file)),
    heredocs: [...heredocs.values()],
    configs: [...configs.values()].sort(byName),
    findings,
    installed,
  };
}

/**
 * Whether a name reads its file more strictly than the reading before: an install's `-r` over a constraint or a
 * compile's input, a compile's input over a constraint (an install's `-c` only narrows).
 */
function stricter(named: NamedRequirementsFile, before: InstallInput): boolean {
  const rank = (constraint: boolean, compileInput: boolean) => (constraint ? 0 : compileInput ? 1 : 2);
  return rank(named.constraint, named.compileInput === true) > rank(before.constraints, before.compileInput === true);
}

function unreadFinding(file: string, unread: readonly UnreadName[]): Finding {
  const first = unread[0]!;
  const shown = unread
    .slice(0, 5)
    .map((u) => `${u.written} (line ${u.line}: ${u.why})`)
    .join(', ');
  return pyFileFinding(
    'CPP003',
    file,
    first.line,
    `${file}:${first.line}: its install commands read ${unread.length === 1 ? 'a file' : `${unread.length} files`} (requirements, scripts, conda environments) chainproof could not read: ${shown}${unread.length > 5 ? ', …' : ''}. Their requirements were not checked; commit the file inside the repository and name it by a relative path.`,
    { count: unread.length, files: unread.map((u) => u.written).join(' ') },
  );
}
