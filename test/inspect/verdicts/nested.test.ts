import { describe, expect, it } from 'vitest';
import { ByteSource } from '../../../src/inspect/pickle/source.js';
import { toFindings } from '../../../src/inspect/pickle/verdict.js';
import { runPickle } from '../../../src/inspect/pickle/vm.js';

/** `{'k': <payload>}` as protocol 4 with SHORT_BINBYTES / SHORT_BINUNICODE values. */
function dictOf(values: readonly Buffer[], asText = false): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 4, 0x7d, 0x28])]; // PROTO 4, EMPTY_DICT, MARK
  values.forEach((v, i) => {
    const key = Buffer.from(`k${i}`);
    parts.push(Buffer.from([0x8c, key.length]), key, Buffer.from([asText ? 0x8c : 0x43, v.length]), v);
  });
  parts.push(Buffer.from([0x75, 0x2e])); // SETITEMS, STOP
  return Buffer.concat(parts);
}

const evil = Buffer.from('\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1');
const plain = Buffer.from('\x80\x02]q\x00(K\x01K\x02e.', 'latin1'); // [1, 2]: a nested pickle importing nothing

function findingsOf(data: Buffer) {
  const run = runPickle(ByteSource.fromBuffer(data));
  return toFindings([run], { location: { path: 'x.pkl' }, allow: {}, what: 'pickle' });
}

describe('nested pickles (CPI101)', () => {
  it.each([
    { name: 'raw bytes', data: dictOf([evil]), want: ['CPI101'] },
    { name: 'base64 text', data: dictOf([Buffer.from(evil.toString('base64'))], true), want: ['CPI101'] },
    { name: 'protocol-0 text', data: dictOf([Buffer.from('cposix\nsystem\n(S"id"\ntR.')], true), want: ['CPI101'] },
    { name: 'a nested pickle of plain data', data: dictOf([plain]), want: [] },
    { name: 'text that only starts with c', data: dictOf([Buffer.from('classifier.weight')], true), want: [] },
  ])('$name → $want', ({ data, want }) => {
    expect(findingsOf(data).map((f) => f.ruleId)).toEqual(want);
  });

  it('past 64 pickle-like values, the rest are reported as not checked', () => {
    const got = findingsOf(dictOf(Array.from({ length: 70 }, () => plain)));
    expect(got.map((f) => [f.ruleId, f.evidence?.skipped])).toEqual([['CPI101', 6]]);
  });
});
