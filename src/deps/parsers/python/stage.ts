import { realpath } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { ScanContext } from '../../../core/context.js';
import { errorMessage } from '../../../core/errors.js';
import type { DiscoveredFile } from '../../../core/files.js';
import type { Finding } from '../../../core/finding.js';
import type { DependencyGraph } from '../../../core/records.js';
import type { Notification, Stage, StageInput, StageOutput } from '../../../core/stage.js';
import { MAX_LOCKFILE_BYTES, MAX_MANIFEST_BYTES, dirOf, joinRel, readBounded, readBoundedBytes } from '../../read.js';
import { decodeRequirementsFile } from './requirements-decode.js';
import { invalidUtf8At, lineOfByte } from '../../../core/utf8.js';
import { checkPythonLock, toPythonCheckPolicy } from './checks/index.js';
import type { PythonCheckPolicy } from './checks/index.js';
import { pyFileFinding } from './checks/finding.js';
import type { PythonFileFormat } from './formats.js';
import { PYTHON_LOCKFILE_FORMATS } from './formats.js';
import {
  PYTHON_CONFIG_FORMATS,
  isCondaEnvironmentFile,
  isDockerfile,
  isInstallEnvInput,
  isPythonLockfile,
} from '../../python-inputs.js';
import { toPythonGraph } from './graph.js';
import { parsePythonLock } from './index.js';
import type { PyProject, UvBuilds } from './pyproject.js';
import { parsePyproject, readUvBuilds } from './pyproject.js';
import { isTable, parseToml } from './toml.js';
import { poetryTomlTlsOff } from './poetry-toml.js';
import { pipfileRequirements, readPipfile } from './pipfile-hash.js';
import type { PipfileFacts } from './pipfile-hash.js';
import { PyLockError } from './types.js';
import type { PythonLock } from './types.js';
import { poetryInstallIndexes } from './poetry-pool.js';
import { pipConfSettings, pipfileIndexSettings, tomlIndexSettings, withUvToml } from './config-indexes.js';
import { checkIndexSettings } from './checks/config-indexes.js';
import { pipConfBuildFindings } from './pip-conf-builds.js';
import { envIndexSettings } from './env-indexes.js';
import { installInputs, installTree, locateInstallNames } from './install-requirements.js';
import type { InstallInput } from './install-requirements.js';
import { installCommandFindings, unreadInstallFiles } from './install-command-findings.js';
import { checkInstallArguments, checkProjectRequirements } from './checks/install-arguments.js';
import { projectRequirements } from './project-requirements.js';
import { setupCfgPartsRead, setupCfgRequirements } from './setup-cfg-requirements.js';
import { asInstallCommands } from './tox-nox-installs.js';
import { CI_YAML } from './yaml-commands.js';
import { uvProjectBuildFindings } from './uv-project-builds.js';
import type { LockedSdists } from './uv-project-builds.js';
import { SDIST } from './checks/builds.js';
import { dockerfileProjectDir } from './dockerfile-copies.js';
import { uvLockReresolves } from './uv-remotes.js';
import type { IncludeLoader, RequirementsReading } from './requirements.js';
import type { FileOpener } from '../../../core/file-source.js';
import { leavesBase } from '../../../core/relative-path.js';

interface FileResult {
  readonly findings: readonly Finding[];
  readonly graphs: readonly DependencyGraph[];
  readonly notifications: readonly Notification[];
  /** The pyproject.toml whose indexes `uv sync` resolves from again, the uv.lock not matching them (uvLockReresolves). */
  readonly reresolvedBy?: string;
}

/**
 * The Python dependency stage: every requirements file and Python lockfile (including a file only named like
 * one, and a file of any name a Dockerfile's, workflow's or script's `pip install -r` / `-c` or `uv pip sync`
 * names) is parsed, with its `-r`/`-c` includes, into a DependencyGraph of ecosystem `pypi` and checked offline
 * against the policy, the trusted registry's PyPI malicious list and the pyproject.toml beside it. A file that
 * cannot be parsed is a CPP001 (CPP002 for an unknown format version) finding; the others are still scanned.
 * A `.py` script or a conda environment file is read only where an install file runs or builds from it (`uv run
 * x.py`, `conda env create -f env.yml`): no such file is an input by itself.
 */
