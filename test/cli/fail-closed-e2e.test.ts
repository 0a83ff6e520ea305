import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { DOWN_REGISTRY, writeFailClosedProject } from '../helpers/fail-closed-project.js';

/**
 * Fail-closed through the built binary (issue #18): a registry that cannot be reached fails the run with exit 3,
 * but only after the scan finished and every requested report was written.
 */
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-fail-closed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function project(): { root: string; policy: string } {
  const root = mkdtempSync(path.join(work, 'repo-'));
  return { root, ...writeFailClosedProject(root) };
}

interface Sarif {
  version: string;
  runs: { results: { ruleId: string; level: string }[]; invocations: { executionSuccessful: boolean }[] }[];
}

describe('fail-closed through the built CLI', () => {
  it('an unreachable registry: every report written, then exit 3', async () => {
    const { root, policy } = project();
    const sarif = path.join(work, 'x.sarif');
    const json = path.join(work, 'x.json');
    const r = await runCliAsync([
      'scan',
      root,
      '--policy',
      policy,
      '--npm-registry',
      DOWN_REGISTRY,
      '--no-cache',
      '--format',
      'sarif',
      '--output',
      sarif,
      '--format',
      'json',
      '--output',
      json,
    ]);
    expect(r.stderr).toMatch(/could not be reached[\s\S]*fail-closed/);
    expect(r.code).toBe(3);
    expect(existsSync(sarif)).toBe(true);
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as Sarif;
    expect(log.version).toBe('2.1.0');
    // What could not be verified is in the report, at error.
    expect(log.runs[0]!.results.some((x) => /^CPD13\d$/.test(x.ruleId) && x.level === 'error')).toBe(true);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { summary: { unverifiable: number } };
    expect(report.summary.unverifiable).toBe(1);
  });
});
