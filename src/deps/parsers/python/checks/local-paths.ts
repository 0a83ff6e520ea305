import { posix } from 'node:path';
import type { Finding } from '../../../../core/finding.js';
import type { PyPackage, PythonLock } from '../types.js';
import { pyFileFinding, pyPackageFinding } from './finding.js';
import { cutLastSegmentFrom, cutTailAny } from '../../../../core/linear-text.js';

/**
 * CPP073, Python's CPD017: a path / directory / `file:` dependency outside the repository. pip resolves a relative
 * path in a requirements file against the working directory (`install_req_from_line` → `os.path.abspath`), so it is
 * outside only when it leaves the root from both the file's folder and the root; uv, poetry, pipenv and pylock
 * resolve against the lockfile's folder. A version-control source cloned from a local repository counts too. One
 * finding per distinct outside path.
 */
export function checkLocalPaths(lock: PythonLock): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const p of lock.packages) {
    const dir = posix.dirname(p.file) === '.' ? '' : posix.dirname(p.file);
    const bases = lock.kind === 'requirements' ? [dir, ''] : [dir];
    const outside = (path: string) => bases.every((base) => leavesRoot(base, path));
    const local =
      p.source === 'path' || p.source === 'directory'
        ? localPathOf(p.url)
        : p.source === 'vcs'
          ? localRepoOf(lock, p.url)
          : localIndexFiles(lock, p, outside);
    if (local === undefined || seen.has(local)) continue;
    if (!outside(local)) continue;
    seen.add(local);
    out.push(
      pyPackageFinding(
        'CPP073',
        p,
        `is installed from ${local}, outside the repository`,
        'Move the package into the repository (a workspace member) or depend on a published version: what is installed from outside the tree is not reviewed and differs from machine to machine.',
        { path: local },
      ),
    );
  }
  return [...out, ...findLinksOutside(lock)];
}

/**
 * A requirements file's `--find-links` folder outside the repository: pip lists the wheels and sdists in it beside
 * the index's and installs the best version from either (checked with pip 23.0.1). `req_file.handle_option_line`
 * takes the path relative to the requirements file when that exists, else as written (the working directory), so it
 * is outside only when it leaves the root from both, as for a path requirement.
 */
function findLinksOutside(lock: PythonLock): Finding[] {
  const out: Finding[] = [];
  for (const o of lock.indexes) {
    if (o.kind !== 'find-links' || (/^[a-z][a-z0-9+.-]*:/i.test(o.url) && !/^file:/i.test(o.url))) continue;
    const local = localPathOf(o.url);
    const dir = posix.dirname(o.file) === '.' ? '' : posix.dirname(o.file);
    if (local === undefined || !leavesRoot(dir, local) || !leavesRoot('', local)) continue;
    out.push(
      pyFileFinding(
        'CPP073',
        o.file,
        o.line,
        `${o.file}:${o.line}: --find-links ${o.url} reads packages from ${local}, outside the repository; pip installs the best version it finds there or on the index. Serve them from an allowed index, or keep the folder in the repository.`,
        { path: local, option: 'find-links' },
      ),
    );
  }
  return out;
}

/**
 * Where an index package's files are read from disk: a pylock.toml sdist / wheel with a `path` and no `url`, whatever
 * `index` says (uv's `PylockTomlWheel::to_registry_wheel` / `PylockTomlSdist::to_sdist`: `install_path.join(path)`);
 * a uv.lock `source = { registry = "<path>" }`, a local flat index (`RegistrySource::Path`, relative to the lock);
 * and a locked file whose `url` is `file://` in uv.lock, pylock.toml or a static-URL pdm.lock, whatever its index:
 * uv's `DistributionDatabase` loads a registry wheel with a file URL from that path ("If the URL is a file URL, load
 * the wheel directly").
 */
function localIndexFiles(lock: PythonLock, p: PyPackage, outside: (path: string) => boolean): string | undefined {
  if (lock.kind !== 'uv' && lock.kind !== 'pylock' && lock.kind !== 'pdm') return undefined;
  const fileUrl = p.distributions
    .map((d) => (d.url !== undefined && /^file:/i.test(d.url) ? localPathOf(d.url) : undefined))
    .find((path) => path !== undefined && outside(path));
  if (fileUrl !== undefined) return fileUrl;
  if (lock.kind === 'pylock')
    return p.distributions.map((d) => d.path).find((path) => path !== undefined && outside(path));
  if (lock.kind === 'uv' && p.url !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p.url)) return p.url;
  return undefined;
}

/**
 * The local repository a version-control source is cloned from: a `file:` URL (pip's `git+file:///…`, uv.lock's
 * `git = "file:///…?rev=…#<commit>"`, PDM's `git = "file:///…"`), or a pylock.toml `[packages.vcs] path`, which uv
 * joins to the lock's folder (`PylockTomlVcs::to_sdist`: `Url::from_directory_path(install_path.join(path))`). The
 * `@<rev>` pip and PDM append is not part of the path.
 */
function localRepoOf(lock: PythonLock, url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const bare = url.replace(/^(git|hg|svn|bzr)\+/i, '');
  const local = /^file:/i.test(bare)
    ? localPathOf(bare)
    : lock.kind === 'pylock' && !/^[a-z][a-z0-9+.-]*:/i.test(bare)
      ? bare
      : undefined;
  return local === undefined ? undefined : cutLastSegmentFrom(local, '@', '/');
}

/** The filesystem path of a local source: `file://` URLs decoded, `file:` stripped, `#egg=` / query dropped. */
function localPathOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^file:\/\//i.test(raw)) {
    try {
      const u = new URL(raw);
      // `file://host/path` names another machine's share: outside by definition.
      return u.host !== '' && u.host !== 'localhost' ? `//${u.host}${u.pathname}` : decodeURIComponent(u.pathname);
    } catch {
      return raw.slice(7);
    }
  }
  return cutTailAny(raw.replace(/^file:/i, ''), '#?');
}

function leavesRoot(base: string, local: string): boolean {
  const p = local.replace(/\\/g, '/');
  if (p.startsWith('/') || p.startsWith('~') || /^[a-z]:\//i.test(p)) return true;
  const joined = posix.normalize(posix.join(base, p));
  return joined === '..' || joined.startsWith('../');
}