export const pythonDepsStage: Stage = {
  name: 'python-deps',
  async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
    const lockfiles = input.files.filter(isPythonLockfile);
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    // The CI's own index settings (environment) count as allowed; the scanned tree's never do.
    const policy = toPythonCheckPolicy(ctx.policy, ctx.registry, ctx.options.env);
    // pyproject.toml's `[tool.tox]` runs pip as tox.ini does: read a second time, as the commands it makes.
    const toxProjects = input.files
      .filter((f) => f.format === 'pyproject-toml')
      .map((f): DiscoveredFile => ({ ...f, format: 'other' }));
    const envFiles = [...input.files.filter(isInstallEnvInput), ...toxProjects];
    const projectPaths = new Set(toxProjects.map((f) => f.path));
    const readText = (f: DiscoveredFile) => readBounded(ctx.files, f, MAX_MANIFEST_BYTES).catch(() => undefined);
    // Each Dockerfile, workflow and script read once, for the files its installs name and for its index settings
    // (tox configuration and noxfile.py as the pip commands they run).
    // pyproject.toml's own text too, kept for its requirements below (read once, as the file it is).
    const projectTexts = new Map<string, string>();
    // A Dockerfile as written: its COPY heredocs' bodies are files an install may read (dockerfileCopySource); a CI
    // file as written: its YAML says which lines one shell runs, from which folder (ciShells).
    const rawTexts = new Map<string, string>();
    const readCommands = async (f: DiscoveredFile) => {
      const text = await readText(f);
      if (text !== undefined && (projectPaths.has(f.path) || isSetupCfg(f.path))) projectTexts.set(f.path, text);
      if (text !== undefined && ((isDockerfile(f.path) && text.includes('<<')) || CI_YAML.test(f.path)))
        rawTexts.set(f.path, text);
      return [f.path, text === undefined ? undefined : asInstallCommands(f.path, text)] as const;
    };
    const envTexts = new Map(await Promise.all(envFiles.map((f) => ctx.limit(() => readCommands(f)))));
    // The rewritten text only for the install file itself, never for pyproject.toml read as a configuration file.
    const read = (f: DiscoveredFile) =>
      f.format === 'other' && envTexts.has(f.path) ? Promise.resolve(envTexts.get(f.path)) : readText(f);
    // What each install file's commands name, located once for the -r / -c inputs and the scripts' requirements.
    const tree = installTree(byPath.keys());
    const envNames = (
      await Promise.all(
        envFiles.map((f) =>
          ctx.limit(async () => {
            const text = await read(f);
            if (text === undefined) return [];
            return [[f.path, locateInstallNames(f.path, text, tree, rawTexts.get(f.path))] as const];
          }),
        ),
      )
    ).flat();
    // pip reads whatever file an install command names with -r / -c, whatever its name.
    const named = installInputs(byPath, envNames);
    // A requirements file an install's `-r` names is installed, whatever its name says (`requirements.in`).
    const lockInputs = lockfiles.map((file): InstallInput => {
      return named.installed.has(file.path)
        ? { file, constraints: false, compileInput: false }
        : { file, constraints: false };
    });
    const inputs: InstallInput[] = [...lockInputs, ...named.inputs];
    // A COPY heredoc's body: the Dockerfile's text with every other line blank, so findings keep its lines.
    const heredocInputs = named.heredocs.flatMap(({ file, body, constraints }) => {
      const text = rawTexts.get(file);
      const f = byPath.get(file);
      if (text === undefined || f === undefined) return [];
      const lines = text.split('\n').map((l, i) => (i + 1 >= body.from && i + 1 <= body.to ? l : ''));
      return [{ file: { ...f, claimed: 'pip-requirements' as const }, constraints, text: lines.join('\n') }];
    });
    const results = await Promise.all(
      [...inputs, ...heredocInputs].map((input) =>
        ctx.limit(() =>
          scanPythonFile(
            input.file,
            byPath,
            policy,
            ctx.files,
            {
              constraints: input.constraints,
              ...('compileInput' in input && input.compileInput !== undefined
                ? { compileInput: input.compileInput }
                : {}),
            },
            'text' in input ? input.text : undefined,
          ).catch((err: unknown): FileResult => failed(input.file, 'CPP001', errorMessage(err), undefined)),
        ),
      ),
    );
    // The requirements their command lines give and those of the scripts and environment files they run.
    // A conda environment's `pip:` list is a requirements file: what it includes is read as pip reads any include.
    const includes = (f: DiscoveredFile) =>
      includeLoader(f, byPath, (g) => readLockText(ctx.files, g, decodeRequirementsFile));
    // A conda environment file by its name is read as `conda env create` reads it, named by an install or not.
    const condaFiles = input.files.filter(isCondaEnvironmentFile).map((f) => f.path);
    const commandFindings = await installCommandFindings(
      envNames,
      byPath,
      tree,
      policy,
      { readText, includes, limit: ctx.limit },
      condaFiles,
    );
    const unreadEnv = unreadInstallFiles(envFiles.filter((f) => envTexts.get(f.path) === undefined));
    // `uv sync --no-binary`, `UV_NO_BINARY`: the uv installs an install file runs that build every package from source.
    const uvSettings = uvSettingsFinder(byPath, ctx.files, projectTexts);
    const uvLock = uvLockFinder(
      results.flatMap((r) => r.graphs),
      policy,
    );
    const uvBuilds = (
      await Promise.all(
        [...envTexts].map(async ([path, text]) => {
          if (text === undefined || !/\buv/.test(text)) return [];
          // A Dockerfile's uv runs in its WORKDIR, on the project its COPY put there.
          const dir = dockerfileProjectDir(path, text, tree.files) ?? dirOf(path);
          return uvProjectBuildFindings(path, text, policy, await uvSettings(dir), uvLock(dir));
        }),
      )
    ).flat();
    const lockFindings = [
      ...results.flatMap((r) => r.findings),
      ...named.findings,
      ...commandFindings,
      ...uvBuilds,
      ...unreadEnv,
    ];
    // Index settings outside any lockfile (pip.conf, uv.toml, pyproject.toml, PIP_*/UV_* variables set by a
    // Dockerfile, workflow or script): a host a lockfile already locks
    // packages from is reported there.
    const lockedHosts = new Set(
      lockFindings.filter((f) => f.ruleId === 'CPP070').map((f) => String(f.evidence?.['host'] ?? '')),
    );
    // A pyproject.toml beside a lockfile is installed through that lock, whose own index check (CPP070 per locked
    // host) is the finding; alone (or beside requirements files, which `uv pip` installs with its settings) its
    // indexes are what the next install resolves from. pdm.lock records no index: `pdm sync` asks the
    // `[[tool.pdm.source]]` indexes for the locked files (`Candidate._find_best_match_link` → `get_finder(sources)`),
    // so beside it the PDM sources stay the install's.
    const kindOf = (f: DiscoveredFile) => f.claimed ?? f.format;
    const lockDirs = new Set(lockfiles.filter((f) => kindOf(f) !== 'pip-requirements').map((f) => dirOf(f.path)));
    const pdmDirs = new Set(lockfiles.filter((f) => kindOf(f) === 'pdm-lockfile').map((f) => dirOf(f.path)));
    // A uv.lock its project's indexes do not match is resolved again from them by `uv sync`: they are the install's.
    const reresolved = new Set(results.flatMap((r) => r.reresolvedBy ?? []));
    const beside = (f: DiscoveredFile) =>
      f.format === 'pyproject-toml' && lockDirs.has(dirOf(f.path)) && !reresolved.has(f.path);
    // A pyproject.toml (or setuptools' setup.cfg) no lockfile pins: its requirements are what the next
    // `pip install .` or `uv sync` fetches.
    const projectFindings = [...input.files.filter((f) => f.format === 'pyproject-toml'), ...envFiles]
      .filter((f) => (f.format === 'pyproject-toml' || isSetupCfg(f.path)) && !lockDirs.has(dirOf(f.path)))
      .map((f) => {
        const text = projectTexts.get(f.path);
        if (text === undefined) return [];
        if (isSetupCfg(f.path)) {
          // What setuptools takes from setup.cfg depends on the pyproject.toml beside it.
          const parts = setupCfgPartsRead(projectTexts.get(joinRel(dirOf(f.path), 'pyproject.toml')));
          return checkProjectRequirements(f.path, setupCfgRequirements(text, parts), policy, tree.files);
        }
        return unpinnedProjectFindings(f.path, text, policy, tree.files);
      });
    // A Pipfile beside its Pipfile.lock is installed through the lock, whose sources are judged there.
    const pipenvDirs = new Set(lockfiles.filter((f) => kindOf(f) === 'pipfile-lockfile').map((f) => dirOf(f.path)));
    const lonePipfiles = input.files.filter((f) => f.format === 'pipfile' && !pipenvDirs.has(dirOf(f.path)));
    // Its git and URL packages are what `pipenv install` fetches, judged as the same install arguments are.
    const pipfileFindings = await Promise.all(
      lonePipfiles.map((f) =>
        ctx.limit(async () => {
          const text = await readText(f);
          return text === undefined
            ? []
            : checkInstallArguments(f.path, pipfileRequirements(f.path, text), policy, tree.files);
        }),
      ),
    );
    const configs = [
      ...input.files.filter((f) => PYTHON_CONFIG_FORMATS.has(f.format) && (!beside(f) || pdmDirs.has(dirOf(f.path)))),
      ...lonePipfiles,
      ...envFiles,
      // A configuration file PIP_CONFIG_FILE / UV_CONFIG_FILE names, read as what the variable makes it.
      ...named.configs,
    ];
    const lineKey = (f: Finding) => `${f.ruleId}\0${f.location.path}\0${f.location.line ?? 0}`;
    const lockLines = new Set(lockFindings.map(lineKey));
    const configFindings = await Promise.all(
      configs.map((file) =>
        ctx.limit(() => scanIndexSettings(file, policy, lockedHosts, read, beside(file) ? 'pdm' : 'all')),
      ),
    );
    return {
      findings: dedupe([
        ...lockFindings,
        ...projectFindings.flat(),
        ...pipfileFindings.flat(),
        // A line a lockfile reading reported already (a COPY heredoc's `--index-url`, also a Dockerfile line the
        // index settings read as shell) is one cause: its lockfile finding stands.
        ...configFindings.flat().filter((f) => !lockLines.has(lineKey(f))),
      ]),
      graphs: results.flatMap((r) => r.graphs),
      notifications: results.flatMap((r) => r.notifications),
    };
  },
};

