import { describe, expect, it } from 'vitest';
import {
  pickleDecimalArg,
  pickleFloatArg,
  pickleIntArg,
  pickleLongArg,
} from '../../src/discover/formats/pickle-numbers.js';
import { sniffPickleStream } from '../../src/discover/formats/pickle-head.js';

/**
 * Protocol-0 number lines and what Debian's python3 (3.11.2) made of each: `pickle.loads` (_pickle.c) and
 * `pickle._loads` (pickle.py, the unpickler joblib.load and dill.load use), null where it raised. GET and PUT
 * lines ran inside a list (`(lp0\n0g…` and `(lp…`), so their value is 'list'. Benign bytes only: nothing
 * here calls anything.
 */
const PYTHON: readonly (readonly [op: string, line: string, c: string | number | null, py: string | number | null])[] =
  [
    ['I', '1', '1', '1'],
    ['I', ' 1', 'True', '1'],
    ['I', '1_0', '10', '10'],
    ['I', '5L', null, null],
    ['I', '010', '8', null],
    ['I', '08', null, null],
    ['I', '0x1f', '31', '31'],
    ['I', '0X1F', '31', '31'],
    ['I', '0o17', '15', '15'],
    ['I', '0b11', '3', '3'],
    ['I', '5\u0000zz', '5', null],
    ['I', '\t-7 ', '-7', '-7'],
    ['I', '99999999999999999999999', '99999999999999999999999', '99999999999999999999999'],
    ['I', '9_99999999999999999999999', '999999999999999999999999', '999999999999999999999999'],
    ['I', ' 0x_1f', '31', '31'],
    ['I', '1__0', null, null],
    ['I', '1_', null, null],
    ['I', '+', null, null],
    ['I', '\u000b5', '5', '5'],
    ['I', '\u001c5', null, null],
    ['I', '00', 'False', 'False'],
    ['I', '01', 'True', 'True'],
    ['I', '-0', 'False', '0'],
    ['I', '0_0', '0', '0'],
    ['I', '0x', null, null],
    ['I', '0xg', null, null],
    ['I', '', null, null],
    ['I', ' ', null, null],
    ['I', '9223372036854775807', '9223372036854775807', '9223372036854775807'],
    ['I', '9223372036854775808', '9223372036854775808', '9223372036854775808'],
    ['I', '-9223372036854775808', '-9223372036854775808', '-9223372036854775808'],
    ['I', '0777777777777777777777777', null, null],
    ['I', '_1', null, null],
    ['I', '1 2', null, null],
    ['I', '1\r', '1', '1'],
    ['I', '+-1', null, null],
    ['I', '0b', null, null],
    ['I', '0b2', null, null],
    ['L', '1', '1', '1'],
    ['L', ' 1', '1', '1'],
    ['L', '1_0L', '10', '10'],
    ['L', '010', null, null],
    ['L', '010L', null, null],
    ['L', '0x10L', '16', '16'],
    ['L', '5\u0000zz', '5', null],
    ['L', '5LL', null, null],
    ['L', '5 L', '5', '5'],
    ['L', ' 5 ', '5', '5'],
    ['L', 'L', null, null],
    ['L', '', null, null],
    ['L', '00', '0', '0'],
    ['L', '00L', '0', '0'],
    ['L', '-5L', '-5', '-5'],
    ['L', '5l', null, null],
    ['L', '0o7L', '7', '7'],
    ['L', '0b1_1', '3', '3'],
    ['F', '1.5', 1.5, 1.5],
    ['F', ' 1.5', null, 1.5],
    ['F', '1.5 ', null, 1.5],
    ['F', 'infinity', 'inf', 'inf'],
    ['F', '-Infinity', '-inf', '-inf'],
    ['F', '+nan', 'nan', 'nan'],
    ['F', '1_0', null, 10],
    ['F', '1e999', null, 'inf'],
    ['F', '-1e999', null, '-inf'],
    ['F', '1e-999', 0, 0],
    ['F', '.5', 0.5, 0.5],
    ['F', '5.', 5, 5],
    ['F', '0x10', null, null],
    ['F', '1.5\u0000zz', 1.5, null],
    ['F', 'in', null, null],
    ['F', '1e', null, null],
    ['F', 'inf', 'inf', 'inf'],
    ['F', 'iNfInItY', 'inf', 'inf'],
    ['F', 'nan', 'nan', 'nan'],
    ['F', '-nan', 'nan', 'nan'],
    ['F', ' inf ', null, 'inf'],
    ['F', '1__0', null, null],
    ['F', '_1', null, null],
    ['F', '1_.5', null, null],
    ['F', '1._5', null, null],
    ['F', '1.5_', null, null],
    ['F', '', null, null],
    ['F', '.', null, null],
    ['F', '1e+5', 100000, 100000],
    ['F', '1E-5', 0.00001, 0.00001],
    ['F', '+.5e-3', 0.0005, 0.0005],
    ['F', '1_0.2_5e1_0', null, 102500000000],
    ['F', ' 1e999', null, 'inf'],
    ['F', 'infinit', null, null],
    ['F', '1.5\u0000', 1.5, null],
    ['F', '\t2', null, 2],
    ['g', '0', 'list', 'list'],
    ['g', ' 0', 'list', 'list'],
    ['g', '0_0', 'list', 'list'],
    ['g', '+0', 'list', 'list'],
    ['g', '0x0', null, null],
    ['g', '00', 'list', 'list'],
    ['g', '-1', null, null],
    ['g', '0\u0000z', 'list', null],
    ['g', '0 ', 'list', 'list'],
    ['p', '0', 'list', 'list'],
    ['p', ' 0', 'list', 'list'],
    ['p', '0_1', 'list', 'list'],
    ['p', '+1', 'list', 'list'],
    ['p', '0x1', null, null],
    ['p', '01', 'list', 'list'],
    ['p', '1 ', 'list', 'list'],
    ['p', '1\u0000z', 'list', null],
    ['p', '-1', null, null],
    ['p', '', null, null],
    ['p', '1_', null, null],
    ['p', '99999999999999999999999', null, 'list'],
  ];

