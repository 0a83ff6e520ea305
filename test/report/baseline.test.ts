import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChainproofError } from '../../src/core/errors.js';
import { baselineKeys, filterNewFindings, loadBaseline } from '../../src/report/baseline.js';
import { toSarif } from '../../src/report/sarif.js';
import { finding, makeResult, sampleResult } from '../action/helpers.js';

const OPTS = { toolVersion: '0.0.0-test' };

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-baseline-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('baseline', () => {
  const previous = sampleResult();
  const previousSarif = toSarif(previous, OPTS);

  it('a scan against its own SARIF reports nothing new, and says how many were known', () => {
    const out = filterNewFindings(previous, baselineKeys(previousSarif));
    expect(out.findings).toEqual([]);
    expect(out.summary.byLevel).toEqual({ error: 0, warning: 0, note: 0 });
    expect(out.notifications.some((n) => /5 findings already in the baseline/.test(n.message))).toBe(true);
  });

  const added = finding({
    ruleId: 'CPI001',
    level: 'error',
    message: 'new pickle',
    location: { path: 'models/new.pkl' },
    evidence: { global: 'builtins.eval' },
  });
  const lodash = previous.findings.find((f) => f.ruleId === 'CPD002')!;
  const moved = finding({ ...lodash, location: { path: 'package-lock.json', line: 99 } });
  const sameRuleOtherFile = finding({ ...lodash, location: { path: 'sub/package-lock.json', line: 12 } });

  it.each([
    { name: 'a new finding is reported', extra: [added], want: ['CPI001:models/new.pkl'] },
    {
      name: 'a known finding that moved to another line is not new (fingerprint has no line)',
      extra: [moved],
      want: [],
    },
    {
      name: 'the same rule in another file is new',
      extra: [sameRuleOtherFile],
      want: ['CPD002:sub/package-lock.json'],
    },
  ])('$name', ({ extra, want }) => {
    const now = makeResult({ findings: [...previous.findings, ...extra] });
    const out = filterNewFindings(now, baselineKeys(previousSarif));
    expect(out.findings.map((f) => `${f.ruleId}:${f.location.path}`)).toEqual(want);
    expect(out.summary.byLevel.error).toBe(want.length);
    expect(out.findings.every((f) => f.level === 'error')).toBe(true);
  });

  it('matches on rule too: the same fingerprint under another rule is new', () => {
    const log = structuredClone(previousSarif);
    for (const r of log.runs[0]!.results!) r.ruleId = 'CPX999';
    const out = filterNewFindings(previous, baselineKeys(log));
    expect(out.findings.length).toBe(previous.findings.length);
  });

  it('reads rule ids given only by rule.id or by ruleIndex', () => {
    const log = structuredClone(previousSarif);
    const [a, b] = log.runs[0]!.results!;
    delete a!.ruleId;
    a!.rule = { id: previous.findings[0]!.ruleId };
    delete b!.ruleId;
    const keys = baselineKeys(log);
    expect(keys.size).toBe(5);
  });

  it.each([
    { name: 'missing file', text: undefined, want: /cannot read baseline/ },
    { name: 'not JSON', text: '{"runs": [', want: /not valid JSON/ },
    { name: 'not SARIF', text: '{"version": "2.1.0"}', want: /not a SARIF log/ },
  ])('$name is a configuration error naming the file', async ({ text, want }) => {
    const file =
      text === undefined ? path.join(tmpdir(), 'chainproof-no-such-baseline.sarif') : tempFile('prev.sarif', text);
    const err = await loadBaseline(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainproofError);
    expect((err as ChainproofError).code).toBe('CONFIG');
    expect((err as Error).message).toMatch(want);
    expect((err as Error).message).toContain(file);
  });

  it('loadBaseline reads a SARIF file', async () => {
    const file = tempFile(
      'prev.sarif',
      JSON.stringify(toSarif(makeResult({ findings: previous.findings.slice(0, 2) }), OPTS)),
    );
    const out = (await loadBaseline(file))(previous);
    expect(out.findings.map((f) => f.ruleId)).toEqual(previous.findings.slice(2).map((f) => f.ruleId));
  });
});
