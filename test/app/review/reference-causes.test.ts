import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * A pull request that pastes one unpinned model load into many files reads as one cause, not a finding per file:
 * before, 3,000 new scripts loading `acme/enc` without a revision were 3,000 CPU012 findings. From GROUP_MIN (5) of
 * one rule, model and revision they become one finding at the first file, with the count and every place in
 * `related`; fewer stay per file.
 */
const load = (model: string) => `from transformers import AutoModel\nm = AutoModel.from_pretrained("${model}")\n`;
const head: Record<string, string> = { 'other.py': load('bigco/other') };
for (let i = 0; i < 7; i++) head[`src/f${i}.py`] = load('acme/enc');
for (let i = 0; i < 3; i++) head[`tools/t${i}.py`] = load('acme/tok');

let r: ReviewResult;
let cleanup: () => void;
beforeAll(async () => {
  const repo = makeRepo({ 'README.md': 'x\n' }, head);
  cleanup = repo.cleanup;
  r = await reviewHead(repo.dir, { gate: 'any' });
});
afterAll(() => cleanup());

describe('review of one unpinned model load pasted into many files', () => {
  it('7 files loading acme/enc → one CPU012 with the count; 3 and 1 of other models stay per file', () => {
    const got = r.findings
      .filter((f) => f.ruleId === 'CPU012')
      .map((f) => `${String(f.evidence?.['model'])}@${f.location.path}:${String(f.evidence?.['count'] ?? 1)}`)
      .sort();
    expect(got).toEqual([
      'acme/enc@src/f0.py:7',
      'acme/tok@tools/t0.py:1',
      'acme/tok@tools/t1.py:1',
      'acme/tok@tools/t2.py:1',
      'bigco/other@other.py:1',
    ]);
    const group = r.findings.find((f) => f.evidence?.['count'] === 7);
    expect(group?.related).toHaveLength(6);
    expect(group?.location.line).toBe(2);
  });
});
