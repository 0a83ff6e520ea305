import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { writeSparseZip } from '../formats/build.js';

const root = mkdtempSync(join(tmpdir(), 'cp-any-size-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const THREE_GB = 3 * 1024 ** 3;
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('checkpoints of any size are inspected', () => {
  it.each([
    {
      name: '3 GB torch zip whose data.pkl calls os.system',
      pickle: b('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.'),
      rule: 'CPI001',
      exit: 1,
    },
    {
      name: '3 GB torch zip with a benign data.pkl',
      pickle: b('\x80\x02}q\x00X\x01\x00\x00\x00aK\x01s.'),
      rule: undefined,
      exit: 0,
    },
  ])('$name', async ({ name, pickle, rule, exit }) => {
    const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir);
    const size = writeSparseZip(join(dir, 'model.pt'), [
      { name: 'archive/data.pkl', data: pickle },
      { name: 'archive/data/0', data: THREE_GB },
      { name: 'archive/version', data: b('3\n') },
    ]);
    expect(size).toBeGreaterThan(THREE_GB);
    const res = await scanWith(dir, [inspectStage]);
    const ids = res.findings.map((f) => f.ruleId);
    if (rule) expect(ids).toContain(rule);
    else expect(ids).toEqual([]);
    // Not "not checked": no limit finding for the size.
    expect(ids).not.toContain('CPI012');
    expect(exitCodeForFindings(res, 'error')).toBe(exit);
  });
});
