import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewRequest } from '../../../src/app/review/index.js';
import type { RegistryLookup } from '../../../src/app/review/online.js';
import { testOptions } from '../../helpers/scan.js';
import { git, makeRepo, reviewHead, reviewWorkTree } from './repo.js';

/**
 * A pull request from a fork, as the Action sees it. `origin` is the base repository (a bare repo on disk, reached by
 * `file://`): `main` has moved on since the pull request's base commit B, and the fork's head H is in no branch of
 * it, only under `refs/pull/1/head`, with the merge commit M (parents B and H) under `refs/pull/1/merge`. The clone
 * is what `actions/checkout` leaves: M fetched one deep into `refs/remotes/pull/1/merge`, HEAD detached at it.
 * Each case reviews its own copy of that clone (copied, not cloned: the fetches change it, and git runs stay few).
 */
const EVIL_PICKLE = "cos\nsystem\n(S'id'\ntR.";
const WHO = 'chainproof-test <test@example.invalid> 1767225600 +0000';
const GIT_ENV = { GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() };

let top: string;
let template: string;
let B: string;
let H: string;

/** One fast-import: B on main, H (adds the pickle) on refs/pull/1/head, M merging H into B, then main moves on. */
function importStream(): string {
  const commit = (ref: string, mark: number, msg: string, extra: string, files: Record<string, string>) =>
    [
      `commit ${ref}`,
      `mark :${mark}`,
      `author ${WHO}`,
      `committer ${WHO}`,
      `data ${msg.length}`,
      msg,
      ...(extra ? [extra] : []),
      ...Object.entries(files).flatMap(([p, c]) => [`M 100644 inline ${p}`, `data ${Buffer.byteLength(c)}`, c]),
      '',
    ].join('\n');
  return [
    commit('refs/heads/main', 1, 'base', '', { 'README.md': 'model card\n' }),
    commit('refs/pull/1/head', 2, 'fork head', 'from :1', { 'models/clf.pkl': EVIL_PICKLE }),
    commit('refs/pull/1/merge', 3, 'merge', 'from :1\nmerge :2', { 'models/clf.pkl': EVIL_PICKLE }),
    commit('refs/heads/main', 4, 'main moves on', 'from :1', { 'README.md': 'model card, v2\n' }),
    'done',
    '',
  ].join('\n');
}

