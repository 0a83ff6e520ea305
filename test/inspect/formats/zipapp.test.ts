import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { zip } from './build.js';

/**
 * What `python <file>` runs: runpy `_get_main_module_details` imports `__main__` from the archive through zipimport,
 * which finds the zip by its end record (a shebang before it, as `python -m zipapp -p` writes, changes nothing) and
 * looks at the top of the archive only.
 */
const root = mkdtempSync(join(tmpdir(), 'cp-zipapp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MAIN = 'import os\nos.system("id")\n';
const SHEBANG = Buffer.from('#!/usr/bin/env python3\n');

const CASES: readonly { name: string; file: string; bytes: Buffer; member?: string }[] = [
  {
    name: '.pyz behind a shebang',
    file: 'tool.pyz',
    bytes: Buffer.concat([SHEBANG, zip([{ name: '__main__.py', data: MAIN }])]),
    member: '__main__.py',
  },
  {
    name: '.pyzw without a shebang',
    file: 'gui.pyzw',
    bytes: zip([{ name: '__main__.py', data: MAIN }]),
    member: '__main__.py',
  },
  {
    name: '.zip with __main__.py among other files',
    file: 'release.zip',
    bytes: zip([
      { name: 'README.md', data: 'hi' },
      { name: '__main__.py', data: MAIN },
    ]),
    member: '__main__.py',
  },
  {
    name: 'compiled entry point: zipimport takes __main__.pyc before __main__.py',
    file: 'app.pyz',
    bytes: zip([
      { name: '__main__.py', data: MAIN },
      { name: '__main__.pyc', data: Buffer.alloc(16) },
    ]),
    member: '__main__.pyc',
  },
  {
    name: '__main__.py in a sub-folder is not run',
    file: 'lib.zip',
    bytes: zip([{ name: 'pkg/__main__.py', data: MAIN }]),
  },
  {
    name: 'a package __main__/ is refused by runpy',
    file: 'pkg.zip',
    bytes: zip([{ name: '__main__/__init__.py', data: MAIN }]),
  },
];

describe('Python zipapps', () => {
  it.each(CASES.map((c, i) => ({ ...c, i })))('$name', async ({ file, bytes, member, i }) => {
    const dir = join(root, String(i));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), bytes);
    const res = await scanWith(dir, [inspectStage]);
    const got = res.findings.filter((f) => f.location.path === file);
    if (member === undefined) return expect(got.map((f) => f.ruleId)).toEqual([]);
    expect(got.map((f) => [f.ruleId, f.location.member])).toEqual([['CPI130', member]]);
    expect(got[0]?.message).toBe(
      `${file} (${member}): the archive is a Python program (a zipapp): running it with Python runs its top-level "${member}" with your rights (runpy imports it from the archive through zipimport). It is code, not data: review it, run it only if you trust who built it, and pin its digest.`,
    );
  });
});
