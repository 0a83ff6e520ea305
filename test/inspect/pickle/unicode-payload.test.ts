import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analysePickleBuffer } from '../../../src/inspect/pickle/pickles.js';
import { corpusPath } from '../../helpers/corpus.js';

// CPython's unpickler decodes every BINUNICODE / SHORT_BINUNICODE / BINUNICODE8 payload with
// `str(data, 'utf-8', 'surrogatepass')` (`_pickle.c` load_counted_binunicode; torch's weights-only unpickler does
// the same) and the load raises UnicodeDecodeError there. A payload that is not UTF-8 is a corrupt file, never a
// clean one. The verdicts below were taken from Debian's python3 3.11 `pickle.loads` on these exact bytes.

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const rules = (data: Buffer): string[] =>
  analysePickleBuffer(data, { path: 'x.pkl', allow: {}, what: 'pickle' }).map((f) => f.ruleId);
const messages = (data: Buffer): string[] =>
  analysePickleBuffer(data, { path: 'x.pkl', allow: {}, what: 'pickle' }).map((f) => f.message);

describe('BINUNICODE payloads that CPython cannot decode', () => {
  it.each([
    ['a 0xff byte', '\x80\x04\x8c\x02a\xff\x94.'],
    ['an overlong NUL', '\x80\x04\x8c\x02\xc0\x80.'],
    ['a sequence cut short', '\x80\x04\x8c\x02\xe2\x82.'],
    ['a code point past U+10FFFF', '\x80\x04\x8c\x04\xf4\x90\x80\x80.'],
    ['BINUNICODE (protocol 1)', 'X\x02\x00\x00\x00\xff\xfe.'],
    ['BINUNICODE8', '\x80\x04\x8d\x01\x00\x00\x00\x00\x00\x00\x00\xff.'],
  ])('%s is a file that does not load (CPI003)', (_name, stream) => {
    expect(rules(b(stream))).toEqual(['CPI003']);
    expect(messages(b(stream))[0]).toContain('not valid UTF-8');
  });

  it.each([
    ['an encoded surrogate (surrogatepass)', '\x80\x04\x8c\x03\xed\xa0\x80\x94.'],
    ['a four-byte emoji', '\x80\x04\x8c\x04\xf0\x9f\x98\x80.'],
    ['a real U+FFFD (what a lossy decoder writes for a bad byte)', '\x80\x04\x8c\x03\xef\xbf\xbd.'],
    ['a payload over KEEP_STRING', `X\x00\x08\x00\x00${'\xc3\xa9'.repeat(1024)}.`],
  ])('%s loads and stays clean', (_name, stream) => {
    expect(rules(b(stream))).toEqual([]);
  });

  it('a long payload with one bad byte at its end is caught too', () => {
    expect(rules(b(`X\x01\x08\x00\x00${'\xc3\xa9'.repeat(1024)}\xff.`))).toEqual(['CPI003']);
  });

  it('a real scikit-learn pickle whose module name gets a 0xff byte no longer reads as clean', () => {
    const data = readFileSync(corpusPath('models', 'sklearn_logreg_p5.pkl'));
    expect(rules(data)).toEqual([]);
    const at = data.indexOf('sklearn.linear_model');
    expect(at).toBeGreaterThan(0);
    const broken = Buffer.from(data);
    broken[at + 10] = 0xff;
    expect(rules(broken)).toEqual(['CPI003']);
  });

  it('a payload before the bad string is still judged (the loader ran it first)', () => {
    const evil = '\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R0';
    expect(rules(b(`${evil}\x8c\x01\xff.`)).sort()).toEqual(['CPI001', 'CPI003']);
  });
});
