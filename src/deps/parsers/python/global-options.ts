import { posix } from 'node:path';
import { SEPARATORS, program } from './install-requirements.js';
import type { Word } from './install-requirements.js';
import { abbrevMatches } from './requirements-options.js';

/** The options a tool takes before its command word (`poetry -C app add x`, `pip --isolated install x`). */
export interface GlobalOptions {
  /** Long options that take a value (as the next word, or after `=`); every other option is a flag. */
  readonly values: ReadonlySet<string>;
  /** Short options that take a value, glued (`-Capp`) or the next word; others are flags a cluster may hold. */
  readonly shortValues: ReadonlySet<string>;
  /** The long options the parser matches an abbreviation against (optparse's and argparse's prefix matching). */
  readonly abbreviates?: readonly string[];
  /** The options whose value is the folder the command runs in: relative file names are read from there. */
  readonly directory?: ReadonlySet<string>;
  /**
   * The options whose value is the project's folder, relative to the one the command runs in: poetry reads a path
   * argument relative to the project (`poetry -C app -P lib add ./x` adds `app/lib/x`).
   */
  readonly project?: ReadonlySet<string>;
}

/**
 * pip's general options (cli/cmdoptions.py `general_group`), all that `parse_command` (cli/main_parser.py) reads
 * before the command name: the parser stops at the first positional argument (`disable_interspersed_args`).
 */
const PIP_GENERAL_VALUES = [
  '--cache-dir',
  '--cert',
  '--client-cert',
  '--exists-action',
  '--keyring-provider',
  '--local-log',
  '--log',
  '--log-file',
  '--proxy',
  '--python',
  '--resume-retries',
  '--retries',
  '--timeout',
  '--trusted-host',
  '--use-deprecated',
  '--use-feature',
];
const PIP_GENERAL_FLAGS = [
  '--debug',
  '--disable-pip-version-check',
  '--help',
  '--isolated',
  '--no-cache-dir',
  '--no-color',
  '--no-input',
  '--no-python-version-warning',
  '--quiet',
  '--require-venv',
  '--require-virtualenv',
  '--verbose',
  '--version',
];
const PIP: GlobalOptions = {
  values: new Set(PIP_GENERAL_VALUES),
  shortValues: new Set(),
  abbreviates: [...PIP_GENERAL_VALUES, ...PIP_GENERAL_FLAGS],
};

/**
 * uv's global options (uv-cli `TopLevelArgs`: `GlobalArgs` and `CacheArgs`, `global = true`) that take a value,
 * given before the command or between `uv pip` / `uv tool` and theirs. `--directory` changes into the folder before
 * the command runs (relative paths are read from there); `--project` only moves the project root, paths on the
 * command line staying relative to the working directory.
 */
const UV: GlobalOptions = {
  values: new Set([
    '--allow-insecure-host',
    '--cache-dir',
    '--color',
    '--config-file',
    '--directory',
    '--preview-features',
    '--project',
    '--python-preference',
    '--trusted-host',
  ]),
  shortValues: new Set(),
  directory: new Set(['--directory']),
};

/**
 * Poetry's application options (console/application.py `_default_definition`): `--directory` / `-C` (the working
 * directory of the command) and `--project` / `-P` (the project's folder, relative to it:
 * `_configure_global_options`) take values; the others (`-v`, `-q`, `-n`, `--no-plugins`, `--no-cache`, `--ansi`)
 * are flags. cleo's `ArgvInput.first_argument` skips them to find the command name.
 */
export const POETRY_DIRECTORY = new Set(['--directory', '-C']);
export const POETRY_PROJECT = new Set(['--project', '-P']);
const POETRY: GlobalOptions = {
  values: new Set(['--directory', '--project']),
  shortValues: new Set(['C', 'P']),
  directory: POETRY_DIRECTORY,
  project: POETRY_PROJECT,
};

/**
 * pdm's root parser (core.py `Core.init_parser`): `-c` / `--config` takes a value, `-v` / `-q` / `-I` /
 * `--no-cache` are flags. `-p` / `--project` is no root option: `pdm -p app add x` is refused (then tried as
 * `pdm run -p app add x`, whose script `app` is unknown), so it names no command here either.
 */
