import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analysePickleBuffer, analysePickleFile } from '../../../src/inspect/pickle/pickles.js';
import { createFileOpener } from '../../../src/io/file-source.js';
import { LOOKAHEAD } from '../../../src/inspect/pickle/source.js';
import { numpyArrayWrapper } from './joblib-wrapper.js';

// Raw and legacy pickles are read through the async FileSource in bounded windows (4 MiB): the cases cross window
// edges inside opcodes' neighbourhoods, nested pickles and skipped payloads, and must judge exactly as the
// in-memory reader does, with the bytes counted by the I/O edge.

const root = mkdtempSync(join(tmpdir(), 'cp-pickle-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1 << 20;
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const EVIL = b('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.');
const u32 = (n: number): Buffer => {
  const x = Buffer.alloc(4);
  x.writeUInt32LE(n);
  return x;
};
const u64 = (n: number): Buffer => {
  const x = Buffer.alloc(8);
  x.writeBigUInt64LE(BigInt(n));
  return x;
};

/**
 * A joblib file is read a second time the way a plain `pickle.load` reads it (pickles.ts `addPlainLoad`), from its
 * first opcode to just past the first array's first bytes: one more window (the pickle before the first wrapper is
 * a few hundred bytes here).
 */
const PLAIN_LOAD_REREAD = 2 * LOOKAHEAD + 1024;

/** A joblib stream: `n` float64 arrays of `bytes` each (NumpyArrayWrapper, raw data after BUILD). */
function joblib(n: number, bytes: number): Buffer {
  const one = Buffer.concat([
    numpyArrayWrapper('f8', bytes / 8, true),
    b('\x00'),
    Buffer.alloc(bytes, 0x80), // array data that looks like PROTO bytes: skipped, never read as opcodes
  ]);
  return Buffer.concat([b('\x80\x04]\x94('), ...Array.from({ length: n }, () => one), b('e.')]);
}

/** A legacy (pre-zip) torch.save stream with one FloatStorage of `numel` elements; `storage` writes its bytes. */
function legacyHead(numel: number): Buffer {
  return Buffer.concat([
    b('\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.'), // magic number
    b('\x80\x02M\xe9\x03.'), // protocol version 1001
    b('\x80\x02}.'), // sys_info
    b(
      '\x80\x02}X\x01\x00\x00\x00w(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuJ',
    ),
    u32(numel),
    b('tQs.'), // {'w': persistent_load(('storage', FloatStorage, '0', 'cpu', numel))}
    b('\x80\x02]X\x01\x00\x00\x000a.'), // storage keys ['0']
    u64(numel),
  ]);
}

/** A text line longer than a window (`maxLine` is 1 MiB): pickle.load reads it whole, however long. */
const LONG_LINE = Buffer.alloc(6 * MiB, 0x41);

/** The bytes after a stop inside a long line are read again lexically (pickles.ts addTailImports). */
const TAIL_REREAD = LONG_LINE.length + 64;

/** Write `parts` (a number is a hole of that many bytes, left sparse). */
function write(name: string, parts: (Buffer | number)[]): string {
  const path = join(root, name);
  const fd = openSync(path, 'w');
  let pos = 0;
  for (const p of parts) {
    if (typeof p === 'number') pos += p;
    else pos += writeSync(fd, p, 0, p.length, pos);
  }
  closeSync(fd);
  return path;
}

async function viaFile(path: string): Promise<{ rules: string[]; bytesRead: number }> {
  const opener = createFileOpener();
  const src = await opener.open(path, 'x.pkl');
  try {
    const findings = await analysePickleFile(src, { path: 'x.pkl', allow: {}, what: 'pickle' });
    return { rules: findings.map((f) => f.ruleId).sort(), bytesRead: opener.stats().bytesRead };
  } finally {
    await src.close();
  }
}

const inMemory = (parts: Buffer[]): string[] =>
  analysePickleBuffer(Buffer.concat(parts), { path: 'x.pkl', allow: {}, what: 'pickle' })
    .map((f) => f.ruleId)
    .sort();

describe('pickles read through the FileSource in bounded windows', () => {
  it.each([
    {
      // Past the first 4 MiB window by half a window: 2.4 million opcodes, walked twice (file and memory).
      name: 'a 4.5 MiB protocol-2 pickle with its payload at the end',
      parts: [b('\x80\x02'), Buffer.from('N0'.repeat(2.25 * MiB), 'latin1'), EVIL.subarray(2)],
      want: ['CPI001'],
    },
    {
      name: 'joblib arrays of 3 MiB across window edges, then a payload pickle',
      parts: [joblib(4, 3 * MiB), EVIL],
      reread: PLAIN_LOAD_REREAD,
      want: ['CPI001'],
    },
    {
      name: 'a benign joblib stream of 3 MiB arrays',
      parts: [joblib(3, 3 * MiB)],
      want: [],
      reread: PLAIN_LOAD_REREAD,
    },
    {
      name: 'a legacy torch file with a 6 MiB storage, then a payload pickle',
      parts: [legacyHead(1.5 * MiB), Buffer.alloc(6 * MiB, 7), EVIL],
      want: ['CPI001'],
    },
    {
      name: 'a legacy torch file truncated inside its storage',
      parts: [legacyHead(1.5 * MiB), Buffer.alloc(5 * MiB, 7)],
      want: ['CPI003'],
    },
    {
      // pickle.dumps(<6 MiB of bytes>, protocol=0) as Debian python3 writes it: one UNICODE line, read on to its end.
      name: 'a protocol-0 pickle of 6 MiB of bytes (one UNICODE line across windows)',
      parts: [b('c_codecs\nencode\np0\n(V'), LONG_LINE, b('\np1\nVlatin1\np2\ntp3\nRp4\n.')],
      want: [],
    },
    {
      // A Python 2 pickle.dump (protocol 0) of a str: one quoted STRING line of escapes.
      name: 'a Python 2 protocol-0 str of 6 MiB (one STRING line across windows)',
      parts: [b("S'"), Buffer.from('\\x00'.repeat(1.5 * MiB), 'latin1'), b("'\np0\n.")],
      want: [],
    },
    {
      name: 'a payload after a 6 MiB UNICODE line',
      parts: [b('V'), LONG_LINE, b('\n0'), EVIL.subarray(2)],
      want: ['CPI001'],
    },
    {
      name: 'a payload after a 6 MiB STRING line',
      parts: [b("S'"), LONG_LINE, b("'\n0"), EVIL.subarray(2)],
      want: ['CPI001'],
    },
    {
      // load_string: "the STRING opcode argument must be quoted"; the load stops there, and what the bytes after the
      // stop import is reported as for a short line (pickles.ts addTailImports reads them again).
      name: 'a 6 MiB STRING line without its closing quote',
      parts: [b("S'"), LONG_LINE, b('\n0'), EVIL.subarray(2)],
      want: ['CPI001', 'CPI003'],
      reread: TAIL_REREAD,
    },
    {
      name: 'a 6 MiB UNICODE line that never ends',
      parts: [b('V'), LONG_LINE],
      want: ['CPI003'],
      reread: TAIL_REREAD,
    },
    {
      // A protocol-0 pickle kept as text (nested.ts noteText) too long to keep whole: not read on as plain text.
      name: 'a 6 MiB UNICODE line that starts like a protocol-0 pickle',
      parts: [b('Vcos\\u000asystem\\u000a'), LONG_LINE, b('\np0\n.')],
      want: ['CPI004'],
      reread: TAIL_REREAD,
    },
  ] as { name: string; parts: Buffer[]; want: string[]; reread?: number }[])(
    '$name → $want, as in memory',
    async ({ name, parts, want, reread = 0 }) => {
      const path = write(`${name.replace(/\W+/g, '-')}.pkl`, parts);
      const got = await viaFile(path);
      expect(got.rules).toEqual(inMemory(parts));
      expect(got.rules).toEqual(want);
      expect(got.bytesRead).toBeLessThanOrEqual(parts.reduce((n, p) => n + p.length, 0) + reread);
    },
  );

  it('a 3 GB sparse legacy storage is skipped, not read, and the pickle after it is judged', async () => {
    const numel = 768 * MiB; // 3 GiB of FloatStorage
    const path = write('sparse-legacy.pkl', [legacyHead(numel), numel * 4, EVIL]);
    const got = await viaFile(path);
    expect(got.rules).toEqual(['CPI001']);
    expect(got.bytesRead).toBeLessThan(16 * MiB);
  });
});

describe('a legacy storage of 2^64-1 elements', () => {
  it('says the bytes it needed as a huge count, not Infinity, read from a file or from memory', async () => {
    // ByteSource.u64 gives Infinity past 2^53; `skip(numel * size)` then reports the length it could not skip.
    const head = legacyHead(1);
    head.writeBigUInt64LE(2n ** 64n - 1n, head.length - 8);
    const parts = [head, Buffer.alloc(16, 7)];
    const opts = { path: 'x.pkl', allow: {}, what: 'pickle' } as const;
    const src = await createFileOpener().open(write('huge-legacy.pkl', parts), 'x.pkl');
    try {
      for (const findings of [await analysePickleFile(src, opts), analysePickleBuffer(Buffer.concat(parts), opts)]) {
        const text = findings.map((f) => f.message).join('\n');
        expect(text).toContain('over 9007199254740991 bytes');
        expect(text).not.toContain('Infinity');
      }
    } finally {
      await src.close();
    }
  });
});
