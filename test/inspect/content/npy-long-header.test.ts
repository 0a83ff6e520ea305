import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import { inspectFolder } from '../pickle/scan-folder.js';
import { buildZip } from '../containers/build.js';

/** `os.system('id')`, protocol 2, hand-written. */
const PAYLOAD = Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00idq\x00\x85R.', 'latin1');

/** A version 2.0 .npy head whose dict is padded with spaces to `length` bytes, as np.save pads (to a 64-byte line). */
function npyV2(dict: string, length: number): Buffer {
  const text = Buffer.from(`${dict}${' '.repeat(length - dict.length - 1)}\n`, 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(text.length);
  return Buffer.concat([Buffer.from('\x93NUMPY\x02\x00', 'latin1'), len, text]);
}

const OBJECT = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";

describe('a .npy header longer than the first 64 KiB read (numpy _read_array_header reads it whole)', () => {
  let dir: string;
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cp-npy-long-header-'));
    // np.load(allow_pickle=True) lifts numpy's 10,000-byte header cap and unpickles what follows the header.
    writeFileSync(path.join(dir, 'object_padded.npy'), Buffer.concat([npyV2(OBJECT, 100_000), PAYLOAD]));
    // Past what chainproof parses (1 MiB): the header is not read, the pickle after it still is.
    writeFileSync(path.join(dir, 'object_over_limit.npy'), Buffer.concat([npyV2(OBJECT, (1 << 20) + 64), PAYLOAD]));
    // What np.save writes for a dtype of thousands of fields: a long header, then plain data.
    const fields = Array.from({ length: 5000 }, (_, i) => `('f${i}', '<f4')`).join(', ');
    const plain = npyV2(`{'descr': [${fields}], 'fortran_order': False, 'shape': (1,), }`, 100_032);
    writeFileSync(path.join(dir, 'plain_many_fields.npy'), Buffer.concat([plain, Buffer.alloc(5000 * 4)]));
    // The same inside an .npz: the member is read whole, and np.load reads it as the lone .npy.
    const member = Buffer.concat([npyV2(OBJECT, (1 << 20) + 64), PAYLOAD]);
    writeFileSync(path.join(dir, 'archive.npz'), buildZip([{ name: 'a.npy', data: member }]));
    findings = await inspectFolder(dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rules = (name: string) => (findings.get(name) ?? []).map((f) => `${f.ruleId}:${f.level}`);

  it('the object array pickle after a 100 KB header is judged (CPI001), not only reported unread', () => {
    expect(rules('object_padded.npy')).toEqual(['CPI001:error']);
    expect(findings.get('object_padded.npy')![0]!.evidence?.['global']).toBe('os.system');
  });

  it('a header over the parser limit is said as such, and the pickle after it is still judged', () => {
    const got = findings.get('object_over_limit.npy') ?? [];
    expect(got.map((f) => f.ruleId).sort()).toEqual(['CPI001', 'CPI013']);
    expect(got.find((f) => f.ruleId === 'CPI013')!.message).toContain('is over the 1048576 bytes chainproof reads');
  });

  it('an .npz member with a header over the parser limit: the pickle after it is judged too', () => {
    expect((findings.get('archive.npz') ?? []).map((f) => f.ruleId).sort()).toEqual(['CPI001', 'CPI013']);
  });

  it('a plain array with a long header is clean', () => {
    expect(rules('plain_many_fields.npy')).toEqual([]);
  });
});
