import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';

/** A full commit id, the only committish pacote's GitFetcher takes as resolved (`hashre`). */
export const FULL_SHA = /^[0-9a-f]{40}$/i;
/** The commit id Bun writes for a `github:` entry: the hex tail of GitHub's `owner-repo-<sha>` tarball folder. */
const BUN_GITHUB_COMMIT = /^[0-9a-f]{7,40}$/i;

/** Git hosts' archive endpoints and where the ref sits in each: the path segment after the marker. */
const ARCHIVE_REF: readonly RegExp[] = [
  /^https?:\/\/codeload\.github\.com\/[^/]+\/[^/]+\/(?:tar\.gz|zip|legacy\.tar\.gz|legacy\.zip)\/([^/?#]+)/i,
  /^https?:\/\/github\.com\/[^/]+\/[^/]+\/(?:tarball|archive)\/(?:refs\/(?:heads|tags)\/)?([^/?#]+?)(?:\.tar\.gz|\.zip)?(?:[?#]|$)/i,
  /^https?:\/\/gitlab\.com\/.+\/-\/archive\/([^/?#]+)\//i,
  /^https?:\/\/bitbucket\.org\/[^/]+\/[^/]+\/get\/([^/?#]+?)(?:\.tar\.gz|\.zip)?(?:[?#]|$)/i,
];

/**
 * The git ref a locked git source names: the archive path's ref, yarn berry's `commit=` parameter, or the `#`
 * committish (npm, yarn 1, pnpm's `repo#commit`); '' when it names none (the default branch).
 */
export function lockedGitRef(location: string): string {
  for (const re of ARCHIVE_REF) {
    const m = re.exec(location);
    if (m) return decodeSafe(m[1] ?? '');
  }
  const hash = location.lastIndexOf('#');
  if (hash < 0) return '';
  const fragment = location.slice(hash + 1);
  // yarn berry: `#commit=<sha>` (or `head=`/`tag=`/`semver=`, which its resolver turns into a commit).
  if (/^[a-z]+=/.test(fragment)) return /(?:^|&)commit=([^&]+)/.exec(fragment)?.[1] ?? fragment;
  return fragment;
}

/**
 * CPD023: a git dependency whose lockfile entry names a branch, tag or range instead of a commit. Every package
 * manager that writes the entry records the commit it resolved (npm `git+ssh://…#<sha>`, yarn 1 `#<sha>`, yarn
 * berry `#commit=<sha>`, pnpm `commit: <sha>` or a codeload `…/tar.gz/<sha>`), and reads whatever it finds: pacote's
 * GitFetcher takes only a 40-hex committish as resolved and otherwise asks the remote (`git.revs`,
 * `#resolvedFromRepo`) at every install, and never checks an integrity for git (it passes `integrity: null`). So
 * such an entry installs whatever the ref points to that day. Bytes pinned by an integrity the package manager
 * checks (an archive URL with `integrity`, a yarn berry checksum under the current cache key) are not reported:
 * a moved ref then fails the install instead. Bun's entries carry what it fetches (parsers/bun.ts `gitFetched`): the
 * checked-out `.bun-tag` of a `git+` clone, the committish of a `github:` tarball, where Bun writes the short id
 * GitHub names the tarball with, so a hex id of 7 or more digits counts as a commit there.
 */
export function checkGitPins(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  const out: Finding[] = [];
  graph.packages.forEach((node, i) => {
    if (node.source !== 'git') return;
    const location = node.resolved ?? node.version;
    const ref = lockedGitRef(location);
    if (FULL_SHA.test(ref) || bytesPinned(node, graph.kind, parsed.nodes[i]?.integrityNotEnforced)) return;
    if (graph.kind === 'bun' && /^github:/i.test(location) && BUN_GITHUB_COMMIT.test(ref)) return;
    out.push(
      packageFinding(
        'CPD023',
        node,
        ref === ''
          ? `is locked to a git repository without a commit (${location}), so each install takes the default branch as it is then`
          : `is locked to the git ref ${ref.slice(0, 100)}, not a commit, so each install takes whatever that ref points to then`,
        'Reinstall so the package manager records the commit it resolved (or depend on `#<full sha>`), and review who wrote a ref into the lockfile.',
        { resolved: location, ref: ref.slice(0, 200) },
      ),
    );
  });
  return out;
}

function bytesPinned(node: PackageNode, kind: DependencyGraph['kind'], notEnforced: string | undefined): boolean {
  if (node.integrity === undefined || node.integrity === '' || notEnforced !== undefined) return false;
  if (kind === 'yarn-berry') return true;
  // Bun checks an integrity it recorded for a downloaded `github:` tarball (bun.lock.zig reads it after the
  // `.bun-tag`), not for a `git+` clone.
  if (kind === 'bun') return /^github:/i.test(node.resolved ?? '');
  // An archive download is a tarball fetch whose integrity is checked; a git clone's never is.
  return /^https?:\/\//i.test(node.resolved ?? '');
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
