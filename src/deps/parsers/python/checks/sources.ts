import type { Finding } from '../../../../core/finding.js';
import type { PyPackage, PythonLock } from '../types.js';
import { levelOf } from './context.js';
import type { PythonCheckPolicy } from './context.js';
import { namedByLocation, pyFileFinding, pyPackageFinding } from './finding.js';
import { isPlainHttp } from './plain-http.js';

/** CPP012 extra indexes, CPP013 plain http, CPP014–016 VCS / direct URL / local path sources. */
export function checkSources(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  const out: Finding[] = [];
  const noIndex = lock.indexes.some((i) => i.kind === 'no-index');
  const fromIndex = lock.packages.filter((p) => p.source === 'index' && p.constraint !== true);
  for (const opt of lock.indexes) {
    if (opt.kind === 'no-index') continue;
    if (isPlainHttp(opt.url)) {
      out.push(
        pyFileFinding(
          'CPP013',
          opt.file,
          opt.line,
          `${opt.file}:${opt.line}: --${opt.kind} ${opt.url} uses plain http; anything on the network path can replace what pip downloads from it. Use https.`,
          { option: opt.kind, url: opt.url },
        ),
      );
    }
    // One cause, one finding: the extra index exposes every name the file installs from an index. pipenv (unless
    // the Pipfile sets install_search_all_sources) runs one pip install per source, each with that index alone
    // (`batch_install`: packages grouped by their lock entry's `index`, else the first source): no name is
    // looked up on two indexes.
    const onePerIndex = lock.kind === 'pipenv' && lock.searchAllSources !== true;
    if (opt.kind === 'extra-index-url' && !noIndex && !onePerIndex) {
      out.push(
        pyFileFinding(
          'CPP012',
          opt.file,
          opt.line,
          `${opt.file}:${opt.line}: --extra-index-url ${opt.url} sits beside the default index; pip installs the highest version of ${indexNames(fromIndex.length)} from whichever index has it, so a name registered on the public index can take over (dependency confusion). Serve everything through one index (--index-url only).`,
          { url: opt.url, count: fromIndex.length },
        ),
      );
    }
  }
  for (const p of lock.packages) {
    const insecure = insecureUrl(p);
    if (insecure !== undefined) {
      out.push(
        pyPackageFinding('CPP013', p, `is downloaded over plain http (${insecure})`, 'Use https and re-lock.', {
          url: insecure,
        }),
      );
    }
    const kind = sourceRule(p, policy);
    if (kind) out.push(kind);
  }
  return out;
}

/**
 * What an extra index serves, by the count of the file's index requirements: with none (only git, URL or path
 * requirements) still every dependency pip resolves for them, which its finder looks up on each index.
 */
function indexNames(count: number): string {
  if (count === 0) return 'each dependency it resolves for the requirements of this file';
  return `each of the ${count} index requirement${count === 1 ? '' : 's'} (and their dependencies)`;
}

function insecureUrl(p: PyPackage): string | undefined {
  if (p.url !== undefined && isPlainHttp(p.url, true)) return p.url;
  return p.distributions.find((d) => d.url !== undefined && isPlainHttp(d.url))?.url;
}

function sourceRule(p: PyPackage, policy: PythonCheckPolicy): Finding | undefined {
  const where = p.url ?? '';
  // A bare URL is the finding's label already (pyLabel): the message names it once.
  const shown = namedByLocation(p) ? '' : ` (${where})`;
  switch (p.source) {
    case 'vcs': {
      const level = levelOf(policy.sources.git);
      // A full commit hash pins the tree; a branch or tag can be moved. Lockfiles record the commit they check out
      // apart from the URL (PyPackage.commit); pip takes it from `@<rev>` (`VersionControl.get_url_rev_and_auth`).
      const pinned = p.commit !== undefined || /@[0-9a-f]{40}(#|$)/i.test(where) || /rev=[0-9a-f]{40}/i.test(where);
      return level
        ? pyPackageFinding(
            'CPP014',
            p,
            `is installed from version control${shown}${pinned ? '' : ', not pinned to a commit'}`,
            'Prefer a released version from the index; if not, pin a full commit hash.',
            { url: where, pinnedToCommit: pinned, ...(p.commit !== undefined ? { commit: p.commit } : {}) },
            level,
          )
        : undefined;
    }
    case 'url': {
      const level = levelOf(policy.sources.tarball);
      return level
        ? pyPackageFinding(
            'CPP015',
            p,
            `is installed from a direct URL${shown}`,
            'Depend on an index version instead.',
            { url: where },
            level,
          )
        : undefined;
    }
    case 'path':
    case 'directory': {
      const level = levelOf(policy.sources.file);
      return level
        ? pyPackageFinding(
            'CPP016',
            p,
            `is installed from a local path${shown}`,
            'Use a workspace member or a published version.',
            { url: where },
            level,
          )
        : undefined;
    }
    case 'index':
    case 'virtual':
      return undefined;
  }
}
