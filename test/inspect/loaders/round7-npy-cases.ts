import type { UnseenCase } from './unseen-runner.js';

/** A version 1.0 .npy whose header dict names `descr` (a Python literal) and shape (1,), then `body`. */
function npy(descr: string, body: Buffer): Buffer {
  const dict = `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`;
  const header = dict.padEnd(64 * Math.ceil((10 + dict.length + 1) / 64) - 10 - 1, ' ') + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, Buffer.from(header, 'latin1'), body]);
}
const SYSTEM = Buffer.from("cos\nsystem\n(S'true'\ntR.", 'latin1');
const LOADER = 'numpy.lib.format.read_array (descr_to_dtype: numpy.dtype(str), pickle.load when hasobject)';

/**
 * Dtype strings numpy reads as fields or shaped types (descriptor.c `_check_for_commastring`, then
 * `_internal._commastring`), and one-letter codes: chainproof knew neither, so an object array spelled `'i4,O'` or
 * `'(2,)O'` — which np.load(allow_pickle=True) unpickles — was only a CPI013 warning, and a float32 `'f'` one too.
 */
export const ROUND7_NPY_CASES: readonly UnseenCase[] = [
  {
    name: ".npy whose descr 'i4,O' holds an object field (os.system pickle)",
    loader: LOADER,
    files: { 'a.npy': npy("'i4,O'", SYSTEM) },
    want: ['CPI001:error'],
  },
  {
    name: ".npy whose descr '(2,)O' is a subarray of objects (os.system pickle)",
    loader: LOADER,
    files: { 'a.npy': npy("'(2,)O'", SYSTEM) },
    want: ['CPI001:error'],
  },
  {
    name: ".npy of float32 spelled 'f'",
    loader: LOADER,
    files: { 'a.npy': npy("'f'", Buffer.alloc(4)) },
    want: [],
  },
  {
    name: ".npy of int32 fields spelled '2i'",
    loader: LOADER,
    files: { 'a.npy': npy("'2i'", Buffer.alloc(8)) },
    want: [],
  },
];