const read = (op: string, line: Buffer) =>
  op === 'I'
    ? pickleIntArg(line)
    : op === 'L'
      ? pickleLongArg(line)
      : op === 'F'
        ? pickleFloatArg(line)
        : pickleDecimalArg(line);
const shown = (x: number | boolean | undefined): string | number | null =>
  x === undefined
    ? null
    : typeof x === 'boolean'
      ? x
        ? 'True'
        : 'False'
      : Number.isNaN(x)
        ? 'nan'
        : x === Infinity
          ? 'inf'
          : x === -Infinity
            ? '-inf'
            : x;

describe('protocol-0 number arguments as CPython reads them', () => {
  it.each(PYTHON.map(([op, line, c, py]) => ({ op, line, c, py })))('%o', ({ op, line, c, py }) => {
    const got = read(op, Buffer.from(line, 'latin1'));
    // A line either unpickler reads is a number: a pickle joblib.load runs is a pickle.
    const accepted = c !== null || py !== null;
    if (op === 'g' || op === 'p') {
      // Indices: a memo index is never negative.
      expect(got !== undefined && (got as number) >= 0, JSON.stringify(line)).toBe(accepted);
      return;
    }
    expect(got !== undefined, JSON.stringify(line)).toBe(accepted);
    if (!accepted) return;
    const want = c ?? py;
    if (typeof want === 'string' && /^-?\d+$/.test(want)) expect(got).toBe(Number(want));
    else expect(shown(got)).toBe(want);
  });

  it('the sniff reads a stream as a pickle exactly when its first number line is one', () => {
    for (const [op, line, c, py] of PYTHON) {
      if (op === 'g' || op === 'p') continue;
      const stream = Buffer.from(`${op}${line}\n0cos\nsystem\n(S'id'\ntR.`, 'latin1');
      const want = c !== null || py !== null ? 'pickle' : 'not-pickle';
      expect(sniffPickleStream(stream, true), `${op}${JSON.stringify(line)}`).toBe(want);
    }
  });

  it('reads a megabyte of digits in linear time, as a number', () => {
    const digits = Buffer.from('7'.repeat(1024 * 1024), 'latin1');
    expect(pickleIntArg(digits)).toBe(Infinity);
    expect(pickleLongArg(digits)).toBe(Infinity);
    expect(pickleDecimalArg(digits)).toBe(Infinity);
    expect(pickleFloatArg(digits)).toBe(Infinity);
  });

  it('turns away a megabyte of digits ending in a letter without backtracking over it', () => {
    // A grammar with two competing runs of digits took minutes here (quadratic); this finishes in milliseconds.
    const line = Buffer.from(`${'1'.repeat(1024 * 1024)}x`, 'latin1');
    expect(pickleFloatArg(line)).toBeUndefined();
    expect(pickleIntArg(line)).toBeUndefined();
    expect(pickleLongArg(line)).toBeUndefined();
    expect(pickleDecimalArg(line)).toBeUndefined();
  });
});
