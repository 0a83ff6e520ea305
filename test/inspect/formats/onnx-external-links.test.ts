import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { onnxModel } from './build.js';

/**
 * What `onnx.load` → `load_external_data_for_model` → `checker.resolve_external_data_location` does with a
 * relative `location` that the file system leads elsewhere: before onnx 1.21 it follows a symbolic link
 * (`is_regular_file`), so a link out of the model folder reads that file (CVE-2026-27489).
 */
const outside = mkdtempSync(join(tmpdir(), 'cp-onnx-outside-'));
writeFileSync(join(outside, 'secret.txt'), 'token=abc');
const root = mkdtempSync(join(tmpdir(), 'cp-onnx-links-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const model = onnxModel({ externals: [{ name: 'w', location: 'weights.data' }] });

const CASES: readonly {
  name: string;
  make: (dir: string) => void;
  want: readonly string[];
  resolves?: string;
}[] = [
  {
    name: 'external data file beside the model',
    make: (dir) => writeFileSync(join(dir, 'weights.data'), Buffer.alloc(4)),
    want: [],
  },
  {
    name: 'external data is a symlink to a file outside the scan root',
    make: (dir) => symlinkSync(join(outside, 'secret.txt'), join(dir, 'weights.data')),
    want: ['CPI065'],
    resolves: 'outside-root',
  },
  {
    name: 'external data is a symlink to a device',
    make: (dir) => symlinkSync('/dev/zero', join(dir, 'weights.data')),
    want: ['CPI065'],
    resolves: 'outside-root',
  },
  {
    name: 'external data is a relative symlink climbing out of the root',
    make: (dir) => symlinkSync(join('..', '..', '..', '..', '..', '..', 'etc', 'hostname'), join(dir, 'weights.data')),
    want: ['CPI065'],
    resolves: 'outside-root',
  },
  {
    name: 'external data is a FIFO inside the root',
    make: (dir) => execFileSync('mkfifo', [join(dir, 'weights.data')]),
    want: ['CPI065'],
    resolves: 'not-regular-file',
  },
  {
    name: 'external data file missing: a note, onnx.load fails',
    make: () => undefined,
    want: ['CPI065'],
    resolves: 'missing',
  },
  {
    name: 'external data is a dangling symlink',
    make: (dir) => symlinkSync('gone.data', join(dir, 'weights.data')),
    want: ['CPI065'],
    resolves: 'missing',
  },
  {
    name: 'external data is a symlink to another file inside the root',
    make: (dir) => {
      writeFileSync(join(dir, 'real.data'), Buffer.alloc(4));
      symlinkSync('real.data', join(dir, 'weights.data'));
    },
    want: [],
  },
];

describe('ONNX external data that the file system leads out of the model folder', () => {
  it.each(CASES.map((c, i) => ({ ...c, i })))('$name', async ({ make, want, resolves, i }) => {
    const dir = join(root, String(i));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), model);
    make(dir);
    const res = await scanWith(dir, [inspectStage]);
    const got = res.findings.filter((f) => f.ruleId.startsWith('CPI') && f.location.path === 'model.onnx');
    expect([...new Set(got.map((f) => f.ruleId))]).toEqual(want);
    if (resolves !== undefined) expect(got[0]?.evidence?.['resolves']).toBe(resolves);
  });
});

describe('ONNX external data files that are not there', () => {
  it('are one note for the model, with a count', async () => {
    const dir = join(root, 'many-missing');
    mkdirSync(dir, { recursive: true });
    const names = ['a.data', 'b.data', 'c.data', 'a.data', 'present.data'];
    const many = onnxModel({ externals: names.map((location, i) => ({ name: `w${i}`, location })) });
    writeFileSync(join(dir, 'model.onnx'), many);
    writeFileSync(join(dir, 'present.data'), Buffer.alloc(4));
    const res = await scanWith(dir, [inspectStage]);
    const got = res.findings.filter((f) => f.location.path === 'model.onnx');
    expect(got.map((f) => [f.ruleId, f.level])).toEqual([['CPI065', 'note']]);
    expect(got[0]?.message).toBe(
      'model.onnx: 3 external data files the model names ("a.data", "b.data", "c.data") are not beside it; onnx.load (load_external_data_for_tensor) and ONNX Runtime fail to load the model, and the missing weights were not checked. Ship the data files with the model, or re-export it with the weights inside.',
    );
    expect(got[0]?.evidence).toMatchObject({ count: 3, resolves: 'missing' });
  });
});
