import { SEPARATORS, pipFormatControl, shellCommands } from './install-requirements.js';
import type { Word } from './install-requirements.js';
import {
  POETRY_DIRECTORY,
  POETRY_PROJECT,
  inDirectory,
  lastFolders,
  projectFolder,
  toolCommandAt,
} from './global-options.js';
import type { Folders, GlobalOptions, ToolCommand } from './global-options.js';
import { PIP_SHORT_VALUES, PIP_VALUE_OPTIONS, pipLongOption } from './pip-options.js';
import type { PyFormatControl } from './types.js';

/** A requirement given on an install's command line (`pip install <arg>`, `-e <arg>`), as the shell passes it. */
export interface InstallArgument {
  readonly written: string;
  readonly line: number;
  readonly editable: boolean;
  /**
   * The folder the tool reads a relative path argument in, as written from where the command was typed (`uv
   * --directory app pip install ./x.whl`, `poetry -C app add ./x.whl` read `app/x.whl`); absent for that folder.
   */
  readonly directory?: string;
  /**
   * The `--no-binary` / `--only-binary` of the pip command giving it (pipFormatControl), the same object as its `-r`
   * files': pip's `FormatControl` applies to every requirement of the install.
   */
  readonly formatControl?: PyFormatControl;
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
  /**
   * The command run may be a script whose PEP 723 inline metadata names what is installed before it runs: for uv a
   * `.py` / `.pyw` name, or any after `--script` (uv's `RunCommand::from_args` → `PythonScript`); for pipx any local
   * file, unless `--spec` names the package (pipx commands/run.py `run` → `maybe_script_content`).
   */
  readonly scripts?: 'uv' | 'pipx';
  /** The first positional argument names the environment installed into (`pipx inject <app> <dependency>…`). */
  readonly into?: true;
  /** A positional argument as the requirement it names, where the tool has a form of its own (`poetry add x@^1`). */
  readonly written?: (word: string) => string;
  /** The global options the tool's parser takes after the command too that name the folder it runs in. */
  readonly directory?: ReadonlySet<string>;
  /** Likewise, those naming the project's folder, relative to that one (poetry's `--project` / `-P`). */
  readonly project?: ReadonlySet<string>;
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
/** uv's `--directory` is a global option (uv-cli `GlobalArgs`, `global = true`): clap takes it after the command too. */
const UV_DIRECTORY = new Set(['--directory']);
const UV_PIP: Tool = {
  values: UV_VALUE_OPTIONS,
  shortValues: UV_SHORT_VALUES,
  requirements: EDITABLE,
  directory: UV_DIRECTORY,
};
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
  directory: UV_DIRECTORY,
};
const UV_TOOL_INSTALL: Tool = {
  ...UV_ADD,
  shortValues: new Set([...UV_ADD.shortValues, 'w']),
  requirements: UV_TOOL_REQUIREMENTS,
};
const UVX: Tool = { ...UV_TOOL_INSTALL, runs: true };
/** `uv run`: its `--script` is a flag (`RunArgs`), where `uv add --script <path>` takes a value. */
const UV_RUN: Tool = { ...UVX, values: new Set([...UVX.values].filter((o) => o !== '--script')), scripts: 'uv' };
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
  scripts: 'pipx',
};

/**
 * `poetry add` (poetry console/commands/add.py `AddCommand.options`; its `-e` / `--editable`, `--optional` and
 * `--dev` are flags, taken as such where a version differs) with the application's `--directory` / `-C` and
 * `--project` / `-P`, which poetry takes after the command too (console/application.py `_sort_global_options`
 * moves them before it, argparse keeping the last value). A `name@constraint` argument is poetry's own form.
 */
const POETRY_ADD: Tool = {
  values: new Set([
    '--directory',
    '--extras',
    '--group',
    '--markers',
    '--platform',
    '--project',
    '--python',
    '--source',
  ]),
  shortValues: new Set(['C', 'E', 'G', 'P']),
  requirements: new Map(),
  written: poetryRequirement,
  directory: POETRY_DIRECTORY,
  project: POETRY_PROJECT,
};
/**
 * `pdm add` (pdm cli/commands/add.py and cli/options.py: `-G` / `--group`, `-L` / `--lockfile`, `-k` / `--skip`,
 * `-p` / `--project` take values; `-e` / `--editable` (append) is an editable requirement; `--venv`'s value is
 * optional, so it is read as a flag and a requirement after it stays one).
 */
