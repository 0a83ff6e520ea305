import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../src/core/context.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { reviewChange, type ReviewRequest, type ReviewResult } from '../../../src/app/review/index.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { REPO } from '../../helpers/cli.js';
import { testOptions } from '../../helpers/scan.js';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'chainproof-test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'chainproof-test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
}

import { writeTree, type Tree } from '../../helpers/temp-tree.js';

export { writeTree, type Tree };

/**
 * A temp git repository with one commit per tree: `base` first, then `head` (if given) on top, which also deletes the
 * paths in `remove`; the work tree holds both, head's files over base's, without the removed ones. The commits are
 * written by one `git fast-import` rather than `add` + `commit` per tree, and the empty repository is a copy of one
 * `git init` made once per worker process: one git process per repository (each process started from a test worker
 * costs about 20-30 ms of CPU; the review tests build about a hundred and fifty repositories). The index is left
 * empty: a review reads commits (`git cat-file`) and work-tree files (`hash-object`), never the index.
 */
export function makeRepo(
  base: Tree,
  head?: Tree,
  remove: readonly string[] = [],
): { dir: string; cleanup: () => void } {
  return makeHistory([{ files: base }, ...(head ? [{ files: head, remove }] : [])]);
}

/**
 * One commit of makeHistory: files added or changed, paths deleted, gitlinks (path → a submodule's commit), symbolic
 * links (path → target, also made in the work tree).
 */
export interface CommitSpec {
  readonly files?: Tree;
  readonly remove?: readonly string[];
  readonly gitlinks?: Readonly<Record<string, string>>;
  readonly symlinks?: Readonly<Record<string, string>>;
}

/** A temp repository with these commits on main, in order, by one `git fast-import` (as makeRepo). */
export function makeHistory(commits: readonly CommitSpec[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-review-test-'));
  cpSync(emptyGitDir(), path.join(dir, '.git'), { recursive: true });
  // A later commit to the same branch in one import has the one before as its parent.
  const stream = commits.map((c, i) => commitRecord(['base', 'head'][i] ?? `commit ${i}`, c));
  // fastimport.unpackLimit=0 keeps the import's pack as it is: with fewer than 100 objects (the default limit)
  // fast-import starts `git unpack-objects` to turn it into loose objects (fast-import.c, end_packfile), a second
  // process that cost more CPU than the import. Packed or loose, `cat-file` reads the same objects.
  execFileSync('git', ['-c', 'fastimport.unpackLimit=0', 'fast-import', '--quiet', '--done'], {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV },
    input: Buffer.concat([...stream, Buffer.from('done\n')]),
  });
  for (const c of commits) {
    writeTree(dir, c.files ?? {});
    for (const rel of c.remove ?? []) rmSync(path.join(dir, ...rel.split('/')), { force: true });
    for (const [rel, target] of Object.entries(c.symlinks ?? {})) {
      const abs = path.join(dir, ...rel.split('/'));
      rmSync(abs, { force: true });
      mkdirSync(path.dirname(abs), { recursive: true });
      symlinkSync(target, abs);
    }
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The `.git` of `git init -b main --template=` (no sample hooks: HEAD, config and the empty object and ref folders),
 * made once into the test cache folder and copied by makeRepo. Made aside and renamed into place, so two workers
 * starting at once both end with a whole one.
 */
function emptyGitDir(): string {
  const target = path.join(REPO, 'node_modules', '.cache', 'chainproof-test', 'empty-git-repo');
  if (!existsSync(target)) {
    mkdirSync(path.dirname(target), { recursive: true });
    const aside = mkdtempSync(`${target}-`);
    git(aside, 'init', '-q', '-b', 'main', '--template=');
    try {
      renameSync(aside, target);
    } catch {
      rmSync(aside, { recursive: true, force: true }); // another worker's is in place
    }
  }
  return path.join(target, '.git');
}

/** One commit on main in fast-import's format, its files inline (modified or added; others stay as they were). */
function commitRecord(message: string, { files = {}, remove = [], gitlinks = {}, symlinks = {} }: CommitSpec): Buffer {
  const who = `${GIT_ENV.GIT_COMMITTER_NAME} <${GIT_ENV.GIT_COMMITTER_EMAIL}> 1767225600 +0000`;
  const parts: Buffer[] = [
    Buffer.from(
      `commit refs/heads/main\nauthor ${who}\ncommitter ${who}\ndata ${Buffer.byteLength(message)}\n${message}\n`,
    ),
  ];
  const plain = (rel: string) => {
    if (/^"|\n/.test(rel)) throw new Error(`makeRepo: a path fast-import would need quoted: ${JSON.stringify(rel)}`);
    return rel;
  };
  for (const rel of remove) parts.push(Buffer.from(`D ${plain(rel)}\n`));
  for (const [rel, content] of Object.entries(files)) {
    const bytes = Buffer.from(content);
    parts.push(Buffer.from(`M 100644 inline ${plain(rel)}\ndata ${bytes.length}\n`), bytes, Buffer.from('\n'));
  }
  for (const [rel, commit] of Object.entries(gitlinks)) parts.push(Buffer.from(`M 160000 ${commit} ${plain(rel)}\n`));
  for (const [rel, target] of Object.entries(symlinks))
    parts.push(Buffer.from(`M 120000 inline ${plain(rel)}\ndata ${Buffer.byteLength(target)}\n${target}\n`));
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/**
 * `chainproof review HEAD~1..HEAD` of a repository, as the review tests run it: the default policy, an empty trusted
 * registry, offline test options, silent, on a pinned day. `over` changes any field of the request.
 */
export function reviewHead(dir: string, over: Partial<ReviewRequest> = {}): Promise<ReviewResult> {
  return reviewChange({ dir, base: 'HEAD~1', head: 'HEAD', ...testRequest(), ...over });
}

/**
 * A reviewer of base → head changes with the gate at `any`, as most review tests ask: each call builds a repository
 * (makeRepo), and `cleanup` removes every one made (call it in afterAll).
 */
export function pairReviewer(): {
  review: (base: Tree, head: Tree) => Promise<ReviewResult>;
  cleanup: () => void;
} {
  const cleanups: (() => void)[] = [];
  return {
    review: (base, head) => {
      const repo = makeRepo(base, head);
      cleanups.push(repo.cleanup);
      return reviewHead(repo.dir, { gate: 'any' });
    },
    cleanup: () => cleanups.forEach((c) => c()),
  };
}

/** The same review with the work tree as the head (what the Action reviews): `head` left out. */
export function reviewWorkTree(dir: string, over: Partial<Omit<ReviewRequest, 'head'>> = {}): Promise<ReviewResult> {
  return reviewChange({ dir, base: 'HEAD~1', ...testRequest(), ...over });
}

function testRequest() {
  return {
    policy: DEFAULT_POLICY,
    registry: EMPTY_REGISTRY,
    options: testOptions(),
    logger: silentLogger,
    today: '2026-01-01',
  };
}

/** A review's model-reference findings (CPU011 moved, CPU012 new unpinned, CPU032 retargeted), `rule@path:line:level`. */
export function referenceFindings(r: ReviewResult): string[] {
  return r.findings
    .filter((f) => /^CPU0(11|12|32)$/.test(f.ruleId))
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}:${f.level}`);
}