const PDM_ROOT_LONG = ['--config', '--ignore-python', '--no-cache', '--pep582', '--quiet', '--verbose', '--version'];
const PDM: GlobalOptions = {
  // `--pep582`'s value is optional (`nargs="?"`): argparse takes the next word as it, the command name included.
  values: new Set(['--config', '--pep582']),
  shortValues: new Set(['c']),
  abbreviates: PDM_ROOT_LONG,
};

/** pipx's root parser (main.py `get_command_parser`): `--verbose`, `--quiet`, `--version`, all flags. */
const PIPX: GlobalOptions = { values: new Set(), shortValues: new Set() };

/**
 * pipenv's group options (cli/command.py `cli`, with `common_options`): `--python` and `--pypi-mirror` take values;
 * `--where`, `--venv`, `--py`, `--rm`, `--bare`, `--clear`, `-v`, `-q` are flags.
 */
const PIPENV: GlobalOptions = { values: new Set(['--pypi-mirror', '--python']), shortValues: new Set() };

const PIP_PROGRAM = /^pip(?:3(?:\.\d+)?)?$/;

/** The global options of the program a word runs, by its name (`pip3.12` is pip). */
function globalOptionsOf(name: string): GlobalOptions | undefined {
  if (PIP_PROGRAM.test(name)) return PIP;
  if (name === 'uv') return UV;
  if (name === 'poetry') return POETRY;
  if (name === 'pdm') return PDM;
  if (name === 'pipx') return PIPX;
  if (name === 'pipenv') return PIPENV;
  return undefined;
}

/** A tool's command as its words name it, past the global options. */
export interface ToolCommand {
  /** The program and its command words: `pip install` (any pip), `uv pip install`, `uv tool run`, `uvx`. */
  readonly command: string;
  /** The index of the command's first argument. */
  readonly next: number;
  /** The folder `--directory` / `-C` names, as written: relative file names on the command line are read in it. */
  readonly directory?: string;
  /** The project folder poetry's `--project` / `-P` names, as written (relative to `directory`). */
  readonly project?: string;
}

/**
 * The command of the program `words[i]` runs, read as the tool's parser reads it: its global options skipped
 * (pip's `parse_command`, uv's clap `global = true` arguments, also between `uv pip` / `uv tool` and their
 * command, cleo's `first_argument`, pdm's and pipx's root parsers), the first other word being the command. A
 * program with no command word (`uvx`, `pip-sync`) is its name alone; `uv pip …` is read from its `uv`. Whatever the
 * command, `next` is past the words read: the program's own options are no command to look for again (a hostile
 * line of thousands of `pip --log pip --log …` is read once, not once per `pip`).
 */
export function toolCommandAt(words: readonly Word[], i: number): ToolCommand {
  const name = program(words[i]);
  const options = globalOptionsOf(name);
  if (options === undefined) return { command: name, next: i + 1 };
  if (PIP_PROGRAM.test(name) && i > 0 && program(words[i - 1]) === 'uv') return { command: '', next: i + 1 };
  const tool = PIP_PROGRAM.test(name) ? 'pip' : name;
  const start = skipGlobalOptions(options, words, i + 1);
  const verb = words[start.at]?.text;
  if (verb === undefined || SEPARATORS.has(verb)) return { command: tool, next: start.at };
  if (tool === 'uv' && (verb === 'pip' || verb === 'tool')) {
    const sub = skipGlobalOptions(UV, words, start.at + 1);
    const subVerb = words[sub.at]?.text;
    if (subVerb === undefined || SEPARATORS.has(subVerb)) return { command: `uv ${verb}`, next: sub.at };
    return withFolders(`uv ${verb} ${subVerb}`, sub.at + 1, { directory: sub.directory ?? start.directory });
  }
  return withFolders(`${tool} ${verb}`, start.at + 1, start);
}

function withFolders(command: string, next: number, folders: Folders): ToolCommand {
  return { command, next, ...definedFolders(folders) };
}

/** The folders a command's directory and project options name, as written. */
export interface Folders {
  readonly directory?: string | undefined;
  readonly project?: string | undefined;
}

/** The folders that are named, as an object whose optional members are absent rather than undefined. */
function definedFolders({ directory, project }: Folders): { directory?: string; project?: string } {
  return { ...(directory === undefined ? {} : { directory }), ...(project === undefined ? {} : { project }) };
}

