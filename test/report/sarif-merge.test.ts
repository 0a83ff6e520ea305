import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { ChainproofError } from '../../src/core/errors.js';
import type { ResolvedFinding } from '../../src/core/finding.js';
import { toSarif } from '../../src/report/sarif.js';
import { MAX_SARIF_RESULTS } from '../../src/report/sarif-limits.js';
import { mergeSarif, parseSarifLog } from '../../src/report/sarif-merge.js';
import { finding, makeResult, sampleResult, sarifValidator } from '../action/helpers.js';

const validate = sarifValidator();

const OPTS = { toolVersion: '0.0.0-test' };
const all = sampleResult();

function shardLog(index: number, count: number, pick: (i: number) => boolean): Log {
  return toSarif(makeResult({ findings: all.findings.filter((_, i) => pick(i)), shard: { index, count } }), OPTS);
}

function keys(log: Log): string[] {
  return log.runs
    .flatMap((r) =>
      (r.results ?? []).map(
        (x) =>
          `${x.ruleId}|${x.locations?.[0]?.physicalLocation?.artifactLocation?.uri}|${x.partialFingerprints?.['primaryLocationLineHash']}`,
      ),
    )
    .sort();
}

/** A one-run log whose run holds `body` (and a driver with `driver` inside). */
const run = (body: string, driver = '') =>
  `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"${driver ? `,${driver}` : ''}}},${body}}]}`;