/**
 * The repo-relative real path of `joined` (relative to the scan root), as `open` finds it: symlinks followed, each
 * `..` taken from where the folder before it really is. Undefined when it is outside the root or does not exist.
 */
async function resolveInRoot(file: DiscoveredFile, joined: string): Promise<string | undefined> {
  if (typeof file.abs !== 'string' || !file.abs.endsWith(`${sep}${file.path.split('/').join(sep)}`)) return undefined;
  const root = file.abs.slice(0, file.abs.length - file.path.length - 1);
  // Not `path.join`, which takes `sub/..` away lexically: realpath(3) must see the `..` after the link.
  try {
    const [realRoot, real] = await Promise.all([
      realpath(root),
      realpath(`${root}${sep}${joined.split('/').join(sep)}`),
    ]);
    const rel = relative(realRoot, real);
    if (rel === '' || leavesBase(rel)) return undefined;
    return rel.split(sep).join('/');
  } catch {
    return undefined;
  }
}

async function scanPythonFile(
  file: DiscoveredFile,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  policy: PythonCheckPolicy,
  files: FileOpener,
  how: RequirementsReading = {},
  /** The file's text as read already (a Dockerfile's COPY heredoc body, on its lines), instead of reading it. */
  given?: string,
): Promise<FileResult> {
  const format = (PYTHON_LOCKFILE_FORMATS.has(file.format) ? file.format : file.claimed) as PythonFileFormat;
  // A requirements file is decoded as pip decodes it (byte-order mark, PEP 263 declaration); the rest are UTF-8.
  const read = (f: DiscoveredFile) =>
    readLockText(files, f, format === 'pip-requirements' ? decodeRequirementsFile : decodeStrictUtf8);
  let lock;
  try {
    const text = given ?? (await read(file));
    if (text === undefined) {
      return failed(file, 'CPP001', `is ${file.size} bytes, over the ${MAX_LOCKFILE_BYTES}-byte limit`, undefined);
    }
    const load = includeLoader(file, byPath, read);
    lock = await parsePythonLock(format, file.path, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, load, how);
  } catch (err) {
    if (err instanceof PyLockError) {
      return failed(file, err.code === 'LOCKFILE_UNSUPPORTED' ? 'CPP002' : 'CPP001', err.message, err.line);
    }
    throw err;
  }
  const notifications: Notification[] = [];
  const pyproject = await loadPyproject(joinRel(dirOf(file.path), 'pyproject.toml'), byPath, notifications, files);
  const project = lock.kind === 'uv' ? await withProjectUvToml(pyproject, byPath, notifications, files) : pyproject;
  // `poetry install` downloads from pyproject.toml's source of the locked name, not the URL poetry.lock records.
  lock = poetryInstallIndexes(lock, project);
  if (lock.kind === 'poetry') lock = await withPoetryToml(lock, project, byPath, notifications, files);
  // A pdm.lock without `[[metadata.targets]]` (lock_version before 4.5) was resolved for pyproject.toml's
  // `requires-python`: PDM's `BaseEnvironment.allow_all_spec` is `EnvSpec(self.python_requires)`, and `pdm sync`
  // runs on an interpreter inside it, so only the wheels that range installs count.
  if (lock.kind === 'pdm' && lock.requiresPython === undefined && project?.requiresPython !== undefined) {
    lock = { ...lock, requiresPython: project.requiresPython };
  }
  if (lock.kind === 'pipenv') {
    const pipfile = await loadPipfile(dirOf(file.path), byPath, files);
    const hash = pipfile?.facts.hash;
    const read = { ...lock, searchAllSources: pipfile?.facts.searchAllSources === true };
    const manifest = hash !== undefined ? { file: pipfile!.file, hash } : undefined;
    const pins = pipfile ? { file: pipfile.file, pins: pipfile.facts.directPins } : undefined;
    const findings = checkPythonLock(read, policy, project, manifest, pins);
    return { findings, graphs: [toPythonGraph(read)], notifications };
  }
  // pyproject.toml declares what uv and Poetry lock for; PDM's declarations include `[tool.pdm.dev-dependencies]`,
  // which parsePyproject does not read, so a PDM graph's roots are what no edge reaches.
  const declares = lock.kind === 'uv' || lock.kind === 'poetry' ? project : undefined;
  const reresolves = lock.kind === 'uv' && project !== undefined && uvLockReresolves(lock, project.indexConfig);
  return {
    findings: checkPythonLock(lock, policy, project),
    graphs: [toPythonGraph(lock, declares)],
    notifications,
    ...(reresolves ? { reresolvedBy: project.file } : {}),
  };
}

