import { describe, expect, it } from 'vitest';
import { Findings, runParser } from '../../src/inspect/formats/report.js';
import { bufferSource, driveSync, type RandomAccess } from '../../src/inspect/formats/source.js';
import { tfliteSteps } from '../../src/inspect/formats/tflite.js';
import { flatbuffer, pb, type FbNode } from '../inspect/formats/build.js';

/**
 * A TFLite model whose `subgraphs` (Model field 2) are `subgraphs` offsets to one subgraph table, whose `tensors`
 * (SubGraph field 0) are `tensors` offsets to one empty tensor table; `buffers` (field 9) holds one entry, so the
 * external-weights walk runs. Every table is shared: the file grows with subgraphs + tensors, a walk with their
 * product.
 */
function sharedTables(subgraphs: number, tensors: number): Buffer {
  const b = Buffer.alloc(128 + 4 * (subgraphs + tensors));
  const at = { n: 8 };
  const u16 = (v: number) => (b.writeUInt16LE(v, at.n), (at.n += 2));
  const u32 = (v: number) => (b.writeUInt32LE(v, at.n), (at.n += 4));
  const offsetTo = (slot: number, target: number) => b.writeUInt32LE(target - slot, slot);
  b.write('TFL3', 4, 'latin1');
  // Root vtable: 10 fields, subgraphs (2) at +4, buffers (9) at +8.
  const rootVtable = at.n;
  [24, 12, 0, 0, 4, 0, 0, 0, 0, 0, 0, 8].forEach(u16);
  const root = at.n;
  b.writeUInt32LE(root, 0);
  b.writeInt32LE(root - rootVtable, at.n);
  at.n += 12;
  const emptyVtable = at.n;
  [4, 4].forEach(u16);
  const subgraphVtable = at.n;
  [6, 8, 4, 0].forEach(u16);
  const vector = (n: number) => {
    const start = at.n;
    u32(n);
    at.n += 4 * n;
    return start;
  };
  const subgraphList = vector(subgraphs);
  const bufferList = vector(1);
  const subgraph = at.n;
  b.writeInt32LE(subgraph - subgraphVtable, at.n);
  at.n += 8;
  const tensorList = vector(tensors);
  const tensor = at.n;
  b.writeInt32LE(tensor - emptyVtable, at.n);
  offsetTo(root + 4, subgraphList);
  offsetTo(root + 8, bufferList);
  for (let i = 0; i < subgraphs; i++) offsetTo(subgraphList + 4 + 4 * i, subgraph);
  offsetTo(bufferList + 4, tensor);
  offsetTo(subgraph + 4, tensorList);
  for (let i = 0; i < tensors; i++) offsetTo(tensorList + 4 + 4 * i, tensor);
  return b;
}

/** The findings of `tfliteSteps` over the bytes (a limit hit is CPI051, as in a scan), and the reads it made. */
function parse(bytes: Buffer): { rules: string[]; reads: number } {
  const inner = bufferSource(bytes);
  let reads = 0;
  const src: RandomAccess = { size: inner.size, read: (pos, len) => (reads++, inner.read(pos, len)) };
  const out = new Findings('model.tflite', 'tflite');
  runParser(src, out, 'the TFLite model', (s, o) => driveSync(tfliteSteps(s, o)));
  return { rules: out.list.map((f) => f.ruleId), reads };
}

/**
 * flatbuffers' verifier counts every table it visits, shared or not, and refuses a buffer past `max_tables`
 * (1,000,000): the external-weights walk visited subgraphs × tensors with no such count, so a 24 KB model of 3,000
 * subgraphs sharing one vector of 3,000 tensors cost 9 million table reads (5 s of CPU), and 160 KB, minutes.
 */
describe('TFLite subgraphs that share one tensor vector', () => {
  it('past a million tensor visits the walk stops: CPI051', () => {
    expect(parse(sharedTables(1001, 1000)).rules).toEqual(['CPI051']);
  });

  it('the reads stay bounded however many subgraphs share the vector', () => {
    const large = parse(sharedTables(20_000, 20_000));
    expect(large.rules).toEqual(['CPI051']);
    // About three reads a tensor for the first million, whatever the product (400 million here).
    expect(large.reads).toBeLessThan(5_000_000);
  });

  it('a model of many subgraphs under the bound is walked as before', () => {
    expect(parse(sharedTables(100, 1000)).rules).toEqual([]);
  });
});

/**
 * A Flex operator running the TensorFlow op WriteFile, in a model whose one tensor takes external weights through a
 * shape offset that points past the file: the external-weights walk fails on it (CPI050).
 */
function flexBesideBrokenTensor(): Buffer {
  const nodeDef = pb([
    [1, 'node'],
    [2, 'WriteFile'],
    [3, 'x'],
  ]);
  // The flexbuffer `[op name, NodeDef]` the Flex delegate reads from custom_options.
  const options = Buffer.concat([
    Buffer.from([9]),
    Buffer.from('WriteFile'),
    Buffer.from([0, nodeDef.length]),
    nodeDef,
    Buffer.from([0, 2, 0x14, 0x0a, 0x24, 0x01]),
  ]);
  const opcode: FbNode = { table: [{ i32: 32 }, { ref: { str: 'FlexWriteFile' } }, { i32: 1 }, { i32: 32 }] };
  const operator: FbNode = {
    table: [{ u32: 0 }, undefined, undefined, undefined, undefined, { ref: { bytes: options } }],
  };
  const tensor: FbNode = { table: [{ u32: 0x7fff_fff0 }, ...Array<undefined>(9), { u32: 1 }] };
  const subgraph: FbNode = {
    table: [{ ref: { tables: [tensor] } }, undefined, undefined, { ref: { tables: [operator] } }],
  };
  return flatbuffer(
    {
      table: [
        { u32: 3 },
        { ref: { tables: [opcode] } },
        { ref: { tables: [subgraph] } },
        ...Array<undefined>(5),
        { ref: { tables: [{ table: [{ ref: { str: 'w.bin' } }] }] } },
        { ref: { tables: [{ table: [{ u32: 1 }, { u32: 0 }] }] } },
      ],
    },
    'TFL3',
  );
}

describe('a TFLite external-weights section that stops its walk', () => {
  it('does not hide the Flex operators: CPI070 and CPI075 beside its CPI050', () => {
    expect(parse(flexBesideBrokenTensor()).rules).toEqual(['CPI070', 'CPI075', 'CPI050']);
  });
});
