import type { Finding } from '../../../core/finding.js';
import { envAssignmentReader } from './env-indexes.js';
import { toolCommandAt } from './global-options.js';
import { SEPARATORS, shellCommands } from './install-requirements.js';
import type { Word } from './install-requirements.js';
import { normalizeName } from './pep508.js';
import type { UvBuilds } from './pyproject.js';
import type { PyLineAt } from './types.js';
import type { PythonCheckPolicy } from './checks/context.js';
import { pyFileFinding, shown } from './checks/finding.js';

/**
 * The uv commands that install a project's or a tool's packages and read uv-cli's `BuildOptionsArgs` (`--no-binary`,
 * `--no-binary-package`, `--no-build`, `--no-build-package`, each with its `UV_*` variable). `uv pip install` is not
 * one: its own `--no-binary` is uv-format-control.ts's, and it reads no `UV_NO_BINARY` (uv's `install_no_binary_env`
 * test: "not yet implemented").
 */
const UV_INSTALLS = new Set([
  'uv sync',
  'uv run',
  'uv add',
  'uv remove',
  'uv tool install',
  'uv tool run',
  'uv tool upgrade',
  'uvx',
]);
/**
 * The commands that read the project's settings file (uv's `main`: `uv tool` and `uvx` read only the user's and the
 * system's, never a project's).
 */
const READS_PROJECT = new Set(['uv sync', 'uv run', 'uv add', 'uv remove']);
/**
 * The options and variables after which the settings file is another one or none (`--no-config`, the deprecated
 * `--isolated`, `--config-file`) or is looked for from another folder (`--directory`, `--project`): the settings
 * file found from the install file's folder is then not the command's.
 */
const OTHER_SETTINGS = /^--(no-config|isolated|config-file|directory|project)(=|$)/;
const otherSettingsAssignments = envAssignmentReader([
  'UV_NO_CONFIG',
  'UV_CONFIG_FILE',
  'UV_PROJECT',
  'UV_WORKING_DIR',
]);
/** The commands whose first positional word is the program they run: the words after it are that program's. */
const RUNS_PROGRAM = new Set(['uv run', 'uv tool run', 'uvx']);

const VARIABLES = ['UV_NO_BINARY', 'UV_NO_BINARY_PACKAGE', 'UV_NO_BUILD', 'UV_NO_BUILD_PACKAGE'] as const;
type Variable = (typeof VARIABLES)[number];
const buildAssignments = envAssignmentReader(VARIABLES);

/** clap's `BoolishValueParser` (the parser of `UV_NO_BINARY` / `UV_NO_BUILD`), case-folded; undefined: refused. */
function boolish(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (['y', 'yes', 't', 'true', 'on', '1'].includes(v)) return true;
  if (['n', 'no', 'f', 'false', 'off', '0'].includes(v)) return false;
  return undefined;
}

/** One build setting and where it is given: a command-line word's line, or a variable's assignment. */
interface Given<T> {
  readonly value: T;
  readonly at: PyLineAt;
  readonly setting: string;
}

/** The build options of one uv command, or of the file's environment: each undefined where not given. */
interface BuildOptions {
  noBinary?: Given<boolean>;
  noBinaryPackages?: Given<ReadonlySet<string>>;
  noBuild?: Given<boolean>;
  noBuildPackages?: Given<ReadonlySet<string>>;
}

/**
 * The build options the file's `UV_*` variables give every uv command it runs (`ENV`, `export`, a YAML `env:` key, a
 * `X=v uv …` prefix), read as env-format-control.ts reads `PIP_NO_BINARY`: for every command of the file. In doubt —
 * a file that sets one both ways, or to a value that is itself a variable — the build is assumed: `UV_NO_BINARY` /
 * `UV_NO_BINARY_PACKAGE` count where any assignment sets them, `UV_NO_BUILD` / `UV_NO_BUILD_PACKAGE` only where
 * every assignment does.
 */
function envBuildOptions(file: string, text: string): BuildOptions {
  const seen = new Map<Variable, { value: string; line: number }[]>();
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*#/.test(raw) || !raw.includes('UV_NO_B')) return;
    for (const [name, value] of buildAssignments(raw)) {
      const list = seen.get(name as Variable) ?? seen.set(name as Variable, []).get(name as Variable)!;
      list.push({ value, line: i + 1 });
    }
  });
  const out: BuildOptions = {};
  const known = (value: string) => !value.includes('$');
  const noBinary = seen.get('UV_NO_BINARY')?.find((a) => known(a.value) && boolish(a.value) === true);
  if (noBinary) out.noBinary = { value: true, at: { file, line: noBinary.line }, setting: 'UV_NO_BINARY' };
  const noBuild = seen.get('UV_NO_BUILD');
  if (noBuild?.every((a) => known(a.value) && boolish(a.value) === true))
    out.noBuild = { value: true, at: { file, line: noBuild[0]!.line }, setting: 'UV_NO_BUILD' };
  // `value_delimiter = ' '`: the names a space apart.
  const names = (value: string) =>
    new Set(
      value
        .split(' ')
        .filter((n) => n !== '')
        .map(normalizeName),
    );
  const binaryPackages = (seen.get('UV_NO_BINARY_PACKAGE') ?? []).filter((a) => known(a.value) && a.value !== '');
  if (binaryPackages.length > 0) {
    const all = new Set(binaryPackages.flatMap((a) => [...names(a.value)]));
    const at = { file, line: binaryPackages[0]!.line };
    out.noBinaryPackages = { value: all, at, setting: 'UV_NO_BINARY_PACKAGE' };
  }
  const buildPackages = seen.get('UV_NO_BUILD_PACKAGE') ?? [];
  if (buildPackages.length > 0 && buildPackages.every((a) => known(a.value))) {
    const sets = buildPackages.map((a) => names(a.value));
    const every = new Set([...sets[0]!].filter((n) => sets.every((s) => s.has(n))));
    out.noBuildPackages = { value: every, at: { file, line: buildPackages[0]!.line }, setting: 'UV_NO_BUILD_PACKAGE' };
  }
  return out;
}