const PDM_ADD: Tool = {
  values: new Set(['--group', '--lockfile', '--project', '--skip']),
  shortValues: new Set(['G', 'L', 'k', 'p', 'e']),
  requirements: EDITABLE,
};
/**
 * `pipenv install` (pipenv cli/options.py `install_options`: `-i` / `--index`, `--extra-index-url`, `-r` /
 * `--requirements`, `-c` (`--code`, later `--constraints`), `--python`, `--pypi-mirror`, `--categories`,
 * `--extra-pip-args` take values; `-e` / `--editable` is an editable requirement, as pip reads it).
 */
const PIPENV_INSTALL: Tool = {
  values: new Set([
    '--categories',
    '--code',
    '--constraints',
    '--extra-index-url',
    '--extra-pip-args',
    '--index',
    '--pypi-mirror',
    '--python',
    '--requirements',
  ]),
  shortValues: new Set(['i', 'r', 'c', 'e']),
  requirements: EDITABLE,
};

/**
 * A `poetry add` argument as the requirement it names (poetry utils/dependency_specification.py
 * `RequirementsParser`): a URL, version-control or path argument is read as pip reads it; `name@constraint` (with
 * `latest`) is the name at that constraint, an exact version (`name@1.2.3`, `name@==1.2.3`) being a pin.
 */
