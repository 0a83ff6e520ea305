import { describe, expect, it } from 'vitest';
import { ggufSteps, GGUF_LIMITS } from '../../../src/inspect/formats/gguf.js';
import { analyseSource, Findings } from '../../../src/inspect/formats/report.js';
import type { FileSource } from '../../../src/core/file-source.js';

/**
 * GGUF files as llama.cpp reads them (ggml's gguf.cpp `gguf_init_from_file_impl`: any count or length the file
 * holds), with a chat template after a large value. The large parts are virtual runs of zero bytes, so a file of
 * hundreds of MiB costs nothing: the parser skips what it does not judge and never reads it.
 */

const PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
const header = (nKv: number | bigint) => Buffer.concat([Buffer.from('GGUF'), u32(3), u64(0), u64(nKv)]);
const template = Buffer.concat([str('tokenizer.chat_template'), u32(8), str(PAYLOAD)]);

/** A file of these parts, a number standing for that many zero bytes that are never stored. */
function virtualFile(parts: readonly (Buffer | number)[]): FileSource {
  const size = parts.reduce<number>((n, p) => n + (typeof p === 'number' ? p : p.length), 0);
  const read = (pos: number, len: number): Buffer => {
    const out = Buffer.alloc(Math.max(0, Math.min(len, size - pos)));
    let at = 0;
    for (const p of parts) {
      const n = typeof p === 'number' ? p : p.length;
      if (typeof p !== 'number' && at + n > pos && at < pos + out.length)
        p.copy(out, Math.max(0, at - pos), Math.max(0, pos - at), Math.min(n, pos + out.length - at));
      at += n;
    }
    return out;
  };
  return {
    path: 'm.gguf',
    size,
    read: (pos, len) => Promise.resolve(read(pos, len)),
    readInto: (target, at, pos, len) => Promise.resolve(read(pos, len).copy(target, at)),
    async *chunks(start = 0, end = size, chunkSize = 1 << 20) {
      for (let p = start; p < end; p += chunkSize) yield await Promise.resolve(read(p, Math.min(chunkSize, end - p)));
    },
    close: () => Promise.resolve(),
  };
}

async function judge(parts: readonly (Buffer | number)[]) {
  const report = await analyseSource(virtualFile(parts), new Findings('m.gguf', 'gguf'), 'the GGUF file', ggufSteps);
  return report.findings.map((f) => `${f.ruleId}:${f.level ?? 'default'}`).sort();
}

describe('GGUF values llama.cpp reads whatever their size: the chat template after them is still checked', () => {
  it.each([
    {
      name: `a u8 array of ${GGUF_LIMITS.maxArray + 1} items`,
      value: (n = GGUF_LIMITS.maxArray + 1) => [Buffer.concat([str('pad'), u32(9), u32(0), u64(n)]), n],
    },
    {
      name: `an f64 array of ${GGUF_LIMITS.maxArray + 1} items`,
      value: (n = GGUF_LIMITS.maxArray + 1) => [Buffer.concat([str('pad'), u32(9), u32(12), u64(n)]), n * 8],
    },
    {
      name: `a string of ${GGUF_LIMITS.maxStringBytes + 1} bytes`,
      value: (n = GGUF_LIMITS.maxStringBytes + 1) => [Buffer.concat([str('pad'), u32(8), u64(n)]), n],
    },
  ])('$name, skipped unread: the payload after it is CPI055', async ({ value }) => {
    expect(await judge([header(2), ...value(), template])).toEqual(['CPI055:default']);
  });
});

