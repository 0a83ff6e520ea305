import type { DiscoveredFile } from '../../../core/files.js';
import type { Finding } from '../../../core/finding.js';
import { pyFileFinding } from './checks/finding.js';
import type { PythonCheckPolicy } from './checks/index.js';
import { checkInstallArguments } from './checks/install-arguments.js';
import { condaPipRequirements, namedCondaEnvironments } from './conda-environments.js';
import { installCommands } from './install-arguments.js';
import type { InstallArgument, RunScript } from './install-arguments.js';
import { locateNamedFile, pathsByBaseName } from './install-requirements.js';
import { scriptRequirements } from './script-metadata.js';

/** Scripts located per install file at most: a hostile file naming thousands is not a lookup per name. */
const MAX_SCRIPTS = 256;

/** CPP003 for the scripts and environment files an install file names past the bound: not checked. */
function scriptsPastBound(file: string, past: readonly RunScript[]): Finding {
  return pyFileFinding(
    'CPP003',
    file,
    past[0]!.line,
    `${file}:${past[0]!.line}: names ${past.length} more scripts or conda environment files past the first ${MAX_SCRIPTS} (uv run / pipx run / conda env create) whose requirements chainproof did not read; they were not checked.`,
    { count: past.length, files: past.map((s) => s.written).join(' ') },
  );
}

/** How the Python stage reads files. */
export interface InstallCommandReading {
  /** An install file as the shell commands it runs (tox and nox configuration rewritten: asInstallCommands). */
  readonly read: (f: DiscoveredFile) => Promise<string | undefined>;
  /** A file's own text (a script, a conda environment file). */
  readonly readText: (f: DiscoveredFile) => Promise<string | undefined>;
  /** The scan's bound on files read at once. */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * The findings of the requirements the install files' command lines give (`pip install git+https://…`, tox `deps`,
 * nox `session.install`), and those of the files they run or build from: a script's inline metadata (`uv run
 * tools/x.py`), a conda environment file's `pip:` list (`conda env create -f env.yml`), each located in the
 * repository (locateNamedFile) and read once, whatever the number of install files naming it.
 */
export async function installCommandFindings(
  envFiles: readonly DiscoveredFile[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
  policy: PythonCheckPolicy,
  { read, readText, limit }: InstallCommandReading,
): Promise<Finding[]> {
  const repository = new Set(byPath.keys());
  const ran = new Map<string, { file: DiscoveredFile; requirements: (text: string) => InstallArgument[] }>();
  const byBaseName = pathsByBaseName(byPath.keys());
  const locate = (
    f: DiscoveredFile,
    named: readonly RunScript[],
    requirements: (text: string) => InstallArgument[],
  ) => {
    const written = [...new Map(named.map((s) => [s.written, s])).values()];
    for (const s of written.slice(0, MAX_SCRIPTS)) {
      const target = locateNamedFile(f.path, s.written, repository, byBaseName, s.exact);
      for (const path of 'paths' in target ? target.paths : [])
        ran.set(path, { file: byPath.get(path)!, requirements });
    }
    return written.slice(MAX_SCRIPTS);
  };
  const argumentFindings = await Promise.all(
    envFiles.map(async (f) => {
      const text = await read(f);
      if (text === undefined) return [];
      const { args, scripts } = installCommands(text);
      const past = [
        ...locate(f, scripts, scriptRequirements),
        ...locate(f, namedCondaEnvironments(text), condaPipRequirements),
      ];
      return [
        ...checkInstallArguments(f.path, args, policy, repository),
        ...(past.length > 0 ? [scriptsPastBound(f.path, past)] : []),
      ];
    }),
  );
  const scriptFindings = await Promise.all(
    [...ran.values()]
      .sort((a, b) => (a.file.path < b.file.path ? -1 : 1))
      .map(({ file, requirements }) =>
        limit(async () => {
          const text = await readText(file);
          return text === undefined ? [] : checkInstallArguments(file.path, requirements(text), policy, repository);
        }),
      ),
  );
  return [...argumentFindings.flat(), ...scriptFindings.flat()];
}
