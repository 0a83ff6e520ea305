import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Memo } from '../../../src/inspect/pickle/vm/memo.js';
import { MemoCodes } from '../../../src/inspect/pickle/vm/memo-codes.js';
import type { Value } from '../../../src/inspect/pickle/values.js';

// The compressed memo codes must answer every read as a plain Map would, whatever order the writes come in: in
// order (MEMOIZE), far (LONG_BINPUT), or back into pages already sealed (a placeholder container that grew).

const PAGE = 1 << 16;

/**
 * The reference: a Map from index to entry, with the low indices in an array (a Map of millions of numbers is slow
 * enough here to time the tests out; the behaviour is the same).
 */
class Model<T> {
  private readonly low: (T | undefined)[] = [];
  private readonly high = new Map<number, T>();
  size = 0;
  set(i: number, v: T): void {
    if (this.get(i) === undefined) this.size++;
    if (i < 1 << 24) {
      while (this.low.length < i) this.low.push(undefined);
      this.low[i] = v;
    } else this.high.set(i, v);
  }
  get(i: number): T | undefined {
    return i < 1 << 24 ? this.low[i] : this.high.get(i);
  }
  *entries(): Generator<[number, T]> {
    for (let i = 0; i < this.low.length; i++) if (this.low[i] !== undefined) yield [i, this.low[i]!];
    yield* this.high;
  }
}

type Op =
  | { t: 'fill'; pattern: number[]; count: number; noiseEvery: number }
  | { t: 'put'; at: number; code: number; far: boolean }
  | { t: 'get'; at: number };

const code = fc.integer({ min: 1, max: 255 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('fill' as const),
      pattern: fc.array(code, { minLength: 1, maxLength: 80 }),
      count: fc.integer({ min: 1, max: 70_000 }),
      noiseEvery: fc.constantFrom(0, 0, 7, 1000, 20_000),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant('put' as const), at: fc.nat(), code, far: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('get' as const), at: fc.nat() }), weight: 1 },
);

function replay(ops: Op[]): { codes: MemoCodes; model: Model<number> } {
  const model = new Model<number>();
  const codes = new MemoCodes(() => model.size);
  const write = (i: number, c: number): void => {
    model.set(i, c);
    codes.set(i, c);
  };
  for (const o of ops) {
    if (o.t === 'fill') {
      for (let k = 0; k < o.count; k++) {
        const noisy = o.noiseEvery > 0 && k % o.noiseEvery === o.noiseEvery - 1;
        write(model.size, noisy ? 1 + (k % 251) : o.pattern[k % o.pattern.length]!);
      }
    } else if (o.t === 'put') {
      write(o.far ? 2 ** 24 + (o.at % 2 ** 30) : o.at % (model.size + 1000), o.code);
    } else {
      const i = o.at % (model.size + 1000);
      expect(codes.get(i)).toBe(model.get(i) ?? 0);
    }
  }
  return { codes, model };
}

function expectSame(codes: MemoCodes, model: Model<number>): void {
  for (const [i, c] of model.entries()) if (codes.get(i) !== c) expect([i, codes.get(i)]).toEqual([i, c]);
  for (let i = 0; i <= model.size + PAGE; i++) {
    if (model.get(i) === undefined && codes.get(i) !== 0) expect([i, codes.get(i)]).toEqual([i, 0]);
  }
}

