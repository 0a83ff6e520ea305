import type { Finding } from '../../../../core/finding.js';
import type { PyProject } from '../pyproject.js';
import type { PyFormatControl, PyLineAt, PyPackage, PythonLock } from '../types.js';
import type { PythonCheckPolicy } from './context.js';
import { pyFileFinding, pyLabel, pyPackageFinding, shown } from './finding.js';
import type { MarkerEnv } from '../markers.js';
import { evaluateMarker } from '../markers.js';
import { wheelFitsLock } from './wheel-python.js';

/**
 * Lockfiles that name each locked file, so "no wheel" can be told from "no file names recorded". Pipfile.lock and
 * requirements files keep bare hashes: whether a wheel exists is only known online.
 */
const NAMES_FILES: ReadonlySet<PythonLock['kind']> = new Set(['uv', 'poetry', 'pylock', 'pdm']);

/** A wheel's file name, and an sdist's (the archive forms a source distribution is published as). */
export const WHEEL = /\.whl$/i;
export const SDIST = /\.(tar\.gz|zip|tar\.bz2|tar\.xz|tgz|tar)$/i;

/**
 * CPP074, Python's install script: an index package locked with an sdist and no wheel at all. Every installer
 * prefers a compatible wheel and otherwise builds the sdist, which runs the package's build backend (`setup.py`)
 * on the installing machine: uv-resolver `lock::Package::to_dist` (best wheel, else `to_source_dist`), Poetry's
 * `Chooser` (wheels first) then `Executor._prepare_archive` (PEP 517 build), pip's `CandidateEvaluator._sort_key`
 * (wheels first) then `prepare_distribution_metadata` (the backend runs even to read the metadata). With no wheel
 * locked, the build runs on every platform. Its build requirements are resolved at build time and are in no lock.
 * Packages on `dependencies.allowInstallScripts` (the one allowlist of code that runs on install) are not reported.
 * Beside uv.lock, the project's `[tool.uv]` build settings count: a package uv may not build (`no-build`) is never
 * built (the install fails instead), and one it may not install a wheel of (`no-binary`) is built from its sdist
 * whatever wheels are locked. A requirements file's `--no-binary` does the same for pip (`forcedBuilds`).
 */
export function checkSourceBuilds(lock: PythonLock, policy: PythonCheckPolicy, project?: PyProject): Finding[] {
  if (lock.kind === 'requirements') return forcedBuilds(lock, policy);
  if (!NAMES_FILES.has(lock.kind)) return [];
  const uv = lock.kind === 'uv' ? project?.uvBuilds : undefined;
  const out: Finding[] = [];
  const fits = wheelFitsLock(lock.requiresPython);
  for (const p of lock.packages) {
    if (p.source !== 'index' || policy.buildAllowed(p.name)) continue;
    // uv-resolver `Package::to_dist`: a wheel unless `no_binary`, else the sdist unless `no_build`, else an error.
    if (uv !== undefined && (uv.noBuild || uv.noBuildPackages.has(p.name))) continue;
    const names = p.distributions.map((d) => d.filename ?? '');
    const sdists = names.filter((f) => SDIST.test(f));
    if (sdists.length === 0) continue;
    const allWheels = names.filter((n) => WHEEL.test(n));
    if (uv !== undefined && (uv.noBinary || uv.noBinaryPackages.has(p.name))) {
      out.push(
        pyPackageFinding(
          'CPP074',
          p,
          `is built from its source distribution (${sdists[0]!}) whatever wheels are locked, as ${uv.label} ${uv.noBinary ? 'no-binary' : 'no-binary-package'} tells uv, so installing it runs the package's build backend (setup.py)`,
          FIX,
          {
            sdist: sdists.join(' '),
            wheels: allWheels.length,
            noBinary: uv.file,
          },
        ),
      );
      continue;
    }
    const wheels = allWheels.filter(fits);
    if (wheels.length === 0) {
      const why =
        allWheels.length === 0
          ? 'only a source distribution'
          : `wheels only for other Python versions than ${lock.requiresPython ?? 'CPython 3'} (${allWheels.slice(0, 2).join(', ')}) and a source distribution`;
      out.push(
        pyPackageFinding(
          'CPP074',
          p,
          `is locked with ${why} (${sdists.slice(0, 2).join(', ')}), so installing it runs the package's build backend (setup.py)`,
          FIX,
          {
            sdist: sdists.join(' '),
            wheels: 0,
            ...(allWheels.length > 0 ? { otherPythonWheels: allWheels.length } : {}),
          },
        ),
      );
      continue;
    }
    // Which platforms a package is installed on is only known where the lock records it (markers); Poetry 1 locks
    // do not, and a Windows-only package there would look like a build everywhere else.
    if (lock.kind === 'poetry' && !/^2\.[1-9]/.test(lock.formatVersion)) continue;
    const { covered, missing } = platformsWithoutWheel(wheels, p.markers);
    if (missing.length === 0) continue;
    const has = covered.map((pl) => pl.label);
    out.push(
      pyPackageFinding(
        'CPP074',
        p,
        `has wheels only for ${has.length > 0 ? has.join(', ') : 'other platforms'}; on ${missing.map((pl) => pl.label).join(', ')} the installer builds it from its source distribution (${sdists[0]!}), running the package's build backend (setup.py)`,
        FIX,
        { sdist: sdists.join(' '), wheels: wheels.length, buildsOn: missing.map((pl) => pl.id).join(' ') },
      ),
    );
  }
  return out;
}

