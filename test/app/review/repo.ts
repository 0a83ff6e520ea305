import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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

export type Tree = Readonly<Record<string, string | Buffer>>;

/** Write files (relative POSIX paths) into `dir`. */
export function writeTree(dir: string, files: Tree): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, ...rel.split('/'));
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** A temp git repository with one commit per tree: `base` first, then `head` (if given) on top. */
export function makeRepo(base: Tree, head?: Tree): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-review-test-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeTree(dir, base);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  if (head) {
    writeTree(dir, head);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'head');
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