describe('sarif merge', () => {
  const a = shardLog(1, 2, (i) => i % 2 === 0);
  const b = shardLog(2, 2, (i) => i % 2 === 1);
  const merged = mergeSarif([a, b]);

  it('is schema-valid SARIF 2.1.0 with one run', () => {
    expect(validate(merged), JSON.stringify(validate.errors)).toBe(true);
    expect(merged.runs).toHaveLength(1);
  });

  it('holds every shard result once, with ruleIndex pointing at the right rule', () => {
    expect(keys(merged)).toEqual(keys(toSarif(all, OPTS)));
    const run = merged.runs[0]!;
    for (const r of run.results!) expect(run.tool.driver.rules![r.ruleIndex!]!.id).toBe(r.ruleId);
    const ids = run.tool.driver.rules!.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('drops the shard part of the category and concatenates invocations', () => {
    expect(a.runs[0]!.automationDetails!.id).toBe('chainproof/shard-1-of-2/');
    expect(merged.runs[0]!.automationDetails!.id).toBe('chainproof/');
    expect(merged.runs[0]!.invocations).toHaveLength(2);
  });

  // Code scanning's category is the id up to its last `/`, and upload-sarif's `category` input does not replace an
  // id the SARIF has: shards sharing one category replaced each other's alerts upload by upload.
  it('gives each shard its own code-scanning category, and --category keeps them apart too', () => {
    const category = (log: Log) => log.runs[0]!.automationDetails!.id!.replace(/\/[^/]*$/, '');
    const three = shardLog(3, 4, () => true);
    expect(new Set([a, b, three].map(category))).toEqual(
      new Set(['chainproof/shard-1-of-2', 'chainproof/shard-2-of-2', 'chainproof/shard-3-of-4']),
    );
    const models = (index: number) =>
      toSarif(makeResult({ findings: [...all.findings], shard: { index, count: 2 } }), { ...OPTS, category: 'models' });
    expect(category(models(1))).not.toBe(category(models(2)));
    expect(mergeSarif([models(1), models(2)]).runs[0]!.automationDetails!.id).toBe('models/');
  });

  it('merges shards written before their category named them (`chainproof/shard-1-of-2`)', () => {
    const old = structuredClone(a);
    old.runs[0]!.automationDetails = { id: 'chainproof/shard-1-of-2' };
    expect(mergeSarif([old, b]).runs[0]!.automationDetails!.id).toBe('chainproof/');
  });

  it('does not depend on input order and dedupes identical results', () => {
    expect(JSON.stringify(mergeSarif([b, a]).runs[0]!.results)).toBe(JSON.stringify(merged.runs[0]!.results));
    const twice = mergeSarif([a, a, b]);
    expect(keys(twice)).toEqual(keys(merged));
  });

  it('recomputes ruleIndex when the inputs list rules differently', () => {
    const shuffled = structuredClone(b);
    const run = shuffled.runs[0]!;
    run.tool.driver.rules = [...run.tool.driver.rules!].reverse();
    for (const r of run.results!) r.ruleIndex = run.tool.driver.rules.findIndex((d) => d.id === r.ruleId);
    const m = mergeSarif([a, shuffled]).runs[0]!;
    for (const r of m.results!) expect(m.tool.driver.rules![r.ruleIndex!]!.id).toBe(r.ruleId);
  });

  it('keeps different categories apart unless --category says how to name the merge', () => {
    const other = toSarif(makeResult({ findings: all.findings.slice(0, 1) }), { ...OPTS, category: 'models' });
    expect(() => mergeSarif([a, other])).toThrow(/different categories/);
    expect(mergeSarif([a, other], { category: 'all' }).runs[0]!.automationDetails!.id).toBe('all/');
  });

  it("truncates at GitHub's per-run limit with a notification", () => {
    const many = Array.from({ length: MAX_SARIF_RESULTS + 3 }, (_, i) =>
      finding({
        ruleId: 'CPD002',
        level: 'error',
        message: `p${i}`,
        location: { path: 'package-lock.json', line: i + 1 },
        artifact: { kind: 'package', ecosystem: 'npm', name: `p${i}`, version: '1.0.0' },
      }),
    );
    const half = (k: number) => toSarif(makeResult({ findings: many.filter((_, i) => i % 2 === k) }), OPTS);
    const m = mergeSarif([half(0), half(1)]).runs[0]!;
    expect(m.results).toHaveLength(MAX_SARIF_RESULTS);
    expect(m.properties?.['truncatedResults']).toBe(3);
    expect(JSON.stringify(m.invocations)).toMatch(/truncated/);
  });

  // Two shards at 2,000 paths of 4,400 random characters each fit one upload; merged, they are 13 MB gzipped.
  it('keeps the merged log within the 10 MB (gzip) upload limit, the least severe left out first', () => {
    const noise = (i: number) =>
      Array.from({ length: 100 }, (_, k) => createHash('sha256').update(`${i}:${k}`).digest('base64url')).join('');
    const note = (i: number) =>
      finding({ ruleId: 'CPM001', level: 'note', message: 'unknown model', location: { path: `a/${noise(i)}.pkl` } });
    const error = finding({ ruleId: 'CPI001', level: 'error', message: 'x', location: { path: 'z/evil.pkl' } });
    const shard = (index: number, findings: ResolvedFinding[]) =>
      toSarif(makeResult({ findings, shard: { index, count: 2 } }), OPTS);
    const parts = [
      shard(
        1,
        Array.from({ length: 2000 }, (_, i) => note(i)),
      ),
      shard(2, [...Array.from({ length: 2000 }, (_, i) => note(2000 + i)), error]),
    ];
    for (const part of parts) expect(part.runs[0]!.properties?.['truncatedResults']).toBeUndefined();
    const merged = mergeSarif(parts);
    expect(gzipSync(JSON.stringify(merged, null, 2)).length).toBeLessThan(10_000_000);
    const m = merged.runs[0]!;
    expect(m.properties?.['truncatedResults']).toBe(4001 - m.results!.length);
    expect(m.results!.at(-1)!.ruleId).toBe('CPI001');
    expect(JSON.stringify(m.invocations)).toMatch(/10 MB gzipped per upload/);
  });

  it('truncates the least severe results, whichever input and file they come from', () => {
    const notes = Array.from({ length: MAX_SARIF_RESULTS }, (_, i) =>
      finding({
        ruleId: 'CPD002',
        level: 'note',
        message: `p${i}`,
        location: { path: 'a/package-lock.json', line: i + 1 },
        artifact: { kind: 'package', ecosystem: 'npm', name: `p${i}`, version: '1.0.0' },
      }),
    );
    const error = finding({ ruleId: 'CPI001', level: 'error', message: 'x', location: { path: 'z/evil.pkl' } });
    const m = mergeSarif([
      toSarif(makeResult({ findings: notes, shard: { index: 1, count: 2 } }), OPTS),
      toSarif(makeResult({ findings: [error], shard: { index: 2, count: 2 } }), OPTS),
    ]).runs[0]!;
    expect(m.results).toHaveLength(MAX_SARIF_RESULTS);
    expect(m.results!.at(-1)!.ruleId).toBe('CPI001');
    expect(m.results!.at(-2)!.message.text).toBe(`p${MAX_SARIF_RESULTS - 2}`);
  });

  it.each([
    { name: 'not JSON', text: '{', want: /not valid JSON/ },
    { name: 'wrong version', text: '{"version":"2.0.0","runs":[]}', want: /not SARIF 2.1.0/ },
    { name: 'no runs', text: '{"version":"2.1.0"}', want: /no "runs"/ },
    { name: 'run without a driver', text: '{"version":"2.1.0","runs":[{}]}', want: /driver.name/ },
    // Each of these was "internal error: Cannot read properties of …" (exit 4) from the merge itself.
    {
      name: 'a null result',
      text: run('"results":[null]'),
      want: /^x\.sarif: runs\[0\]\.results\[0\] is not an object$/,
    },
    {
      name: 'a result without a message',
      text: run('"results":[{"ruleId":"A"}]'),
      want: /results\[0\]\.message is not an object/,
    },
    {
      name: 'a null rule',
      text: run('"results":[]', '"rules":[null]'),
      want: /tool\.driver\.rules\[0\] is not an object/,
    },
    {
      name: 'a null location',
      text: run('"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":null}]}]'),
      want: /results\[0\]\.locations\[0\]\.physicalLocation is not an object/,
    },
    {
      name: 'a number as fingerprint',
      text: run('"results":[{"message":{},"partialFingerprints":{"h":1}}]'),
      want: /partialFingerprints\.h/,
    },
    {
      name: 'a null notification',
      text: run('"invocations":[{"toolExecutionNotifications":[null]}]'),
      want: /toolExecutionNotifications\[0\]/,
    },
    { name: 'a null run', text: '{"version":"2.1.0","runs":[null]}', want: /runs\[0\] is not an object/ },
  ])('refuses $name as a usage error', ({ text, want }) => {
    let err: unknown;
    try {
      parseSarifLog(text, 'x.sarif');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChainproofError);
    expect((err as ChainproofError).code).toBe('USAGE');
    expect((err as Error).message).toMatch(want);
  });

  it('merges what it accepts without an error of its own', () => {
    const ok = parseSarifLog(run('"results":[{"message":{"text":"m"},"ruleId":"A","locations":[{}]}]'), 'x.sarif');
    expect(mergeSarif([ok, ok]).runs[0]!.results).toHaveLength(1);
  });
});
