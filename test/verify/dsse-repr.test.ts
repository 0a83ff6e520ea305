import { describe, expect, it } from 'vitest';
import { pythonBytesRepr } from '../../src/verify/bundle/dsse.js';

// Expected strings are CPython's `repr(bytes)` (Objects/bytesobject.c bytes_repr), printed by Debian's python3.
describe('pythonBytesRepr (model_signing v0.2 compat PAE)', () => {
  it.each([
    [Buffer.from('a\'b"c\\\n\t\r\x00\x7f plain'), "b'a\\'b\"c\\\\\\n\\t\\r\\x00\\x7f plain'"],
    [Buffer.from([0x80, 0xff]), "b'\\x80\\xff'"],
    [Buffer.from("it's"), 'b"it\'s"'],
    [Buffer.from('say "x"'), 'b\'say "x"\''],
    [Buffer.alloc(0), "b''"],
  ])('%j', (input, want) => {
    expect(pythonBytesRepr(input)).toBe(want);
  });

  it('escapes every byte of a large binary payload', () => {
    const data = Buffer.alloc(1 << 20);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    const repr = pythonBytesRepr(data);
    // Per 256 bytes: 95 printable minus the quote and backslash (escaped as 2), 3 named escapes (2), 158 as \xNN (4).
    expect(repr.length).toBe(3 + 4096 * (93 + 2 * 2 + 3 * 2 + 158 * 4));
  });
});
