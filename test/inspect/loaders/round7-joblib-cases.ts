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
const LZ4_LOADER = 'joblib numpy_pickle.load (_detect_compressor: _LZ4_PREFIX, then lz4.frame.LZ4FrameFile)';

/** One LZ4 frame holding `data` as a single stored block (python-lz4 reads any valid frame). */
function lz4Frame(data: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE((data.length | 0x80000000) >>> 0);
  return Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]), size, data, Buffer.alloc(4)]);
}
const SYSTEM_P2 = Buffer.concat([latin1('\x80\x02'), SYSTEM_P0]);

/**
 * Compressed pickles joblib.load reads by their magic and chainproof did not: zlib-compressed pickles without a PROTO opcode (protocols 0 and 1) under names that claim nothing: joblib.load
 * decompresses any file starting with a zlib header and unpickles it; discovery only knew compressed PROTO streams. LZ4 frames (joblib `compress='lz4'`, `.lz4`) were not decoded at all:
 * a warning or nothing.
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
  {
    name: 'LZ4 frame of an os.system pickle named model.pkl',
    loader: LZ4_LOADER,
    files: { 'model.pkl': lz4Frame(SYSTEM_P2) },
    want: ['CPI001:error'],
  },
  {
    name: 'LZ4 frame of an os.system pickle named model.joblib',
    loader: LZ4_LOADER,
    files: { 'model.joblib': lz4Frame(SYSTEM_P2) },
    want: ['CPI001:error'],
  },
  {
    name: 'LZ4 frame of an os.system pickle named weights.bin',
    loader: LZ4_LOADER,
    files: { 'weights.bin': lz4Frame(SYSTEM_P0) },
    want: ['CPI001:error'],
  },
  {
    name: 'LZ4 frame of a dict pickle named model.joblib.lz4',
    loader: LZ4_LOADER,
    files: { 'model.joblib.lz4': lz4Frame(DICT_P0) },
    want: [],
  },
];
