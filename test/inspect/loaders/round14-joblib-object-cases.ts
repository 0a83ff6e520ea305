import { gzipSync } from 'node:zlib';
import { buildTar } from '../containers/build.js';
import { joblibUint8Pickle as topArray, numpyArrayWrapper, SYSTEM_OPS } from '../pickle/joblib-wrapper.js';
import type { UnseenCase } from './unseen-runner.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const short = (s: string): Buffer => Buffer.concat([b('\x8c'), Buffer.from([s.length]), b(s)]);

/**
 * A joblib stream `{'b': <object array>}` whose object array is the pickle `inner`: joblib writes an object
 * array as a second, whole pickle right after its wrapper (`NumpyArrayWrapper.write_array`).
 */
function joblibObjectArray(inner: Buffer): Buffer {
  return Buffer.concat([b('\x80\x04}'), short('b'), numpyArrayWrapper('O8', 2, false), inner, b('s.')]);
}

/**
 * Inside an object array's pickle, a uint8 NumpyArrayWrapper "followed by its data": `os.system` opcodes. joblib
 * reads that pickle with a plain `pickle.load`, which builds the wrapper as an ordinary object and then runs the
 * opcodes after it; only NumpyUnpickler's `load_build` would have read them as array bytes. `aligned`: with joblib's
 * alignment field, for which NumpyUnpickler would read a padding byte first.
 */
const hidden = (aligned: boolean): Buffer =>
  Buffer.concat([b('\x80\x02'), numpyArrayWrapper('u1', SYSTEM_OPS.length, aligned), SYSTEM_OPS, b('0N.')]);
const HIDDEN = hidden(false);
const HIDDEN_ALIGNED = hidden(true);

/** A plain object array pickle of `[1, 'x']` as `pickle.dump(array, protocol=2)` writes it, no wrapper inside. */
const PLAIN_OBJECTS = Buffer.concat([
  b('\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R(K\x01K\x02\x85'),
  b('cnumpy\ndtype\nX\x02\x00\x00\x00O8\x89\x88\x87R(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb'),
  b('\x89]K\x01X\x01\x00\x00\x00x\x86tb.'),
]);

/**
 * "Array data" that is `os.system` opcodes: joblib.load copies them into the array, a plain `pickle.load`
 * (NumpyArrayWrapper builds as an ordinary object) runs them.
 */
const TOP_HIDDEN = topArray(SYSTEM_OPS);

/** The same layout with real array data: 32 bytes that start like opcodes but name no Python module. */
const TOP_DATA = topArray(Buffer.concat([b('c\x01\xff\n\x02\n(\x00'), Buffer.alloc(24, 0x3f)]));

/**
 * Array data that is 70 KiB of `N0` (push None, pop it: opcodes that do nothing) and then `os.system`: pickle.load
 * reads every byte of it as opcodes, however far the payload sits.
 */
const TOP_PADDED = topArray(Buffer.concat([Buffer.from('N0'.repeat(35 * 1024), 'latin1'), SYSTEM_OPS]));

/**
 * `os` and `system` memoized before the wrapper (BINPUT 0 and 1, popped), and the array data only fetches them back
 * (BINGET) for STACK_GLOBAL: no module name is spelled after the wrapper, pickle.load still imports os.system.
 */
const TOP_FROM_MEMO = Buffer.concat([
  b('\x80\x04'),
  short('os'),
  b('q\x000'),
  short('system'),
  b('q\x010}'),
  short('w'),
  numpyArrayWrapper('u1', 12, false),
  b('h\x00h\x01\x93'),
  short('id'),
  b('\x85R0'),
  b('s.'),
]);

/** 100 KiB of seeded pseudo-random bytes as the data of a uint8 array (real weights read as opcodes). */
const TOP_RANDOM = topArray(
  Buffer.from(
    Array.from({ length: 100 * 1024 }, (_, i) => {
      let x = Math.imul(i + 1, 0x9e3779b1) >>> 0;
      x ^= x >>> 15;
      return Math.imul(x, 0x85ebca6b) >>> 24;
    }),
  ),
);

const PLAIN_LOADER =
  'pickle.load (Lib/pickle.py _Unpickler.load_build: BUILD only sets state, the next bytes are opcodes)';

const LOADER =
  'joblib numpy_pickle.NumpyArrayWrapper.read_array: an object array is `pickle.load(unpickler.file_handle)`, a plain unpickler';

/**
 * An object array inside a joblib file is a nested pickle that joblib reads with plain `pickle.load`. chainproof
 * gave it joblib's NumpyUnpickler hook, so a NumpyArrayWrapper inside it made the bytes after it "array data" and
 * skipped them: an `os.system` call hidden there passed silently, though pickle.load runs it.
 */
export const ROUND14_JOBLIB_OBJECT_CASES: readonly UnseenCase[] = [
  {
    name: 'joblib object array whose pickle hides os.system after a uint8 NumpyArrayWrapper',
    loader: LOADER,
    files: { 'model.joblib': joblibObjectArray(HIDDEN) },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib object array whose pickle hides os.system after an aligned NumpyArrayWrapper',
    loader: LOADER,
    files: { 'model.joblib': joblibObjectArray(HIDDEN_ALIGNED) },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib object array of an int and a string',
    loader: LOADER,
    files: { 'model.joblib': joblibObjectArray(PLAIN_OBJECTS) },
    want: [],
  },
  {
    name: 'pickle whose uint8 NumpyArrayWrapper data is os.system opcodes, named model.pkl',
    loader: PLAIN_LOADER,
    files: { 'model.pkl': TOP_HIDDEN },
    want: ['CPI001:error'],
  },
  {
    name: 'joblib file whose uint8 array data starts like opcodes but names no module',
    loader: PLAIN_LOADER,
    files: { 'model.pkl': TOP_DATA },
    want: [],
  },
  // Each the way pickle.load reads it from the file, and from gzip.open (a decompressed stream, read twice).
  ...(
    [
      ['pickle whose uint8 array data pads 70 KiB of no-op opcodes before os.system', TOP_PADDED, ['CPI001:error']],
      [
        'pickle whose uint8 array data calls os.system through names memoized before the wrapper',
        TOP_FROM_MEMO,
        ['CPI001:error'],
      ],
      ['joblib file whose uint8 array holds 100 KiB of random bytes', TOP_RANDOM, []],
    ] as const
  ).flatMap(([name, bytes, want]): UnseenCase[] => [
    { name: `${name}, named model.pkl`, loader: PLAIN_LOADER, files: { 'model.pkl': bytes }, want: [...want] },
    {
      name: `${name}, gzipped (pickle.load(gzip.open))`,
      loader: PLAIN_LOADER,
      files: { 'model.pkl.gz': gzipSync(bytes) },
      want: [...want],
    },
  ]),
  {
    name: 'gzipped tar whose model.pkl pads 70 KiB of no-op opcodes before os.system (tarfile + pickle.load)',
    loader: PLAIN_LOADER,
    files: { 'model.tar.gz': gzipSync(buildTar('model.pkl', TOP_PADDED)) },
    want: ['CPI001:error'],
  },
];
