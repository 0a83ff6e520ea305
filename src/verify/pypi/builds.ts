import type { Finding } from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';
import { pyFinding } from './finding.js';
import type { IndexFile } from './index-files.js';

const WHEEL = /\.whl$/i;

/**
 * CPP074 online, for lockfiles that pin hashes but name no files (requirements `--hash`, Pipfile.lock) or nothing
 * at all (`name==1.0`): the files pip may install are those of the release whose hash is locked (all of them when no
 * hash is). If none is a wheel, pip builds the sdist, running its build backend (`prepare_distribution_metadata`,
 * even just to read the metadata). A lockfile that names its files was judged offline.
 */
export function sourceOnlyRelease(
  pkg: PackageNode,
  release: readonly IndexFile[],
  buildAllowed: (name: string) => boolean,
): Finding | undefined {
  const dists = pkg.distributions ?? [];
  // pip under --only-binary skips every sdist link (wheelsOnly): no wheel fails the install, nothing is built.
  if (dists.some((d) => d.filename !== undefined) || pkg.wheelsOnly === true || buildAllowed(pkg.name))
    return undefined;
  const locked = dists.flatMap((d) => Object.entries(d.hashes));
  const usable =
    locked.length > 0 ? release.filter((f) => locked.some(([alg, hex]) => f.hashes[alg] === hex)) : release;
  if (usable.length === 0 || usable.some((f) => WHEEL.test(f.filename))) return undefined;
  const sdists = usable.map((f) => f.filename).sort();
  return pyFinding(
    'CPP074',
    pkg,
    `can only be installed from a source distribution (${sdists.slice(0, 2).join(', ')}${locked.length > 0 ? ', the only file whose hash is pinned' : ', the index lists no wheel'}), so installing it runs the package's build backend (setup.py)`,
    'Review what its build runs and add it to dependencies.allowInstallScripts, move to a release that publishes wheels (and pin their hashes), or install with --only-binary :all: to refuse the build.',
    { sdist: sdists.join(' '), wheels: 0, checkedOnline: true },
  );
}
