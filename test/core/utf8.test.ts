import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidUtf8At } from '../../src/core/utf8.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const decodes = (b: Uint8Array): boolean => {
  try {
    strict.decode(b);
    return true;
  } catch {
    return false;
  }
};

/** Bytes biased toward UTF-8 lead and continuation bytes, so most inputs are near-valid. */
const nearUtf8 = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xbf }),
    fc.integer({ min: 0xc0, max: 0xff }),
  ),
  { maxLength: 24 },
);

describe('invalidUtf8At', () => {
  it('agrees with a strict decoder, and everything before the index it returns decodes', () => {
    fc.assert(
      fc.property(nearUtf8, (bytes) => {
        const b = Uint8Array.from(bytes);
        const at = invalidUtf8At(b);
        expect(at === -1).toBe(decodes(b));
        if (at !== -1) expect(decodes(b.subarray(0, at))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('lets encoded surrogates through only with surrogatepass', () => {
    const lone = Uint8Array.from([0x61, 0xed, 0xa0, 0x80]);
    expect(invalidUtf8At(lone)).toBe(1);
    expect(invalidUtf8At(lone, true)).toBe(-1);
    expect(invalidUtf8At(Uint8Array.from([0xed, 0x9f, 0xbf]))).toBe(-1); // U+D7FF, the last before them
    expect(invalidUtf8At(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]), true)).toBe(0); // past U+10FFFF either way
  });
});
