import { describe, expect, it } from 'vitest';
import { ITEMS_PER_PIECE } from '../../src/report/json-chunks.js';
import { reportChunks, reporterFor } from '../../src/report/reporters.js';
import { toSarif } from '../../src/report/sarif.js';
import { rebaseSarif } from '../../src/report/sarif-rebase.js';
import { finding, makeResult, sampleResult } from '../action/helpers.js';

/** Findings in several files (one at the root, one in a sub-folder), with and without related locations. */
function manyFindings(n: number) {
  return makeResult({
    findings: Array.from({ length: n }, (_, i) =>
      finding({
        ruleId: i % 2 === 0 ? 'CPD002' : 'CPD012',
        level: i % 3 === 0 ? 'error' : 'warning',
        message: `p${i}@1.0.0 has no integrity hash at package-lock.json:${i + 2}.`,
        location: { path: i % 3 === 0 ? 'package-lock.json' : 'web app/package-lock.json', line: i + 2 },
        ...(i % 4 !== 3
          ? { artifact: { kind: 'package' as const, ecosystem: 'npm' as const, name: `p${i}`, version: '1.0.0' } }
          : {}),
        ...(i % 5 !== 0 ? { evidence: { lockfileKey: `node_modules/p${i}` } } : {}),
        ...(i % 7 === 0 ? { related: [{ path: 'package-lock.json', line: i }] } : {}),
      }),
    ),
  });
}

describe('sarif reporter streams the rebased toSarif log', () => {
  it.each([
    { name: 'sample, no prefix', result: sampleResult(), uriPrefix: undefined },
    { name: 'sample under a sub-folder', result: sampleResult(), uriPrefix: 'sub dir/ml' },
    { name: 'empty', result: makeResult(), uriPrefix: 'x' },
    { name: 'several pieces of results', result: manyFindings(ITEMS_PER_PIECE * 2 + 5), uriPrefix: 'packages/a' },
  ])('$name', ({ result, uriPrefix }) => {
    const opts = { toolVersion: '9.9.9', color: false, category: 'c', ...(uriPrefix ? { uriPrefix } : {}) };
    const log = rebaseSarif(toSarif(result, { toolVersion: '9.9.9', category: 'c' }), uriPrefix ?? '');
    const want = JSON.stringify(log, null, 2) + '\n';
    const pieces = [...reportChunks(result, 'sarif', opts)];
    expect(pieces.join('')).toBe(want);
    expect(reporterFor('sarif').render(result, opts)).toBe(want);
    // Results come a batch at a time, not as one piece holding the whole run (the rules metadata is one piece of
    // its own and grows with the catalogue, so count the pieces that carry results instead of comparing sizes).
    if (result.findings.length > ITEMS_PER_PIECE)
      expect(pieces.filter((p) => p.includes('"partialFingerprints"')).length).toBeGreaterThanOrEqual(
        Math.ceil(result.findings.length / ITEMS_PER_PIECE),
      );
  });
});
