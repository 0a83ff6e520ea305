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
    // pickle.loads(bytes.fromhex(…)) as others do with base64 (modelaudit's nested_pickle_hex shape).
    { name: 'hex text', data: dictOf([Buffer.from(evil.toString('hex'))], true), want: ['CPI101'] },
    {
      name: 'hex text in a protocol-0 string',
      data: Buffer.from(`(dp0\nVk\nV${evil.toString('hex')}\ns.`),
      want: ['CPI101'],
    },
    {
      name: 'hex that is not a pickle (a digest starting 8003)',
      data: dictOf([Buffer.from(`8003${'ab'.repeat(30)}`)], true),
      want: [],
    },
    { name: 'a nested pickle of plain data', data: dictOf([plain]), want: [] },
    { name: 'text that only starts with c', data: dictOf([Buffer.from('classifier.weight')], true), want: [] },
  ])('$name → $want', ({ data, want }) => {
    expect(findingsOf(data).map((f) => f.ruleId)).toEqual(want);
  });

  /**
   * Protocols 0–2 pickle bytes as `_codecs.encode(<Latin-1 text>, 'latin1')` (Lib/pickle.py save_bytes): the nested
   * pickle is a str starting with U+0080, its UTF-8 starting C2 80 (BINUNICODE) or raw-unicode-escaped (UNICODE).
   */
  const codecsEncode = (text: Buffer): Buffer =>
    Buffer.concat([Buffer.from('c_codecs\nencode\n'), text, Buffer.from('X\x06\x00\x00\x00latin1\x86R', 'latin1')]);
  const binunicode = (b: Buffer): Buffer => {
    const utf8 = Buffer.from(b.toString('latin1'), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(utf8.length);
    return Buffer.concat([Buffer.from('X'), len, utf8]);
  };
  const protocol2 = (payload: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from('\x80\x02}X\x04\x00\x00\x00blob', 'latin1'),
      codecsEncode(binunicode(payload)),
      Buffer.from('s.'),
    ]);
  const padded = Buffer.concat([evil.subarray(0, -1), Buffer.from(`X\x00\x08\x00\x00${'a'.repeat(2048)}0.`, 'latin1')]);

  it.each([
    { name: 'protocol 2 bytes (_codecs.encode of Latin-1 text)', data: protocol2(evil) },
    { name: 'protocol 2 bytes longer than a kept string', data: protocol2(padded) },
    {
      name: 'protocol 0 bytes (UNICODE, raw-unicode-escape)',
      data: Buffer.from(
        `(dp0\nVblob\nc_codecs\nencode\n(V${evil.toString('latin1').replace(/\n/g, '\\u000a')}\nVlatin1\ntRs.`,
        'latin1',
      ),
    },
    {
      name: 'a Python 2 str (SHORT_BINSTRING) of raw pickle bytes',
      data: Buffer.concat([Buffer.from([0x80, 2, 0x55, evil.length]), evil, Buffer.from('.')]),
    },
  ])('$name → CPI101', ({ data }) => {
    const got = findingsOf(data);
    expect(got.map((f) => [f.ruleId, f.evidence?.dangerous])).toEqual([['CPI101', 'posix.system']]);
  });

  it('past 64 pickle-like values, the rest are reported as not checked', () => {
    const got = findingsOf(dictOf(Array.from({ length: 70 }, () => plain)));
    expect(got.map((f) => [f.ruleId, f.evidence?.skipped])).toEqual([['CPI101', 6]]);
  });
});
