import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `test/` mirrors `src/` (CONTRIBUTING, "Where a test goes"): every test folder has a `src/` twin, except these,
 * each with its reason. Adding a folder here needs the same kind of reason written down.
 */
const NO_SRC_TWIN = new Map([
  ['helpers', 'shared test helpers and servers, no tests'],
  ['hostile', 'hostile-input campaign across every stage (test/hostile/README.md)'],
  ['hostile/helpers', 'builders of hostile inputs'],
  ['fixtures', 'rules of the fixtures/ tree itself (no third-party copies)'],
  ['package', 'the packed npm package, installed and run as a user would'],
  ['deps/python', 'Python lockfiles end to end through their parsers and the dependency rules'],
  ['inspect/loaders', 'what the real loaders accept, across containers and analysers'],
  ['inspect/verdicts', 'verdict corpora (benign, malicious, differential) across the pickle analysers'],
]);

/** Folders under `root` that hold a file somewhere below (git keeps no empty folder). */
function folders(root: string, rel = ''): string[] {
  return readdirSync(path.join(root, rel))
    .filter((n) => statSync(path.join(root, rel, n)).isDirectory())
    .flatMap((n) => {
      const sub = rel === '' ? n : `${rel}/${n}`;
      return [sub, ...folders(root, sub)];
    })
    .filter((d) => holdsFile(path.join(root, d)));
}

describe('test/ mirrors src/', () => {
  it('every test folder has a src/ twin or a written reason', () => {
    const strays = folders('test').filter((d) => !NO_SRC_TWIN.has(d) && !exists(path.join('src', d)));
    expect(strays).toEqual([]);
  });

  it('every listed exception still exists and still has no twin', () => {
    const stale = [...NO_SRC_TWIN.keys()].filter((d) => !exists(path.join('test', d)) || exists(path.join('src', d)));
    expect(stale).toEqual([]);
  });
});

function holdsFile(dir: string): boolean {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((n) => statSync(path.join(dir, n)).isFile());
}

function exists(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
