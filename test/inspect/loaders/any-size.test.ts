import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';

const root = mkdtempSync(join(tmpdir(), 'cp-any-size-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const THREE_GB = 3 * 1024 ** 3;
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

interface Member {
  readonly name: string;
  /** Real bytes, or a length left as a hole in a sparse file. */
  readonly data: Buffer | number;
}

/**
 * A torch.save-shaped zip (`archive/data.pkl`, `archive/data/0`, `archive/version`, all stored) written with
 * positioned writes, so a multi-GB storage member is a hole that costs no disk.
 */
function writeSparseZip(path: string, members: readonly Member[]): number {
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  let pos = 0;
  try {
    for (const m of members) {
      const name = b(m.name);
      const size = typeof m.data === 'number' ? m.data : m.data.length;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt32LE(size, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      writeSync(fd, Buffer.concat([local, name]), 0, 30 + name.length, pos);
      if (typeof m.data !== 'number') writeSync(fd, m.data, 0, m.data.length, pos + 30 + name.length);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt32LE(size, 20);
      c.writeUInt32LE(size, 24);
      c.writeUInt16LE(name.length, 28);
      c.writeUInt32LE(pos, 42);
      central.push(c, name);
      pos += 30 + name.length + size;
    }
    const cd = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(members.length, 8);
    end.writeUInt16LE(members.length, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(pos, 16);
    const tail = Buffer.concat([cd, end]);
    writeSync(fd, tail, 0, tail.length, pos);
    return pos + tail.length;
  } finally {
    closeSync(fd);
  }
}

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
