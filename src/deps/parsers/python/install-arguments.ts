import { SEPARATORS, program, shellCommands } from './install-requirements.js';
import type { Word } from './install-requirements.js';
import { PIP_SHORT_VALUES, PIP_VALUE_OPTIONS, pipLongOption } from './pip-options.js';

/** A requirement given on an install's command line (`pip install <arg>`, `-e <arg>`), as the shell passes it. */
export interface InstallArgument {
  readonly written: string;
  readonly line: number;
  readonly editable: boolean;
}

/**
 * `uv pip install`'s options that take a value (uv-cli's `PipInstallArgs`, with the flattened `ResolverInstallerArgs`,
 * `RefreshArgs` and `GlobalArgs`, and their aliases).
 */
const UV_VALUE_OPTIONS = new Set([
  '--allow-insecure-host',
  '--build-constraint',
  '--build-constraints',
  '--cache-dir',
  '--color',
  '--config-file',
  '--config-setting',
  '--config-settings',
  '--config-settings-package',
  '--constraint',
  '--constraints',
  '--default-index',
  '--directory',
  '--editable',
  '--exclude',
  '--exclude-newer',
  '--exclude-newer-package',
  '--excludes',
  '--extra',
  '--extra-index-url',
  '--find-links',
  '--fork-strategy',
  '--group',
  '--index',
  '--index-strategy',
  '--index-url',
  '--keyring-provider',
  '--link-mode',
  '--no-binary',
  '--no-binary-package',
  '--no-build-isolation-package',
  '--no-build-package',
  '--only-binary',
  '--override',
  '--overrides',
  '--prefix',
  '--prerelease',
  '--project',
  '--python',
  '--python-platform',
  '--python-preference',
  '--python-version',
  '--refresh-package',
  '--reinstall-package',
  '--requirement',
  '--requirements',
  '--resolution',
  '--target',
  '--torch-backend',
  '--trusted-host',
  '--upgrade-package',
]);
/** uv's short options that take a value: `-r`, `-e`, `-c`, `-b`, `-p`, `-i`, `-f`, `-P`, `-C`. */
const UV_SHORT_VALUES = new Set(['r', 'e', 'c', 'b', 'p', 'i', 'f', 'P', 'C']);

interface Tool {
  /** The option a long option word names (pip's optparse takes abbreviations; uv's and pipx's parsers do not). */
  readonly option?: (word: string) => string;
  readonly values: ReadonlySet<string>;
  readonly shortValues: ReadonlySet<string>;
  /**
   * Options whose value is a requirement (`--editable` / `-e`, uv's `--from` / `--with` / `-w`, pipx's `--spec` /
   * `--preinstall`), and its kind.
   */
  readonly requirements: ReadonlyMap<string, RequirementKind>;
  /** The first positional argument is a command to run (`uvx ruff check`): it and the words after it are not read. */
  readonly runs?: true;
  /** The first positional argument names the environment installed into (`pipx inject <app> <dependency>…`). */
  readonly into?: true;
}
type RequirementKind = 'editable' | 'one' | 'list';
const EDITABLE = new Map<string, RequirementKind>([
  ['--editable', 'editable'],
  ['-e', 'editable'],
]);
const PIP: Tool = {
  option: pipLongOption,
  values: PIP_VALUE_OPTIONS,
  shortValues: PIP_SHORT_VALUES,
  requirements: EDITABLE,
};
const UV_PIP: Tool = { values: UV_VALUE_OPTIONS, shortValues: UV_SHORT_VALUES, requirements: EDITABLE };
/**
 * `uv add` (uv-cli `AddArgs`: its `--editable` is a flag, `--rev` / `--tag` / `--branch` / `--optional` / `--marker`
 * … take values) and the tool commands (`ToolInstallArgs`, `ToolRunArgs`: `--from` names the package, `--with` /
 * `--with-editable` comma-separated extra ones).
 */
