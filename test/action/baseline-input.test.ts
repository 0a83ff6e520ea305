import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAnnotations, runActionInProcess } from './run-dist.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function workspace(): string {
  const ws = mkdtempSync(path.join(tmpdir(), 'chainproof-ws-'));
  made.push(ws);
  writeFileSync(path.join(ws, 'package.json'), '{"name":"x","version":"1.0.0"}\n');
  return ws;
}

describe('the Action reads its baseline before the scan', () => {
  // A baseline that does not exist or is no SARIF ended the job with exit 2 only after the whole scan had run (on a
  // large repository, many minutes of runner time for a typo in the workflow).
  it.each([
    { name: 'a missing baseline', text: undefined, want: /cannot read baseline .*prev\.sarif: ENOENT/ },
    { name: 'a baseline that is not JSON', text: '{"runs": [', want: /baseline .*prev\.sarif is not valid JSON/ },
  ])('$name: exit 2 naming the file, and no scan', async ({ text, want }) => {
    const ws = workspace();
    if (text !== undefined) writeFileSync(path.join(ws, 'prev.sarif'), text);
    const r = await runActionInProcess(ws, { path: '.', offline: 'true', baseline: 'prev.sarif' });
    expect(r.code).toBe(2);
    const errors = parseAnnotations(r.stdout).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(want);
    expect(r.stdout).not.toMatch(/scanning/);
  });
});
