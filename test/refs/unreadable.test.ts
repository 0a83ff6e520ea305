import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Stage } from '../../src/core/stage.js';
import { KEEP_FILE_MAX } from '../../src/discover/walk.js';
import { refsStage } from '../../src/refs/stage.js';
import { scanWith } from '../helpers/scan.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a source file that cannot be read again', () => {
  it('is counted as not searched (CPR011), never a silent pass', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cp-refs-unreadable-'));
    dirs.push(root);
    // Larger than the walk keeps: the refs stage reads it itself, after the walk listed it.
    const line = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/gone")\n';
    writeFileSync(path.join(root, 'big.py'), line + '#\n'.repeat(KEEP_FILE_MAX));
    writeFileSync(path.join(root, 'small.py'), line);
    const remove: Stage = {
      name: 'remove',
      run: () => {
        rmSync(path.join(root, 'big.py'));
        return Promise.resolve({});
      },
    };
    const r = await scanWith(root, [remove, refsStage]);
    expect((r.references ?? []).map((x) => x.path)).toEqual(['small.py']);
    const skipped = r.findings.filter((f) => f.ruleId === 'CPR011');
    expect(skipped.map((f) => [f.location.path, f.evidence?.['count']])).toEqual([['big.py', 1]]);
    expect(skipped[0]!.message).toContain('unreadable');
  });
});
