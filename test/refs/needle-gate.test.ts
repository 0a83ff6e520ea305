import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { needleGate } from '../../src/refs/needle-gate.js';

/** The gate must answer exactly as one `Buffer.includes` per needle: it decides which files are never decoded. */
const byIncludes = (needles: readonly string[]) => (b: Buffer) => needles.some((n) => b.includes(n));

describe('needleGate', () => {
  const NEEDLES = ['torch', 'transformers', 'from_pretrained', 'create_model', 'huggingface'];
  const gate = needleGate(NEEDLES);

  it.each([
    ['empty', '', false],
    ['shorter-than-any-needle', 'tor', false],
    ['needle-alone', 'torch', true],
    ['needle-at-start', 'torch.hub.load(x)', true],
    ['needle-at-end', 'import torch', true],
    ['longest-needle-at-end', 'm = M.from_pretrained', true],
    ['needle-cut-at-end', 'm = M.from_pretraine', false],
    ['prefix-then-mismatch', 'torcx transformer create_mode', false],
    ['same-end-pair-other-start', 'xorch storch', true],
    ['case-differs', 'TORCH Transformers', false],
    ['overlapping-tries', 'tortorch', true],
    ['non-ascii-around', '\u00e9torch\u00ff', true],
    ['split-by-a-newline', 'tor\nch', false],
  ])('%s', (_case, text, want) => {
    const b = Buffer.from(text, 'latin1');
    expect(gate(b)).toBe(want);
    expect(byIncludes(NEEDLES)(b)).toBe(want);
  });

  it('answers as a Buffer.includes per needle on text made of needles, their pieces and other bytes (fast-check)', () => {
    const piece = fc.oneof(
      fc.constantFrom(...NEEDLES),
      fc.constantFrom(...NEEDLES).map((n) => n.slice(0, -1)),
      fc.constantFrom(...NEEDLES).map((n) => n.slice(1)),
      fc.constantFrom(...NEEDLES).map((n) => n.slice(0, 2)),
      fc.string({ maxLength: 3 }),
      fc.constantFrom('\xff', '\u00e9', '\n', 'h', 'rc', 'el'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
        const b = Buffer.from(pieces.join(''));
        expect(gate(b)).toBe(byIncludes(NEEDLES)(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('needles of two bytes (the shortest it takes) and needles sharing their leading pair', () => {
    const g = needleGate(['ab', 'abc', 'xab']);
    expect([g(Buffer.from('zzab')), g(Buffer.from('a b')), g(Buffer.from('xa'))]).toEqual([true, false, false]);
    const h = needleGate(['hubx', 'huby']);
    expect([h(Buffer.from('..huby')), h(Buffer.from('hubz'))]).toEqual([true, false]);
  });

  it.each([
    ['one-byte', ['a']],
    ['not-latin1', ['\u2028x']],
  ])('refuses needles it cannot search: %s', (_case, needles) => {
    expect(() => needleGate(needles)).toThrow(/needleGate/);
  });
});