const UV_PROJECT_VALUES = new Set([
  ...[...UV_VALUE_OPTIONS].filter((o) => o !== '--editable'),
  '--bounds',
  '--branch',
  '--env-file',
  '--marker',
  '--no-extra',
  '--no-group',
  '--only-group',
  '--optional',
  '--package',
  '--rev',
  '--script',
  '--tag',
  '--with-requirements',
]);
/**
 * What `uv tool install` / `uv tool run` / `uv run` install besides the package (`ToolInstallArgs`, `ToolRunArgs`,
 * `RunArgs`): `--with` (short `-w`), `--with-editable` and `--with-executables-from`, each a comma-separated list
 * (uv-cli's `CommaSeparatedRequirements`), and `--from`.
 */
const UV_TOOL_REQUIREMENTS = new Map<string, RequirementKind>([
  ['--from', 'one'],
  ['--with', 'list'],
  ['-w', 'list'],
  ['--with-editable', 'list'],
  ['--with-executables-from', 'list'],
]);
const UV_ADD: Tool = {
  values: UV_PROJECT_VALUES,
  shortValues: new Set([...UV_SHORT_VALUES, 'm'].filter((c) => c !== 'e')),
  requirements: new Map(),
};
const UV_TOOL_INSTALL: Tool = {
  ...UV_ADD,
  shortValues: new Set([...UV_ADD.shortValues, 'w']),
  requirements: UV_TOOL_REQUIREMENTS,
};
const UVX: Tool = { ...UV_TOOL_INSTALL, runs: true };
/**
 * pipx's options that take a value (pipx main.py's parsers; its `-e` and `-f` are flags): `--spec` names the package
 * `run` installs, each `--preinstall` (action `append`) one installed into the environment before the package, and
 * `inject`'s `-r` / `--requirement` a file of them.
 */
const PIPX_VALUES = new Set([
  '--backend',
  '--fetch-python',
  '--index-url',
  '--pip-args',
  '--python',
  '--requirement',
  '--suffix',
]);
const PIPX_INSTALL: Tool = {
  values: PIPX_VALUES,
  shortValues: new Set(['i', 'r']),
  requirements: new Map([['--preinstall', 'one']]),
};
const PIPX_INJECT: Tool = { ...PIPX_INSTALL, into: true };
const PIPX_RUN: Tool = {
  ...PIPX_INSTALL,
  requirements: new Map([...PIPX_INSTALL.requirements, ['--spec', 'one']]),
  runs: true,
};

/** The pip commands that fetch and build what their arguments name (`wheel` and `download` build sdists' metadata). */
const PIP_FETCHES = new Set(['install', 'wheel', 'download']);

/**
 * The requirement arguments of the install commands of a Dockerfile, workflow or script, each at its line: `pip
 * install` / `pip wheel` / `pip download` (also `python -m pip …`, `pip3.12 …`) and `uv pip install` — what pip's
 * `RequirementCommand.get_requirements` hands `install_req_from_line` (positional arguments) and
 * `install_req_from_editable` (`-e` values) —, `uv add`, `uv tool install`, `uvx` / `uv tool run` / `uv run`
 * (`--from`, `--with`), `pipx install`, `pipx inject` and `pipx run --spec`. Option values are skipped by each tool's option table;
 * a shell redirection and its target are no argument.
 */
export function installArguments(text: string): InstallArgument[] {
  const out: InstallArgument[] = [];
  for (const words of shellCommands(text)) {
    for (let i = 0; i < words.length; i++) {
      const found = installAt(words, i);
      if (found === undefined) continue;
      i = readArguments(words, i + found.words, found.tool, out);
    }
  }
  return out;
}

