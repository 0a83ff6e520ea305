import type { UnseenCase } from './unseen-runner.js';

const C_LOADER = 'pickle.load (_pickle.c load_int/load_long/load_float/load_put: strtol, then PyLong_FromString)';
const PY_LOADER = 'joblib.load (pickle._Unpickler, pickle.py load_float: float(line))';
const RUNS = ['CPI001:error'];

/**
 * Pickles without a PROTO header whose first opcode is a protocol-0 number in a form `pickle.load` reads and the
 * sniff refused (`^[-+]?\d+L?$`): white space, underscores, hex, a NUL after the digits, `infinity`. Named .bin,
 * none of them was a model file, and nothing was reported. Then forms both unpicklers refuse, which run nothing.
 * Each first line is followed by POP and `os.system('id')` (GLOBAL, REDUCE).
 */
export const ROUND16_PICKLE_NUMBER_CASES: readonly UnseenCase[] = (
  [
    ['INT with a space before its digit (True)', 'I 1', C_LOADER, RUNS],
    ['INT with an underscore', 'I1_0', C_LOADER, RUNS],
    ['INT in hex', 'I0x1f', C_LOADER, RUNS],
    ['INT with a NUL after its digits', 'I5\0zz', C_LOADER, RUNS],
    ['LONG in hex with its L', 'L0x10L', C_LOADER, RUNS],
    ['FLOAT -Infinity', 'F-Infinity', C_LOADER, RUNS],
    ['PUT with a space before its index, on a list', '(lp 0', C_LOADER, RUNS],
    ['FLOAT with underscores, read by pickle.py only', 'F1_0.5', PY_LOADER, RUNS],
    ['FLOAT past a double: infinity to pickle.py', 'F1e999', PY_LOADER, RUNS],
    ['INT with an L raises in both unpicklers: nothing runs', 'I5L', C_LOADER, []],
    ['LONG in C-style octal raises in both: nothing runs', 'L010', C_LOADER, []],
  ] as const
).map(([name, first, loader, want], i) => ({
  name,
  loader,
  files: { [`weights-${i}.bin`]: Buffer.from(`${first}\n0cos\nsystem\n(S'id'\ntR.`, 'latin1') },
  want: [...want],
}));
