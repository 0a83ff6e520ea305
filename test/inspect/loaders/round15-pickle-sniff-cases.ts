import { BENIGN_PICKLE, buildZip } from '../containers/build.js';
import type { UnseenCase } from './unseen-runner.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const u32 = (n: number) => String.fromCharCode(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
/** `os.system('id')` by GLOBAL and REDUCE, after whatever precedes it. */
const SYSTEM = "cos\nsystem\n(S'id'\ntR.";
const LOADER = 'pickle.load (_pickle.c load): no limit on an argument, returns the top of the stack at STOP';
/** A torch.save archive whose directory lists `data.pkl` twice, in the order given. */
const twoDataPkl = (first: Buffer, second: Buffer) =>
  buildZip([
    { name: 'archive/data.pkl', data: first },
    { name: 'archive/data.pkl', data: second },
    { name: 'archive/version', data: Buffer.from('3\n') },
  ]);

/**
 * Pickles that were no model file at all: recognising one without a PROTO header walks its first opcodes, and that
 * walk was stricter than `pickle.load` (a value or MARK left under the result, a text argument longer than 4 KiB, a
 * string longer than the bytes it saw). Named .bin or .dat, which `torch.load` and `joblib.load` read all the same.
 */
export const ROUND15_PICKLE_SNIFF_CASES: readonly UnseenCase[] = [
  {
    name: 'protocol 0 leaving a MARK and a value under its result',
    loader: LOADER,
    files: { 'weights.bin': latin1(`(S'padding'\n${SYSTEM}`) },
    want: ['CPI001:error', 'CPI009:warning'],
  },
  {
    name: 'protocol 0 with a 6,000-byte STRING first, popped',
    loader: LOADER,
    files: { 'weights.bin': latin1(`S'${'a'.repeat(6000)}'\n0${SYSTEM}`) },
    want: ['CPI001:error'],
  },
  {
    name: 'protocol 1 with a 6,000-byte BINUNICODE first, popped',
    loader: LOADER,
    files: { 'state.dat': latin1(`X${u32(6000)}${'a'.repeat(6000)}0${SYSTEM}`) },
    want: ['CPI001:error'],
  },
  {
    name: 'a STRING padded past the first MiB',
    loader: LOADER,
    files: { 'weights.bin': latin1(`S'${'a'.repeat(1100 * 1024)}'\n0${SYSTEM}`) },
    // Read on to the line's newline as `_Unpickler.readline` reads it: nothing left unchecked.
    want: ['CPI001:error'],
  },
  // torch 1.13's torch.load read the first copy of a duplicated data.pkl, Python's zipfile opens the last: either
  // order is judged by its malicious copy, and the duplicate is named.
  {
    name: 'torch archive listing data.pkl twice, the malicious copy first',
    loader: 'torch.load (PyTorchStreamReader, miniz name search) and zipfile.ZipFile.open (the last entry)',
    files: { 'model.pt': twoDataPkl(latin1(SYSTEM), BENIGN_PICKLE) },
    want: ['CPI001:error', 'CPI014:warning', 'CPI119:note'],
  },
  {
    name: 'torch archive listing data.pkl twice, the malicious copy last',
    loader: 'torch.load (PyTorchStreamReader, miniz name search) and zipfile.ZipFile.open (the last entry)',
    files: { 'model.pt': twoDataPkl(BENIGN_PICKLE, latin1(SYSTEM)) },
    want: ['CPI001:error', 'CPI014:warning', 'CPI119:note'],
  },
  {
    name: 'text that starts like a UNICODE opcode with a long first line is no pickle',
    loader: LOADER,
    files: { 'notes.bin': latin1(`V${'x'.repeat(5000)}\nThis is just text.\n`) },
    want: [],
  },
];