/**
 * The build options on one uv command's line, as clap reads `BuildOptionsArgs`: `--no-binary` and its hidden
 * `--binary` override each other (`overrides_with`: the last one stands), the same for `--no-build` / `--build`; each
 * `--no-binary-package` / `--no-build-package` adds names (`--opt name` or `--opt=name`). Options end at the shell
 * separator, and for a command that runs a program (`uv run`, `uvx`) at its first positional word: what follows is
 * the program's. Undefined when clap refuses the command (an option without its value): it runs nothing.
 */
function commandBuildOptions(
  words: readonly Word[],
  start: number,
  file: string,
  runs: boolean,
): BuildOptions | undefined {
  const out: BuildOptions = {};
  const packages = { '--no-binary-package': new Set<string>(), '--no-build-package': new Set<string>() };
  const firstAt: Partial<Record<keyof typeof packages, PyLineAt>> = {};
  for (let i = start; i < words.length && !SEPARATORS.has(words[i]!.text); i++) {
    const { text: w, line } = words[i]!;
    if (runs && !w.startsWith('-')) break;
    const at = { file, line };
    if (w === '--no-binary' || w === '--binary') out.noBinary = { value: w === '--no-binary', at, setting: w };
    else if (w === '--no-build' || w === '--build') out.noBuild = { value: w === '--no-build', at, setting: w };
    const eq = w.indexOf('=');
    const name = eq > 0 ? w.slice(0, eq) : w;
    if (name !== '--no-binary-package' && name !== '--no-build-package') continue;
    const value = eq > 0 ? w.slice(eq + 1) : words[++i]?.text;
    if (value === undefined || value === '' || value.startsWith('-') || SEPARATORS.has(value)) return undefined;
    for (const n of value.split(' ').filter((x) => x !== '')) packages[name].add(normalizeName(n));
    firstAt[name] ??= at;
  }
  if (firstAt['--no-binary-package'])
    out.noBinaryPackages = {
      value: packages['--no-binary-package'],
      at: firstAt['--no-binary-package'],
      setting: '--no-binary-package',
    };
  if (firstAt['--no-build-package'])
    out.noBuildPackages = {
      value: packages['--no-build-package'],
      at: firstAt['--no-build-package'],
      setting: '--no-build-package',
    };
  return out;
}

/** What one uv command builds from source: every package it installs (`all`), or the names given. */
interface ForcedBuild {
  readonly cause: Given<unknown>;
  readonly command: string;
  readonly names: readonly string[] | 'all';
}

/**
 * uv-resolver `lock::Package::to_dist` (and the installer's `Planner`): a package under no-binary is built from its
 * sdist whatever wheels exist, unless it is under no-build too (uv then fails: nothing is built). clap takes a
 * variable only where the command line does not give its option (`env = …`), and uv's settings take the settings
 * file's value only where neither gives one (`ResolverInstallerOptions::combine`: a flag is `Option<bool>`, the first
 * given stands; a list joins the file's, so `no-build-package` names from both count). `project` is the settings file
 * the command reads, if known. Undefined when nothing is built.
 */
function forcedBuild(
  command: string,
  own: BuildOptions,
  env: BuildOptions,
  project: UvBuilds | undefined,
  policy: PythonCheckPolicy,
): ForcedBuild | undefined {
  const noBuild = own.noBuild ?? env.noBuild;
  if (noBuild !== undefined ? noBuild.value : project?.noBuild === true) return undefined;
  const noBuildPackages = new Set([
    ...((own.noBuildPackages ?? env.noBuildPackages)?.value ?? []),
    ...(project?.noBuildPackages ?? []),
  ]);
  const noBinary = own.noBinary ?? env.noBinary;
  if (noBinary?.value === true) return { cause: noBinary, command, names: 'all' };
  const binaryPackages = own.noBinaryPackages ?? env.noBinaryPackages;
  if (binaryPackages === undefined) return undefined;
  const names = [...binaryPackages.value].filter((n) => !noBuildPackages.has(n) && !policy.buildAllowed(n)).sort();
  return names.length > 0 ? { cause: binaryPackages, command, names } : undefined;
}