/**
 * The uv.lock a uv project command run in a folder installs: the first one from that folder up to the root (uv's
 * workspace root keeps it), with the packages it locks a source distribution of that the policy does not allow to
 * build — what `--no-binary` builds.
 */
function uvLockFinder(
  graphs: readonly DependencyGraph[],
  policy: PythonCheckPolicy,
): (dir: string) => LockedSdists | undefined {
  const byDir = new Map(graphs.filter((g) => g.kind === 'uv').map((g) => [dirOf(g.lockfile), g]));
  return (dir) => {
    for (let d = dir; ; d = dirOf(d)) {
      const g = byDir.get(d);
      if (g !== undefined) {
        const names = g.packages
          .filter(
            (p) => !policy.buildAllowed(p.name) && (p.distributions ?? []).some((f) => SDIST.test(f.filename ?? '')),
          )
          .map((p) => p.name);
        return { file: g.lockfile, names: [...new Set(names)] };
      }
      if (d === '' || d === '.') return undefined;
    }
  };
}

/** setuptools' declarative configuration, read for tox too (a Dockerfile-like install file). */
function isSetupCfg(path: string): boolean {
  return path === 'setup.cfg' || path.endsWith('/setup.cfg');
}

/** A lockfile's text, decoded by `decode`; undefined when it is over the size bound. */
async function readLockText(
  files: FileOpener,
  f: DiscoveredFile,
  decode: (file: string, bytes: Buffer) => string,
): Promise<string | undefined> {
  const bytes = await readBoundedBytes(files, f, MAX_LOCKFILE_BYTES);
  return bytes === undefined ? undefined : decode(f.path, bytes);
}