function poetryRequirement(word: string): string {
  const m = /^([A-Za-z0-9][\w.-]*(?:\[[^\]]*\])?)@(?!\s*[a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(word);
  if (m === null) return word;
  const exact = /^(?:==)?\s*(\d[\w.!+-]*)$/.exec(m[2]!.trim());
  return exact ? `${m[1]!}==${exact[1]!}` : m[1]!;
}

/**
 * The requirement arguments of the install commands of a Dockerfile, workflow or script, each at its line: `pip
 * install` / `pip wheel` / `pip download` (also `python -m pip …`, `pip3.12 …`) and `uv pip install` — what pip's
 * `RequirementCommand.get_requirements` hands `install_req_from_line` (positional arguments) and
 * `install_req_from_editable` (`-e` values) —, `uv add`, `uv tool install`, `uvx` / `uv tool run` / `uv run`
 * (`--from`, `--with`), `pipx install`, `pipx inject`, `pipx run --spec`, `poetry add`, `pdm add` and `pipenv
 * install`, which add what they name to the project and install it, whatever global options come before the command
 * (`pip --isolated install`, `poetry -C app add`). Option values are skipped by each tool's option table; a shell
 * redirection and its target are no argument. `file`: the file the commands are in.
 */
export function installArguments(text: string, file: string): InstallArgument[] {
  return installCommands(shellCommands(text), file).args;
}

/** A script an install command runs (`uv run tools/x.py`), as written, at its line. */
export interface RunScript {
  readonly written: string;
  readonly line: number;
  /** Only a file at that very path is a script (pipx's `pipx run black` runs a package when no file is there). */
  readonly exact: boolean;
}

/**
 * The requirement arguments of a file's install commands (installArguments) and the scripts they run. `commands`:
 * the shellCommands of `file`.
 */
export function installCommands(
  commands: readonly (readonly Word[])[],
  file: string,
  envControl?: PyFormatControl,
): {
  args: InstallArgument[];
  scripts: RunScript[];
} {
  const out = { args: [] as InstallArgument[], scripts: [] as RunScript[] };
  for (const words of commands) {
    for (let i = 0; i < words.length; i++) {
      const found = toolCommandAt(words, i);
      const tool = INSTALL_COMMANDS.get(found.command);
      // Not an install: the words its program read as its own options are no command either.
      i = tool === undefined ? found.next - 1 : readArguments(words, { ...found, tool }, file, out, envControl);
    }
  }
  return out;
}

/**
 * The install commands by their words (toolCommandAt), each with the tool whose options it takes; pip's `wheel` and
 * `download` fetch and build what their arguments name too (an sdist's metadata is built).
 */
const INSTALL_COMMANDS: ReadonlyMap<string, Tool> = new Map([
  ['pip install', PIP],
  ['pip wheel', PIP],
  ['pip download', PIP],
  ['uv pip install', UV_PIP],
  ['uv add', UV_ADD],
  ['uv tool install', UV_TOOL_INSTALL],
  ['uv tool run', UVX],
  ['uv run', UV_RUN],
  ['uvx', UVX],
  ['pipx install', PIPX_INSTALL],
  ['pipx inject', PIPX_INJECT],
  ['pipx run', PIPX_RUN],
  ['poetry add', POETRY_ADD],
  ['pdm add', PDM_ADD],
  ['pipenv install', PIPENV_INSTALL],
]);

/** The tool's options as lastFolders reads them: an option whose value is a requirement (`--from x`) takes one too. */
function folderOptions(tool: Tool): GlobalOptions & { readonly runs?: true } {
  const requirementValues = [...tool.requirements.keys()].filter((name) => name.startsWith('--'));
  return { ...tool, values: new Set([...tool.values, ...requirementValues]) };
}

/** The option table each command's folders are read by: its tool's; `uv pip sync` / `compile` take `uv pip`'s. */
const FOLDER_OPTIONS = new Map(
  [...INSTALL_COMMANDS, ['uv pip sync', UV_PIP] as const, ['uv pip compile', UV_PIP] as const].map(
    ([command, tool]) => [command, folderOptions(tool)],
  ),
);

/**
 * The folders a command runs in and reads its project from, as its tool's parser reads them over the whole command
 * (lastFolders): those before the command word, then the last given after it. Also for the requirements files a
 * command names (install-requirements.ts `fileOptions`).
 */
export function commandFolders(words: readonly Word[], found: ToolCommand): Folders {
  const options = FOLDER_OPTIONS.get(found.command);
  return options === undefined ? found : lastFolders(options, words, found.next, found);
}

/**
 * Reads one command's arguments, from where `found` ends, into `out`; returns the index of the word it stopped at.
 * Each argument keeps the folder the tool reads a relative path in, from the directory options on the whole command:
 * the last one given counts for every argument, before or after it (poetry's argparse, uv's clap); and a pip
 * command's format control, whatever its place among them (pipFormatControl).
 */
function readArguments(
  words: readonly Word[],
  found: ToolCommand & { tool: Tool },
  file: string,
  out: { args: InstallArgument[]; scripts: RunScript[] },
  envControl: PyFormatControl | undefined,
): number {
  const from = out.args.length;
  const folders = commandFolders(words, found);
  const end = readWords(words, found.next, found.tool, folders, out);
  const directory = projectFolder(folders.directory, folders.project);
  const formatControl = pipFormatControl(words, found.command, found.next, file, envControl);
  const command = { ...(directory !== undefined ? { directory } : {}), ...(formatControl ? { formatControl } : {}) };
  if (directory !== undefined || formatControl !== undefined) {
    for (let k = from; k < out.args.length; k++) out.args[k] = { ...out.args[k]!, ...command };
  }
  return end;
}

/** readArguments' walk over the words; `folders`: those the command's options name (a script is read in them). */
function readWords(
  words: readonly Word[],
  start: number,
  tool: Tool,
  folders: Folders,
  { args: out, scripts }: { args: InstallArgument[]; scripts: RunScript[] },
): number {
  let i = start;
  // Whether the environment a `pipx inject` installs into has been named.
  let into = false;
  // uv run's `--script` / `-s`: the command is a script whatever its name; pipx run's `--spec`: it is none.
  let script = false;
  let spec = false;
  for (; i < words.length; i++) {
    const { text: w, line } = words[i]!;
    if (SEPARATORS.has(w)) return i;
    // `> log`, `2>&1`, `>>out`, `<in`: the shell's, not pip's.
    if (/^\d*(?:[<>]|&>)/.test(w)) {
      if (/^\d*(?:<|>>?|&>)$/.test(w)) i++;
      continue;
    }
    if (w === '--' || w === '-') continue;
    if (w === '--script' || w === '-s') script = true;
    if (w === '--spec' || w.startsWith('--spec=')) spec = true;
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
      const named = /\.pyw?$/i.test(w);
      if (tool.scripts === 'uv' && (script || named)) {
        scripts.push({ written: inDirectory(folders.directory, w), line, exact: false });
      }
      if (tool.scripts === 'pipx' && !spec) scripts.push({ written: w, line, exact: !named });
      // The command run, maybe with its version (`ruff@0.5`): the package named so is an index one.
      for (i++; i < words.length && !SEPARATORS.has(words[i]!.text); i++);
      return i;
    }
    out.push({ written: tool.written?.(w) ?? w, line, editable: false });
  }
  return i;
}

/** An option's value as the requirements it names: one, or a comma-separated list (uv's `--with a,b`). */
function pushRequirements(kind: RequirementKind, value: Word, out: InstallArgument[]): void {
  for (const written of kind === 'list' ? value.text.split(',') : [value.text]) {
    if (written !== '') out.push({ written, line: value.line, editable: kind === 'editable' });
  }
}
