import { npy } from '../containers/build.js';
import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-attacks.test.js';

/** A protocol-2 pickle calling os.system('id'): hand-written bytes, never loaded. */
const EVIL = Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1');

/** `numpy.lib.format.read_array`: `dtype.hasobject` means `pickle.load` of the rest (with allow_pickle=True). */
export const NPY_CASES: readonly UnseenCase[] = [
  {
    name: "object array spelled descr 'object'",
    loader: 'numpy.lib.format.descr_to_dtype → numpy.dtype("object")',
    files: { 'x.npy': npy("'object'", '(1,)', EVIL) },
    want: ['CPI001:error'],
  },
  {
    name: "object array spelled 'object_' inside an .npz",
    loader: 'numpy.lib.npyio.NpzFile → format.read_array',
    files: { 'x.npz': zip([{ name: 'arr_0.npy', data: npy("'object_'", '(1,)', EVIL) }]) },
    want: ['CPI001:error'],
  },
  {
    name: 'top-level subarray descr of objects',
    loader: 'numpy.lib.format.descr_to_dtype (tuple → numpy.dtype((dt, shape)))',
    files: { 'x.npy': npy("('|O', (2,))", '(1,)', EVIL) },
    want: ['CPI001:error'],
  },
  {
    name: "structured field of dtype 'object'",
    loader: 'numpy.lib.format.descr_to_dtype (field list)',
    files: { 'x.npy': npy("[('a', 'object')]", '(1,)', EVIL) },
    want: ['CPI001:error'],
  },
  {
    name: "plain array spelled descr 'float32'",
    loader: 'numpy.dtype("float32")',
    files: { 'x.npy': npy("'float32'", '(2,)', Buffer.alloc(8)) },
    want: [],
  },
  {
    name: "float field that happens to be named 'O'",
    loader: 'numpy.lib.format.descr_to_dtype (a field name is not a dtype)',
    files: { 'x.npy': npy("[('O', '<f4')]", '(2,)', Buffer.alloc(8)) },
    want: [],
  },
];
