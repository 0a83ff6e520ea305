import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/** `node …` in the repo, without blocking the worker (a blocked worker misses vitest's 60 s RPC deadline). */
const node = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { cwd: REPO, encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });

describe('scripts/check-dist.mjs (the CI step that keeps dist/ honest)', () => {
  let fresh: string;
  beforeAll(async () => {
    fresh = mkdtempSync(path.join(tmpdir(), 'chainproof-fresh-dist-'));
    const r = await node(['scripts/bundle.mjs', fresh]);
    expect(r.status, r.stderr).toBe(0);
  }, 300_000);

  it('passes on a bundle just built from the source (the build is deterministic)', async () => {
    const r = await node(['scripts/check-dist.mjs', fresh]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('dist/ matches the source');
  });

  it.each([
    {
      name: 'a changed byte',
      edit: (d: string) => appendFileSync(path.join(d, 'index.js'), '\n'),
      want: 'differs: index.js',
    },
    {
      name: 'a missing file',
      edit: (d: string) => rmSync(path.join(d, 'package.json')),
      want: 'missing: package.json',
    },
    { name: 'an extra file', edit: (d: string) => writeFileSync(path.join(d, 'old.js'), ''), want: 'extra: old.js' },
  ])('fails on $name', async ({ edit, want }) => {
    const copy = mkdtempSync(path.join(tmpdir(), 'chainproof-stale-dist-'));
    for (const f of ['index.js', 'package.json']) writeFileSync(path.join(copy, f), readFileSync(path.join(fresh, f)));
    edit(copy);
    // Against the bundle built once above: the first case already shows a fresh build equals it.
    const r = await node(['scripts/check-dist.mjs', copy, '--against', fresh]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('dist/ is stale');
    expect(r.stderr).toContain(want);
  });

  it('the bundle is ESM for Node and carries no absolute path of this machine', () => {
    const text = readFileSync(path.join(fresh, 'index.js'), 'utf8');
    expect(JSON.parse(readFileSync(path.join(fresh, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(text).not.toContain(REPO);
    expect(text).not.toMatch(/^\/\/ \.\.\//m);
    expect(text).not.toMatch(/sourceMappingURL/);
  });
});