/**
 * The files a requirements file `file` includes (`-r` / `-c`), each read by `read`. Includes resolve only to files
 * the walk took in: inside the scan root, symlinks already vetted.
 */
function includeLoader(
  file: DiscoveredFile,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  read: (f: DiscoveredFile) => Promise<string | undefined>,
): IncludeLoader {
  return Object.assign(
    async (path: string) => {
      const f = byPath.get(path);
      return f ? read(f).catch(() => undefined) : undefined;
    },
    { resolve: (joined: string) => resolveInRoot(file, joined) },
  );
}

/**
 * The text of a TOML lockfile or Pipfile.lock, which its tool reads as strict UTF-8: TOML allows nothing else, uv
 * reads uv.lock with `fs_err::tokio::read_to_string` (an invalid byte fails the command), Poetry, PDM and pipenv
 * open the file with `encoding="utf-8"` (UnicodeDecodeError). A lossy decode would check a file the tool refuses.
 */
function decodeStrictUtf8(file: string, bytes: Buffer): string {
  const at = invalidUtf8At(bytes);
  if (at === -1) return bytes.toString('utf8');
  const line = lineOfByte(bytes, at);
  throw new PyLockError('LOCKFILE_SYNTAX', file, `is not valid UTF-8 (byte ${at}, line ${line})`, line);
}

