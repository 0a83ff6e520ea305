import { describe, expect, it } from 'vitest';
import { ByteSource } from '../../../src/inspect/pickle/source.js';
import type { PickleRun } from '../../../src/inspect/pickle/result.js';
import { runPickle } from '../../../src/inspect/pickle/vm.js';

// The memo keeps whole values only within `maxMaterialised` estimated bytes; past it, entries are one-byte
// placeholders. These cases set a tiny budget so the second half of each stream is past it.
const TINY = { maxMaterialised: 200 };

const P = (s: string): Buffer => Buffer.from(s, 'latin1');
/** `n` distinct memoized strings: enough to spend the tiny budget. */
const filler = (n: number): string =>
  Array.from({ length: n }, (_, i) => `\x8c\x05s${String(i).padStart(4, '0')}\x940`).join('');
/** LONG_BINGET i */
function get(i: number): string {
  const b = Buffer.alloc(5);
  b[0] = 0x6a;
  b.writeUInt32LE(i, 1);
  return b.toString('latin1');
}

/** LONG_BINPUT i */
function put(i: number): string {
  const b = Buffer.alloc(5);
  b[0] = 0x72;
  b.writeUInt32LE(i, 1);
  return b.toString('latin1');
}

function run(s: string, budget = TINY): PickleRun {
  return runPickle(ByteSource.fromBuffer(P(s)), { budget });
}
const kinds = (r: PickleRun): string[] => r.problems.map((p) => p.kind);

describe('lean memo: placeholders past the budget', () => {
  it.each([
    {
      name: 'a dropped global called through BINGET is a budget problem, not a silent pass',
      stream: `\x80\x04${filler(40)}\x8c\x02os\x94\x8c\x06system\x94\x93\x940${get(42)})R.`,
      budget: TINY,
      want: ['budget'],
      stopped: true,
    },
    {
      name: 'the same stream within the budget names the global and has no problem',
      stream: `\x80\x04${filler(40)}\x8c\x02os\x94\x8c\x06system\x94\x93\x940${get(42)})R.`,
      budget: { maxMaterialised: 1 << 20 },
      want: [],
      stopped: true,
    },
    {
      name: 'a dropped string read back for STACK_GLOBAL is a budget problem',
      stream: `\x80\x04${filler(40)}\x8c\x02os\x940${get(40)}\x8c\x06system\x93)R.`,
      budget: TINY,
      want: ['budget'],
      stopped: true,
    },
    {
      // torch's _rebuild_from_type_v2(func, new_type, args, state) calls func(*args): with its argument tuple
      // dropped, what it calls is not known (it was a CPI002 warning instead of CPI100 for an unknown callable).
      name: 'a dropped argument tuple of a helper that calls its argument is a budget problem',
      stream: `\x80\x02${filler(40)}(cmytools\nrun\nctorch\nTensor\n)Nt${put(50)}0ctorch._tensor\n_rebuild_from_type_v2\n${get(50)}R.`,
      budget: TINY,
      want: ['budget'],
      stopped: true,
    },
    {
      name: 'the same stream within the budget has no problem',
      stream: `\x80\x02${filler(40)}(cmytools\nrun\nctorch\nTensor\n)Nt${put(50)}0ctorch._tensor\n_rebuild_from_type_v2\n${get(50)}R.`,
      budget: { maxMaterialised: 1 << 20 },
      want: [],
      stopped: true,
    },
    {
      name: 'dropped entries never read back cost nothing',
      stream: `\x80\x04${filler(400)}N.`,
      budget: TINY,
      want: [],
      stopped: true,
    },
    {
      name: 'far LONG_BINPUT indices past the budget are kept and read back',
      stream: `\x80\x04${filler(40)}]${put(0x7fffffff)}${put(70_000)}${put(3)}0${get(0x7fffffff)}${get(70_000)}a${get(3)}a.`,
      budget: TINY,
      want: [],
      stopped: true,
    },
    {
      name: 'a far index never memoized is not found',
      stream: `\x80\x04${filler(40)}]${put(0x7fffffff)}0${get(0x7ffffffe)}.`,
      budget: TINY,
      want: ['malformed'],
      stopped: false,
    },
    {
      name: 'a BINGET of an index never memoized still fails as CPython does',
      stream: `\x80\x04${filler(40)}${get(999)}.`,
      budget: TINY,
      want: ['malformed'],
      stopped: false,
    },
  ])('$name', ({ stream, budget, want, stopped }) => {
    const r = run(stream, budget);
    expect(kinds(r)).toEqual(want);
    expect(r.stopped).toBe(stopped);
  });

  it('a dropped global keeps its import recorded (the verdict still sees os.system)', () => {
    const r = run(`\x80\x04${filler(40)}\x8c\x02os\x94\x8c\x06system\x94\x93\x940${get(42)})R.`);
    expect([...r.globals.values()].map((g) => `${g.module}.${g.name}`)).toContain('os.system');
  });

  it('a reference bomb built from placeholder lists is still caught', () => {
    // L0 = []; Lk+1 = [Lk, Lk] memoized at k+41, each filled after MEMOIZE as the pickler writes lists
    let s = `\x80\x04${filler(40)}]\x94`;
    for (let k = 0; k < 60; k++) s += `]\x94(${get(40 + k)}${get(40 + k)}e0`;
    s += `${get(100)}.`;
    const r = run(s);
    expect(kinds(r)).toContain('expansion');
  });

  it.each([20, 40])('a placeholder list grown after it was read back (%i appends) is sized as the whole one', (n) => {
    // memoize an empty list past the budget, read it back and append it to itself through placeholders
    let s = `\x80\x04${filler(40)}]\x940`;
    for (let k = 0; k < n; k++) s += `${get(40)}${get(40)}a0`;
    s += `${get(40)}.`;
    const lean = run(s);
    const whole = run(s, { maxMaterialised: 1 << 20 });
    expect(kinds(lean)).toEqual(kinds(whole));
    if (n === 40) expect(kinds(whole)).toEqual(['expansion']);
    else {
      expect(lean.result?.k === 'list' && lean.result.expanded).toBeGreaterThanOrEqual(2 ** n);
      expect(lean.result?.k === 'list' && lean.result.expanded).toBeLessThanOrEqual(2 * 2 ** n);
    }
  });
});