describe('GGUF metadata left unread at a limit: the chat templates in the rest are unchecked, an error', () => {
  it.each([
    {
      name: `${GGUF_LIMITS.maxKv + 1} keys`,
      parts: [header(GGUF_LIMITS.maxKv + 1), template, GGUF_LIMITS.maxKv * 13],
      want: ['CPI051:error'],
    },
    {
      // Walked item by item (a token list), so capped.
      name: `a string array of ${GGUF_LIMITS.maxArray + 1} items`,
      parts: [
        header(2),
        Buffer.concat([str('pad'), u32(9), u32(8), u64(GGUF_LIMITS.maxArray + 1)]),
        (GGUF_LIMITS.maxArray + 1) * 8,
        template,
      ],
      want: ['CPI051:error'],
    },
    {
      // llama.cpp refuses an array of arrays (CPI056); gguf-py, which transformers' GGUF loading uses, reads it.
      name: `arrays nested ${GGUF_LIMITS.maxArrayDepth + 1} deep`,
      parts: [
        header(2),
        Buffer.concat([
          str('pad'),
          u32(9),
          ...Array.from({ length: 5 }, () => [u32(9), u64(1)]).flat(),
          u32(0),
          u64(1),
        ]),
        1,
        template,
      ],
      want: ['CPI051:error', 'CPI056:default'],
    },
  ])('$name', async ({ parts, want }) => {
    expect(await judge(parts)).toEqual(want);
  });

  it('a chat template past the string limit is unchecked: an error', async () => {
    const n = GGUF_LIMITS.maxStringBytes + 1;
    const big = Buffer.concat([str('tokenizer.chat_template'), u32(8), u64(n)]);
    expect(await judge([header(1), big, n])).toEqual(['CPI051:error']);
  });
});

describe('GGUF keys and tensor infos llama.cpp stops at: one finding for each kind, however many repeat it', () => {
  const counts = (nTensors: number, nKv: number) =>
    Buffer.concat([Buffer.from('GGUF'), u32(3), u64(nTensors), u64(nKv)]);
  const u8Kv = (key: Buffer) => Buffer.concat([u64(key.length), key, u32(0), Buffer.from([1])]);
  /** One dimension of 32 elements, at offset 0. */
  const tensorInfo = (name: string, type: number) => Buffer.concat([str(name), u32(1), u64(32), u32(type), u64(0)]);
  async function cpi056(parts: readonly (Buffer | number)[]) {
    const report = await analyseSource(virtualFile(parts), new Findings('m.gguf', 'gguf'), 'the GGUF file', ggufSteps);
    return report.findings
      .filter((f) => f.ruleId === 'CPI056')
      .map((f) => [f.evidence?.['check'], f.evidence?.['moreKeys'] ?? f.evidence?.['moreTensors']]);
  }
  const N = 100_000;

  it(`${N} copies of one key (gguf_init_from_file_impl refuses the first) → one CPI056 counting the rest`, async () => {
    const kv = u8Kv(Buffer.from('a'));
    expect(await cpi056([counts(0, N), Buffer.concat(Array.from({ length: N }, () => kv)), 32])).toEqual([
      ['duplicate-key', N - 2],
    ]);
  });

  // Already one each before: the layout of 32-element tensors all at offset 0 past the 64 data bytes.
  it(`${N} tensors of an unknown type, then ${N} named alike → one CPI056 for each kind`, async () => {
    const infos = [
      ...Array.from({ length: N }, (_, i) => tensorInfo(`t${i}`, 99)),
      ...Array.from({ length: N }, () => tensorInfo('same', 0)),
    ];
    expect(await cpi056([counts(2 * N, 0), Buffer.concat(infos), 64])).toEqual([
      ['tensor', N - 1],
      ['duplicate-tensor', N - 2],
      ['bounds', N - 1],
      ['overlap', N - 2],
    ]);
  });

  // gguf_init_from_file_impl: `name.length() >= GGML_MAX_NAME` (64) fails the load; gguf-py reads the name.
  it('tensor names of 64 bytes or more → one CPI056 counting them; 63 bytes is fine', async () => {
    const infos = [tensorInfo('a'.repeat(63), 0), tensorInfo('b'.repeat(64), 0), tensorInfo('é'.repeat(40), 0)];
    const layout = Buffer.concat([counts(3, 0), ...infos]);
    // Offsets all 0: the layout's overlap is the only other finding.
    expect(await cpi056([layout, 32 + 128])).toEqual([
      ['tensor-name', 1],
      ['overlap', 1],
    ]);
  });

  it('keys whose bytes differ are not duplicates, though both read as U+FFFD (gguf.cpp compares bytes)', async () => {
    const kvs = [u8Kv(Buffer.from([0xff])), u8Kv(Buffer.from([0xfe]))];
    expect(await cpi056([counts(0, 2), ...kvs, 32])).toEqual([]);
  });
});
