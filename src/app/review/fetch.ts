import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { checkRef, resolveCommit, run } from './git.js';

/** What became of a revision that is not in the clone: fetched from `origin`, or why it could not be. */
export type CommitLookup =
  { readonly kind: 'found'; readonly commit: string } | { readonly kind: 'missing'; readonly why: string };

const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** An abbreviated object name as `git rev-parse` takes it (at least 4 hex digits, `core.abbrev`'s minimum). */
const SHORT_SHA = /^[0-9a-f]{4,63}$/;
/** The "before" of a push that created a branch (`github.event.before`): no commit at all. */
const NULL_SHA = /^0{40}(0{24})?$/;
/** Largest event payload read for a pull-request number (GitHub caps webhook payloads at 25 MB). */
const MAX_EVENT_BYTES = 25 * 1024 * 1024;
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
 * `GITHUB_REF` or the event payload (`GITHUB_EVENT_PATH`: a `pull_request_target` run has `GITHUB_REF` on the base
 * branch). A short SHA cannot be fetched (a server takes only full object names in a want): it is looked up again
 * after each fetch, as `git rev-parse` would resolve it. A SHA, short or full, or any ref in a shallow clone, is
 * treated as "not fetched yet" and ends in CPU022 when it cannot be found; another name that does not resolve is the
 * user's mistake (UsageError). Offline, nothing is fetched.
 */
export async function findCommit(
  dir: string,
  ref: string,
  mayFetch: boolean,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CommitLookup> {
  ref = revisionOf(ref);
  if (NULL_SHA.test(ref))
    return { kind: 'missing', why: `${ref} is the null commit (a push that created its branch has no base)` };
  const first = await resolveCommit(dir, ref).catch((err: unknown) => err as Error);
  if (typeof first === 'string') return { kind: 'found', commit: first };
  const shallow =
    (await run(dir, ['rev-parse', '--is-shallow-repository']).catch(() => Buffer.from(''))).toString('utf8').trim() ===
    'true';
  const full = FULL_SHA.test(ref);
  const sha = full || SHORT_SHA.test(ref);
  if (!sha && !shallow)
    throw new UsageError(
      `the revision ${JSON.stringify(ref)} names no commit in this repository (${first.message.split('\n')[0]!.slice(0, 200)}). Give a branch, tag or commit SHA that exists here (git fetch it first).`,
      { cause: first },
    );
  const clone = shallow
    ? 'a shallow clone (actions/checkout fetches one commit unless fetch-depth is 0)'
    : 'this clone';
  const ambiguous = / ambiguous/.test(first.message) ? ' (the short SHA is ambiguous: give more digits)' : '';
  if (!mayFetch)
    return { kind: 'missing', why: `${ref} is not in ${clone}${ambiguous}, and --offline forbids fetching it` };
  // A short SHA names no ref and no full object: nothing to ask the server for by itself.
  const failed = full || !sha ? await fetchOrigin(dir, ref, 1) : undefined;
  if (failed === undefined && (full || !sha)) {
    const got = await resolveCommit(dir, sha ? ref : 'FETCH_HEAD').catch(() => undefined);
    if (got !== undefined) return { kind: 'found', commit: got };
  }
  const tried = full || !sha ? ['the commit itself'] : [];
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
  const what =
    tried.length > 0 ? `tried ${tried.join(', ')}` : 'a short SHA cannot be fetched, and no pull request ref was found';
  return {
    kind: 'missing',
    why: `${ref} is not in ${clone}${ambiguous} and could not be fetched from origin (${what})${why}`,
  };
}

/** A revision as the review asks git for it: refused when git could read it as an option (checkRef), hex lowercased. */
export function revisionOf(ref: string): string {
  checkRef(ref);
  // Object names are hex in either case to git; a server's want line takes lowercase.
  return /^[0-9A-Fa-f]{4,64}$/.test(ref) ? ref.toLowerCase() : ref;
}

/** One `git fetch` of `spec` from origin, `depth` commits deep, no local ref written; the error when it fails. */
function fetchOrigin(dir: string, spec: string, depth: number): Promise<Error | undefined> {
  return run(dir, ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--depth=${depth}`, 'origin', spec])
    .then(() => undefined)
    .catch((err: unknown) => err as Error);
}

/**
 * Pull-request numbers this clone was checked out for: its `refs/remotes/pull/<N>/…` refs, `GITHUB_REF`, then the
 * event payload's `pull_request.number` (`pull_request_target`, `issue_comment` runs keep the base branch's ref).
 */
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
  const fromEvent = await eventPullNumber(env['GITHUB_EVENT_PATH']);
  if (fromEvent !== undefined) found.add(fromEvent);
  return [...found].slice(0, MAX_PULLS);
}

/** `pull_request.number` (or `issue.number` of a pull-request comment) from the event payload file; runner-written. */
async function eventPullNumber(file: string | undefined): Promise<string | undefined> {
  if (file === undefined || file === '') return undefined;
  const size = await stat(file).then(
    (s) => (s.isFile() ? s.size : Infinity),
    () => Infinity,
  );
  if (size > MAX_EVENT_BYTES) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const at = (o: unknown, k: string): unknown =>
    o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
  const issue = at(event, 'issue');
  const n =
    at(at(event, 'pull_request'), 'number') ??
    (at(issue, 'pull_request') !== undefined ? at(issue, 'number') : undefined);
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? String(n) : undefined;
}
