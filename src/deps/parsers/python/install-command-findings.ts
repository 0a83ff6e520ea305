import { plural } from '../../../core/plural.js';
import type { DiscoveredFile } from '../../../core/files.js';
import type { Finding } from '../../../core/finding.js';
import type { PythonCheckPolicy } from './checks/index.js';
import { checkPythonLock } from './checks/index.js';
import { checkInstallArguments } from './checks/install-arguments.js';
import { forcedBuildFindings } from './checks/builds.js';
import type { PipInstall } from './checks/builds.js';
import { pyFileFinding } from './checks/finding.js';
import { MAX_MANIFEST_BYTES } from '../../read.js';
import { MAX_RELATED } from '../../../core/group-causes.js';
import {
  condaPipRequirements,
  condaPipRequirementsFile,
  environmentYaml,
  type EnvironmentYaml,
} from './conda-environments.js';
import { condaChannelFindings } from './checks/conda-channels.js';
import type { CondaPipFile } from './conda-environments.js';
import type { InstallArgument, RunScript } from './install-arguments.js';
import type { PyFormatControl, PyLineAt, PyPackage, PythonLock } from './types.js';
import { PROJECT_FILE } from './install-requirements.js';
import type { InstallNames, InstallTree, LocatedName } from './install-requirements.js';
import { parseRequirementsFile } from './requirements.js';
import type { IncludeLoader } from './requirements.js';
import { readRequirement } from './requirements.js';
import { scriptRequirements } from './script-metadata.js';

/**
 * The findings of the requirements the install files' command lines give (`pip install git+https://…`, tox `deps`,
 * nox `session.install`), and those of the files they run or build from: a script's inline metadata (`uv run
 * tools/x.py`), a conda environment file's `pip:` list (`conda env create -f env.yml`, or `condaFiles`: those
 * read by their conventional name, isCondaEnvironmentFile), each located in the
 * repository (locateInstallNames; names past its bound are installInputs' CPP003) and read once, whatever the number
 * of install files naming it; one that cannot be read is a CPP001 (a note when found by its name only).
 */
export async function installCommandFindings(
  envNames: readonly (readonly [string, InstallNames])[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
  { files }: InstallTree,
  policy: PythonCheckPolicy,
  reading: FileReading,
  condaFiles: readonly string[] = [],
): Promise<Finding[]> {
  const { readText, includes, limit } = reading;
  type Judge = (path: string, text: string) => Promise<Finding[]>;
  const ran = new Map<string, Judge>();
  const add = (located: readonly LocatedName<RunScript>[], judge: Judge) => {
    for (const { target } of located) for (const path of 'paths' in target ? target.paths : []) ran.set(path, judge);
  };
  const asArguments =
    (requirements: (text: string) => InstallArgument[]): Judge =>
    (path, text) =>
      Promise.resolve(checkInstallArguments(path, requirements(text), policy, files));
  const condaEnvironment: Judge = async (path, text) => {
    // Parsed once for its channels, its pip list's requirements and the requirements file conda writes from it.
    const environment = environmentYaml(text);
    return [
      ...condaChannelFindings(path, environment, policy),
      ...checkInstallArguments(path, condaPipRequirements(environment), policy, files),
      ...(await condaPipOptions(path, environment, policy, includes(byPath.get(path)!))),
    ];
  };
  const argumentFindings = envNames.map(([envPath, names]) => {
    add(names.scripts, asArguments(scriptRequirements));
    add(names.condaEnvs, condaEnvironment);
    return checkInstallArguments(envPath, names.args, policy, files);
  });
  // Found by its name alone, a guess (a Kubernetes `prod-environment.yaml` matches too): not one an install names.
  const guessed = new Set(condaFiles.filter((path) => !ran.has(path)));
  for (const path of condaFiles) ran.set(path, condaEnvironment);
  const ranFindings = await Promise.all(
    [...ran]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, judge]) =>
        limit(async () => {
          const file = byPath.get(path)!;
          const text = await readText(file);
          if (text !== undefined) return judge(path, text);
          return [guessed.has(path) ? unreadGuess(file) : unread(file)];
        }),
      ),
  );
  const sourceBuilds = await Promise.all(
    envNames.map(([envPath, names]) => commandSourceBuilds(envPath, names, byPath, policy, reading)),
  );
  return [...argumentFindings.flat(), ...ranFindings.flat(), ...sourceBuilds.flat()];
}