describe('memo codes: compressed pages read back as a Map', () => {
  it('random MEMOIZE runs, PUTs and GETs read the same codes as a Map', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 8 }), (ops) => {
        const { codes, model } = replay(ops);
        expectSame(codes, model);
      }),
      { numRuns: 15 },
    );
  });

  it.each([
    {
      name: 'one shape repeated (period 8)',
      pattern: [11, 2, 0x25, 0x38, 0x27, 2, 0x15, 11],
      noise: 0,
      maxSealed: 1024,
    },
    { name: 'a run of one kind', pattern: [2], noise: 0, maxSealed: 1024 },
    {
      name: 'a 60-field record',
      pattern: Array.from({ length: 60 }, (_, k) => 1 + ((k * 7) % 13)),
      noise: 0,
      maxSealed: 2048,
    },
    { name: 'a shape with an odd entry every 1000', pattern: [11, 2, 0x25, 0x38], noise: 1000, maxSealed: 20_000 },
  ])('$name: sealed pages hold far less than a byte per entry', ({ pattern, noise, maxSealed }) => {
    const n = 6 * PAGE;
    const { codes, model } = replay([{ t: 'fill', pattern, count: n, noiseEvery: noise }]);
    expect(codes.sealedPages).toBe(5);
    // the page being written stays raw; the five sealed ones would be 5 × 64 KiB raw
    expect(codes.retainedBytes() - PAGE).toBeLessThan(maxSealed);
    expectSame(codes, model);
  });

  it('codes that do not repeat stay raw pages (one byte per entry, never more)', () => {
    const model = new Model<number>();
    const codes = new MemoCodes(() => model.size);
    let x = 12345;
    for (let i = 0; i < 4 * PAGE; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const c = 1 + ((x >>> 16) % 255);
      model.set(i, c);
      codes.set(i, c);
    }
    expect(codes.sealedPages).toBe(0);
    expect(codes.retainedBytes()).toBe(4 * PAGE);
    expectSame(codes, model);
  });

  it('after pages that did not compress, sealing is tried less often, and resumes once a page compresses', () => {
    const model = new Model<number>();
    const codes = new MemoCodes(() => model.size);
    let x = 99;
    for (let i = 0; i < 23 * PAGE; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const c = i < 3 * PAGE ? 1 + ((x >>> 16) % 255) : 1 + (i % 5);
      model.set(i, c);
      codes.set(i, c);
    }
    // page 0 fails, 1 is skipped, 2 fails, 3-5 are skipped, 6-21 are sealed; 22 is being written
    expect(codes.sealedPages).toBe(16);
    expectSame(codes, model);
  });

  it('rewrites into sealed pages past the patch limit unseal them, and they are sealed again later', () => {
    const ops: Op[] = [{ t: 'fill', pattern: [3, 5, 7], count: 8 * PAGE, noiseEvery: 0 }];
    // every third entry of pages 0-3 rewritten: 65,537 patches unseal those four pages
    for (let k = 0; k < 70_000; k++) ops.push({ t: 'put', at: k * 3, code: 9, far: false });
    const { codes, model } = replay(ops);
    expectSame(codes, model);
    expect(codes.sealedPages).toBe(3);
    for (let k = 0; k < 5 * PAGE; k++) {
      model.set(model.size, 4);
      codes.set(model.size - 1, 4);
    }
    expectSame(codes, model);
    // pages 7-11 sealed as the writes moved on, and the four unsealed ones again, one per new page
    expect(codes.sealedPages).toBe(12);
  });
});

// The memo over those codes: with a tiny whole-value budget every entry past it is a placeholder, and reads must
// still give what CPython's memo would hold — the same presence, the same kind, a container no smaller than it is.
const values: Value[] = [
  { k: 'scalar', v: 1 },
  { k: 'str', s: 'x', len: 1 },
  { k: 'bytes', len: 2, mutable: false },
  { k: 'bytes', len: 2, mutable: true },
  { k: 'tuple', items: [], count: 0, expanded: 1 },
  { k: 'list', items: [], count: 5, expanded: 6 },
  { k: 'dict', entries: [], count: 300, expanded: 601 },
  { k: 'set', frozen: true, count: 2, expanded: 3 },
  { k: 'global', ref: { module: 'm', name: 'n', opcode: 'GLOBAL', offset: 0 } },
  { k: 'buffer' },
];
/** A copy per entry: the memo marks placeholder containers with where they were memoized. */
const fresh = (n: number): Value => ({ ...values[n]! });
type MemoOp =
  { t: 'memoize'; v: number; times: number } | { t: 'put'; at: number; v: number } | { t: 'get'; at: number };
const memoOp: fc.Arbitrary<MemoOp> = fc.oneof(
  fc.record({
    t: fc.constant('memoize' as const),
    v: fc.nat(values.length - 1),
    times: fc.integer({ min: 1, max: 8_000 }),
  }),
  fc.record({ t: fc.constant('put' as const), at: fc.nat(), v: fc.nat(values.length - 1) }),
  fc.record({ t: fc.constant('get' as const), at: fc.nat() }),
);

describe('lean memo over compressed codes', () => {
  it('random PUT/GET/MEMOIZE sequences read back the kinds a plain Map holds', () => {
    fc.assert(
      fc.property(fc.array(memoOp, { maxLength: 6 }), (ops) => {
        const memo = new Memo(200);
        const model = new Model<Value>();
        // Every difference is collected and asserted once per run: an expect call per entry (up to 48,000 entries
        // a run) was most of this test's time.
        const wrong: string[] = [];
        const check = (i: number): void => {
          const want = model.get(i);
          const got = memo.get(i);
          const has = memo.has(i);
          const small = got && want && 'expanded' in got && 'expanded' in want && got.expanded < want.expanded;
          if (has !== (want !== undefined) || got?.k !== want?.k || small)
            wrong.push(
              `${i}: has ${has}, ${got?.k} (${JSON.stringify(got)}), want ${want?.k} (${JSON.stringify(want)})`,
            );
        };
        const put = (i: number, v: Value): void => {
          if (!memo.put(i, v)) wrong.push(`${i}: put refused`);
        };
        for (const o of ops) {
          if (o.t === 'memoize') {
            for (let k = 0; k < o.times; k++) {
              const v = fresh((o.v + (k % 3)) % values.length);
              model.set(memo.size, v);
              put(memo.size, v);
            }
          } else if (o.t === 'put') {
            const i = o.at % (memo.size + 100);
            const v = fresh(o.v);
            model.set(i, v);
            put(i, v);
          } else check(o.at % (memo.size + 100));
        }
        expect(memo.size).toBe(model.size);
        for (const [i] of model.entries()) check(i);
        expect(wrong.slice(0, 5)).toEqual([]);
      }),
      { numRuns: 10 },
    );
  });
});
