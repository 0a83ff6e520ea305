import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const LOADER =
  "joblib numpy_pickle_utils._detect_compressor: zlib only for _ZLIB_PREFIX b'x'; else pickle.load reads the bytes";

/**
 * A protocol 0 pickle whose first two bytes happen to form a valid RFC 1950 header: "(S" (MARK, STRING) is
 * 0x28 0x53, and 0x2853 % 31 === 0. Python 2 wrote a tuple that starts with a str this way. joblib decompresses
 * only a stream starting with 0x78 (`compressor._ZLIB_PREFIX`), so both `pickle.load` and `joblib.load` unpickle
 * these bytes as they are (run with Debian's python3: `('a', 1)` from both).
 */
export const ROUND9_ZLIB_PREFIX_CASES: readonly UnseenCase[] = [
  {
    name: 'zip member x.pkl: protocol 0 tuple starting "(S", a valid zlib header that is no zlib stream',
    loader: LOADER,
    files: { 'm.zip': zip([{ name: 'x.pkl', data: "(S'a'\np0\nI1\ntp1\n." }]) },
    want: [],
  },
  {
    name: 'zip member x.pkl: "(S\'id\'" then INST os.system (zlib-looking head)',
    loader: `${LOADER}; pickle INST calls os.system('id')`,
    files: { 'm.zip': zip([{ name: 'x.pkl', data: "(S'id'\nios\nsystem\n." }]) },
    want: ['CPI001:error'],
  },
];
