import { inDirectory } from '../global-options.js';
import { locateNamedFile } from '../install-requirements.js';
import type { Finding } from '../../../../core/finding.js';
import { groupSystemic } from '../../../checks/systemic.js';
import type { InstallArgument } from '../install-arguments.js';
import { ARCHIVE, readRequirement, withoutExtras } from '../requirements.js';
import type { PyPackage, PythonLock } from '../types.js';
import type { PythonCheckPolicy } from './context.js';
import { checkLocalPaths } from './local-paths.js';
import { checkMalicious } from './malicious.js';
import { checkSources } from './sources.js';

/** The folder the install runs in, with or without extras (`.`, `./`, `.[dev]`): the repository's own project. */
const OWN_PROJECT = /^\.\/?(\[[^\]]*\])?$/;

/**
 * The requirements an install's command line gives, judged as the same line of a requirements file is: pip reads
 * each argument with `install_req_from_line` (`-e` ones with `install_req_from_editable`), as `req_file` reads a line.
 * So a version-control, URL or local-path argument is CPP014 / CPP015 / CPP016 at the policy's `sources` levels (and
 * CPP013 over plain http), and a pinned release on the malicious list CPP021, each at the command's file and line
 * (one source on many lines of a file once, with the count: deps/checks/systemic.ts).
 * What a requirements file alone is judged for is not: an unpinned name on a command line (`pip install pytest`)
 * is how tools are installed, not a lock that failed to pin, and the install's own project (`pip install -e .`)
 * is the repository itself. A local path is CPP016 only where it is an archive the repository holds (a committed
 * wheel or sdist, which no review reads): a folder is source in the tree, and an archive no file of the repository is
 * at (`dist/*.whl`, `/wheels/x.whl`) is one the build makes or fetches, whose own inputs are what is judged. An
 * argument the shell fills in (`$PKG`, `"torch==${V}"`) says where it installs from
 * only when its scheme is written before the variable (`git+https://github.com/o/r@${REF}`).
 */
export function checkInstallArguments(
  file: string,
  args: readonly InstallArgument[],
  policy: PythonCheckPolicy,
  repositoryFiles: ReadonlySet<string>,
): Finding[] {
  const packages: PyPackage[] = [];
  for (const arg of args) {
    if (OWN_PROJECT.test(arg.written) || !writtenOut(arg.written)) continue;
    const read = readRequirement(file, arg.line, arg.written, { editable: arg.editable });
    // One pip refuses (`invalid requirement`) fails the command: nothing is installed from it.
    if (read === undefined || !('source' in read)) continue;
    const local = read.source === 'path' || read.source === 'directory';
    if (!local || committedArchive(file, inDirectory(arg.directory, localPath(read.url ?? '')), repositoryFiles)) {
      packages.push(read);
    }
  }
  if (packages.length === 0) return [];
  const lock = argumentsLock(file, packages);
  // One source a file installs on many lines (tox's 200 environments each installing one repository) is one finding.
  return groupSystemic([...checkSources(lock, policy), ...checkMalicious(lock, policy)], { lockfile: file });
}

/**
 * The requirements a project manifest (pyproject.toml, setup.cfg) gives `pip install .`: judged as install arguments,
 * and besides, unlike a command line, for a local path outside the repository.
 */
export function checkProjectRequirements(
  file: string,
  args: readonly InstallArgument[],
  policy: PythonCheckPolicy,
  repositoryFiles: ReadonlySet<string>,
): Finding[] {
  return [...checkInstallArguments(file, args, policy, repositoryFiles), ...checkProjectLocalPaths(file, args)];
}

/**
 * CPP073 for a project manifest's own requirements that name a path outside the repository (`helper @
 * file:///opt/vendor/helper`, `x @ file:../sibling`): `pip install .` installs the project's dependencies from that
 * folder and builds it (pip's `install_req_from_req_string` refuses a URL dependency only of a project that came from
 * PyPI; a local project's `file:` link is kept), and uv reads it as a path source the same way. Unlike a command line's `./lib`, which is the tree itself, a
 * project's declared path that leaves the repository is code no review reads. A path inside the tree is no finding.
 */
function checkProjectLocalPaths(file: string, args: readonly InstallArgument[]): Finding[] {
  const packages: PyPackage[] = [];
  for (const arg of args) {
    const read = readRequirement(file, arg.line, arg.written, { editable: arg.editable });
    if (read !== undefined && 'source' in read && (read.source === 'path' || read.source === 'directory')) {
      packages.push(read);
    }
  }
  return packages.length === 0 ? [] : checkLocalPaths(argumentsLock(file, packages));
}

/** Arguments read as the lines of one requirements file (paths relative to its folder or the working directory). */
function argumentsLock(file: string, packages: PyPackage[]): PythonLock {
  return {
    file,
    kind: 'requirements',
    formatVersion: '',
    packages,
    projects: [],
    indexes: [],
    problems: [],
    requireHashes: false,
  };
}

/** Whether the argument's kind is in the text: no shell substitution, or one after a written URL scheme. */
function writtenOut(word: string): boolean {
  const at = word.search(/[$`]/);
  return at < 0 || /(?:^|@\s*)[a-z][a-z0-9+.-]*:/i.test(word.slice(0, at));
}

/** A local requirement's path as written, without its `file:` scheme or extras. */
function localPath(where: string): string {
  return withoutExtras(where.replace(/^file:(\/\/)?/i, ''));
}

/**
 * Whether a local path names an archive (pip's `is_archive_file`) a file of the repository is at: relative to the
 * folder of the file that runs the install (tox.ini's, noxfile.py's, a script's) or to the root (a workflow's
 * checkout, a Dockerfile's build context), each joined with the folder the command runs in.
 */
function committedArchive(file: string, path: string, repositoryFiles: ReadonlySet<string>): boolean {
  return ARCHIVE.test(path) && 'paths' in locateNamedFile(file, path, repositoryFiles, NO_BASE_NAMES, true);
}

/** `locateNamedFile` looks an archive up as written only (exactOnly): no lookup by base name. */
const NO_BASE_NAMES: ReadonlyMap<string, readonly string[]> = new Map();
