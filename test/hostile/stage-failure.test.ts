import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForScan } from '../../src/cli/exit-codes.js';
import type { Finding } from '../../src/core/finding.js';
import type { Stage } from '../../src/core/stage.js';
import { pushAll } from '../../src/core/push-all.js';
import { scanWith } from '../helpers/scan.js';

function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-stage-'));
  writeFileSync(path.join(dir, 'model.pkl'), Buffer.from('80044b012e', 'hex'));
  return dir;
}

const note = (i: number): Finding => ({ ruleId: 'CPX001', message: `n${i}`, location: { path: `f${i}` } });

const crashing = (err: unknown): Stage => ({
  name: 'crashing',
  run: () => Promise.reject(err instanceof Error ? err : new Error(String(err))),
});
const flooding = (n: number): Stage => ({
  name: 'flooding',
  run: () => Promise.resolve({ findings: Array.from({ length: n }, (_, i) => note(i)) }),
});
let laterRan = false;
const later: Stage = {
  name: 'later',
  run: () => {
    laterRan = true;
    return Promise.resolve({ findings: [note(-1)] });
  },
};

describe('a failed stage never opens the gate', () => {
  it.each([
    { name: 'stack overflow', err: new RangeError('Maximum call stack size exceeded') },
    { name: 'type error', err: new TypeError("Cannot read properties of undefined (reading 'x')") },
    { name: 'thrown string', err: 'boom' },
  ])('$name → CPX020 error, incomplete, exit 4 under every --fail-on', async ({ err }) => {
    laterRan = false;
    const result = await scanWith(tree(), [crashing(err), later]);
    const failed = result.findings.filter((f) => f.ruleId === 'CPX020');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.level).toBe('error');
    expect(failed[0]!.evidence?.['stage']).toBe('crashing');
    // the lost items are listed: the walk's only file
    expect(failed[0]!.evidence?.['lost']).toBe('model.pkl');
    expect(failed[0]!.evidence?.['lostCount']).toBe(1);
    expect(result.complete).toBe(false);
    expect(laterRan).toBe(true);
    for (const failOn of ['error', 'warning', 'note', 'none'] as const)
      expect(exitCodeForScan(result, failOn)).toBe(EXIT.internal);
  });

  it('a stage declaring covers() lists exactly what it covers', async () => {
    const stage: Stage = { ...crashing(new Error('x')), covers: () => ['b', 'a'] };
    const result = await scanWith(tree(), [stage]);
    expect(result.findings.find((f) => f.ruleId === 'CPX020')?.evidence?.['lost']).toBe('a, b');
  });

  it('a complete scan is judged by its findings', async () => {
    const result = await scanWith(tree(), [later]);
    expect(result.complete).toBe(true);
    expect(exitCodeForScan(result, 'none')).toBe(EXIT.ok);
    expect(exitCodeForScan(result, 'warning')).toBe(EXIT.findings);
  });

  it('a stage returning 300,000 findings does not overflow the stack', async () => {
    const result = await scanWith(tree(), [flooding(300_000)]);
    expect(result.complete).toBe(true);
    expect(result.findings.filter((f) => f.ruleId === 'CPX001')).toHaveLength(300_000);
  });

  it('pushAll appends more items than a spread call can take', () => {
    const big = new Array<number>(500_000).fill(1);
    expect(() => [].push(...(big as never[]))).toThrow(RangeError);
    expect(pushAll([0], big)).toHaveLength(500_001);
  });
});

describe('an analyser that crashes on one file', () => {
  it('is a CPX003 error that fails --fail-on error, and the scan stays complete', async () => {
    const { inspectStage } = await import('../../src/inspect/stage.js');
    const analysers = await import('../../src/inspect/analysers.js');
    const list = analysers.ANALYSERS as unknown as { analyze: (...a: unknown[]) => Promise<unknown> }[];
    const saved = list.map((a) => a.analyze);
    for (const a of list) a.analyze = () => Promise.reject(new RangeError('Maximum call stack size exceeded'));
    try {
      const result = await scanWith(tree(), [inspectStage]);
      const crashed = result.findings.filter((f) => f.ruleId === 'CPX003');
      expect(crashed.length).toBeGreaterThan(0);
      expect(crashed.every((f) => f.level === 'error' && f.location.path === 'model.pkl')).toBe(true);
      expect(exitCodeForScan(result, 'error')).toBe(EXIT.findings);
    } finally {
      list.forEach((a, i) => (a.analyze = saved[i]!));
    }
  });
});
