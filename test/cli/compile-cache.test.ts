import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

/**
 * bin/ turns on V8's compile cache where Node has one (22.1+). These machines run Node 20, so a preload stands in
 * for `module.enableCompileCache` and records the folder it is given: the wiring is what is tested here.
 */
const PRELOAD = `
import module from 'node:module';
import { writeFileSync } from 'node:fs';
module.enableCompileCache = (dir) => {
  writeFileSync(process.env.RECORD_TO, dir);
  return { status: 0, directory: dir };
};
`;

describe('bin/ enables the V8 compile cache where Node offers it', () => {
  it.each([
    { name: 'into the cache folder', args: ['--version'], want: 'cache/v8-compile' },
    { name: 'not with --no-cache', args: ['scan', '.', '--offline', '--quiet', '--no-cache'], want: undefined },
  ])('$name', async ({ args, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-compile-cache-'));
    const preload = path.join(dir, 'preload.mjs');
    const record = path.join(dir, 'record.txt');
    await writeFile(preload, PRELOAD);
    const empty = await mkdtemp(path.join(tmpdir(), 'cp-empty-'));
    const r = spawnSync(process.execPath, ['--import', preload, BIN, ...args], {
      cwd: empty,
      env: { ...process.env, NO_COLOR: '1', CHAINPROOF_CACHE_DIR: path.join(dir, 'cache'), RECORD_TO: record },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const got = await readFile(record, 'utf8').catch(() => undefined);
    expect(got).toBe(want === undefined ? undefined : path.join(dir, want));
  });
});