/**
 * CPP074 for requirements files: a package their `--no-binary` leaves without wheels is built from its sdist by pip,
 * whatever wheels its release has — `LinkEvaluator.evaluate_link` skips every wheel link when `binary` is not among
 * the package's allowed formats. Constraints install nothing, and a compile's input is judged by the file it
 * compiles to.
 */
function forcedBuilds(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  const fc = lock.formatControl;
  if (fc === undefined || lock.compileInput === true) return [];
  return forcedBuildFindings([{ formatControl: fc, packages: lock.packages }], policy);
}

/** One pip install: the format control left once its command line and files are read, and what it installs. */
export interface PipInstall {
  readonly formatControl: PyFormatControl;
  readonly packages: readonly PyPackage[];
}

/**
 * The CPP074 findings of pip installs' `--no-binary` (forcedBuilds): one per option line (one cause, however many
 * installs of a file it reaches), naming each index package it makes pip build once — pip's resolver (resolvelib)
 * pins one candidate per project name, however many lines give it.
 */
export function forcedBuildFindings(installs: readonly PipInstall[], policy: PythonCheckPolicy): Finding[] {
  // Per option line, each project's first package by name: a Map keeps them in the order first met.
  const byLine = new Map<string, { at: PyLineAt; byName: Map<string, PyPackage> }>();
  for (const { formatControl, packages } of installs) {
    for (const p of packages) {
      if (p.source !== 'index' || p.constraint === true || policy.buildAllowed(p.name)) continue;
      const at = binaryRefusedBy(formatControl, p.name);
      if (at === undefined) continue;
      const key = `${at.file}:${at.line}`;
      const group = byLine.get(key) ?? byLine.set(key, { at, byName: new Map() }).get(key)!;
      if (!group.byName.has(p.name)) group.byName.set(p.name, p);
    }
  }
  return [...byLine].map(([key, { at, byName }]) => {
    const packages = [...byName.values()];
    const labels = packages.map(pyLabel);
    const what = packages.length === 1 ? '1 package' : `${packages.length} packages`;
    return pyFileFinding(
      'CPP074',
      at.file,
      at.line,
      `--no-binary at ${key} makes pip install ${what} from source distributions whatever wheels exist (${shown(labels)}), so installing runs each package's build backend (setup.py). ${NO_BINARY_FIX}`,
      { noBinary: key, packages: packages.length, names: packages.map((p) => p.name).join(' ') },
    );
  });
}

/**
 * Whether pip may install only a wheel of `name`, by `FormatControl.get_allowed_formats`: its name under
 * `--only-binary`, or `:all:` there and its name not under `--no-binary`. `LinkEvaluator.evaluate_link` then skips
 * every sdist link, so pip never builds it (with no wheel the install fails).
 */
export function sdistRefused(fc: PyFormatControl | undefined, name: string): boolean {
  if (fc === undefined) return false;
  return fc.onlyBinary.has(name) || (!fc.noBinary.has(name) && fc.onlyBinary.has(':all:'));
}

/**
 * The `--no-binary` line that takes wheels away from `name`, by pip's `FormatControl.get_allowed_formats`: its name
 * under `--only-binary`, else under `--no-binary`, else `:all:` under `--only-binary`, else under `--no-binary`.
 */
