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
/** One compressed file per case: `[what it holds, file name, compress, payload, want]`. */
const ROWS: readonly [string, string, 'zlib' | 'LZ4', Buffer, string[]][] = [
  ['protocol-0 os.system pickle', 'model.sav', 'zlib', SYSTEM_P0, ['CPI001:error']],
  ['protocol-1 os.system pickle', 'weights.dat', 'zlib', SYSTEM_P1, ['CPI001:error']],
  ['protocol-0 os.system pickle', 'model.pkl.z', 'zlib', SYSTEM_P0, ['CPI001:error']],
  ['protocol-0 dict', 'model.sav', 'zlib', DICT_P0, []],
  ['os.system pickle', 'model.pkl', 'LZ4', SYSTEM_P2, ['CPI001:error']],
  ['os.system pickle', 'model.joblib', 'LZ4', SYSTEM_P2, ['CPI001:error']],
  ['protocol-0 os.system pickle', 'weights.bin', 'LZ4', SYSTEM_P0, ['CPI001:error']],
  ['dict pickle', 'model.joblib.lz4', 'LZ4', DICT_P0, []],
];

export const ROUND7_JOBLIB_CASES: readonly UnseenCase[] = ROWS.map(([what, file, codec, payload, want]) => ({
  name: `${codec}-compressed ${what} named ${file}`,
  loader: codec === 'zlib' ? LOADER : LZ4_LOADER,
  files: { [file]: codec === 'zlib' ? deflateSync(payload) : lz4Frame(payload) },
  want,
}));
