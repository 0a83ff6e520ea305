/** Builders for hand-made model files: the smallest valid layouts, which tests then break on purpose. */
import { closeSync, openSync, writeSync } from 'node:fs';

export function safetensors(header: unknown, dataLen: number, pad = true): Buffer {
  let json = typeof header === 'string' ? header : JSON.stringify(header);
  if (pad) while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const h = Buffer.from(json);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.alloc(dataLen, 0x11)]);
}

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'string'; value: string }
  | { type: 'array-string'; value: string[] }
  | { type: 'raw'; typeId: number; bytes: Buffer };

export interface GgufSpec {
  version?: number;
  kv?: [string, GgufValue][];
  tensors?: { name: string; dims: number[]; type: number; offset: number }[];
  dataLen?: number;
  /** Override the counts written in the header. */
  tensorCount?: bigint;
  kvCount?: bigint;
}

export function gguf(spec: GgufSpec): Buffer {
  const v = spec.version ?? 3;
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const count = (n: bigint | number) => {
    if (v === 1) return u32(Number(n));
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    parts.push(b);
  };
  const str = (s: string) => {
    const b = Buffer.from(s);
    count(b.length);
    parts.push(b);
  };
  parts.push(Buffer.from('GGUF'));
  u32(v);
  const kv = spec.kv ?? [];
  const tensors = spec.tensors ?? [];
  count(spec.tensorCount ?? BigInt(tensors.length));
  count(spec.kvCount ?? BigInt(kv.length));
  for (const [key, val] of kv) {
    str(key);
    if (val.type === 'u32') {
      u32(4);
      u32(val.value);
    } else if (val.type === 'string') {
      u32(8);
      str(val.value);
    } else if (val.type === 'array-string') {
      u32(9);
      u32(8);
      count(val.value.length);
      for (const s of val.value) str(s);
    } else {
      u32(val.typeId);
      parts.push(val.bytes);
    }
  }
  for (const t of tensors) {
    str(t.name);
    u32(t.dims.length);
    for (const d of t.dims) count(d);
    u32(t.type);
    const o = Buffer.alloc(8);
    o.writeBigUInt64LE(BigInt(t.offset));
    parts.push(o);
  }
  let body = Buffer.concat(parts);
  const aligned = Math.ceil(body.length / 32) * 32;
  body = Buffer.concat([body, Buffer.alloc(aligned - body.length)]);
  return Buffer.concat([body, Buffer.alloc(spec.dataLen ?? 0, 0x22)]);
}

/** Protobuf encoding: a message is a list of [field, value] pairs; numbers are varints, Buffers/strings bytes. */
export type Pb = [number, number | bigint | string | Buffer | Pb][];

function varint(n: bigint): Buffer {
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Buffer.from(out);
}

export function pb(msg: Pb): Buffer {
  const parts: Buffer[] = [];
  for (const [field, value] of msg) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      parts.push(varint(BigInt(field) << 3n), varint(BigInt(value)));
    } else {
      const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.isBuffer(value) ? value : pb(value);
      parts.push(varint((BigInt(field) << 3n) | 2n), varint(BigInt(bytes.length)), bytes);
    }
  }
  return Buffer.concat(parts);
}

/** An ONNX ModelProto with external-data initializers and nodes in given domains. */
export function onnxModel(spec: {
  externals?: { name: string; location: string }[];
  nodes?: { op: string; domain?: string; subgraphExternal?: string }[];
  functions?: { name: string; domain: string }[];
}): Buffer {
  const graph: Pb = [[2, 'g']];
  for (const n of spec.nodes ?? []) {
    const node: Pb = [[4, n.op]];
    if (n.domain !== undefined) node.push([7, n.domain]);
    if (n.subgraphExternal !== undefined)
      node.push([
        5,
        [
          [1, 'then_branch'],
          [6, [[5, tensorExternal('sub', n.subgraphExternal)]]],
        ],
      ]);
    graph.push([1, node]);
  }
  for (const e of spec.externals ?? []) graph.push([5, tensorExternal(e.name, e.location)]);
  const model: Pb = [
    [1, 8],
    [8, [[2, 17]]],
    [7, graph],
  ];
  for (const f of spec.functions ?? [])
    model.push([
      25,
      [
        [1, f.name],
        [10, f.domain],
      ],
    ]);
  return pb(model);
}