async function scanIndexSettings(
  file: DiscoveredFile,
  policy: PythonCheckPolicy,
  lockedHosts: ReadonlySet<string>,
  read: (f: DiscoveredFile) => Promise<string | undefined>,
  only: 'all' | 'pdm',
): Promise<Finding[]> {
  const text = await read(file);
  if (text === undefined) return [];
  try {
    // PIP_* / UV_* variables a Dockerfile, workflow or script sets reach every pip / uv it runs.
    if (file.format === 'other') {
      const env = envIndexSettings(file.path, text);
      return env ? checkIndexSettings(env, policy, lockedHosts) : [];
    }
    if (file.format === 'pipfile')
      return checkIndexSettings(pipfileIndexSettings(file.path, text), policy, lockedHosts);
    // A pip.conf's `no-binary` reaches every pip install that reads it, as its indexes do.
    if (file.format === 'pip-config') {
      const pip = checkIndexSettings(pipConfSettings(file.path, text), policy, lockedHosts);
      return [...pip, ...pipConfBuildFindings(file.path, text, policy)];
    }
    const settings = tomlIndexSettings(file.path, text, file.format === 'uv-config' ? 'uv.toml' : 'pyproject');
    // Beside a pdm.lock only PDM's own sources are the install's (the lock's index check covers the rest).
    const pdm = (c: { readonly key: string }) => c.key.startsWith('pdm ');
    const read =
      only === 'pdm'
        ? {
            ...settings,
            tool: 'PDM',
            indexes: settings.indexes.filter(pdm),
            insecureHosts: settings.insecureHosts.filter(pdm),
          }
        : settings;
    return checkIndexSettings(read, policy, lockedHosts);
  } catch {
    // A pyproject.toml that is not TOML is reported beside its lockfile (notification); uv refuses a broken uv.toml.
    return [];
  }
}

async function loadPyproject(
  path: string,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  notifications: Notification[],
  files: FileOpener,
): Promise<PyProject | undefined> {
  const f = byPath.get(path);
  if (!f) return undefined;
  const text = await readBounded(files, f, MAX_MANIFEST_BYTES).catch(() => undefined);
  try {
    if (text !== undefined) return parsePyproject(path, text);
  } catch {
    // Reported below: the sync check is skipped, never passed.
  }
  notifications.push({
    level: 'warning',
    message: `${path} could not be read as TOML; lockfile sync not checked`,
    path,
  });
  return undefined;
}

