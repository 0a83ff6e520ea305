/* eslint-disable @typescript-eslint/no-explicit-any -- untyped SARIF under test */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkspace, runActionInProcess } from './run-dist.js';

/**
 * `include` as workflows write it: a brace glob (whose commas are not list separators) and the folder names and
 * typos that select nothing, which a scan must say instead of passing on an empty tree.
 */
const workspaces: string[] = [];
afterAll(() => workspaces.forEach((w) => rmSync(w, { recursive: true, force: true })));

function ws(): string {
  const w = makeWorkspace();
  workspaces.push(w);
  return w;
}

describe('the Action include input', () => {
  it('scans what a brace glob selects', async () => {
    const run = await runActionInProcess(ws(), {
      path: 'app',
      offline: 'true',
      'fail-on': 'none',
      include: '**/*.{pt,keras}',
    });
    expect(run.code, run.stdout).toBe(0);
    const sarif = JSON.parse(readFileSync(run.outputs['sarif-file']!, 'utf8'));
    const hits = sarif.runs[0].results.map(
      (r: any) => `${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}`,
    );
    expect(hits).toContain('CPI001 app/models/contrib/tokenizer_helper.pt');
    expect(hits).toContain('CPI060 app/models/summarizer/model.keras');
    expect(run.stdout).not.toContain('include glob');
  });

  it('warns for each glob that selects no file, with the folder form for a plain path', async () => {
    const run = await runActionInProcess(ws(), {
      path: 'app',
      offline: 'true',
      'fail-on': 'none',
      include: 'models/\nmdls/**\npackage-lock.json',
    });
    const warnings = run.stdout.split('\n').filter((l) => l.startsWith('::warning::include glob'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/"models\/" matches no file .*a folder's files are "models\/\*\*"/);
    expect(warnings[1]).toMatch(/"mdls\/\*\*" matches no file in the scan root, so it selected nothing to scan$/);
  });
});