function tensorExternal(name: string, location: string): Pb {
  return [
    [8, name],
    [
      13,
      [
        [1, 'location'],
        [2, location],
      ],
    ],
    [
      13,
      [
        [1, 'offset'],
        [2, '0'],
      ],
    ],
    [14, 1],
  ];
}

/** A SavedModel with graph nodes and one library function. */
export function savedModel(graphOps: string[], functionOps: string[] = [], printStream?: string): Buffer {
  const graph: Pb = graphOps.map((op, i) => [
    1,
    [
      [1, `n${i}`],
      [2, op],
    ],
  ]);
  if (printStream !== undefined)
    graph.push([
      1,
      [
        [1, 'print'],
        [2, 'PrintV2'],
        [
          5,
          [
            [1, 'output_stream'],
            [2, [[2, printStream]]],
          ],
        ],
      ],
    ]);
  if (functionOps.length > 0)
    graph.push([
      2,
      [
        [
          1,
          [
            [1, [[1, 'fn']]],
            ...functionOps.map((op, i): Pb[number] => [
              3,
              [
                [1, `f${i}`],
                [2, op],
              ],
            ]),
          ],
        ],
      ],
    ]);
  return pb([
    [1, 1],
    [2, [[2, graph]]],
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A stored member's local header (30 bytes, version 20): what zip readers find at the member's offset. */
function storedLocalHeader(nameLength: number, size: number, crc: number): Buffer {
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(20, 4);
  lh.writeUInt32LE(crc, 14);
  lh.writeUInt32LE(size, 18);
  lh.writeUInt32LE(size, 22);
  lh.writeUInt16LE(nameLength, 26);
  return lh;
}

/** A stored member's central directory record (46 bytes), pointing at its local header. */
function storedCentralRecord(nameLength: number, size: number, crc: number, offset: number): Buffer {
  const ch = Buffer.alloc(46);
  ch.writeUInt32LE(0x02014b50, 0);
  ch.writeUInt16LE(20, 4);
  ch.writeUInt16LE(20, 6);
  ch.writeUInt32LE(crc, 16);
  ch.writeUInt32LE(size, 20);
  ch.writeUInt32LE(size, 24);
  ch.writeUInt16LE(nameLength, 28);
  ch.writeUInt32LE(offset, 42);
  return ch;
}

/** The central directory `cd` (of `count` members, written at `at`) and the end record after it. */
function centralDirectoryTail(cd: Buffer, count: number, at: number): Buffer {
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(count, 8);
  eocd.writeUInt16LE(count, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(at, 16);
  return Buffer.concat([cd, eocd]);
}

/** A stored (uncompressed) zip, as Python's zipfile writes it. */
export function zip(entries: { name: string; data: Buffer | string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const name = Buffer.from(e.name);
    const crc = crc32(data);
    locals.push(storedLocalHeader(name.length, data.length, crc), name, data);
    centrals.push(storedCentralRecord(name.length, data.length, crc, offset), name);
    offset += 30 + name.length + data.length;
  }
  return Buffer.concat([...locals, centralDirectoryTail(Buffer.concat(centrals), entries.length, offset)]);
}

/** A Keras 3 archive around a model config. */
export function kerasArchive(config: unknown): Buffer {
  return zip([
    { name: 'metadata.json', data: JSON.stringify({ keras_version: '3.3.3' }) },
    { name: 'config.json', data: typeof config === 'string' ? config : JSON.stringify(config) },
    { name: 'model.weights.h5', data: Buffer.alloc(16) },
  ]);
}

/** A Sequential model config with the given extra layers (Keras 3 layout). */
export function sequential(layers: unknown[]): unknown {
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          config: { batch_shape: [null, 4], dtype: 'float32', name: 'input_layer' },
          registered_name: null,
        },
        ...layers,
      ],
    },
    registered_name: null,
  };
}

