import { describe, expect, it } from 'vitest';
import { ITEMS_PER_PIECE } from '../../src/report/json-chunks.js';
import { toJson } from '../../src/report/json.js';
import { reportChunks, reporterFor } from '../../src/report/reporters.js';
import { finding, makeResult, sampleResult } from '../action/helpers.js';

const OPTS = { toolVersion: '9.9.9', color: false };

/** Many findings, every optional field present and absent, across several written pieces. */
function manyFindings(n: number) {
  return makeResult({
    findings: Array.from({ length: n }, (_, i) =>
      finding({
        ruleId: i % 2 === 0 ? 'CPD002' : 'CPD012',
        level: i % 3 === 0 ? 'error' : 'warning',
        message: `p${i}@1.0.0 has no integrity hash at package-lock.json:${i + 2}.`,
        location: { path: 'package-lock.json', line: i + 2 },
        ...(i % 4 !== 3
          ? { artifact: { kind: 'package' as const, ecosystem: 'npm' as const, name: `p${i}`, version: '1.0.0' } }
          : {}),
        ...(i % 5 !== 0 ? { evidence: { lockfileKey: `node_modules/p${i}`, dependencyPath: `root > p${i}` } } : {}),
        ...(i % 7 === 0 ? { related: [{ path: 'package-lock.json', line: i }] } : {}),
      }),
    ),
  });
}

describe('json reporter', () => {
  it.each([
    { name: 'sample', result: sampleResult() },
    { name: 'empty', result: makeResult() },
    { name: 'several pieces of findings', result: manyFindings(ITEMS_PER_PIECE * 2 + 5) },
  ])('streams exactly the toJson document: $name', ({ result }) => {
    const want = JSON.stringify(toJson(result, OPTS.toolVersion), null, 2) + '\n';
    expect([...reportChunks(result, 'json', OPTS)].join('')).toBe(want);
    expect(reporterFor('json').render(result, OPTS)).toBe(want);
  });

  it('keeps the documented finding shape and key order', () => {
    const json = toJson(manyFindings(8), '0') as { findings: Record<string, unknown>[] };
    expect(Object.keys(json.findings[1]!)).toEqual([
      'ruleId',
      'level',
      'message',
      'location',
      'artifact',
      'evidence',
      'fingerprint',
    ]);
    expect(Object.keys(json.findings[0]!)).toEqual([
      'ruleId',
      'level',
      'message',
      'location',
      'artifact',
      'related',
      'fingerprint',
    ]);
  });
});
