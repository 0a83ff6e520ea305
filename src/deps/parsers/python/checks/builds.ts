import type { Finding } from '../../../../core/finding.js';
import type { PyPackage, PythonLock } from '../types.js';
import type { PythonCheckPolicy } from './context.js';
import { pyPackageFinding } from './finding.js';

/**
 * Lockfiles that name each locked file, so "no wheel" can be told from "no file names recorded". Pipfile.lock and
 * requirements files keep bare hashes: whether a wheel exists is only known online.
 */
const NAMES_FILES: ReadonlySet<PythonLock['kind']> = new Set(['uv', 'poetry', 'pylock', 'pdm']);

const WHEEL = /\.whl$/i;
const SDIST = /\.(tar\.gz|zip|tar\.bz2|tar\.xz|tgz|tar)$/i;

/**
 * CPP074, Python's install script: an index package locked with an sdist and no wheel at all. Every installer
 * prefers a compatible wheel and otherwise builds the sdist, which runs the package's build backend (`setup.py`)
 * on the installing machine: uv-resolver `lock::Package::to_dist` (best wheel, else `to_source_dist`), Poetry's
 * `Chooser` (wheels first) then `Executor._prepare_archive` (PEP 517 build), pip's `CandidateEvaluator._sort_key`
 * (wheels first) then `prepare_distribution_metadata` (the backend runs even to read the metadata). With no wheel
 * locked, the build runs on every platform. Its build requirements are resolved at build time and are in no lock.
 * Packages on `dependencies.allowInstallScripts` (the one allowlist of code that runs on install) are not reported.
 */
export function checkSourceBuilds(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  if (!NAMES_FILES.has(lock.kind)) return [];
  return lock.packages
    .filter((p) => p.source === 'index' && buildsFromSource(p) && !policy.buildAllowed(p.name, p.displayName))
    .map((p) => {
      const sdists = p.distributions.map((d) => d.filename ?? '').filter((f) => SDIST.test(f));
      return pyPackageFinding(
        'CPP074',
        p,
        `is locked with only a source distribution (${sdists.slice(0, 2).join(', ')}), so installing it runs the package's build backend (setup.py)`,
        'Review what its build runs and add it to dependencies.allowInstallScripts, move to a release that publishes wheels, or install with --only-binary :all: / uv --no-build to refuse the build.',
        { sdist: sdists.join(' '), wheels: 0 },
      );
    });
}

/** Files are recorded, at least one is an sdist, and none is a wheel. */
function buildsFromSource(p: PyPackage): boolean {
  const names = p.distributions.map((d) => d.filename ?? '');
  return names.some((n) => SDIST.test(n)) && !names.some((n) => WHEEL.test(n));
}
