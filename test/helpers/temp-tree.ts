import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export type Tree = Readonly<Record<string, string | Buffer>>;

/** Write files (relative POSIX paths) into `dir`, making their folders. */
export function writeTree(dir: string, files: Tree): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, ...rel.split('/'));
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/**
 * Temporary folders of files for one test file: the function it returns writes a tree into a new folder (named with
 * `prefix`) and gives its path; every folder made is removed after the file's tests.
 */
export function tempTrees(prefix: string): (files: Tree) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return (files) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    writeTree(dir, files);
    return dir;
  };
}
