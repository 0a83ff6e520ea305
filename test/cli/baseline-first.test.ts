import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('scan --baseline', () => {
  // A missing baseline ended in exit 2 only after the whole scan had run (its stages' debug lines came first).
  it('refuses a missing baseline before the scan: exit 2 naming the file, no stage ran', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-baseline-first-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}\n');
    const missing = path.join(dir, 'prev.sarif');
    const r = await runMain(['scan', dir, '--offline', '--verbose', '--baseline', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read baseline ${missing}: ENOENT`);
    expect(r.stderr).not.toMatch(/^debug: /m);
  });
});
