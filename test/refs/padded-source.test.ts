import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refsStage } from '../../src/refs/stage.js';
import { GENERATED_LENGTH } from '../../src/refs/text.js';
import { scanWith } from '../helpers/scan.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const LOAD =
  'from transformers import AutoModel\nm = AutoModel.from_pretrained("evil/padded", trust_remote_code=True)\n';

/** Lines of `each` characters, past GENERATED_LENGTH in all, before the loader call: a script grown or padded. */
const padded = (each: number) => {
  const count = Math.ceil((GENERATED_LENGTH + 100_000) / (each + 1));
  const pad = Array.from({ length: count }, (_, i) => `v${i} = ${i}`.padEnd(each, ' ')).join('\n');
  return `${pad}\n${LOAD}`;
};

describe('a Python script past a megabyte of hand-written lines', () => {
  it('is searched up to the source bound, so padding does not hide its trust_remote_code load', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cp-refs-padded-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'train.py'), padded(20));
    // Generated Python (lines over 1,000 characters, a _pb2.py's descriptor) is still skipped and counted.
    writeFileSync(path.join(root, 'gen_pb2.py'), padded(1_200));
    const r = await scanWith(root, [refsStage]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR002').map((f) => f.location.path)).toEqual(['train.py']);
    const skipped = r.findings.filter((f) => f.ruleId === 'CPR011');
    expect(skipped.map((f) => [f.location.path, f.evidence?.['count']])).toEqual([['gen_pb2.py', 1]]);
  });
});
