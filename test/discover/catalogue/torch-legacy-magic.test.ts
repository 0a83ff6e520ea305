import { describe, expect, it } from 'vitest';
import { isTorchLegacyPickle } from '../../../src/discover/catalogue/sniffers.js';

const MAGIC = 0x1950a86a20f9469cfc6cn;
const le = (n: number) => Array.from({ length: n }, (_, i) => Number((MAGIC >> BigInt(8 * i)) & 0xffn));
const LONG1 = [0x8a, 10, ...le(10)];
const sniff = (bytes: number[] | string) => {
  const head = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return isTorchLegacyPickle({ head, size: head.length, claimed: undefined });
};

/**
 * torch/serialization.py `_legacy_load` takes a file as the legacy format when `pickle_module.load(f)` returns
 * MAGIC_NUMBER: whatever opcodes `_pickle.c` `load` runs on the way that leave the int as the result.
 */
describe('the legacy torch magic as the first pickle returns it', () => {
  it.each([
    { spelling: 'PROTO 2, LONG1 (torch.save)', bytes: [0x80, 2, ...LONG1, 0x2e] },
    { spelling: 'BINPUT after the int', bytes: [0x80, 2, ...LONG1, 0x71, 0, 0x2e] },
    { spelling: 'LONG_BINPUT after the int', bytes: [0x80, 2, ...LONG1, 0x72, 1, 0, 0, 0, 0x2e] },
    {
      spelling: 'MEMOIZE after the int, in a frame',
      bytes: [0x80, 4, 0x95, 13, 0, 0, 0, 0, 0, 0, 0, ...LONG1, 0x94, 0x2e],
    },
    { spelling: 'PROTO twice', bytes: [0x80, 2, 0x80, 2, ...LONG1, 0x2e] },
    { spelling: 'PROTO after the int', bytes: [...LONG1, 0x80, 3, 0x2e] },
    { spelling: 'text PUT after the text int', bytes: 'L119547037146038801333356L\np0\n.' },
  ])('$spelling: legacy', ({ bytes }) => expect(sniff(bytes)).toBe(true));

  it.each([
    { spelling: 'BINPUT before the int (empty stack: pickle.load raises)', bytes: [0x80, 2, 0x71, 0, ...LONG1, 0x2e] },
    { spelling: 'PROTO 6 (unsupported protocol)', bytes: [0x80, 6, ...LONG1, 0x2e] },
    { spelling: 'a negative text PUT key', bytes: 'L119547037146038801333356L\np-1\n.' },
    { spelling: 'another opcode after the int', bytes: [0x80, 2, ...LONG1, 0x4e, 0x2e] },
    { spelling: 'no STOP', bytes: [0x80, 2, ...LONG1, 0x71, 0] },
  ])('$spelling: not legacy', ({ bytes }) => expect(sniff(bytes)).toBe(false));
});

/** INT/LONG text as Python's int(text, 0) reads it (each row checked with python3: `int(text, 0)`). */
describe('the magic as INT/LONG text', () => {
  const HEX = MAGIC.toString(16);
  it.each([
    ['I119547037146038801333356\n.', true],
    ['L 119_547_037_146_038_801_333_356L\n.', true],
    [`I0x_${HEX}\n.`, true],
    [`L0X${HEX.toUpperCase()}L\n.`, true],
    ['I\t+119547037146038801333356 \n.', true],
    ['I0119547037146038801333356\n.', false], // leading zero: invalid literal for int() with base 0
    ['I119__547037146038801333356\n.', false], // two underscores
    ['I119547037146038801333356_\n.', false], // trailing underscore
    ['I_119547037146038801333356\n.', false], // leading underscore
    ['I\xa0119547037146038801333356\n.', false], // NBSP is not ASCII whitespace for PyLong_FromString
    ['L119547037146038801333356L \n.', false], // the L is only dropped just before the newline
  ])('%j → legacy %s', (text, want) => expect(sniff(text)).toBe(want));
});