/**
 * Skips the global options starting at `words[at]`, as the tool's parser reads them before its command name: a
 * flag (or a cluster of short flags), an option with its value glued (`--directory=app`, `-Capp`) or as the next
 * word (`-C app`). Returns the index of the first other word and the folder a directory option names.
 */
function skipGlobalOptions(options: GlobalOptions, words: readonly Word[], at: number): Folders & { at: number } {
  let directory: string | undefined;
  let project: string | undefined;
  let i = at;
  for (; i < words.length; i++) {
    const w = words[i]!.text;
    if (SEPARATORS.has(w) || !w.startsWith('-') || w === '-' || w === '--') break;
    const read = optionValue(options, w, words[i + 1]?.text);
    if (read === undefined) continue;
    if (read.value === undefined) continue;
    // A value past the command's end (`pip --log && pip install x`) is none: the separator ends the options.
    if (!read.glued) i++;
    if (options.directory?.has(read.name) === true) directory = read.value;
    if (options.project?.has(read.name) === true) project = read.value;
  }
  return { at: i, ...definedFolders({ directory, project }) };
}

/** The option `w` names and its value, if it takes one (undefined for a flag). */
function optionValue(
  options: GlobalOptions,
  w: string,
  next: string | undefined,
): { name: string; value: string | undefined; glued: boolean } | undefined {
  const nextValue = next !== undefined && !SEPARATORS.has(next) ? next : undefined;
  if (w.startsWith('--')) {
    const eq = w.indexOf('=');
    const written = eq > 0 ? w.slice(0, eq) : w;
    const hits = options.abbreviates ? abbrevMatches(written, options.abbreviates) : [];
    const name = hits.length === 1 ? hits[0]! : written;
    if (!options.values.has(name)) return undefined;
    return eq > 0 ? { name, value: w.slice(eq + 1), glued: true } : { name, value: nextValue, glued: false };
  }
  // A cluster of short flags may end in one that takes a value, glued (`-vCapp`) or the next word (`-vC app`).
  const at = [...w.slice(1)].findIndex((c) => options.shortValues.has(c)) + 1;
  if (at === 0) return undefined;
  const name = `-${w[at]!}`;
  return w.length > at + 1 ? { name, value: w.slice(at + 1), glued: true } : { name, value: nextValue, glued: false };
}

/**
 * The folders a command's options name over its words from `start`, the last of each counting (clap's `global = true`
 * arguments and poetry's `_sort_global_options` take them after the command word too, keeping the last value), over
 * `folders`, those named before the command word. The walk ends at the command's end, or for a tool that `runs` its
 * first positional argument (`uvx ruff --directory x`) there: what follows is that program's.
 */
export function lastFolders(
  options: GlobalOptions & { readonly runs?: true },
  words: readonly Word[],
  start: number,
  folders: Folders,
): Folders {
  let { directory, project } = folders;
  for (let i = start; i < words.length; i++) {
    const w = words[i]!.text;
    if (SEPARATORS.has(w)) break;
    if (!w.startsWith('-') || w === '-' || w === '--') {
      if (options.runs === true && w !== '-' && w !== '--') break;
      continue;
    }
    const read = optionValue(options, w, words[i + 1]?.text);
    if (read?.value === undefined) continue;
    if (!read.glued) i++;
    if (options.directory?.has(read.name) === true) directory = read.value;
    if (options.project?.has(read.name) === true) project = read.value;
  }
  return definedFolders({ directory, project });
}

/**
 * The folder poetry reads a path argument relative to, as written from where the command was typed: the project's
 * (`--project`, relative to `--directory`), else `--directory`'s (console/application.py
 * `_configure_global_options`, then `InitCommand._parse_requirements`: `cwd = self.poetry.file.path.parent`).
 * Undefined for the folder the command was typed in.
 */
export function projectFolder(directory: string | undefined, project: string | undefined): string | undefined {
  if (project === undefined) return directory;
  return inDirectory(directory, project);
}

/**
 * A file name given on a command that runs in `directory` (`uv --directory app pip install -r r.txt` reads
 * `app/r.txt`), as it would be written from the folder the command was typed in. An absolute name, a URL or no
 * directory leave it as written.
 */
export function inDirectory(directory: string | undefined, written: string): string {
  if (directory === undefined || written.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(written)) return written;
  return posix.join(directory, written);
}