/**
 * The uv.toml beside uv.lock's pyproject.toml, whose settings uv reads instead of `[tool.uv]` (`withUvToml`): the
 * index-strategy CPP075 judges the lock by, the build settings CPP074 does. One that does not parse is said (uv
 * refuses to run with it).
 */
async function withProjectUvToml(
  project: PyProject | undefined,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  notifications: Notification[],
  files: FileOpener,
): Promise<PyProject | undefined> {
  const f = project && byPath.get(joinRel(dirOf(project.file), 'uv.toml'));
  if (!project || !f) return project;
  const text = await readBounded(files, f, MAX_MANIFEST_BYTES).catch(() => undefined);
  try {
    if (text === undefined) throw new Error('could not be read');
    // uv-settings `FilesystemOptions::from_directory`: a uv.toml's settings replace `[tool.uv]`'s whole, build
    // settings included (`[tool.uv]` is "ignored in favor of the `uv.toml` file").
    return {
      ...project,
      indexConfig: withUvToml(project.indexConfig, f.path, text),
      uvBuilds: readUvBuilds(parseToml(f.path, text), f.path, f.path),
    };
  } catch (err) {
    notifications.push({
      level: 'warning',
      message: `${f.path} ${text === undefined ? 'could not be read' : `is not valid TOML (${errorMessage(err)})`}; its index-strategy and build settings were not checked`,
      path: f.path,
    });
    return project;
  }
}

/**
 * The uv settings file a uv project command run in a folder reads, as uv-settings `FilesystemOptions::find` finds it:
 * from the folder up to the scan root, the first uv.toml, else the first pyproject.toml with a `[tool.uv]` table (one
 * without, or one that does not parse — uv warns — is passed over). Undefined when none is found, or the uv.toml
 * found cannot be read (uv refuses to run with it): the builds then count. Each folder is looked up once.
 */
function uvSettingsFinder(
  byPath: ReadonlyMap<string, DiscoveredFile>,
  files: FileOpener,
  /** pyproject.toml texts the stage has already read (read here only when absent). */
  readAlready: ReadonlyMap<string, string>,
): (dir: string) => Promise<UvBuilds | undefined> {
  const found = new Map<string, Promise<UvBuilds | undefined>>();
  const read = async (f: DiscoveredFile) => readBounded(files, f, MAX_MANIFEST_BYTES).catch(() => undefined);
  const at = async (dir: string): Promise<UvBuilds | undefined> => {
    const uvToml = byPath.get(joinRel(dir, 'uv.toml'));
    if (uvToml) {
      const text = await read(uvToml);
      return text === undefined ? undefined : tomlOrUndefined(uvToml.path, text, (doc) => doc);
    }
    const pyproject = byPath.get(joinRel(dir, 'pyproject.toml'));
    const text = pyproject && (readAlready.get(pyproject.path) ?? (await read(pyproject)));
    const settings =
      text === undefined
        ? undefined
        : tomlOrUndefined(pyproject!.path, text, (doc) =>
            isTable(doc.tool) && isTable(doc.tool.uv) ? doc.tool.uv : undefined,
          );
    if (settings !== undefined || dir === '') return settings;
    return lookUp(dirOf(dir));
  };
  const lookUp = (dir: string) => found.get(dir) ?? found.set(dir, at(dir)).get(dir)!;
  return lookUp;
}

/** The build settings of the uv table `pick` takes from `file`'s TOML; undefined if it has none or does not parse. */
function tomlOrUndefined(
  file: string,
  text: string,
  pick: (doc: Record<string, unknown>) => Record<string, unknown> | undefined,
): UvBuilds | undefined {
  try {
    const table = pick(parseToml(file, text));
    return table === undefined ? undefined : readUvBuilds(table, file, file);
  } catch {
    return undefined;
  }
}

/**
 * The project's poetry.toml beside poetry.lock: sources it exempts from TLS checks join the lock's `trustedHosts`
 * (CPP071, as pip's `--trusted-host` and a Pipfile's `verify_ssl = false`). One that does not parse is said.
 */
