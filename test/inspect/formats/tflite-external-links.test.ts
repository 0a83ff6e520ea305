import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { externalWeightsModel } from './build.js';

/**
 * What LiteRT's compiled model does with external weights named by a plain relative path: `ResolveGroupPath` joins
 * it to the model's folder and `MapFileSliceFromPath` opens it with open(2), which follows a symbolic link — a link
 * beside the model reads whatever it points at into the weights.
 */
const outside = mkdtempSync(join(tmpdir(), 'cp-tflite-outside-'));
writeFileSync(join(outside, 'secret.txt'), 'token=abc'.padEnd(64, ' '));
const root = mkdtempSync(join(tmpdir(), 'cp-tflite-links-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const model = externalWeightsModel({
  groups: ['weights.bin'],
  buffers: [{ id: 1, group: 0 }],
  tensors: [{ buffer: 1 }],
});

const CASES: readonly { name: string; make: (dir: string) => void; want: readonly string[]; resolves?: string }[] = [
  {
    name: 'weights file beside the model',
    make: (dir) => writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(16)),
    want: [],
  },
  {
    name: 'weights file is a symlink to a file outside the scan root',
    make: (dir) => symlinkSync(join(outside, 'secret.txt'), join(dir, 'weights.bin')),
    want: ['CPI077'],
    resolves: 'outside-root',
  },
  {
    name: 'weights file is a FIFO inside the root',
    make: (dir) => execFileSync('mkfifo', [join(dir, 'weights.bin')]),
    want: ['CPI077'],
    resolves: 'not-regular-file',
  },
  {
    name: 'weights file is a symlink to another file inside the root',
    make: (dir) => {
      writeFileSync(join(dir, 'real.bin'), Buffer.alloc(16));
      symlinkSync('real.bin', join(dir, 'weights.bin'));
    },
    want: [],
  },
];

describe('TFLite external weights that the file system leads out of the model folder', () => {
  it.each(CASES.map((c, i) => ({ ...c, i })))('$name', async ({ make, want, resolves, i }) => {
    const dir = join(root, String(i));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.tflite'), model);
    make(dir);
    const res = await scanWith(dir, [inspectStage]);
    const got = res.findings.filter((f) => f.ruleId.startsWith('CPI') && f.location.path === 'model.tflite');
    expect([...new Set(got.map((f) => f.ruleId))]).toEqual(want);
    if (resolves !== undefined) expect(got[0]?.evidence?.['resolves']).toBe(resolves);
  });
});
