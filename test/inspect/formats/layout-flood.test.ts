import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../../src/inspect/formats/gguf.js';
import { parseSafetensors } from '../../../src/inspect/formats/safetensors.js';
import { Findings, runParser } from '../../../src/inspect/formats/report.js';
import { bufferSource } from '../../../src/inspect/formats/source.js';
import { corpusPath } from '../../helpers/corpus.js';

// A real GGUF (12 tensors) or safetensors file cut short, or a GGUF re-aligned, breaks every tensor's placement at
// once; llama.cpp's `gguf_init_from_file_impl` and safetensors' `validate` refuse the file at the first. One finding
// per kind of layout problem, never one per tensor (a 7B model has ~300 tensors: ~300 findings for one truncation).

const REAL = readFileSync(corpusPath('models', 'real-gguf', 'llama-2-tiny-random.gguf'));

function layout(data: Buffer) {
  const r = runParser(bufferSource(data), new Findings('m.gguf', 'gguf'), 'the GGUF file', parseGguf);
  return r.findings.filter((f) => f.ruleId === 'CPI056');
}

describe('GGUF tensor layout problems are one finding per cause', () => {
  it('the real file has none', () => {
    expect(layout(REAL)).toEqual([]);
  });

  it('truncated inside the data section: one bounds finding naming the first tensor and the count', () => {
    const cut = layout(REAL.subarray(0, REAL.length - 600_000));
    expect(cut.map((f) => f.evidence?.['check'])).toEqual(['bounds']);
    expect(cut[0]!.evidence?.['moreTensors']).toBeGreaterThan(5);
    expect(cut[0]!.message).toMatch(/runs past the end of the file .*; \d+ more tensors have the same problem\.$/);
  });

  it('only the last tensor cut: the message is the single-tensor one, unchanged', () => {
    const cut = layout(REAL.subarray(0, REAL.length - 4));
    expect(cut.map((f) => [f.evidence?.['check'], f.evidence?.['moreTensors']])).toEqual([['bounds', undefined]]);
    expect(cut[0]!.message).toMatch(
      /"output\.weight" data .* runs past the end of the file \(data section is \d+ bytes\)\.$/,
    );
  });

  it("every tensor's offset shifted off the alignment: one alignment finding, one bounds finding", () => {
    // Tensor infos end with the u64 offset; add 1 to each (the data section keeps its size).
    const data = Buffer.from(REAL);
    let shifted = 0;
    for (let at = data.indexOf('weight'); at !== -1 && shifted < 12; at = data.indexOf('weight', at + 1)) {
      const dims = data.readUInt32LE(at + 6);
      if (dims < 1 || dims > 4) continue;
      const off = at + 6 + 4 + 8 * dims + 4;
      data.writeBigUInt64LE(data.readBigUInt64LE(off) + 1n, off);
      shifted++;
    }
    expect(shifted).toBe(12);
    const got = layout(data);
    expect(got.map((f) => f.evidence?.['check']).sort()).toEqual(['alignment', 'bounds']);
    expect(got.find((f) => f.evidence?.['check'] === 'alignment')!.evidence?.['moreTensors']).toBe(11);
  });
});

describe('safetensors tensors past the end are one finding', () => {
  const real = readFileSync(
    corpusPath('models', 'real-safetensors', 'model2vec-test-model-vocab-quantized.safetensors'),
  );
  const bounds = (data: Buffer) =>
    runParser(
      bufferSource(data),
      new Findings('m.safetensors', 'safetensors'),
      'the safetensors file',
      parseSafetensors,
    ).findings.filter((f) => f.evidence?.['check'] === 'bounds');

  it('the real file (three tensors) has none; cut to 30% it has one, counting the other two', () => {
    expect(bounds(real)).toEqual([]);
    const cut = bounds(real.subarray(0, Math.floor(real.length * 0.3)));
    expect(cut.map((f) => [f.ruleId, f.evidence?.['moreTensors']])).toEqual([['CPI053', 2]]);
    expect(cut[0]!.message).toMatch(/past the \d+-byte data section; 2 more tensors have the same problem\.$/);
  });
});

describe('a safetensors header of many bad entries: one finding for each kind of problem', () => {
  // `SafeTensors::deserialize` refuses the header at the first bad entry (serde) or range (`validate`).
  const N = 50_000;
  function kinds(entries: readonly string[], dataBytes = 0) {
    const header = Buffer.from(`{${entries.join(',')}}`);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const data = Buffer.concat([length, header, Buffer.alloc(dataBytes)]);
    const found = runParser(
      bufferSource(data),
      new Findings('m.safetensors', 'safetensors'),
      'the file',
      parseSafetensors,
    );
    return found.findings.map((f) => [f.ruleId, f.evidence?.['check'], f.evidence?.['moreTensors']]);
  }
  const many = (entry: (i: number) => string) => Array.from({ length: N }, (_, i) => entry(i));

  it.each([
    {
      name: 'unknown dtypes',
      entries: many((i) => `"t${i}":{"dtype":"X","shape":[1],"data_offsets":[${i},${i + 1}]}`),
      dataBytes: N,
      want: [['CPI052', 'tensor', N - 1]],
    },
    {
      name: 'offsets written as floats',
      entries: many((i) => `"t${i}":{"dtype":"U8","shape":[1],"data_offsets":[${i}.0,${i + 1}]}`),
      dataBytes: N,
      want: [['CPI052', 'integer', N - 1]],
    },
    {
      name: 'shapes that do not fill their ranges',
      entries: many((i) => `"t${i}":{"dtype":"U8","shape":[1],"data_offsets":[${2 * i},${2 * i + 2}]}`),
      dataBytes: 2 * N,
      want: [['CPI053', 'size', N - 1]],
    },
    {
      name: 'ranges over one another',
      entries: many((i) => `"t${i}":{"dtype":"U8","shape":[2],"data_offsets":[${i},${i + 2}]}`),
      dataBytes: N + 1,
      want: [['CPI053', 'overlap', N - 2]],
    },
    {
      name: 'gaps between ranges',
      entries: many((i) => `"t${i}":{"dtype":"U8","shape":[1],"data_offsets":[${2 * i + 1},${2 * i + 2}]}`),
      dataBytes: 2 * N,
      want: [['CPI053', 'gap', N - 1]],
    },
  ])('$name', ({ entries, dataBytes, want }) => {
    expect(kinds(entries, dataBytes)).toEqual(want);
  });
});
