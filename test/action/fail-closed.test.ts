import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction } from '../../src/action/run.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { DOWN_REGISTRY, writeFailClosedProject } from '../helpers/fail-closed-project.js';

/**
 * Fail-closed in the Action (issue #18): an unreachable registry fails the step with exit 3 only after the SARIF
 * file, the job summary and the step outputs were written. In-process (runAction): dist/ is rebuilt by the lead.
 */
const ws = mkdtempSync(path.join(tmpdir(), 'chainproof-action-fail-closed-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('fail-closed in the Action', () => {
  it('an unreachable registry: SARIF, job summary and outputs written, then exit 3', async () => {
    const app = path.join(ws, 'app');
    mkdirSync(app);
    writeFailClosedProject(app);
    const outputs = path.join(ws, 'outputs.txt');
    const summary = path.join(ws, 'summary.md');
    writeFileSync(outputs, '');
    writeFileSync(summary, '');
    let log = '';
    const code = await runAction({
      env: {
        GITHUB_WORKSPACE: ws,
        GITHUB_OUTPUT: outputs,
        GITHUB_STEP_SUMMARY: summary,
        INPUT_PATH: 'app',
        INPUT_POLICY: 'app/fail-closed.yml',
        'INPUT_NPM-REGISTRY': DOWN_REGISTRY,
        'INPUT_SARIF-FILE': 'reports/x.sarif',
        'INPUT_CACHE-DIRECTORY': '.cache',
        'INPUT_JOB-SUMMARY': 'true',
      },
      write: (t) => (log += t),
    });
    expect(log).toMatch(/::error title=chainproof::.*fail-closed.*Exiting 3\./);
    expect(code).toBe(EXIT.operational);
    const sarif = JSON.parse(readFileSync(path.join(ws, 'reports', 'x.sarif'), 'utf8')) as {
      runs: { results: { ruleId: string; level: string }[] }[];
    };
    expect(sarif.runs[0]!.results.some((r) => /^CPD13\d$/.test(r.ruleId) && r.level === 'error')).toBe(true);
    expect(readFileSync(summary, 'utf8')).toMatch(/CPD13\d/);
    // GITHUB_OUTPUT heredoc entries: `name<<DELIM`, the value, `DELIM`.
    expect(readFileSync(outputs, 'utf8')).toMatch(/^unverifiable<<(\S+)\n1\n\1$/m);
    expect(readFileSync(outputs, 'utf8')).toMatch(/^complete<<(\S+)\ntrue\n\1$/m);
  });
});
