import { isUtf8 } from 'node:buffer';

/**
 * Where the first byte sequence that is not UTF-8 starts in `b`, or -1 when all of it decodes: strict UTF-8 as the
 * Unicode Standard's table 3-7 spells it (no overlong forms, nothing past U+10FFFF, no sequence cut short). Encoded
 * surrogates (ED A0..BF xx) are refused unless `surrogates` is set, which is Python's `surrogatepass` handler.
 */
export function invalidUtf8At(b: Uint8Array, surrogates = false): number {
  if (isUtf8(b)) return -1; // native fast path; it refuses surrogates, which the loop below may let through
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i;
    // The second byte's range depends on the lead byte; the rest are plain continuation bytes.
    const second = b[i + 1]!;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed && !surrogates ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** The 1-based line byte `at` of `b` stands on (line feeds before it, plus one). */
export function lineOfByte(b: Uint8Array, at: number): number {
  let line = 1;
  for (let i = b.indexOf(0x0a); i !== -1 && i < at; i = b.indexOf(0x0a, i + 1)) line++;
  return line;
}
