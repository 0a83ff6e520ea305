import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, runMain } from '../helpers/cli.js';

/**
 * A failed stage through the built binary (issue #18): exit 4 under every --fail-on, with every report written and
 * the lost items listed (CPX020). No input we know of still crashes a stage, so the test-only
 * CHAINPROOF_TEST_FAIL_STAGE (src/cli/test-hooks.ts) makes one throw; test/hostile/stage-failure.test.ts covers
 * the error kinds in-process. One run goes through the built binary; the others call main() in-process (runMain sets
 * the variable for the call), the same exit codes without a process each.
 */
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-stage-failure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Sarif {
  runs: {
    results: { ruleId: string; level: string; properties?: Record<string, unknown> }[];
    invocations: { executionSuccessful: boolean }[];
  }[];
}

describe('a failed stage through the built CLI', () => {
  it.each([
    { failOn: 'error', run: runCliAsync },
    { failOn: 'none', run: runMain },
  ])('--fail-on $failOn: reports written, then exit 4', async ({ failOn, run }) => {
    const root = mkdtempSync(path.join(work, 'repo-'));
    // A tiny protocol-4 pickle (`K\x01.`, the int 1): something the inspect stage would have covered.
    writeFileSync(path.join(root, 'model.pkl'), Buffer.from('80044b012e', 'hex'));
    const sarif = path.join(work, `${failOn}.sarif`);
    const json = path.join(work, `${failOn}.json`);
    const r = await run(
      ['scan', root, '--offline', '--fail-on', failOn, '-f', 'sarif', '-o', sarif, '-f', 'json', '-o', json],
      { env: { CHAINPROOF_TEST_FAIL_STAGE: 'inspect' } },
    );
    expect(r.stderr).toMatch(/incomplete.*exiting 4/);
    expect(r.code).toBe(4);
    expect(existsSync(sarif)).toBe(true);
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as Sarif;
    expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(log.runs[0]!.results.filter((x) => x.ruleId === 'CPX020').map((x) => x.level)).toEqual(['error']);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      complete: boolean;
      findings: { ruleId: string; evidence?: Record<string, unknown> }[];
    };
    expect(report.complete).toBe(false);
    expect(report.findings.find((f) => f.ruleId === 'CPX020')?.evidence).toMatchObject({
      stage: 'inspect',
      lost: 'model.pkl',
    });
  });

  it('a name that is no stage is a usage error (exit 2), not a silent full scan', async () => {
    const r = await runMain(['scan', work, '--offline'], { env: { CHAINPROOF_TEST_FAIL_STAGE: 'nope' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CHAINPROOF_TEST_FAIL_STAGE');
  });
});
