import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
/** A version 1.0 .npy of one object element whose data is `pickle`. */
const objectNpy = (pickle: string) => {
  const header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".padEnd(117) + '\n';
  return Buffer.concat([latin1('\x93NUMPY\x01\x00'), Buffer.from([header.length, 0]), latin1(header), latin1(pickle)]);
};
const EVIL = '\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R.';
const PLAIN = '\x80\x02]q\x00(X\x01\x00\x00\x00aq\x01Ne.';
const LOADER =
  "numpy NpzFile.__getitem__: any member is a key (f['version']); format.read_array unpickles an object array";

/**
 * .npz members named like torch archive records (`version`, `byteorder`, `data/0`, `.format_version`): np.load
 * serves them as keys like any other. Only a torch archive (a data.pkl beside them) leaves them unread.
 */
export const ROUND9_NPZ_KEY_CASES: readonly UnseenCase[] = [
  ...['version', 'byteorder', 'data/0', '.format_version', 'x/.data/serialization_id'].map((name): UnseenCase => ({
    name: `.npz member "${name}": an object array that calls os.system`,
    loader: LOADER,
    files: { 'm.npz': zip([{ name, data: objectNpy(EVIL) }]) },
    want: ['CPI001:error'],
  })),
  {
    name: '.npz member "version": an object array of plain values',
    loader: `${LOADER} (needs allow_pickle=True)`,
    files: { 'm.npz': zip([{ name: 'version', data: objectNpy(PLAIN) }]) },
    want: ['CPI120:note'],
  },
  {
    name: 'torch zip: a pickle in archive/data/0 beside archive/data.pkl is a storage, never unpickled',
    loader: 'torch/serialization.py _load: persistent_load reads data/<key> into a storage as raw bytes',
    files: {
      'm.pt': zip([
        { name: 'archive/data.pkl', data: latin1('\x80\x02}q\x00.') },
        { name: 'archive/data/0', data: latin1(EVIL) },
        { name: 'archive/version', data: '3\n' },
      ]),
    },
    want: [],
  },
];