/**
 * CPP074 for a pip command's own `--no-binary` (`pip install --no-binary :all: -r r.txt six==1.16.0`): pip reads the
 * files the command names and its arguments (`install_req_from_line`, read as a file's line is) into one install, each file's lines changing the format control the command line set
 * (req_file.get_line_parser takes it as their default), and judges every package by the control left once all are
 * read (`LinkEvaluator.evaluate_link` → `FormatControl.get_allowed_formats`, at resolve time). Only what the command
 * line causes is found here, at its line; what a file's own lines cause is that file's finding. A file that cannot
 * be read is its own scan's CPP001; a project file (`-r pyproject.toml`) is no requirements file pip can install.
 */
async function commandSourceBuilds(
  envPath: string,
  names: InstallNames,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  policy: PythonCheckPolicy,
  { includes, limit }: FileReading,
): Promise<Finding[]> {
  const byCommand = new Map<PyFormatControl, { paths: string[]; args: PyPackage[] }>();
  const of = (fc: PyFormatControl) => byCommand.get(fc) ?? byCommand.set(fc, { paths: [], args: [] }).get(fc)!;
  for (const { named, target } of names.requirements) {
    const fc = named.formatControl;
    if (fc === undefined || named.constraint || !('paths' in target)) continue;
    of(fc).paths.push(...target.paths.filter((p) => !PROJECT_FILE.test(p)));
  }
  for (const arg of names.args) {
    if (arg.formatControl === undefined) continue;
    const read = readRequirement(envPath, arg.line, arg.written, { editable: arg.editable });
    // One pip refuses fails the command, and only an index package has wheels to refuse (forcedBuilds).
    if (read !== undefined && 'source' in read) of(arg.formatControl).args.push(read);
  }
  const installs = await Promise.all(
    [...byCommand].map(([fc, { paths, args }]) =>
      limit(async (): Promise<PipInstall> => {
        let control = fc;
        const packages = [...args];
        for (const path of paths) {
          const load = includes(byPath.get(path)!);
          const text = await load(path);
          if (text === undefined) continue;
          const lock = await parseRequirementsFile(path, text, load, { formatControl: control });
          control = lock.formatControl ?? { noBinary: new Map(), onlyBinary: new Map() };
          packages.push(...lock.packages);
        }
        // The install's packages and the control left once all are read.
        return { formatControl: control, packages };
      }),
    ),
  );
  // One finding per line that refuses wheels, however many of the file's commands it reaches (an `ENV
  // PIP_NO_BINARY` line reaches all); what a file's own lines cause is that file's finding.
  return forcedBuildFindings(installs, policy).filter((f) => f.location.path === envPath);
}

