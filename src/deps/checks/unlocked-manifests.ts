import type { Finding } from '../../core/finding.js';
import { packageArtifact } from '../../core/finding.js';
import { redactUrls } from '../../core/redact-userinfo.js';
import { classifySpec, hostOf } from '../source.js';
import { FULL_SHA, lockedGitRef } from './git-pin.js';
import type { LoadedManifest } from './sync.js';
import type { CheckPolicy } from './context.js';
import { levelOf } from './context.js';
import { strMap } from '../types.js';

/** The fields `npm install` (and yarn, pnpm, bun) installs in the project itself. */
const INSTALLED_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** A folder with a lockfile, and which folders below it its project installs as workspaces. */
export interface LockedProject {
  readonly dir: string;
  /** Whether a folder (relative to `dir`) is one of the project's workspaces. */
  readonly lists: (rel: string) => boolean;
}

/**
 * Whether a lockfile's project holds a package.json: the lockfile is beside it, or in a folder whose project lists
 * its folder among the workspaces (package.json `workspaces`, pnpm-workspace.yaml `packages`). npm (arborist's
 * `#mapWorkspaces`), yarn, pnpm and bun run in any other folder take that folder as the project, look for the lockfile
 * beside its package.json and, finding none, resolve every spec afresh: a lockfile above that does not list the folder
 * locks nothing of it.
 */
export function lockedBy(manifest: string, projects: readonly LockedProject[]): boolean {
  const dir = manifest.includes('/') ? manifest.slice(0, manifest.lastIndexOf('/')) : '';
  return projects.some(
    (p) =>
      dir === p.dir ||
      (p.dir === '' ? p.lists(dir) : dir.startsWith(`${p.dir}/`) && p.lists(dir.slice(p.dir.length + 1))),
  );
}

/**
 * A package.json no lockfile pins, judged by what its specs fetch at every install (the lockfile rules judge the
 * entries a lockfile pins; here there is none):
 * - CPD023: a git dependency whose committish is a branch, tag, `semver:` range or nothing (the default branch).
 *   pacote's GitFetcher takes only a 40-hex committish as resolved and otherwise asks the remote (`#resolvedFromRepo`);
 *   with no lockfile to hold the commit it resolves, every install takes what the ref names that day.
 * - CPD006: a tarball over http:, fetched without transport security at every install.
 * - CPD008: a tarball URL, whose bytes nothing pins (no lockfile `integrity`).
 * - CPD007 / CPD009: a git spec pinned to a full commit, a `file:` path: graded by the policy's `sources` as the same
 *   spec under a lockfile is (sources.ts), so an organisation that forbids git sources hears of it either way.
 * Registry ranges and `link:` are not judged (a registry range unlocked is how every library without a lockfile is
 * published; it is not an attack).
 */
export function checkUnlockedManifests(manifests: readonly LoadedManifest[], policy: CheckPolicy): Finding[] {
  const out: Finding[] = [];
  for (const m of manifests) {
    for (const field of INSTALLED_FIELDS) {
      for (const [name, spec] of Object.entries(strMap((m.data as Record<string, unknown>)[field]))) {
        const finding = judgeSpec(name, spec);
        // A source the policy grades (CPD007/CPD008/CPD009) at the level it gives a locked one (sources.ts).
        const level = finding?.policed === undefined ? undefined : levelOf(policy.sources[finding.policed]);
        if (finding === undefined || (finding.policed !== undefined && level === undefined)) continue;
        const line = m.lines.get(`${field}\0${name}`);
        out.push({
          ruleId: finding.ruleId,
          message: redactUrls(
            `${m.file} declares ${name} in ${field} ${finding.what}, and no lockfile pins it: ${finding.why} ${finding.todo}`,
          ),
          location: { path: m.file, ...(line !== undefined ? { line } : {}) },
          artifact: packageArtifact('npm', name, ''),
          evidence: { declared: redactUrls(spec), field },
          ...(level !== undefined ? { level } : {}),
        });
      }
    }
  }
  return out;
}

interface SpecVerdict {
  readonly ruleId: string;
  /** The policy's `sources` setting that gives the finding its level (and turns it off); none: the rule's own. */
  readonly policed?: 'git' | 'tarball' | 'file';
  readonly what: string;
  readonly why: string;
  readonly todo: string;
}

const LOCK_IT =
  'Commit the lockfile the package manager writes (npm install, yarn, pnpm install, bun install) and install with it frozen in CI';

function judgeSpec(name: string, declared: string): SpecVerdict | undefined {
  // Trimmed once, and that value judged throughout: classified trimmed but tested raw, " http://…" was not http.
  const spec = declared.trim();
  const source = classifySpec(spec);
  if (source === 'git') {
    const ref = lockedGitRef(spec);
    if (FULL_SHA.test(ref))
      return {
        ruleId: 'CPD007',
        policed: 'git',
        what: `from git (${spec}) at commit ${ref}`,
        why: 'the commit fixes what is installed, but it comes from the git host, not from a registry.',
        todo: `Prefer a registry version of ${name}.`,
      };
    return {
      ruleId: 'CPD023',
      what: `from git (${spec}) ${ref === '' ? 'at its default branch' : `at ${ref}, not a commit`}`,
      why: 'every install resolves the ref again and installs whatever it names that day, with no integrity checked.',
      todo: `Pin a full commit SHA (#<40 hex>), or depend on a registry version of ${name}; ${LOCK_IT.charAt(0).toLowerCase()}${LOCK_IT.slice(1)}.`,
    };
  }
  // A link: (or workspace:) is the repository's own code, as a lockfile's `link` entry is (sources.ts says nothing).
  if (source === 'file')
    return {
      ruleId: 'CPD009',
      policed: 'file',
      what: `from a local path (${spec})`,
      why: 'whatever that path holds when the install runs is installed.',
      todo: `Use a workspace or a published version of ${name}.`,
    };
  if (source !== 'tarball') return undefined;
  if (/^http:/i.test(spec))
    return {
      ruleId: 'CPD006',
      what: `from a tarball over http: (${spec})`,
      why: 'every install fetches it without transport security, so anyone on the network path can replace it.',
      todo: `Use https, or a registry version of ${name}.`,
    };
  return {
    ruleId: 'CPD008',
    policed: 'tarball',
    what: `from a tarball URL on ${hostOf(spec) ?? 'another host'} (${spec})`,
    why: 'no integrity pins its bytes, so whatever the URL serves at install time is installed.',
    todo: `Depend on a registry version of ${name}, or ${LOCK_IT.charAt(0).toLowerCase()}${LOCK_IT.slice(1)} so the integrity is recorded.`,
  };
}