function binaryRefusedBy(fc: PyFormatControl, name: string): PyLineAt | undefined {
  if (fc.onlyBinary.has(name)) return undefined;
  const named = fc.noBinary.get(name);
  if (named !== undefined) return named;
  return fc.onlyBinary.has(':all:') ? undefined : fc.noBinary.get(':all:');
}

/**
 * Whether a finding is a package's CPP074 that holds on every platform: no wheel the lock can install (none, or only
 * for other Pythons) or uv told to refuse the wheels, as opposed to a build only where a platform has no wheel
 * (`buildsOn`). The finding has already weighed the policy's allowlist and uv's `no-build`.
 */
export function buildsEverywhere(f: Finding): boolean {
  return f.ruleId === 'CPP074' && f.artifact?.kind === 'package' && f.evidence?.['buildsOn'] === undefined;
}

const NO_BINARY_FIX =
  'Drop the --no-binary (or narrow it to the packages whose build you reviewed), or add those packages to dependencies.allowInstallScripts.';

const FIX =
  'Review what its build runs and add it to dependencies.allowInstallScripts, move to a release that publishes wheels for your platforms, or install with --only-binary :all: / uv --no-build to refuse the build.';

/** A platform installers commonly run on, the marker variables it sets, and the wheel platform tags it accepts. */
interface Platform {
  readonly id: string;
  readonly label: string;
  readonly env: MarkerEnv;
  readonly tag: RegExp;
}

const LINUX = { sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix' };
const MACOS = { sys_platform: 'darwin', platform_system: 'Darwin', os_name: 'posix' };
/**
 * The platforms CI runners, containers and developer machines run, with the wheel tags `packaging.tags` lists as
 * compatible there: glibc Linux takes `manylinux*` / `linux` (not `musllinux`), macOS its arch or `universal2`.
 */
const PLATFORMS: readonly Platform[] = [
  {
    id: 'linux-x86_64',
    label: 'Linux x86_64',
    env: { ...LINUX, platform_machine: 'x86_64' },
    tag: /^(many)?linux[0-9_]*_x86_64$/,
  },
  {
    id: 'linux-aarch64',
    label: 'Linux aarch64',
    env: { ...LINUX, platform_machine: 'aarch64' },
    tag: /^(many)?linux[0-9_]*_aarch64$/,
  },
  {
    id: 'macos-arm64',
    label: 'macOS arm64',
    env: { ...MACOS, platform_machine: 'arm64' },
    tag: /^macosx_\d+_\d+_(arm64|universal2)$/,
  },
  {
    id: 'macos-x86_64',
    label: 'macOS x86_64',
    env: { ...MACOS, platform_machine: 'x86_64' },
    tag: /^macosx_\d+_\d+_(x86_64|intel|universal2?|fat64|fat3)$/,
  },
  {
    id: 'windows-x86_64',
    label: 'Windows x86_64',
    env: { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt', platform_machine: 'AMD64' },
    tag: /^win_amd64$/,
  },
];

/**
 * The platforms where an installer finds no wheel among the locked ones and so builds the locked sdist: uv's
 * `lock::Package::to_dist` takes the best wheel compatible with the running platform's tags and otherwise the
 * sdist (with no sdist either the install fails, which runs nothing). A pure wheel (`…-none-any`) fits everywhere;
 * a platform the package is never installed on (its dependency edges' markers, the lock's `supported-markers`) is
 * left out. Wheels for Pythons outside the lock's range were dropped before (`wheelFitsPython`).
 */
function platformsWithoutWheel(
  wheels: readonly string[],
  markers: string | undefined,
): { covered: Platform[]; missing: Platform[] } {
  // The platform tag is the last dash-separated field of a wheel name; compressed tag sets join with dots.
  const tags = wheels.flatMap((w) => platformTags(w));
  if (tags.includes('any')) return { covered: [...PLATFORMS], missing: [] };
  const covered = PLATFORMS.filter((pl) => tags.some((t) => pl.tag.test(t)));
  const missing = PLATFORMS.filter(
    (pl) => !covered.includes(pl) && (markers === undefined || evaluateMarker(markers, pl.env) !== false),
  );
  return { covered, missing };
}

function platformTags(wheel: string): string[] {
  const fields = wheel.replace(/\.whl$/i, '').split('-');
  return (fields[fields.length - 1] ?? '').toLowerCase().split('.');
}
