import { describe, expect, it } from 'vitest';
import { dtypeFromPickle } from '../../../src/inspect/pickle/numpy-dtype.js';
import { ByteSource } from '../../../src/inspect/pickle/source.js';
import { runPickle } from '../../../src/inspect/pickle/vm.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const short = (s: string): Buffer => Buffer.concat([b('U'), Buffer.from([s.length]), b(s)]);
const int = (n: number): Buffer => Buffer.concat([b('M'), Buffer.from([n & 0xff, n >> 8])]);

/** `numpy.dtype(typestr, False, True)`, then BUILD with the version-3 state numpy writes (O8's flags are 63). */
const plainDtype = (typestr: string): Buffer =>
  Buffer.concat([
    b('cnumpy\ndtype\n'),
    short(typestr),
    b('\x89\x88\x87R(K\x03'),
    short('|'),
    b('NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK'),
    Buffer.from([typestr === 'O8' ? 63 : 0]),
    b('tb'),
  ]);

/**
 * A structured dtype as a version-2 state, for which numpy recomputes `hasobject` from the fields
 * (descriptor.c `arraydescr_setstate` → `_descr_find_object`): `fields` uint8 fields, then one object field.
 */
function structured(fields: number): Buffer {
  const names = Array.from({ length: fields + 1 }, (_, i) => `f${i}`);
  const entries = names.map((name, i) =>
    Buffer.concat([short(name), i < fields ? plainDtype('u1') : plainDtype('O8'), int(i), b('\x86')]),
  );
  const size = fields + 8;
  return Buffer.concat([
    b('\x80\x02'),
    b('cnumpy\ndtype\n'),
    short(`V${size}`),
    b('\x89\x88\x87R(K\x02'),
    short('|'),
    b('N('),
    ...names.map(short),
    b('t}('),
    ...entries,
    b('u'),
    int(size),
    b('K\x01K\x00tb.'),
  ]);
}

describe('dtypeFromPickle: structured dtypes whose flags numpy recomputes', () => {
  it.each([3, 69])('an object field after %i uint8 fields makes the dtype hold objects', (n) => {
    const run = runPickle(ByteSource.fromBuffer(structured(n)));
    expect(run.problems).toEqual([]);
    expect(dtypeFromPickle(run.result)?.hasObject).toBe(true);
  });
});
