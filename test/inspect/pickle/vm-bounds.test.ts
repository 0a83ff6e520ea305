import { describe, expect, it } from 'vitest';
import { ByteSource } from '../../../src/inspect/pickle/source.js';
import { runPickle } from '../../../src/inspect/pickle/vm.js';

/**
 * `builtins.len`, then REDUCE on what the last REDUCE returned, `n` times: each value is one call deeper than the one
 * before. Past the depth where a call is traced to its global (values.ts originGlobal), calls are told apart by how
 * they are named, and naming every level made one string per call as long as the chain — a 390 KiB stream of
 * 200,000 REDUCEs held 1.7 GB of keys when the distinct-call budget stopped it.
 */
const chain = (n: number): Buffer => Buffer.from(`\x80\x02cbuiltins\nlen\n${')R'.repeat(n)}.`, 'latin1');

describe('a chain of calls on computed values', () => {
  it('is named to a bounded depth, so its calls aggregate and the stream is read to STOP', () => {
    const run = runPickle(ByteSource.fromBuffer(chain(200_000)));
    expect(run.stopped).toBe(true);
    expect(run.problems).toEqual([]);
    expect(run.calls.size).toBeLessThan(100);
    const counted = [...run.calls.values()].reduce((n, c) => n + c.count, 0);
    expect(counted).toBe(200_000);
  });
});

/** A list inside `depth` one-item tuples (TUPLE1), used as the key of a dict (SETITEM). */
const deepKey = (depth: number): Buffer => Buffer.from(`\x80\x02}]${'\x85'.repeat(depth)}Ns.`, 'latin1');

describe('whether a tuple can be a dict key', () => {
  it('is decided once, when it is made, however deep its items nest', () => {
    // Python hashes the whole tuple: `{((([],),),): None}` raises TypeError at any depth. Walking the tree at every
    // SETITEM instead (to 32 levels) cost its size each time: a 120 KiB pickle using a tuple of 64 tuples of 64
    // tuples… as the key of 20,000 dicts ran for over two minutes.
    const run = runPickle(ByteSource.fromBuffer(deepKey(40)));
    expect(run.stopped).toBe(false);
    expect(run.problems.map((p) => p.message)).toEqual(['unhashable dict key tuple(1)']);
  });

  it('lets a hashable tuple tree through', () => {
    const run = runPickle(ByteSource.fromBuffer(Buffer.from(`\x80\x02}N${'\x85'.repeat(40)}Ns.`, 'latin1')));
    expect(run.stopped).toBe(true);
    expect(run.problems).toEqual([]);
  });
});

/**
 * `n` objects (`Identity()` by NEWOBJ), each given `numpy.memmap` as an attribute by BUILD and dropped (POP), then
 * one more built the same way and called: state-calls.ts keeps what BUILD gave at most 100,000 objects.
 */
const builtThenCalled = (n: number): Buffer => {
  const built = 'ctorch.nn.modules.linear\nIdentity\n)\x81}X\x07\x00\x00\x00forwardcnumpy\nmemmap\nsb';
  return Buffer.from(`\x80\x02${`${built}0`.repeat(n)}${built}X\x06\x00\x00\x00/tmp/x\x85R.`, 'latin1');
};

describe('callables that BUILD gives objects', () => {
  it('are judged as called when the object is called', () => {
    const run = runPickle(ByteSource.fromBuffer(builtThenCalled(0)));
    expect(run.problems).toEqual([]);
    expect([...run.calls.values()].some((c) => c.onGlobal && c.kind === 'REDUCE' && c.target?.name === 'memmap')).toBe(
      true,
    );
  });

  it('are kept for a bounded number of objects; past it, calling a built object is a budget problem', () => {
    const run = runPickle(ByteSource.fromBuffer(builtThenCalled(100_000)));
    expect(run.stopped).toBe(true);
    expect(run.problems.map((p) => p.kind)).toEqual(['budget']);
  });
});

/**
 * `Identity()` given by BUILD a global and a list of 64 lists of 64 ints, then called `n` times: each call walks the
 * state for the callables its objects hold (state-calls.ts reachableStateCallables), 4,161 values a walk.
 */
const bigStateCalled = (n: number): Buffer => {
  const rows = `(${'K\x01'.repeat(64)}l`.repeat(64);
  const state = `}(X\x01\x00\x00\x00a(${rows}lX\x01\x00\x00\x00fcbuiltins\nlen\nu`;
  return Buffer.from(
    `\x80\x02ctorch.nn.modules.linear\nIdentity\n)\x81${state}bq\x010${'h\x01)R0'.repeat(n)}N.`,
    'latin1',
  );
};

describe('the state a called object holds', () => {
  it('is walked for callables within a budget over the whole pickle; past it, a call is a budget problem', () => {
    expect(runPickle(ByteSource.fromBuffer(bigStateCalled(1))).problems).toEqual([]);
    const run = runPickle(ByteSource.fromBuffer(bigStateCalled(30_000)));
    expect(run.stopped).toBe(true);
    expect(run.problems.map((p) => p.kind)).toEqual(['budget']);
  });
});