async function withPoetryToml(
  lock: PythonLock,
  project: PyProject | undefined,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  notifications: Notification[],
  files: FileOpener,
): Promise<PythonLock> {
  const f = byPath.get(joinRel(dirOf(lock.file), 'poetry.toml'));
  if (!f) return lock;
  const text = await readBounded(files, f, MAX_MANIFEST_BYTES).catch(() => undefined);
  try {
    if (text === undefined) throw new Error('could not be read');
    const off = poetryTomlTlsOff(f.path, text, project?.indexConfig.indexes ?? []);
    return off.length > 0 ? { ...lock, trustedHosts: [...(lock.trustedHosts ?? []), ...off] } : lock;
  } catch (err) {
    notifications.push({
      level: 'warning',
      message: `${f.path} ${text === undefined ? 'could not be read' : `is not valid TOML (${errorMessage(err)})`}; its settings were not checked`,
      path: f.path,
    });
    return lock;
  }
}

/** The Pipfile beside a Pipfile.lock (pipenv looks for `Pipfile`): its lock hash and its `[pipenv]` settings. */
async function loadPipfile(
  dir: string,
  byPath: ReadonlyMap<string, DiscoveredFile>,
  files: FileOpener,
): Promise<{ file: string; facts: PipfileFacts } | undefined> {
  const path = joinRel(dir, 'Pipfile');
  const f = byPath.get(path);
  const text = f ? await readBounded(files, f, MAX_MANIFEST_BYTES).catch(() => undefined) : undefined;
  const facts = text !== undefined ? readPipfile(path, text) : undefined;
  return facts !== undefined ? { file: path, facts } : undefined;
}

/**
 * The requirements of a pyproject.toml no lockfile pins, judged as install arguments; one that is no TOML is a CPP001
 * at its line: pip's `load_pyproject_toml` (tomllib) and uv refuse the project, but nothing it names was checked,
 * and that is said rather than passed in silence.
 */
function unpinnedProjectFindings(
  path: string,
  text: string,
  policy: PythonCheckPolicy,
  repositoryFiles: ReadonlySet<string>,
): Finding[] {
  try {
    return checkProjectRequirements(path, projectRequirements(path, text), policy, repositoryFiles);
  } catch (err) {
    if (!(err instanceof PyLockError)) throw err;
    const at = err.line !== undefined ? ` (line ${err.line})` : '';
    return [
      pyFileFinding(
        'CPP001',
        path,
        err.line,
        `${path} could not be read: ${err.message}${at}. pip and uv refuse to install the project, and none of the requirements it names were checked; fix the file.`,
        { reason: err.message.slice(0, 300), format: 'pyproject-toml' },
      ),
    ];
  }
}

function failed(
  file: DiscoveredFile,
  ruleId: 'CPP001' | 'CPP002',
  reason: string,
  line: number | undefined,
): FileResult {
  const at = line !== undefined ? ` (line ${line})` : '';
  return {
    findings: [
      pyFileFinding(
        ruleId,
        file.path,
        line,
        `${file.path} could not be read as a Python dependency file: ${reason}${at}. None of its dependencies were checked; regenerate it with its tool and commit it.`,
        { reason: reason.slice(0, 300), format: file.claimed ?? file.format },
      ),
    ],
    graphs: [],
    notifications: [{ level: 'error', message: `${file.path} not scanned: ${reason}`, path: file.path, ruleId }],
  };
}

/**
 * A requirements file included by two scanned files (or scanned itself and included) is checked twice; each cause
 * is reported once. The views differ only in how many packages the cause reaches (an `--extra-index-url` in an
 * included file exposes the includer's requirements too): the finding with the largest count is kept.
 */
function dedupe(findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  const at = new Map<string, number>();
  for (const f of findings) {
    const { count: _count, packages: _packages, ...cause } = f.evidence ?? {};
    const artifact = f.artifact?.kind === 'package' ? f.artifact.name : '';
    const key = [f.ruleId, f.location.path, f.location.line ?? 0, artifact, JSON.stringify(cause)].join('\0');
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, out.push(f) - 1);
    } else if (countOf(f) > countOf(out[i]!)) {
      out[i] = f;
    }
  }
  return out;
}

function countOf(f: Finding): number {
  const n = f.evidence?.['count'];
  return typeof n === 'number' ? n : 0;
}
