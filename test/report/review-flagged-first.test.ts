import { describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../src/app/review/index.js';
import { toReviewMarkdown, toReviewText } from '../../src/report/review.js';

/**
 * A long list of model files or references is cut (MAX_ROWS = 200 in the pull-request comment, TEXT_ROWS = 50 in the
 * terminal): the rows a finding names come first, so the flagged pickle or unpinned reference is never only in
 * "…and N more".
 */
const finding = (path: string, line?: number) => ({
  ruleId: 'CPM001',
  level: 'error',
  message: 'runs code on load',
  location: { path, ...(line !== undefined ? { line } : {}) },
  fingerprint: `fp-${path}-${line ?? ''}`,
});

function review(models: number, references: number, findings: ReturnType<typeof finding>[]): ReviewResult {
  return {
    base: { ref: 'main', commit: 'a'.repeat(40) },
    head: { ref: 'HEAD', commit: 'b'.repeat(40) },
    lockfiles: [],
    models: [
      ...Array.from({ length: models }, (_, i) => ({ path: `a${String(i).padStart(3, '0')}.npy`, kind: 'added' })),
      ...(models > 0 ? [{ path: 'zzz.pkl', kind: 'added' }] : []),
    ],
    references: Array.from({ length: references }, (_, i) => ({
      kind: 'added',
      reference: { path: 'load.py', line: i + 1, repoId: `org/m${i}`, revision: 'c'.repeat(40) },
    })),
    findings,
    online: false,
    scan: { findings: [], suppressed: [], summary: {} },
  } as unknown as ReviewResult;
}

describe('flagged model files and references first, where the list is cut', () => {
  it('the pull-request comment lists the flagged model file past MAX_ROWS', () => {
    const md = toReviewMarkdown(review(205, 0, [finding('zzz.pkl')]));
    expect(md).toContain('| zzz.pkl | added |');
  });

  it('the pull-request comment lists the flagged reference past MAX_ROWS', () => {
    const md = toReviewMarkdown(review(0, 210, [finding('load.py', 207)]));
    expect(md).toContain('| org/m206 | added | load.py\\:207 |');
  });

  it('the terminal text lists the flagged reference past TEXT_ROWS', () => {
    const text = toReviewText(review(0, 60, [finding('load.py', 54)]));
    expect(text).toContain('org/m53 ');
    expect(text).not.toContain('org/m52 ');
  });
});
