import { redactUrls } from '../../deps/checks/finding.js';
import { checkRef, resolveCommit, run } from './git.js';

/** What became of a revision that is not in the clone: fetched from `origin`, or why it could not be. */
export type CommitLookup =
  { readonly kind: 'found'; readonly commit: string } | { readonly kind: 'missing'; readonly why: string };

const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** `refs/remotes/pull/<N>/merge` is where actions/checkout stores a pull request's merge commit (fetch-depth 1). */
const PULL_REF = /^refs\/(?:remotes\/)?pull\/([0-9]{1,9})\//;
const MAX_PULLS = 3;

/**
 * A revision of the review (base, or a `--head` commit), fetching it when the clone lacks it. `actions/checkout`
 * clones one commit (the merge commit of a pull request, detached, `origin` = the base repository), so neither the
 * base SHA nor the pull request's head SHA is there. First `git fetch --depth=1 origin <sha>`: GitHub serves any
 * reachable commit by SHA. A server that serves only advertised refs (protocol v0 without
 * `uploadpack.allowReachableSHA1InWant`) refuses that, and a fork's head lives in no branch of `origin`: then the
 * pull request's own refs, which the base repository keeps for forks too — `refs/pull/<N>/merge` two deep (the merge
 * commit, the base it was made on and the head), then `refs/pull/<N>/head` — with N from the refs the checkout left
 * or `GITHUB_REF`. Only a full SHA, or any ref in a shallow clone, is treated as "not fetched yet"; another name
 * that does not resolve is the user's mistake (UsageError). Offline, nothing is fetched.
 */
export async function findCommit(
  dir: string,
  ref: string,
  mayFetch: boolean,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CommitLookup> {
  checkRef(ref);
  const first = await resolveCommit(dir, ref).catch((err: unknown) => err as Error);
  if (typeof first === 'string') return { kind: 'found', commit: first };
  const shallow =
    (await run(dir, ['rev-parse', '--is-shallow-repository']).catch(() => Buffer.from(''))).toString('utf8').trim() ===
    'true';
  const sha = FULL_SHA.test(ref);
  if (!sha && !shallow) throw first;
  const clone = shallow
    ? 'a shallow clone (actions/checkout fetches one commit unless fetch-depth is 0)'
    : 'this clone';
  if (!mayFetch) return { kind: 'missing', why: `${ref} is not in ${clone}, and --offline forbids fetching it` };
  const failed = await fetchOrigin(dir, ref, 1);
  if (failed === undefined) {
    const got = await resolveCommit(dir, sha ? ref : 'FETCH_HEAD').catch(() => undefined);
    if (got !== undefined) return { kind: 'found', commit: got };
  }
  const tried = ['the commit itself'];
  if (sha) {
    for (const n of await pullNumbers(dir, env)) {
      for (const [spec, depth] of [
        [`refs/pull/${n}/merge`, 2],
        [`refs/pull/${n}/head`, 1],
      ] as const) {
        tried.push(spec);
        if ((await fetchOrigin(dir, spec, depth)) !== undefined) continue;
        const got = await resolveCommit(dir, ref).catch(() => undefined);
        if (got !== undefined) return { kind: 'found', commit: got };
      }
    }
  }
  const why = failed ? ` (${redactUrls(failed.message.slice(0, 200))})` : '';
  return {
    kind: 'missing',
    why: `${ref} is not in ${clone} and could not be fetched from origin (tried ${tried.join(', ')})${why}`,
  };
}

/** One `git fetch` of `spec` from origin, `depth` commits deep, no local ref written; the error when it fails. */
function fetchOrigin(dir: string, spec: string, depth: number): Promise<Error | undefined> {
  return run(dir, ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--depth=${depth}`, 'origin', spec])
    .then(() => undefined)
    .catch((err: unknown) => err as Error);
}

/** Pull-request numbers this clone was checked out for: its `refs/remotes/pull/<N>/…` refs, then `GITHUB_REF`. */
async function pullNumbers(dir: string, env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const refs = (
    await run(dir, ['for-each-ref', '--format=%(refname)', 'refs/remotes/pull/']).catch(() => Buffer.from(''))
  )
    .toString('utf8')
    .split('\n');
  const found = new Set<string>();
  for (const r of [...refs, env['GITHUB_REF'] ?? '']) {
    const n = PULL_REF.exec(r)?.[1];
    if (n !== undefined) found.add(n);
  }
  return [...found].slice(0, MAX_PULLS);
}
