import type { Finding } from '../../../../core/finding.js';
import { normalizePrefix } from '../../../checks/context.js';
import type { PyProject } from '../pyproject.js';
import type { DirectPin } from '../pyproject-direct-pins.js';
import type { PyPackage, PythonLock } from '../types.js';
import { pyPackageFinding, shown } from './finding.js';
import { cutTail } from '../../../../core/linear-text.js';
import { cutTailAny, trimEndRun } from '../../../../core/linear-text.js';

/**
 * CPP078: pyproject.toml pins a package to a named index (Poetry `source = "corp"`, uv `[tool.uv.sources] pkg =
 * { index = "corp" }`) but the lockfile beside it resolves the package from elsewhere. The installer follows the
 * lock, not the manifest: `poetry install` downloads from the source the lock's `[package.source]` names (no source =
 * PyPI, or the first source when PyPI is off: `poetry-pool.ts`) once the content-hash matches, and `uv sync --frozen` from the locked registry URL. A lock edited this way sends an
 * internal package to a public index while the reviewed manifest still reads right.
 */
export function checkPinnedIndexes(lock: PythonLock, project: PyProject | undefined): Finding[] {
  if (!project || (lock.kind !== 'poetry' && lock.kind !== 'uv')) return [];
  const cfg = project.indexConfig;
  const tool = lock.kind;
  const urlOf = new Map(cfg.indexes.filter((i) => i.tool === tool).map((i) => [i.name, i.url]));
  const out: Finding[] = [];
  for (const p of lock.packages) {
    // A pin that holds only for an extra, a group or a marker leaves the other locked entries on the default index.
    const pins = cfg.pinnedAlways.get(p.name)?.filter((name) => urlOf.has(name));
    if (!pins || pins.length === 0 || p.source !== 'index') continue;
    const locked = tool === 'poetry' ? (p.indexName ?? 'PyPI') : (p.url ?? 'https://pypi.org/simple');
    const agrees = pins.some(
      (name) =>
        sameUrl(urlOf.get(name)!, p.url) ||
        (tool === 'poetry' &&
          (name === p.indexName ||
            // Poetry writes no [package.source] for a package from PyPI, pinned to it or not.
            (name.toLowerCase() === 'pypi' && p.indexName === undefined && p.url === undefined))),
    );
    if (agrees) continue;
    out.push(
      pyPackageFinding(
        'CPP078',
        p,
        `is pinned to index ${pins.map((n) => `"${n}"`).join(' / ')} in ${project.file}, but the lockfile resolves it from ${locked}`,
        'The installer follows the lockfile: treat the lock as tampered with until explained, and re-lock from the manifest.',
        { pinnedTo: pins.join(' '), locked, manifest: project.file },
      ),
    );
  }
  return [...out, ...explicitSourceEdits(lock, project)];
}

/**
 * CPP078 too: poetry.lock says a package came from an `explicit` source that pyproject.toml names for no dependency
 * of that name. Poetry's resolver asks an explicit source only for a dependency naming it (`RepositoryPool`: an
 * explicit repository is left out of `repositories`, and `find_packages` goes to `repository(source_name)` only when
 * the dependency has one; a transitive dependency has none), and the content-hash covers the pins, so `poetry lock`
 * never writes this; `poetry install` still downloads from it (`Chooser._get_links`). One finding per source, at its
 * first package.
 */