/**
 * A flatbuffer object for `flatbuffer()`: a table (fields by slot), a vector of tables, bytes, int32s or a string.
 */
export type FbNode =
  | { readonly table: readonly (FbField | undefined)[] }
  | { readonly tables: readonly FbNode[] }
  | { readonly bytes: Buffer }
  | { readonly ints: readonly number[] }
  | { readonly str: string };
export type FbField =
  { readonly u32: number } | { readonly i32: number } | { readonly u64: bigint } | { readonly ref: FbNode };

/**
 * A little-endian flatbuffer with `root` as its root table and `ident` as the file identifier. Objects are laid out
 * parent first (a vtable just before its table), so every uoffset points forward, as the format requires.
 */
export function flatbuffer(root: FbNode, ident: string): Buffer {
  const out: number[] = [];
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const set32 = (at: number, v: number) => {
    for (let k = 0; k < 4; k++) out[at + k] = (v >>> (8 * k)) & 0xff;
  };
  const align = () => {
    while (out.length % 4) out.push(0);
  };
  const write = (node: FbNode): number => {
    align();
    if ('str' in node || 'bytes' in node) {
      const data = 'str' in node ? Buffer.from(`${node.str}\0`) : node.bytes;
      const at = out.length;
      u32('str' in node ? data.length - 1 : data.length);
      out.push(...data);
      return at;
    }
    if ('ints' in node) {
      const at = out.length;
      u32(node.ints.length);
      node.ints.forEach(u32);
      return at;
    }
    if ('tables' in node) {
      const at = out.length;
      u32(node.tables.length);
      const slots = node.tables.map(() => (u32(0), out.length - 4));
      node.tables.forEach((t, i) => set32(slots[i]!, write(t) - slots[i]!));
      return at;
    }
    const n = node.table.length;
    const vtable = out.length;
    // Each field's place in the table: 4 bytes, 8 for a u64.
    const at: number[] = [];
    let size = 4;
    for (const f of node.table) {
      at.push(size);
      size += f !== undefined && 'u64' in f ? 8 : 4;
    }
    out.push(...[4 + 2 * n, 0, size, 0].flatMap((v, i) => (i % 2 ? [] : [v & 0xff, v >> 8])));
    node.table.forEach((f, i) => out.push(...(f === undefined ? [0, 0] : [at[i]! & 0xff, at[i]! >> 8])));
    align();
    const table = out.length;
    u32(table - vtable);
    const refs: [number, FbNode][] = [];
    for (const f of node.table) {
      if (f !== undefined && 'u64' in f) {
        u32(Number(f.u64 & 0xffffffffn));
        u32(Number(f.u64 >> 32n));
      } else if (f === undefined || !('ref' in f)) u32(f === undefined ? 0 : 'u32' in f ? f.u32 : f.i32);
      else refs.push([(u32(0), out.length - 4), f.ref]);
    }
    for (const [slot, child] of refs) set32(slot, write(child) - slot);
    return table;
  };
  u32(0);
  out.push(...Buffer.from(ident.slice(0, 4)));
  set32(0, write(root));
  return Buffer.from(out);
}

/**
 * A TFLite model with one custom operator whose options hold a flexbuffer `[name, NodeDef]` running `tfOp`. `nodeDef`
 * replaces the NodeDef's bytes (encodings `pb` does not write); `appended` stores the options after the flatbuffer,
 * named by the operator's `large_custom_options_offset`/`_size` (the `buffer_offset` layout), not in `custom_options`.
 */