/** How installCommandFindings reads the files it judges. */
interface FileReading {
  /** A file's own text. */
  readonly readText: (f: DiscoveredFile) => Promise<string | undefined>;
  /** The loader of the files a requirements file at `f` includes, each decoded as pip decodes it. */
  readonly includes: (f: DiscoveredFile) => IncludeLoader;
  /** The scan's bound on files read at once. */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * A script or environment file an install runs or builds from that could not be read (past MAX_MANIFEST_BYTES, or
 * gone since the walk): uv, pipx and conda read it whatever its size, so its requirements install unchecked — a
 * CPP001, never a silent pass.
 */
function unread(file: DiscoveredFile): Finding {
  const reason = unreadReason(file);
  return pyFileFinding(
    'CPP001',
    file.path,
    undefined,
    `${file.path} could not be read for the requirements an install command takes from it: it ${reason}. None of them were checked; keep the requirements in a file of ordinary size.`,
    { reason, format: file.claimed ?? file.format },
  );
}

function unreadReason(file: DiscoveredFile): string {
  return file.size > MAX_MANIFEST_BYTES
    ? `is ${file.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`
    : 'is unreadable';
}

/**
 * CPP001 at note level for a file taken for a conda environment by its name only, too big or unreadable: said, so
 * its `pip:` list is not taken as checked, but no install was seen reading it, so it is no error.
 */
function unreadGuess(file: DiscoveredFile): Finding {
  const reason = unreadReason(file);
  return {
    ...pyFileFinding(
      'CPP001',
      file.path,
      undefined,
      `${file.path} was not read as a conda environment file: it ${reason}. It was taken for one by its name only, and no install command in the repository names it; if conda installs from it, its pip: requirements were not checked.`,
      { reason, format: 'conda-environment' },
    ),
    level: 'note',
  };
}

/**
 * CPP094: the install files (Dockerfiles, workflows, scripts, Makefiles, tox / nox configuration) that could not be
 * read for their commands — past MAX_MANIFEST_BYTES, or gone since the walk. The shell and the runner read them
 * whatever their size, so what they install went unchecked: counted in one finding (one cause), never a silent pass.
 */
export function unreadInstallFiles(files: readonly DiscoveredFile[]): Finding[] {
  if (files.length === 0) return [];
  const paths = [...new Set(files.map((f) => f.path))].sort();
  const n = paths.length;
  const over = files.some((f) => f.size > MAX_MANIFEST_BYTES);
  return [
    {
      ...pyFileFinding(
        'CPP094',
        paths[0]!,
        undefined,
        `${plural(n, 'install file')} (${paths.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''}) could not be read for the Python install commands ${n === 1 ? 'it runs' : 'they run'}${over ? `: over the ${MAX_MANIFEST_BYTES}-byte limit or unreadable` : ': unreadable'}. ${n === 1 ? 'Its' : 'Their'} pip / uv commands, index settings and the requirements files named there were not checked.`,
        { count: n, files: paths.slice(0, 200).join(' ') },
      ),
      related: paths.slice(1, MAX_RELATED + 1).map((path) => ({ path })),
    },
  ];
}

/**
 * What the option lines of a conda environment file's `pip:` list do: pip reads the list as the requirements file
 * conda writes beside the environment file (conda env/installers/pip.py `_pip_install_via_requirements`), so an
 * `--extra-index-url`, `--trusted-host` or `-r` there is judged as in requirements.txt (`-r` relative to the
 * environment file's folder, an included file's findings its own). Findings at the list's requirement lines are left
 * to condaPipRequirements' install-argument checks, which say today what they say: one cause, one finding.
 */
async function condaPipOptions(
  path: string,
  environment: EnvironmentYaml | undefined,
  policy: PythonCheckPolicy,
  load: IncludeLoader,
): Promise<Finding[]> {
  const list = condaPipRequirementsFile(environment);
  if (list === undefined) return [];
  const lock = atEnvironmentLines(await parseRequirementsFile(path, list.text, load), list);
  return checkPythonLock(lock, policy, undefined).filter(
    (f) => f.location.path !== path || (f.location.line !== undefined && list.options.has(f.location.line)),
  );
}

/**
 * The lock read from a `pip:` list's requirements file with what it says of the list moved to the environment file's
 * lines (a quoted item holding `\n` is several lines of the one and one of the other); its includes keep theirs.
 */
function atEnvironmentLines(lock: PythonLock, list: CondaPipFile): PythonLock {
  const moved = <T extends { readonly file: string; readonly line: number }>(entries: readonly T[]): T[] =>
    entries.map((e) => (e.file === lock.file ? { ...e, line: list.lineOf[e.line - 1] ?? e.line } : e));
  return {
    ...lock,
    packages: moved(lock.packages),
    indexes: moved(lock.indexes),
    problems: moved(lock.problems),
    ...(lock.trustedHosts === undefined ? {} : { trustedHosts: moved(lock.trustedHosts) }),
    ...(lock.envChoices === undefined ? {} : { envChoices: moved(lock.envChoices) }),
    ...(lock.formatControl === undefined ? {} : { formatControl: movedFormatControl(lock.formatControl, moved) }),
  };
}

/** The `--no-binary` / `--only-binary` entries of a `pip:` list, each at its line of the environment file. */
function movedFormatControl(fc: PyFormatControl, moved: (entries: readonly PyLineAt[]) => PyLineAt[]): PyFormatControl {
  const at = (m: ReadonlyMap<string, PyLineAt>) => new Map([...m].map(([name, line]) => [name, moved([line])[0]!]));
  return { noBinary: at(fc.noBinary), onlyBinary: at(fc.onlyBinary) };
}