/**
 * Whether the uv command from `words[at]` (the `uv` word) to the end of its shell command reads the settings file
 * uv-settings `FilesystemOptions::find` finds from the install file's folder: only a command that reads a project's
 * settings, with no folder or settings option (clap's global options may stand before or after the subcommand), run
 * where nothing before it moved the folder or the settings (`moved`).
 */
function readsSettings(words: readonly Word[], at: number, command: string, moved: boolean): boolean {
  if (moved || !READS_PROJECT.has(command)) return false;
  for (let i = at + 1; i < words.length && !SEPARATORS.has(words[i]!.text); i++) {
    if (OTHER_SETTINGS.test(words[i]!.text)) return false;
  }
  return true;
}

/** The commands one setting reaches and the packages it makes them build. */
interface CauseGroup {
  readonly cause: Given<unknown>;
  readonly commands: Set<string>;
  names: Set<string> | 'all';
}

function addCause(byCause: Map<string, CauseGroup>, built: ForcedBuild): void {
  const key = `${built.cause.at.line}\0${built.cause.setting}`;
  const group =
    byCause.get(key) ?? byCause.set(key, { cause: built.cause, commands: new Set(), names: new Set() }).get(key)!;
  group.commands.add(built.command);
  if (built.names === 'all') group.names = 'all';
  else if (group.names !== 'all') for (const n of built.names) group.names.add(n);
}

/** The uv.lock a project command installs, and the packages it locks an sdist of that the policy does not allow to build. */
export interface LockedSdists {
  readonly file: string;
  readonly names: readonly string[];
}

/**
 * CPP074 for the uv installs of a Dockerfile, workflow or script (its text as asInstallCommands gives it) that refuse
 * wheels — `uv sync --no-binary`, `--no-binary-package`, or `UV_NO_BINARY` / `UV_NO_BINARY_PACKAGE` in the file's
 * environment: uv builds those packages from their sdists whatever wheels the lock or the index has, running each
 * build backend. One finding per option or assignment (one cause, however many commands it reaches). `settings`:
 * the uv settings file found from the install file's folder (uv.toml, or a pyproject.toml's `[tool.uv]`), whose
 * `no-build` / `no-build-package` stop the build of the project commands that read it.
 */
export function uvProjectBuildFindings(
  file: string,
  text: string,
  policy: PythonCheckPolicy,
  settings?: UvBuilds,
  locked?: LockedSdists,
): Finding[] {
  if (!/\buv/.test(text)) return [];
  const env = envBuildOptions(file, text);
  // A workflow step's `working-directory` runs its commands elsewhere, as a `cd` does.
  let moved = /working-directory/.test(text) || text.split(/\r?\n/).some((l) => otherSettingsAssignments(l).length > 0);
  const byCause = new Map<string, CauseGroup>();
  for (const words of shellCommands(text)) {
    // Each word may start a command (`UV_NO_BINARY=1 uv sync`, `RUN uv sync`), as install-requirements.ts looks.
    for (let i = 0; i < words.length; i++) {
      // A `cd` holds for the commands after it: the rest of the line, and of a script.
      if (words[i]!.text === 'cd' || words[i]!.text === 'pushd') moved = true;
      const found = toolCommandAt(words, i);
      if (!UV_INSTALLS.has(found.command)) {
        i = Math.max(i, found.next - 1);
        continue;
      }
      const own = commandBuildOptions(words, found.next, file, RUNS_PROGRAM.has(found.command));
      const project = readsSettings(words, i, found.command, moved) ? settings : undefined;
      const built = own && forcedBuild(found.command, own, env, project, policy);
      if (built !== undefined) addCause(byCause, built);
      while (i + 1 < words.length && !SEPARATORS.has(words[i + 1]!.text)) i++;
    }
  }
  return [...byCause.values()].map(({ cause, commands, names }) => {
    const where = `${cause.at.file}:${cause.at.line}`;
    // The project's lock says which packages that is: those it locks an sdist of (one with wheels only fails).
    const lock = names === 'all' && [...commands].some((c) => READS_PROJECT.has(c)) ? locked : undefined;
    const what =
      names !== 'all'
        ? shown([...names].sort())
        : lock === undefined
          ? 'every package'
          : `every package (the ${lock.names.length} that ${lock.file} locks with a source distribution${lock.names.length > 0 ? `: ${shown([...lock.names].sort())}` : ''})`;
    return pyFileFinding(
      'CPP074',
      cause.at.file,
      cause.at.line,
      `${cause.setting} at ${where} makes ${[...commands].join(', ')} install ${what} from source distributions whatever wheels exist, so installing runs each package's build backend (setup.py). Drop it (or narrow it to the packages whose build you reviewed), add --no-build, or add those packages to dependencies.allowInstallScripts.`,
      {
        noBinary: where,
        setting: cause.setting,
        names: names === 'all' ? ':all:' : [...names].sort().join(' '),
        ...(lock !== undefined ? { lockfile: lock.file, built: lock.names.length } : {}),
      },
    );
  });
}
