import type { DiscoveredFile } from '../../../core/files.js';
import type { Finding } from '../../../core/finding.js';
import type { PythonCheckPolicy } from './checks/index.js';
import { checkInstallArguments } from './checks/install-arguments.js';
import { condaPipRequirements } from './conda-environments.js';
import type { InstallArgument, RunScript } from './install-arguments.js';
import type { InstallNames, InstallTree, LocatedName } from './install-requirements.js';
import { scriptRequirements } from './script-metadata.js';

/**
 * The findings of the requirements the install files' command lines give (`pip install git+https://…`, tox `deps`,
 * nox `session.install`), and those of the files they run or build from: a script's inline metadata (`uv run
 * tools/x.py`), a conda environment file's `pip:` list (`conda env create -f env.yml`), each located in the
 * repository (locateInstallNames; names past its bound are installInputs' CPP003) and read once, whatever the number
 * of install files naming it. `readText`: a file's own text; `limit`: the scan's bound on files read at once.
 */
export async function installCommandFindings(
  envNames: readonly (readonly [string, InstallNames])[],
  byPath: ReadonlyMap<string, DiscoveredFile>,
  { files }: InstallTree,
  policy: PythonCheckPolicy,
  readText: (f: DiscoveredFile) => Promise<string | undefined>,
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<Finding[]> {
  const ran = new Map<string, (text: string) => InstallArgument[]>();
  const add = (located: readonly LocatedName<RunScript>[], requirements: (text: string) => InstallArgument[]) => {
    for (const { target } of located)
      for (const path of 'paths' in target ? target.paths : []) ran.set(path, requirements);
  };
  const argumentFindings = envNames.map(([envPath, names]) => {
    add(names.scripts, scriptRequirements);
    add(names.condaEnvs, condaPipRequirements);
    return checkInstallArguments(envPath, names.args, policy, files);
  });
  const ranFindings = await Promise.all(
    [...ran]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, requirements]) =>
        limit(async () => {
          const file = byPath.get(path)!;
          const text = await readText(file);
          return text === undefined ? [] : checkInstallArguments(path, requirements(text), policy, files);
        }),
      ),
  );
  return [...argumentFindings.flat(), ...ranFindings.flat()];
}
