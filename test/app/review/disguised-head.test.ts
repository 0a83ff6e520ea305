import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, reviewHead, reviewWorkTree } from './repo.js';

/**
 * A model behind a source or text name (`.py`, `.json`, `.txt`) added by a commit: `review --head <commit>` must sniff
 * its content as the working-tree head does. Before, the commit path skipped every file the reference finders or the
 * lockfile parsers read, so these passed `--gate any` with no finding, while the Action's working-tree review caught
 * them. One repository for the file: its head commit holds every case, and its work tree holds the same files.
 */
const EVIL_PICKLE = "cos\nsystem\n(S'id'\ntR.";
/** The same call after a STRING longer than the 4 KiB head, popped: `pickle.load` reads any length. */
const PADDED_PICKLE = `S'${'a'.repeat(6000)}'\n0${EVIL_PICKLE}`;
/** A torch zip checkpoint (our own demo fixture) whose data.pkl calls a dangerous global. */
const TORCH_ZIP = readFileSync('fixtures/demo-project/models/contrib/tokenizer_helper.pt');

interface Case {
  name: string;
  path: string;
}
const cases: Case[] = [
  { name: 'a pickle named train.py', path: 'src/train.py' },
  { name: 'a pickle named config.json', path: 'config.json' },
  { name: 'a pickle named notes.txt', path: 'docs/notes.txt' },
  { name: 'a torch zip named weights.json', path: 'weights.json' },
  { name: 'a padded pickle named data.json', path: 'data.json' },
];
const HEAD = {
  'src/train.py': EVIL_PICKLE,
  'config.json': EVIL_PICKLE,
  'docs/notes.txt': EVIL_PICKLE,
  'weights.json': TORCH_ZIP,
  'data.json': PADDED_PICKLE,
};

let repo: { dir: string; cleanup: () => void };
let atCommit: ReviewResult;
let inWorkTree: ReviewResult;
beforeAll(async () => {
  repo = makeRepo({ 'README.md': 'model card\n', 'src/app.py': 'print(1)\n' }, HEAD);
  atCommit = await reviewHead(repo.dir, { gate: 'any' });
  inWorkTree = await reviewWorkTree(repo.dir, { gate: 'any' });
});
afterAll(() => repo.cleanup());

const rulesAt = (r: ReviewResult, p: string) =>
  [...new Set(r.findings.filter((f) => f.location.path === p).map((f) => f.ruleId))].sort();

describe('review --head <commit> sniffs a model disguised with a source or text name', () => {
  it.each(cases)('$name: inspected at the commit as in the work tree', ({ path }) => {
    const want = rulesAt(inWorkTree, path);
    expect(want).toContain('CPX005');
    expect(rulesAt(atCommit, path)).toEqual(want);
    expect(atCommit.models.map((m) => m.path)).toContain(path);
  });

  it('the gate fails on the commit head', () => {
    expect(atCommit.gate?.passed).toBe(false);
  });

  it('an unchanged ordinary source file is not inspected as a model', () => {
    expect(atCommit.models.map((m) => m.path)).not.toContain('src/app.py');
  });
});
