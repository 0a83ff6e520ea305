import type { Finding } from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';
import { byCodePoint } from '../../core/order.js';
import { pythonsLabel, wheelFitsLock } from '../../deps/parsers/python/checks/wheel-python.js';
import { pyFinding } from './finding.js';
import type { IndexFile } from './index-files.js';

const WHEEL = /\.whl$/i;

/**
 * CPP074 online, for lockfiles that pin hashes but name no files (requirements `--hash`, Pipfile.lock) or nothing
 * at all (`name==1.0`): the files pip may install are those of the release whose hash is locked (all of them when no
 * hash is). If none is a wheel a CPython 3 installs, pip builds the sdist, running its build backend
 * (`prepare_distribution_metadata`, even just to read the metadata). A lockfile that names its files was judged offline.
 */
export function sourceOnlyRelease(
  pkg: PackageNode,
  release: readonly IndexFile[],
  buildAllowed: (name: string) => boolean,
): Finding | undefined {
  if (!needsIndexForBuild(pkg, buildAllowed)) return undefined;
  const sdists = builtFrom(pkg, release);
  if (sdists === undefined) return undefined;
  const hashed = lockedHashes(pkg).length > 0;
  return pyFinding(
    'CPP074',
    pkg,
    `can only be installed from a source distribution (${sdists.slice(0, 2).join(', ')}${hashed ? `, no wheel for ${pythonsLabel(pkg.requiresPython)} among the files whose hash is pinned` : `, the index lists no wheel for ${pythonsLabel(pkg.requiresPython)}`}), so installing it runs the package's build backend (setup.py)`,
    'Review what its build runs and add it to dependencies.allowInstallScripts, move to a release that publishes wheels (and pin their hashes), or install with --only-binary :all: to refuse the build.',
    { sdist: sdists.join(' '), wheels: 0, checkedOnline: true },
  );
}

/**
 * Whether only the index can tell if installing `pkg` builds it: its lockfile names no file (one that does was judged
 * offline), pip may take an sdist (under --only-binary, `wheelsOnly`, it skips every sdist link: no wheel fails the
 * install, nothing is built), and the policy does not allow it to build.
 */
export function needsIndexForBuild(pkg: PackageNode, buildAllowed: (name: string) => boolean): boolean {
  return (
    !(pkg.distributions ?? []).some((d) => d.filename !== undefined) &&
    pkg.wheelsOnly !== true &&
    !buildAllowed(pkg.name)
  );
}

/**
 * The files pip builds `pkg` from, sorted, when those it may take (the ones whose hash is pinned, all of them when
 * none is: pip's hash mode) hold no wheel a CPython the lock is installed with (`pkg.requiresPython`: Pipfile.lock's
 * `_meta.requires`, poetry.lock's `python-versions`, pdm.lock's target; else the 3.8–3.14 the scan assumes,
 * `PYTHON_MINORS`) installs: `LinkEvaluator.evaluate_link` drops a wheel whose tags `packaging.tags.sys_tags` does not list
 * (`Wheel.supported`), so a release of py2-only or PyPy wheels is an sdist install. Undefined when a wheel fits, or
 * nothing is left to take (pip then fails: nothing runs).
 */
export function builtFrom(pkg: PackageNode, release: readonly IndexFile[]): string[] | undefined {
  const locked = lockedHashes(pkg);
  const usable =
    locked.length > 0 ? release.filter((f) => locked.some(([alg, hex]) => f.hashes[alg] === hex)) : release;
  // As the offline check (checks/builds.ts): no CPython left in the lock's range (a future one) compares no versions.
  const fitsLock = wheelFitsLock(pkg.requiresPython);
  const fits = (f: IndexFile) => WHEEL.test(f.filename) && fitsLock(f.filename);
  if (usable.length === 0 || usable.some(fits)) return undefined;
  const sdists = usable.filter((f) => !WHEEL.test(f.filename)).map((f) => f.filename);
  return sdists.length > 0 ? sdists.sort(byCodePoint) : undefined;
}

/** The hashes the lock pins for `pkg`'s files, as [algorithm, hex]. */
function lockedHashes(pkg: PackageNode): [string, string][] {
  return (pkg.distributions ?? []).flatMap((d) => Object.entries(d.hashes));
}
