import type { Finding } from '../../../../core/finding.js';
import { samePep440Version } from '../../../../core/package-key.js';
import { normalizeName } from '../pep508.js';
import type { PyDistribution, PyPackage, PythonLock } from '../types.js';
import { pyPackageFinding } from './finding.js';

/**
 * Lockfiles whose entries give each file's URL (or path) and whose installer downloads it as written: uv.lock
 * (`lock::Package::to_dist`), pylock.toml (`PylockTomlWheel::to_registry_wheel`) and pdm.lock with static URLs.
 * Poetry and Pipfile.lock record names or bare hashes and fetch from the index's own page for the locked release.
 */
const FETCHES_AS_WRITTEN: ReadonlySet<PythonLock['kind']> = new Set(['uv', 'pylock', 'pdm']);

const SDIST = /\.(tar\.gz|zip|tar\.bz2|tar\.xz|tgz|tar)$/i;

/** The project and version a distribution file name gives (PEP 427 wheel, PEP 625 / legacy sdist); else undefined. */
export function releaseOfFile(filename: string): { name: string; version: string } | undefined {
  if (/\.whl$/i.test(filename)) {
    // `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`: the name never holds `-` (uv `WheelFilename`).
    const parts = filename.slice(0, -4).split('-');
    if (parts.length < 5 || parts.length > 6) return undefined;
    return { name: normalizeName(parts[0]!), version: parts[1]! };
  }
  const ext = SDIST.exec(filename);
  if (!ext) return undefined;
  // Legacy sdists keep `-` in the name; the version is after the last one (uv `SourceDistFilename::parse`).
  const stem = filename.slice(0, ext.index);
  const dash = stem.lastIndexOf('-');
  if (dash <= 0) return undefined;
  return { name: normalizeName(stem.slice(0, dash)), version: stem.slice(dash + 1) };
}

/** PEP 440 equality (`1.0` = `1.0.0`, `2.5.1+cpu` as written or URL-decoded), string equality otherwise. */

/**
 * The package's downloaded files (URL or path) whose name is another project's or another version's. A direct-URL
 * package is judged by its wheels only: uv names a `DirectUrlBuiltDist` by its `WheelFilename` too, while an sdist at
 * an arbitrary URL (a GitHub archive, a renamed tarball) is built under the entry's name and often named otherwise.
 * Both names of a file count: the one it declares (uv takes pylock's `name` as the file's identity) and the URL's
 * last segment, the file actually downloaded (`to_registry_wheel` fetches the url whatever `name` says; uv.lock's
 * `WheelWireSource` reads `url` and ignores a `filename` beside it), so a decoy name cannot hide the fetched one.
 */
function foreignFiles(p: PyPackage): { file: PyDistribution; filename: string; name: string; version: string }[] {
  const out: { file: PyDistribution; filename: string; name: string; version: string }[] = [];
  for (const d of p.distributions) {
    if (d.url === undefined && d.path === undefined) continue;
    for (const filename of [d.filename, d.fetchedName]) {
      if (filename === undefined) continue;
      if (p.source === 'url' && !/\.whl$/i.test(filename)) continue;
      const release = releaseOfFile(filename);
      if (!release) continue;
      const sameName = release.name === p.name;
      if (sameName && (p.version === '' || samePep440Version(release.version, p.version))) continue;
      out.push({ file: d, filename, ...release });
      break;
    }
  }
  return out;
}

/**
 * CPP082: an index (or direct-URL) package whose locked wheel or sdist is named for another project or version. The installer takes
 * the file's identity from its name (uv's `Wheel` parses `WheelFilename` from the URL; `RegistryBuiltDist::name` is
 * the best wheel's), so the entry's name and version, which a reviewer reads, are not what installs.
 */
export function checkFileNames(lock: PythonLock): Finding[] {
  if (!FETCHES_AS_WRITTEN.has(lock.kind)) return [];
  const out: Finding[] = [];
  for (const p of lock.packages) {
    if (p.source !== 'index' && p.source !== 'url') continue;
    const foreign = foreignFiles(p);
    if (foreign.length === 0) continue;
    const first = foreign[0]!;
    const names = foreign.map((f) => f.filename);
    // The URL's file behind a declared name that is the package's own: say so, the reviewer read the declared one.
    const decoy = first.filename === first.file.fetchedName ? first.file.filename : undefined;
    out.push(
      pyPackageFinding(
        'CPP082',
        p,
        `lists ${foreign.length === 1 ? 'a file' : `${foreign.length} files`} named for ${first.name} ${first.version} (${names.slice(0, 2).join(', ')}${names.length > 2 ? ', …' : ''})${decoy !== undefined ? ` behind the declared name ${decoy}` : ''}; the installer downloads it as written and ${/\.whl$/i.test(names[0]!) ? 'installs that release in its place' : "runs that sdist's build backend before any metadata check can refuse it"}`,
        'Treat as lockfile injection: re-lock and review who edited the entry.',
        {
          file: names[0]!,
          fileProject: first.name,
          fileVersion: first.version,
          ...(decoy !== undefined ? { declaredName: decoy } : {}),
        },
      ),
    );
  }
  return out;
}
