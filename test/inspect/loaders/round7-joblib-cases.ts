import { deflateSync } from 'node:zlib';
import type { UnseenCase } from './unseen-runner.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
/** Protocol 0: `os.system('true')` — no PROTO opcode, as `pickle.dumps(obj, 0)` writes it. */
const SYSTEM_P0 = latin1("cos\nsystem\n(S'true'\ntR.");
/** Protocol 1: the same call with binary opcodes (BINPUT, BINUNICODE, TUPLE), still no PROTO. */
const SYSTEM_P1 = latin1('cos\nsystem\nq\x00(X\x04\x00\x00\x00truetR.');
/** Protocol 0 dict `{'w': [1.0]}`, the benign counterpart. */
const DICT_P0 = latin1('(dp0\nVw\np1\n(lp2\nF1.0\nas.');

const LOADER = 'joblib numpy_pickle.load (_detect_compressor picks zlib by the magic, whatever the name)';

/**
 * zlib-compressed pickles without a PROTO opcode (protocols 0 and 1) under names that claim nothing: joblib.load
 * decompresses any file starting with a zlib header and unpickles it; discovery only knew compressed PROTO streams.
 */
export const ROUND7_JOBLIB_CASES: readonly UnseenCase[] = [
  {
    name: 'zlib-compressed protocol-0 os.system pickle named model.sav',
    loader: LOADER,
    files: { 'model.sav': deflateSync(SYSTEM_P0) },
    want: ['CPI001:error'],
  },
  {
    name: 'zlib-compressed protocol-1 os.system pickle named weights.dat',
    loader: LOADER,
    files: { 'weights.dat': deflateSync(SYSTEM_P1) },
    want: ['CPI001:error'],
  },
  {
    name: 'zlib-compressed protocol-0 os.system pickle named model.pkl.z',
    loader: LOADER,
    files: { 'model.pkl.z': deflateSync(SYSTEM_P0) },
    want: ['CPI001:error'],
  },
  {
    name: 'zlib-compressed protocol-0 dict named model.sav',
    loader: LOADER,
    files: { 'model.sav': deflateSync(DICT_P0) },
    want: [],
  },
];
