import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSource } from '../../../src/inspect/pickle/source.js';
import { runPickle } from '../../../src/inspect/pickle/vm.js';

/** Debian's interpreter: pickletools.genops only parses (issue #12 "Must show"). */
const PYTHON = '/usr/bin/python3';
const GENOPS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'genops-globals.py');

type Step =
  | { op: 'str'; form: number; text: string }
  | { op: 'memoize' | 'dup' | 'pop' | 'stackGlobal' | 'none' | 'emptyTuple' }
  | { op: 'put'; form: number; key: number }
  | { op: 'get'; form: number; pick: number }
  | { op: 'global'; module: string; name: string };

const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}(\.[a-z_][a-z0-9_]{0,5}){0,2}$/);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('str' as const), form: fc.nat(5), text: ident }),
  fc.record({ op: fc.constantFrom('memoize' as const, 'dup' as const, 'pop' as const, 'none' as const) }),
  fc.record({ op: fc.constantFrom('stackGlobal' as const, 'emptyTuple' as const) }),
  fc.record({ op: fc.constant('put' as const), form: fc.nat(2), key: fc.nat(300) }),
  fc.record({ op: fc.constant('get' as const), form: fc.nat(2), pick: fc.nat() }),
  fc.record({ op: fc.constant('global' as const), module: ident, name: ident }),
);

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Turn steps into a protocol-4 stream CPython accepts: steps invalid in the current state are dropped. */
function compile(steps: readonly Step[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 4])];
  const stack: ('str' | 'other')[] = [];
  const memo = new Map<number, 'str' | 'other'>();
  let memoNext = 0;
  for (const s of steps) {
    switch (s.op) {
      case 'str': {
        const t = Buffer.from(s.text, 'latin1');
        const forms = [
          Buffer.concat([Buffer.from([0x8c, t.length]), t]), // SHORT_BINUNICODE
          Buffer.concat([Buffer.from('X'), u32(t.length), t]), // BINUNICODE
          Buffer.concat([Buffer.from('V'), t, Buffer.from('\n')]), // UNICODE
          Buffer.concat([Buffer.from("S'"), t, Buffer.from("'\n")]), // STRING
          Buffer.concat([Buffer.from('T'), u32(t.length), t]), // BINSTRING
          Buffer.concat([Buffer.from([0x55, t.length]), t]), // SHORT_BINSTRING
        ];
        parts.push(forms[s.form]!);
        stack.push('str');
        break;
      }
      case 'memoize':
        if (stack.length === 0) break;
        memo.set(memoNext++, stack[stack.length - 1]!);
        parts.push(Buffer.from([0x94]));
        break;
      case 'put': {
        if (stack.length === 0) break;
        const key = s.form === 0 ? s.key & 0xff : s.key;
        memo.set(key, stack[stack.length - 1]!);
        // MEMOIZE numbers by memo size: keep PUT keys apart from it the way a real pickler never mixes them.
        memoNext = Math.max(memoNext, memo.size);
        const forms = [Buffer.from([0x71, key]), Buffer.concat([Buffer.from('r'), u32(key)]), Buffer.from(`p${key}\n`)];
        parts.push(forms[s.form]!);
        break;
      }
      case 'get': {
        const keys = [...memo.keys()];
        if (keys.length === 0) break;
        const key = keys[s.pick % keys.length]!;
        if (s.form === 0 && key > 0xff) break;
        const forms = [
          Buffer.from([0x68, key & 0xff]),
          Buffer.concat([Buffer.from('j'), u32(key)]),
          Buffer.from(`g${key}\n`),
        ];
        parts.push(forms[s.form]!);
        stack.push(memo.get(key)!);
        break;
      }
      case 'stackGlobal':
        if (stack.length < 2 || stack[stack.length - 1] !== 'str' || stack[stack.length - 2] !== 'str') break;
        stack.splice(-2, 2, 'other');
        parts.push(Buffer.from([0x93]));
        break;
      case 'global':
        parts.push(Buffer.from(`c${s.module}\n${s.name}\n`));
        stack.push('other');
        break;
      case 'dup':
        if (stack.length === 0) break;
        stack.push(stack[stack.length - 1]!);
        parts.push(Buffer.from('2'));
        break;
      case 'pop':
        if (stack.length === 0) break;
        stack.pop();
        parts.push(Buffer.from('0'));
        break;
      case 'none':
        stack.push('other');
        parts.push(Buffer.from('N'));
        break;
      case 'emptyTuple':
        stack.push('other');
        parts.push(Buffer.from(')'));
        break;
    }
  }
  if (stack.length === 0) parts.push(Buffer.from('N'));
  parts.push(Buffer.from('.'));
  return Buffer.concat(parts);
}

/** What chainproof's VM says the stream imports, or undefined when it does not accept the stream. */
function chainproofImports(data: Buffer): string[] | undefined {
  const run = runPickle(ByteSource.fromBuffer(data));
  if (!run.stopped || run.problems.some((p) => p.kind === 'malformed' || p.kind === 'budget')) return undefined;
  return [...new Set([...run.globals.values()].map((g) => `${g.module} ${g.name}`))].sort();
}

function genopsImports(streams: readonly Buffer[]): { ok: boolean; globals: string[] }[] {
  const out = execFileSync(PYTHON, [GENOPS], {
    input: JSON.stringify(streams.map((s) => s.toString('hex'))),
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.toString('utf8')) as { ok: boolean; globals: string[] }[];
}

/** Flip, insert or delete a few bytes after the PROTO header. */
const mutate = (b: Buffer, edits: readonly [number, number, number][]): Buffer => {
  let out = Buffer.from(b);
  for (const [at, byte, kind] of edits) {
    const i = 2 + (at % Math.max(1, out.length - 2));
    if (kind === 0) out[i] = byte;
    else if (kind === 1) out = Buffer.concat([out.subarray(0, i), Buffer.from([byte]), out.subarray(i)]);
    else out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
  }
  return out;
};

describe('differential: chainproof VM vs CPython pickletools.genops on the globals a stream imports', () => {
  // One python process per batch keeps the test fast; fast-check's seed makes a failure reproducible.
  const generated = fc.sample(fc.array(step, { minLength: 1, maxLength: 40 }), { numRuns: 400, seed: 12 }).map(compile);
  const mutated = fc
    .sample(
      fc.tuple(
        fc.constantFrom(...generated),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(2)), { minLength: 1, maxLength: 4 }),
      ),
      { numRuns: 600, seed: 34 },
    )
    .map(([b, edits]) => mutate(b, edits));

  it('agrees on every generated stream (strings of every opcode, memo via MEMOIZE/PUT/GET, STACK_GLOBAL, GLOBAL)', () => {
    const py = genopsImports(generated);
    let withGlobals = 0;
    generated.forEach((s, i) => {
      const want = py[i]!;
      expect(want.ok, s.toString('hex')).toBe(true);
      const got = chainproofImports(s);
      expect(got, s.toString('hex')).toEqual([...new Set(want.globals)].sort());
      if (want.globals.length > 0) withGlobals++;
    });
    expect(withGlobals).toBeGreaterThan(100); // the generator does exercise imports
  });

  it('agrees on the mutated streams both accept (a stream chainproof rejects is a CPI003 finding)', () => {
    const py = genopsImports(mutated);
    let compared = 0;
    mutated.forEach((s, i) => {
      const want = py[i]!;
      const got = chainproofImports(s);
      if (!want.ok || got === undefined) return;
      compared++;
      expect(got, s.toString('hex')).toEqual([...new Set(want.globals)].sort());
    });
    expect(compared).toBeGreaterThan(50);
  });
});
