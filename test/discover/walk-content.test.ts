import { describe, expect, it } from 'vitest';
import { copyOf } from '../../src/core/files.js';
import {
  DEFAULT_SKIP_DIRS,
  KEEP_BUDGET,
  KEEP_FILE_MAX,
  walkTree,
  type ContentFilter,
} from '../../src/discover/walk.js';
import { isReferenceSource, ownReferenceSources } from '../../src/refs/sources.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-walk-content-');

/** Keeps every reference source whole, into the walk's own buffer. */
const everySource: ContentFilter = {
  kind: (rel) => (isReferenceSource(rel) ? 1 : 0),
  keep: (_kind, read, n) => copyOf(read, n),
};

const walk = (root: string, keep = true, keepBudget = KEEP_BUDGET) =>
  walkTree(root, {
    include: [],
    exclude: [],
    skipDirs: DEFAULT_SKIP_DIRS,
    keepBudget,
    ...(keep ? { content: everySource } : {}),
  });

/** The refs stage's source files come whole from the walk's one read when small (issue 15: read once). */
describe('walkTree content filter', () => {
  const big = 'x = 1\n'.repeat(Math.ceil(KEEP_FILE_MAX / 6));
  it.each([
    ['small-python-kept', 'app.py', 'import os\n', true],
    ['past-the-sniff-head-kept-whole', 'web/app.js', 'const a = 1;\n'.repeat(800), true],
    ['exactly-the-file-limit-kept', 'limit.py', 'x'.repeat(KEEP_FILE_MAX), true],
    ['over-the-file-limit-not-kept', 'big.py', big, false],
    ['not-a-reference-source', 'README.md', '# readme\n', false],
    ['empty-source-kept', 'empty.ts', '', true],
    ['a-pickle-named-py-is-not-other', 'evil.py', Buffer.from([0x80, 0x02, 0x4b, 0x01, 0x2e]), false],
  ])('%s', async (_case, rel, content, kept) => {
    const r = await walk(tree({ [rel]: content }));
    const file = r.files.find((f) => f.path === rel)!;
    expect(file.content !== undefined).toBe(kept);
    if (kept) expect(file.content!.equals(Buffer.from(content))).toBe(true);
  });

  it('keeps nothing when the caller asks for nothing (scan --no-refs)', async () => {
    const r = await walk(tree({ 'app.py': 'import os\n' }), false);
    expect(r.files[0]!.content).toBeUndefined();
  });

  it('stops keeping past the budget: memory stays bounded whatever the number of files', async () => {
    const files: Record<string, string> = {};
    const budget = 3 * KEEP_FILE_MAX + 10;
    const count = 6;
    for (let i = 0; i < count; i++) files[`src/m${i}.py`] = 'y'.repeat(KEEP_FILE_MAX);
    const r = await walk(tree(files), true, budget);
    const kept = r.files.filter((f) => f.content !== undefined);
    expect(kept.reduce((n, f) => n + f.content!.length, 0)).toBeLessThanOrEqual(budget);
    expect(kept.map((f) => f.path)).toEqual(['src/m0.py', 'src/m1.py', 'src/m2.py']);
    expect(r.files.length).toBe(count);
  });
});

/** With the refs stage's own test, the walk keeps only the bytes that may name a model and marks the rest read. */
// As the scan runs it (reading into the pre-filter's own memory), and into the walk's own buffer.
const { buffer: _ownBuffer, ...intoWalkBuffer } = ownReferenceSources;
describe.each([
  ['into the pre-filter memory', ownReferenceSources],
  ['into the walk buffer', intoWalkBuffer],
] as const)('walkTree content filter of the byte pre-filter (ownReferenceSources), read %s', (_where, content) => {
  const walkOwn = (root: string) => walkTree(root, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS, content });
  it.each([
    ['loader-call-kept', 'app.py', 'm = AutoModel.from_pretrained("org/m")\n', 'kept'],
    ['plain-source-declined', 'util.py', 'def add(a, b):\n    return a + b\n', 'declined'],
    ['config-with-model-key-kept', 'cfg.yaml', 'model_name_or_path: org/m\n', 'kept'],
    ['config-without-model-key-declined', 'cfg.json', '{"lr": 0.1}\n', 'declined'],
    ['installed-package-not-read-whole', 'venv/lib/site-packages/x.py', 'm = A.from_pretrained("a/b")\n', 'neither'],
    ['over-the-file-limit-not-read-whole', 'big.py', 'x = 1\n'.repeat(KEEP_FILE_MAX), 'neither'],
    ['not-a-reference-source', 'notes.txt', 'from_pretrained\n', 'neither'],
  ])('%s', async (_case, rel, content, want) => {
    const r = await walkOwn(tree({ [rel]: content }));
    const file = r.files.find((f) => f.path === rel)!;
    const got = file.content !== undefined ? 'kept' : file.contentDeclined ? 'declined' : 'neither';
    expect(got).toBe(want);
  });

  // The walk reads every file into one reused buffer: what it keeps must be each file's own bytes, never a view of
  // that buffer (the next read would overwrite it) nor a longer file's leftover tail.
  it('kept bytes are each file own, whatever was read before and after', async () => {
    const files = {
      'a/1-long.py': 'm = M.from_pretrained("org/long")\n' + '# padding\n'.repeat(2000),
      'a/2-short.py': 'M.from_pretrained("a/b")\n',
      'a/3-declined.py': 'z'.repeat(50_000),
      'a/4-short.yaml': 'model_id: c/d\n',
    };
    const r = await walkOwn(tree(files));
    for (const [rel, text] of Object.entries(files)) {
      const file = r.files.find((f) => f.path === rel)!;
      if (rel.includes('declined')) expect(file.contentDeclined).toBe(true);
      else expect(file.content?.toString('utf8')).toBe(text);
    }
  });
});
