import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/**
 * joblib/numpy_pickle.py `NumpyArrayWrapper.read_array` copies `np.multiply.reduce([np.int64(x) for x in
 * self.shape]) * dtype.itemsize` bytes after the wrapper's BUILD, and `NumpyUnpickler` then goes on running opcodes.
 * Where chainproof sized the data differently or not at all, it stopped with a CPI003 warning and only read the rest
 * lexically, so a payload after the array whose names come from the memo passed the gate. Each hostile case was
 * loaded with Debian's `joblib.load` (1.2.0) on a copy whose command touched a marker file: the marker appeared.
 */

const LOADER_CASES = join(import.meta.dirname, '../../../fixtures/loader-cases');
const fixture = (name: string): Buffer => readFileSync(join(LOADER_CASES, name));

const b = (s: string) => Buffer.from(s, 'latin1');
const short = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;
const global4 = (module: string, name: string) => `${short(module)}${short(name)}\x93`;
const dtype = (typestr: string) =>
  `${global4('numpy', 'dtype')}${short(typestr)}\x89\x88\x87R(K\x03${short('<')}NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb`;

/**
 * A NumpyArrayWrapper as joblib.dump writes it, with `shape` spelled by `shapeOps`, followed by `dataLength` bytes
 * of array data and then `os.system` called by names the wrapper's state left in the memo (slots 100 and 101).
 */
function wrapperThenPayload(typestr: string, shapeOps: string, dataLength: number, mmap = false): Buffer {
  // `typestr` of the form `'<str>'` is a plain string where the dtype should be.
  const dtypeOps = typestr.startsWith("'") ? short(typestr.slice(1, -1)) : dtype(typestr);
  return Buffer.concat([
    b(
      `\x80\x04${global4('joblib.numpy_pickle', 'NumpyArrayWrapper')})\x81}(` +
        `${short('subclass')}${global4('numpy', 'ndarray')}${short('shape')}${shapeOps}${short('order')}${short('C')}` +
        `${short('dtype')}${dtypeOps}${short('allow_mmap')}${mmap ? '\x88' : '\x89'}` +
        `${short('xa')}${short('os')}q\x64${short('xb')}${short('system')}q\x65ub`,
    ),
    Buffer.alloc(dataLength),
    b(`h\x64h\x65\x93${short('touch /tmp/marker')}\x85R.`),
  ]);
}

const SYSTEM = ['CPI001:error', 'CPI009:warning'];

const CASES: readonly UnseenCase[] = [
  {
    name: 'genuine complex64, complex128 and clongdouble arrays',
    loader: "joblib.dump: numpy's dtype.__reduce__ writes ('c8' | 'c16' | 'c32', False, True) with elsize -1",
    files: {
      'complex.joblib': fixture('complex_arrays.joblib'),
      'complex_z.joblib': fixture('complex_arrays_zlib.joblib'),
    },
    want: [],
  },
  {
    name: 'os.system after a complex128 array (ran)',
    loader: 'descriptor.c arraydescr_setstate keeps a fixed-size type its own size: 2 × 16 bytes',
    files: { 'm.joblib': wrapperThenPayload('c16', 'K\x02\x85', 32) },
    want: SYSTEM,
  },
  {
    name: 'os.system after an array whose shape is a list (ran)',
    loader: 'read_array iterates any sequence: [np.int64(x) for x in self.shape]',
    files: { 'm.joblib': wrapperThenPayload('u1', ']K\x03a', 3) },
    want: SYSTEM,
  },
  {
    name: 'a shape of numpy integer scalars cannot be sized: not checked (ran)',
    loader: 'np.int64(numpy.core.multiarray.scalar(dtype("i8"), b"\\x03…")) is 3',
    files: {
      'm.joblib': wrapperThenPayload(
        'u1',
        `${global4('numpy.core.multiarray', 'scalar')}${dtype('i8')}C\x08\x03\x00\x00\x00\x00\x00\x00\x00\x86R\x85`,
        3,
      ),
    },
    want: ['CPI004:error'],
  },
  {
    name: 'a dtype chainproof cannot size: not checked',
    loader: 'read_array reads count × itemsize bytes of whatever numpy.dtype(...) built',
    files: { 'm.joblib': wrapperThenPayload('Z9', 'K\x02\x85', 2) },
    want: ['CPI004:error'],
  },
  {
    name: 'os.system after a mapped array whose shape is an int (ran with mmap_mode="r")',
    loader: 'read_mmap: np.memmap(shape=3) takes an int, which read_array refuses (len(int))',
    files: { 'm.joblib': wrapperThenPayload('u1', 'K\x03', 3, true) },
    want: SYSTEM,
  },
  {
    name: 'os.system after a mapped array whose dtype is a string (ran with mmap_mode="r")',
    loader: "read_mmap: np.memmap(dtype='i2') takes a dtype string, which read_array refuses (str.hasobject)",
    files: { 'm.joblib': wrapperThenPayload("'i2'", 'K\x03\x85', 6, true) },
    want: SYSTEM,
  },
  {
    name: 'an int shape without allow_mmap stops joblib.load: malformed only',
    loader: 'read_array: len(self.shape) raises TypeError for an int',
    files: { 'm.joblib': wrapperThenPayload('u1', 'K\x03', 3) },
    want: ['CPI003:warning'],
  },
  {
    name: 'a shape of bools stops joblib.load: malformed only',
    loader: 'np.int64(True) then np.empty raises TypeError ("an integer is required"); nothing after runs',
    files: { 'm.joblib': wrapperThenPayload('u1', '\x88\x85', 1) },
    want: ['CPI003:warning'],
  },
];

describeUnseenCases('joblib array data sized as read_array sizes it', CASES);