function explicitSourceEdits(lock: PythonLock, project: PyProject): Finding[] {
  if (lock.kind !== 'poetry') return [];
  const cfg = project.indexConfig;
  const explicit = new Map(
    cfg.indexes
      .filter((i) => i.tool === 'poetry' && i.priority === 'explicit')
      .map((i) => [i.name.toLowerCase(), i.name]),
  );
  const bySource = new Map<string, PyPackage[]>();
  for (const p of lock.packages) {
    const source = p.source === 'index' ? explicit.get(p.indexName?.toLowerCase() ?? '') : undefined;
    // Any pin counts, a conditional one too: the dependency names the source for some platform or group.
    if (source === undefined || cfg.pinnedTo.get(p.name)?.some((n) => n.toLowerCase() === source.toLowerCase()))
      continue;
    bySource.set(source, [...(bySource.get(source) ?? []), p]);
  }
  return [...bySource].map(([source, packages]) =>
    pyPackageFinding(
      'CPP078',
      packages[0]!,
      `${packages.length === 1 ? 'is' : `and ${packages.length - 1} more (${shown(packages.slice(1).map((p) => p.displayName))}) are`} locked from the explicit source "${source}", which Poetry asks only for a dependency pinned to it (source = "${source}"), and ${project.file} pins no dependency of that name there`,
      'poetry lock never writes this: treat the lock as tampered with until explained, and re-lock from the manifest.',
      { pinnedTo: 'none', locked: source, manifest: project.file, packages: packages.length },
    ),
  );
}

function sameUrl(a: string, b: string | undefined): boolean {
  return b !== undefined && a !== '' && normalizePrefix(a) === normalizePrefix(b);
}

/** The packages a manifest (pyproject.toml, Pipfile) ties to one git repository or URL. */
export interface ManifestPins {
  readonly file: string;
  readonly pins: ReadonlyMap<string, DirectPin>;
}

/**
 * CPP080: pyproject.toml (or a Pipfile) ties a package to one git repository (and maybe a commit) or one archive URL, and the
 * lockfile installs it from another repository, commit, URL or an index. Both installers take the lock's source:
 * Poetry's `Executor._install_git` clones the lock's `[package.source] url` at `resolved_reference` once the
 * content-hash (which an edit of poetry.lock alone keeps) matches, and `uv sync --frozen` builds the lock's
 * `source = { git = … }` / `{ url = … }` without reading the manifest; `pipenv sync` (and `install --deploy`,
 * whose `_meta.hash` a lock-only edit keeps) installs the Pipfile.lock entry's `git` at its `ref`. A repository swapped in the lock alone reads
 * right in the reviewed manifest.
 */
export function checkPinnedSources(lock: PythonLock, manifest: ManifestPins | undefined): Finding[] {
  if (!manifest) return [];
  const out: Finding[] = [];
  for (const p of lock.packages) {
    const pin = manifest.pins.get(p.name);
    if (!pin || agrees(pin, p)) continue;
    const locked =
      p.source === 'index' ? `the index ${p.url ?? 'PyPI'}` : `${p.url ?? p.source}${p.commit ? ` (${p.commit})` : ''}`;
    const wanted = `${pin.url}${pin.commit ? ` at ${pin.commit}` : ''}`;
    out.push(
      pyPackageFinding(
        'CPP080',
        p,
        `is tied to ${pin.kind === 'git' ? 'the git repository' : 'the URL'} ${wanted} in ${manifest.file}, but the lockfile installs it from ${locked}`,
        'The installer follows the lockfile: treat the lock as tampered with until explained, and re-lock from the manifest.',
        { pinnedTo: wanted, locked, manifest: manifest.file },
      ),
    );
  }
  return out;
}

function agrees(pin: DirectPin, p: PyPackage): boolean {
  if (p.url === undefined) return false;
  if (pin.kind === 'url') return p.source === 'url' && withoutFragment(p.url) === withoutFragment(pin.url);
  if (p.source !== 'vcs' || repoOf(p.url) !== repoOf(pin.url)) return false;
  return pin.commit === undefined || p.commit === undefined || p.commit === pin.commit;
}

const withoutFragment = (url: string) => cutTail(url, '#');

/**
 * A git URL as the repository it names: no `git+`, query (uv's `?rev=`), fragment, `@<ref>` after the last `/`
 * (pipenv's and pip's), trailing `/` or `.git`; any case.
 */
function repoOf(url: string): string {
  const bare = cutTailAny(url.replace(/^git\+/i, ''), '?#');
  // `@[^/]*$`: from the first `@` after the last `/`.
  const at = bare.indexOf('@', bare.lastIndexOf('/') + 1);
  return trimEndRun(at < 0 ? bare : bare.slice(0, at), '/')
    .replace(/\.git$/i, '')
    .toLowerCase();
}