beforeAll(() => {
  top = mkdtempSync(path.join(tmpdir(), 'chainproof-review-fork-'));
  const origin = path.join(top, 'origin.git');
  template = path.join(top, 'checkout');
  git(top, 'init', '-q', '--bare', origin);
  execFileSync('git', ['fast-import', '--quiet', '--done'], {
    cwd: origin,
    env: { ...process.env, ...GIT_ENV },
    input: importStream(),
  });
  [B = '', H = ''] = git(origin, 'rev-parse', 'main~1', 'refs/pull/1/head').trim().split('\n');
  git(top, 'init', '-q', template);
  git(template, 'remote', 'add', 'origin', `file://${origin}`);
  git(template, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', '+refs/pull/1/merge:refs/remotes/pull/1/merge');
  git(template, 'checkout', '-q', '--detach', 'refs/remotes/pull/1/merge');
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

/**
 * A fresh copy of the Action's clone; `v0` makes it speak protocol v0, where a server refuses unadvertised SHAs.
 * `target` drops the pull request's ref, as a `pull_request_target` run checks out the head SHA it was given.
 */
function checkout(name: string, v0 = false, target = false): string {
  const dir = path.join(top, name);
  cpSync(template, dir, { recursive: true });
  if (v0) appendFileSync(path.join(dir, '.git', 'config'), '[protocol]\n\tversion = 0\n');
  if (target) git(dir, 'update-ref', '-d', 'refs/remotes/pull/1/merge');
  return dir;
}

/** The event payload file of a `pull_request_target` run for pull request 1 (GITHUB_REF is the base branch's). */
function targetEnv(): Record<string, string> {
  const file = path.join(top, 'event.json');
  writeFileSync(file, JSON.stringify({ action: 'opened', number: 1, pull_request: { number: 1, head: { sha: H } } }));
  return { GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_PATH: file };
}

const NO_REGISTRY: RegistryLookup = {
  packument: () => Promise.reject(new Error('no registry in this test')),
  attestations: () => Promise.reject(new Error('no registry in this test')),
};
const ONLINE: Partial<ReviewRequest> = { options: testOptions({ offline: false }), lookup: NO_REGISTRY, gate: 'any' };

interface Case {
  name: string;
  v0?: boolean;
  /** A `pull_request_target` checkout: no pull request ref in the clone. */
  target?: boolean;
  request: () => Partial<ReviewRequest>;
  /** Review the work tree (the Action), not `head`. */
  workTree?: true;
  want: string[];
  /** Which revision a CPU022 names. */
  missing?: 'base' | 'head';
}
const cases: Case[] = [
  {
    name: 'the Action (work-tree head), base B fetched by SHA → the fork pickle is reported',
    request: () => ({ ...ONLINE, base: B }),
    workTree: true,
    want: ['CPI001:error@models/clf.pkl'],
  },
  {
    name: '--head <fork head SHA>, in no branch of origin → fetched, the fork pickle is reported',
    request: () => ({ ...ONLINE, base: B, head: H }),
    want: ['CPI001:error@models/clf.pkl'],
  },
  {
    name: 'a server refusing unadvertised SHAs: base and head come from refs/pull/1/merge → reported',
    v0: true,
    request: () => ({ ...ONLINE, base: B, head: H }),
    want: ['CPI001:error@models/clf.pkl'],
  },
  {
    name: 'the Action against such a server: base B from refs/pull/1/merge → reported',
    v0: true,
    request: () => ({ ...ONLINE, base: B }),
    workTree: true,
    want: ['CPI001:error@models/clf.pkl'],
  },
  {
    name: '--head <short SHA of the fork head> (no server takes one) → found in refs/pull/1/* → reported',
    request: () => ({ ...ONLINE, base: B, head: H.slice(0, 10) }),
    want: ['CPI001:error@models/clf.pkl'],
  },
  {
    name: 'the Action with a short base SHA → found through refs/pull/1/merge → reported',
    request: () => ({ ...ONLINE, base: B.slice(0, 8).toUpperCase() }),
    workTree: true,
    want: ['CPI001:error@models/clf.pkl'],
  },
  {
    name: 'pull_request_target: no pull ref in the clone, GITHUB_REF on main, the number from the event payload → reported',
    v0: true,
    target: true,
    request: () => ({ ...ONLINE, options: testOptions({ offline: false, env: targetEnv() }), base: B, head: H }),
    want: ['CPI001:error@models/clf.pkl'],
  },
  {
    name: 'a short SHA nothing has → one CPU022 naming the head',
    request: () => ({ ...ONLINE, base: B, head: 'deadbee' }),
    want: ['CPU022:error@.'],
    missing: 'head',
  },
  {
    name: 'the null commit (github.event.before of a new branch) as the base → one CPU022 naming the base',
    request: () => ({ ...ONLINE, base: '0'.repeat(40) }),
    workTree: true,
    want: ['CPU022:error@.'],
    missing: 'base',
  },
  {
    name: 'a --head SHA origin does not have at all → one CPU022 naming the head, nothing compared',
    request: () => ({ ...ONLINE, base: B, head: 'f'.repeat(40) }),
    want: ['CPU022:error@.'],
    missing: 'head',
  },
  {
    name: 'offline, nothing is fetched → one CPU022 naming the base (read first)',
    request: () => ({ base: B, head: H, gate: 'any' }),
    want: ['CPU022:error@.'],
    missing: 'base',
  },
];

describe('review of a pull request from a fork (actions/checkout clone)', () => {
  it.each(cases)('$name', async ({ name, v0, target, request, workTree, want, missing }) => {
    const dir = checkout(name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60), v0, target);
    const r = workTree ? await reviewWorkTree(dir, request()) : await reviewHead(dir, request());
    const got = r.findings
      .filter((f) => f.ruleId === 'CPI001' || f.ruleId === 'CPU022')
      .map((f) => `${f.ruleId}:${f.level}@${f.location.path}`);
    expect([...new Set(got)]).toEqual(want);
    expect(r.gate?.passed).toBe(false);
    if (missing !== undefined) {
      expect(r.findings).toHaveLength(1);
      expect(r.findings[0]?.evidence?.[missing]).toBe(request()[missing]);
      expect(r.scan.complete).toBe(false);
    } else expect(r.base.commit).toBe(B);
  });
});

describe('a short SHA in a full clone', () => {
  it('one that does not resolve is CPU022 (one finding), not a usage error', async () => {
    const repo = makeRepo({ 'README.md': 'a\n' }, { 'README.md': 'b\n' });
    try {
      const r = await reviewHead(repo.dir, { base: 'cafe1234', gate: 'any' });
      expect(r.findings.map((f) => `${f.ruleId}:${String(f.evidence?.['base'])}`)).toEqual(['CPU022:cafe1234']);
      expect(r.gate?.passed).toBe(false);
      const ok = await reviewHead(repo.dir, { base: git(repo.dir, 'rev-parse', '--short=7', 'HEAD~1').trim() });
      expect(ok.findings).toEqual([]);
    } finally {
      repo.cleanup();
    }
  });
});
