import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, referenceFindings, reviewHead } from './repo.js';

/**
 * A model reference in code that the change re-points: from a commit pin to a branch (CPU011, now an error: the pin
 * is gone), or to another repository at the same call (CPU032; an error for a look-alike id, a typosquat's shape).
 * Before, a commit → branch move was the same warning as commit → commit, and another repo id read as a new pinned
 * reference with no finding at all.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const load = (model: string, rev: string) =>
  `from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("${model}", revision="${rev}")\n`;
const yaml = (model: string, rev: string) => `model_name_or_path: ${model}\nrevision: ${rev}\n`;

const cases = [
  {
    name: 'a commit pin moved to a branch → CPU011 as an error',
    file: 'train.py',
    base: load('acme/encoder', A),
    head: load('acme/encoder', 'main'),
    want: ['CPU011@train.py:3:error'],
  },
  {
    name: 'a commit pin moved to another commit → CPU011 stays a warning',
    file: 'train.py',
    base: load('acme/encoder', A),
    head: load('acme/encoder', B),
    want: ['CPU011@train.py:3:warning'],
  },
  {
    name: 'the same model name under another owner, same commit → CPU032 as an error',
    file: 'train.py',
    base: load('acme/encoder', A),
    head: load('acme-ai/encoder', A),
    want: ['CPU032@train.py:3:error'],
  },
  {
    name: 'an id two letters away (typosquat) → CPU032 as an error',
    file: 'train.py',
    base: load('acme/encoder', A),
    head: load('acme/encodre', A),
    want: ['CPU032@train.py:3:error'],
  },
  {
    // ModelScope's SDK under the same names: modelscope.cn's repository of that id is another repository.
    name: 'the same id and commit from ModelScope instead of the Hugging Face hub → CPU032 as an error',
    file: 'train.py',
    base: load('acme/encoder', A),
    head: load('acme/encoder', A).replace('from transformers import', 'from modelscope import'),
    want: ['CPU032@train.py:3:error'],
  },
  {
    name: 'another model altogether in a YAML config → CPU032 as a warning',
    file: 'config.yaml',
    base: yaml('acme/encoder', A),
    head: yaml('bigco/sentence-model', A),
    want: ['CPU032@config.yaml:1:warning'],
  },
];

/**
 * The same re-pointing while the change also moves the file (a rename across folders, base file deleted): the head
 * file is new, so it used to be compared with nothing — a dropped commit pin read as a new unpinned reference
 * (CPU012, a warning the `any` gate passes) and a look-alike swap at a pinned commit as no finding at all. The
 * reference is now followed to the file it came from.
 */
const renamed = [
  {
    name: 'renamed across folders, commit pin moved to a branch → CPU011 as an error',
    base: load('acme/encoder', A),
    head: load('acme/encoder', 'main'),
    want: ['CPU011@src/train/run.py:3:error'],
  },
  {
    name: 'renamed across folders, commit pin dropped → CPU011 as an error',
    base: load('acme/encoder', A),
    head: 'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("acme/encoder")\n',
    want: ['CPU011@src/train/run.py:3:error'],
  },
  {
    name: 'renamed across folders, look-alike id at the same commit → CPU032 as an error',
    base: load('acme/encoder', A),
    head: load('acme-ai/encoder', A),
    want: ['CPU032@src/train/run.py:3:error'],
  },
  {
    name: 'renamed across folders, same pin → nothing (not a new reference)',
    base: load('acme/encoder', A),
    head: load('acme/encoder', A),
    want: [],
  },
];

describe('review of a model reference the change re-points', () => {
  const rows = [
    ...cases.map((c) => ({ ...c, to: c.file, remove: [] as string[] })),
    ...renamed.map((c) => ({ ...c, file: 'train.py', to: 'src/train/run.py', remove: ['train.py'] })),
  ];
  it.each(rows)('$name', async ({ file, to, remove, base, head, want }) => {
    const repo = makeRepo({ [file]: base }, { [to]: head }, remove);
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir, { gate: 'any' });
    const got = referenceFindings(r);
    expect(got).toEqual(want);
    expect(r.gate?.passed).toBe(want.every((w) => w.endsWith(':warning')));
    if (want.length === 0) expect(r.references).toEqual([]);
  });
});