export function flexModel(
  customCode: string,
  tfOp: string,
  attrs: Record<string, string> = {},
  { nodeDef: raw, appended = false }: { nodeDef?: Buffer; appended?: boolean } = {},
): Buffer {
  const nodeDef =
    raw ??
    pb([
      [1, 'node'],
      [2, tfOp],
      [3, 'x'],
      // NodeDef.attr map entries: key (1) → AttrValue (2) whose `s` is field 2.
      ...Object.entries(attrs).map(([k, v]): [number, Pb] => [
        5,
        [
          [1, k],
          [2, [[2, v]]],
        ],
      ]),
    ]);
  const name = Buffer.from(tfOp);
  const options = Buffer.concat([
    Buffer.from([name.length]),
    name,
    Buffer.from([0, nodeDef.length]),
    nodeDef,
    Buffer.from([0, 2, 0x14, 0x0a, 0x24, 0x01]),
  ]);
  const opcode: FbNode = { table: [{ i32: 32 }, { ref: { str: customCode } }, { i32: 1 }, { i32: 32 }] };
  const model = (offset: bigint): Buffer => {
    const slots: (FbField | undefined)[] = appended
      ? [{ u32: 0 }, ...Array<undefined>(8), { u64: offset }, { u64: BigInt(options.length) }]
      : [{ u32: 0 }, undefined, undefined, undefined, undefined, { ref: { bytes: options } }];
    const operator: FbNode = { table: slots };
    return flatbuffer(
      {
        table: [
          { u32: 3 },
          { ref: { tables: [opcode] } },
          { ref: { tables: [{ table: [undefined, undefined, undefined, { ref: { tables: [operator] } }] }] } },
        ],
      },
      'TFL3',
    );
  };
  if (!appended) return model(0n);
  // The offset's value does not change the flatbuffer's length: lay it out once to learn where the options go.
  const flat = model(BigInt(model(0n).length));
  return Buffer.concat([flat, options]);
}

/**
 * A TFLite model whose tensors take LiteRT external weights: each tensor names an external buffer id (and has a
 * shape unless `shape` is false), each external buffer maps an id to a group, each group is a file name.
 */
export function externalWeightsModel(spec: {
  groups: readonly string[];
  buffers: readonly { id: number; group: number }[];
  /** `shape`: the tensor's dimensions, none (the default: a scalar) or false for no shape at all. */
  tensors: readonly { buffer: number; shape?: readonly number[] | false }[];
}): Buffer {
  const tensor = ({ buffer, shape = [] }: { buffer: number; shape?: readonly number[] | false }): FbNode => ({
    table: [shape ? { ref: { ints: shape } } : undefined, ...Array<undefined>(9), { u32: buffer }],
  });
  const slots: (FbField | undefined)[] = [
    { u32: 3 },
    undefined,
    { ref: { tables: [{ table: [{ ref: { tables: spec.tensors.map(tensor) } }] }] } },
    ...Array<undefined>(5),
    { ref: { tables: spec.groups.map((name) => ({ table: [{ ref: { str: name } }] })) } },
    {
      ref: {
        tables: spec.buffers.map((b) => ({ table: [{ u32: b.id }, { u32: b.group }, { u64: 0n }, { u64: 16n }] })),
      },
    },
  ];
  return flatbuffer({ table: slots }, 'TFL3');
}

export interface SparseMember {
  readonly name: string;
  /** Real bytes, or a length left as a hole in a sparse file. */
  readonly data: Buffer | number;
}

/**
 * A zip of stored members (CRCs left 0, as the readers here do not check them) written with positioned writes, so a
 * multi-GB member is a hole of a sparse file that costs no disk and no memory.
 */
export function writeSparseZip(path: string, members: readonly SparseMember[]): number {
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  let pos = 0;
  try {
    for (const m of members) {
      const name = Buffer.from(m.name, 'latin1');
      const size = typeof m.data === 'number' ? m.data : m.data.length;
      const local = Buffer.concat([storedLocalHeader(name.length, size, 0), name]);
      writeSync(fd, local, 0, local.length, pos);
      if (typeof m.data !== 'number') writeSync(fd, m.data, 0, m.data.length, pos + 30 + name.length);
      central.push(storedCentralRecord(name.length, size, 0, pos), name);
      pos += 30 + name.length + size;
    }
    const tail = centralDirectoryTail(Buffer.concat(central), members.length, pos);
    writeSync(fd, tail, 0, tail.length, pos);
    return pos + tail.length;
  } finally {
    closeSync(fd);
  }
}
