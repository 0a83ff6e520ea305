import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCliAsync } from '../helpers/cli.js';

/**
 * The built CLI in a process of its own, so no other test has loaded an analyser first: a folder of pickled Keras
 * models (and nothing else) loads only the pickle analyser, which must still judge each embedded .keras archive.
 */
const OBJECTS = path.join(REPO, 'fixtures', 'keras-objects');
const work = mkdtempSync(path.join(tmpdir(), 'cp-analysers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Row {
  readonly rule: string;
  readonly level: string;
  readonly archiveRules?: string;
}

async function scanAlone(fixture: string): Promise<{ code: number; rows: Row[] }> {
  const dir = mkdtempSync(path.join(work, 'case-'));
  copyFileSync(path.join(OBJECTS, fixture), path.join(dir, path.basename(fixture)));
  const run = await runCliAsync(['scan', dir, '--offline', '--format', 'json', '--fail-on', 'error']);
  const report = JSON.parse(run.stdout) as {
    findings: { ruleId: string; level: string; evidence?: { archiveRules?: string } }[];
  };
  const rows = report.findings
    .filter((f) => f.ruleId.startsWith('CPI'))
    .map((f) => ({
      rule: f.ruleId,
      level: f.level,
      ...(f.evidence?.archiveRules !== undefined ? { archiveRules: f.evidence.archiveRules } : {}),
    }));
  return { code: run.code, rows };
}

describe('pickled Keras models scanned with no other model format present', () => {
  it.each([
    { fixture: 'benign/functional-h5.pkl', code: 0, want: [] },
    {
      fixture: 'malicious/lambda-bytecode.pkl',
      code: 1,
      want: [{ rule: 'CPI112', level: 'error', archiveRules: 'CPI060' }],
    },
  ])('$fixture', async ({ fixture, code, want }) => {
    const got = await scanAlone(fixture);
    expect(got.rows).toEqual(want);
    expect(got.code).toBe(code);
  });
});
