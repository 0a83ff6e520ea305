import type { DiscoveredFile } from '../core/files.js';
import { PYTHON_LOCKFILE_FORMATS, formatsReadBy } from '../discover/catalogue/index.js';

/**
 * What the Python dependency stage reads, by name and format: small on purpose, as the pipeline's `hasWork` asks it of
 * every file at start-up (src/app/stages.ts) before the stage's parsers load.
 */

/** Configuration files whose index settings pip / uv / Poetry / PDM read (the catalogue routes them here). */
export const PYTHON_CONFIG_FORMATS: ReadonlySet<string> = new Set(formatsReadBy('python-index-settings'));

/** A Python lockfile or requirements file, by its content or its name. */
export function isPythonLockfile(f: DiscoveredFile): boolean {
  return PYTHON_LOCKFILE_FORMATS.has(f.format) || (f.claimed !== undefined && PYTHON_LOCKFILE_FORMATS.has(f.claimed));
}

/** A Dockerfile's or Containerfile's name (`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`), anywhere in the tree. */
export function isDockerfile(path: string): boolean {
  return /(^|\/)(Dockerfile|Containerfile)(\.[\w-]+)?$|(^|\/)[\w.-]+\.(Dockerfile|Containerfile)$/.test(path);
}

/**
 * Files that set environment variables for the installs they run and run them: Dockerfiles / Containerfiles (`ENV`,
 * `ARG`), GitHub workflows (`env:` maps), GitLab CI files, shell scripts (`export X=…`, `X=… pip install`),
 * Makefiles (whose recipes are shell lines), and tox's tox.ini / tox.toml / setup.cfg and noxfile.py, whose `deps` and
 * `session.install(…)` run pip (tox-nox-installs.ts reads them as the commands they make; pyproject.toml's
 * `[tool.tox]` is read there too, the Python dependency stage passing it along).
 */
export function isInstallEnvFile(path: string): boolean {
  return (
    isDockerfile(path) ||
    /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path) ||
    /(^|\/)\.gitlab-ci\.ya?ml$/.test(path) ||
    /(^|\/)(GNUmakefile|[Mm]akefile)$|\.mk$/.test(path) ||
    /\.(sh|bash)$/.test(path) ||
    /(^|\/)(tox\.ini|tox\.toml|setup\.cfg|noxfile\.py)$/.test(path)
  );
}

/**
 * A conda environment file by its conventional name (`environment.yml`, `environment-gpu.yaml`, `conda-env.yml`):
 * `conda env create` with no `--file` reads `environment.yml` (conda.cli.main_env_create), and the others are what a
 * README tells to pass it. Its `pip:` list is a requirements file conda has pip install, so it is read by itself too,
 * not only where an install file names it; a YAML file of that name with no such list gives nothing.
 */
export function isCondaEnvironmentFile(f: DiscoveredFile): boolean {
  return (
    f.format === 'other' &&
    /(^|\/)(?:[\w.-]*[-_.])?(?:environment|conda[-_]?env|conda)(?:[-_.][\w.-]*)?\.ya?ml$/i.test(f.path) &&
    !/(^|\/)\.github\//.test(f.path)
  );
}

/** A Dockerfile, workflow or script: its install commands set indexes and name requirements files (`-r`). */
export function isInstallEnvInput(f: DiscoveredFile): boolean {
  return f.format === 'other' && isInstallEnvFile(f.path);
}

/**
 * Every file the Python dependency stage reads: lockfiles, and without any lockfile still the index settings of
 * pip.conf, uv.toml, pyproject.toml and install commands, which the next `pip install` / `uv sync` obeys.
 */
export function isPythonDepsInput(f: DiscoveredFile): boolean {
  return (
    isPythonLockfile(f) ||
    PYTHON_CONFIG_FORMATS.has(f.format) ||
    // A Pipfile with no lock beside it: `pipenv install` resolves from its sources.
    f.format === 'pipfile' ||
    isInstallEnvInput(f) ||
    isCondaEnvironmentFile(f)
  );
}