/** The install command starting at `words[i]`, if one does: its tool and how many words name it. */
function installAt(words: readonly Word[], i: number): { tool: Tool; words: number } | undefined {
  const name = program(words[i]);
  const verb = words[i + 1]?.text;
  // `pip`, `pip3`, `pip3.12`, `python -m pip`, `uv pip`.
  if (/^pip(?:3(?:\.\d+)?)?$/.test(name)) {
    if (i > 0 && program(words[i - 1]) === 'uv') return verb === 'install' ? { tool: UV_PIP, words: 2 } : undefined;
    return verb !== undefined && PIP_FETCHES.has(verb) ? { tool: PIP, words: 2 } : undefined;
  }
  if (name === 'uv' && verb === 'add') return { tool: UV_ADD, words: 2 };
  if (name === 'uv' && verb === 'tool') {
    const sub = words[i + 2]?.text;
    if (sub === 'install') return { tool: UV_TOOL_INSTALL, words: 3 };
    if (sub === 'run') return { tool: UVX, words: 3 };
  }
  if (name === 'uv' && verb === 'run') return { tool: UVX, words: 2 };
  if (name === 'uvx') return { tool: UVX, words: 1 };
  if (name === 'pipx' && verb === 'install') return { tool: PIPX_INSTALL, words: 2 };
  if (name === 'pipx' && verb === 'inject') return { tool: PIPX_INJECT, words: 2 };
  if (name === 'pipx' && verb === 'run') return { tool: PIPX_RUN, words: 2 };
  return undefined;
}

/** Reads one command's arguments from `start` into `out`; returns the index of the word it stopped at. */
function readArguments(words: readonly Word[], start: number, tool: Tool, out: InstallArgument[]): number {
  let i = start;
  // Whether the environment a `pipx inject` installs into has been named.
  let into = false;
  for (; i < words.length; i++) {
    const { text: w, line } = words[i]!;
    if (SEPARATORS.has(w)) return i;
    // `> log`, `2>&1`, `>>out`, `<in`: the shell's, not pip's.
    if (/^\d*(?:[<>]|&>)/.test(w)) {
      if (/^\d*(?:<|>>?|&>)$/.test(w)) i++;
      continue;
    }
    if (w === '--' || w === '-') continue;
    // The option's value as a word of its own, at its line (a value past the command's end is none).
    const next = (): Word | undefined => {
      const value = words[i + 1];
      if (value === undefined || SEPARATORS.has(value.text)) return undefined;
      i++;
      return value;
    };
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const written = eq > 0 ? w.slice(0, eq) : w;
      const name = tool.option?.(written) ?? written;
      const kind = tool.requirements.get(name);
      const takes = tool.values.has(name) || kind !== undefined;
      const value = eq > 0 ? { text: w.slice(eq + 1), line } : takes ? next() : undefined;
      if (kind !== undefined && value !== undefined) pushRequirements(kind, value, out);
      continue;
    }
    if (w.startsWith('-')) {
      // A cluster of short flags may end in one that takes a value, glued (`-Ue.`) or the next word (`-Ue .`).
      const at = [...w.slice(1)].findIndex((c) => tool.shortValues.has(c)) + 1;
      if (at === 0) continue;
      const value = w.length > at + 1 ? { text: w.slice(at + 1), line } : next();
      const kind = tool.requirements.get(`-${w[at]}`);
      if (kind !== undefined && value !== undefined) pushRequirements(kind, value, out);
      continue;
    }
    if (tool.into && !into) {
      into = true;
      continue;
    }
    if (tool.runs) {
      // The command run, maybe with its version (`ruff@0.5`): the package named so is an index one.
      for (i++; i < words.length && !SEPARATORS.has(words[i]!.text); i++);
      return i;
    }
    out.push({ written: w, line, editable: false });
  }
  return i;
}

/** An option's value as the requirements it names: one, or a comma-separated list (uv's `--with a,b`). */
function pushRequirements(kind: RequirementKind, value: Word, out: InstallArgument[]): void {
  for (const written of kind === 'list' ? value.text.split(',') : [value.text]) {
    if (written !== '') out.push({ written, line: value.line, editable: kind === 'editable' });
  }
}
