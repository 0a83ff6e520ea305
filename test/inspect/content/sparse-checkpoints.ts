import { closeSync, copyFileSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

/**
 * Checkpoints of any size without writing them: every case is a sparse file whose headers, pickles and directory
 * are written at their positions and whose tensor bytes are a hole (`ftruncate`), so a "20 GB" file costs a few
 * kilobytes of disk. The layouts follow what the real writers produce (torch.save zip and legacy, tarfile, np.savez,
 * joblib.dump), built by hand here. Payloads are hand-written `eval('1')` pickles, never loaded.
 */

export const GB = 1e9;
/** The size the issue asks about. */
export const HUGE = 20 * GB;

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

/** `builtins.eval('1')` without PROTO and STOP, its result popped: appended where a payload hides. */
const EVAL_BODY = Buffer.from('\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R0', 'latin1');
const EVAL_PICKLE = Buffer.concat([Buffer.from('\x80\x04', 'latin1'), EVAL_BODY, Buffer.from('N.')]);

interface Part {
  readonly at: number;
  readonly data: Buffer;
}

/** Write `parts` at their offsets into a file of `size` bytes; everything else is a hole. */
export function writeSparse(file: string, parts: readonly Part[], size: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    ftruncateSync(fd, size);
    for (const p of parts) writeSync(fd, p.data, 0, p.data.length, p.at);
  } finally {
    closeSync(fd);
  }
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** A pickle opcode pushing a non-negative int of any size (BININT or LONG1), as pickle protocol 2 writes it. */
function pickleInt(n: number): Buffer {
  if (n < 2 ** 31) {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    return b;
  }
  let hex = BigInt(n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const le = Buffer.from(hex, 'hex').reverse();
  const bytes = le[le.length - 1]! & 0x80 ? Buffer.concat([le, Buffer.from([0])]) : le;
  return Buffer.concat([Buffer.from([0x8a, bytes.length]), bytes]);
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const h = Buffer.alloc(5);
  h[0] = 0x58; // BINUNICODE
  h.writeUInt32LE(b.length, 1);
  return Buffer.concat([h, b]);
}

/**
 * `{'w': torch._utils._rebuild_tensor_v2(persistent ('storage', FloatStorage, key, 'cpu', numel), 0, (numel,),
 * (1,), False, OrderedDict())}` as torch.save pickles a state dict, protocol 2.
 */
function stateDictPickle(key: string, numel: number, evil: boolean): Buffer {
  const l = (s: string): Buffer => Buffer.from(s, 'latin1');
  return Buffer.concat([
    l('\x80\x02}'),
    str('w'),
    l('ctorch._utils\n_rebuild_tensor_v2\n('),
    l('('),
    str('storage'),
    l('ctorch\nFloatStorage\n'),
    str(key),
    str('cpu'),
    pickleInt(numel),
    l('tQ'),
    l('K\x00'),
    pickleInt(numel),
    l('\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR'),
    l('s'),
    evil ? EVAL_BODY : Buffer.alloc(0),
    l('.'),
  ]);
}

export interface ZipMember {
  readonly name: string;
  /** 8: `data` is raw deflate of `size` bytes. */
  readonly method?: 0 | 8;
  /** Bytes written; a member without data is a hole of `size` bytes. */
  readonly data?: Buffer;
  readonly size?: number;
}

const U32 = 0xffffffff;

/** A stored (method 0) zip with zip64 sizes, offsets and end records where they pass 4 GiB, as torch.save writes. */
export function sparseZip(file: string, members: readonly ZipMember[]): number {
  const parts: Part[] = [];
  const central: Buffer[] = [];
  let at = 0;
  for (const m of members) {
    const size = m.data?.length ?? m.size ?? 0;
    const usize = m.method === 8 ? (m.size ?? 0) : size;
    const name = Buffer.from(m.name, 'utf8');
    const big = size >= U32;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    // CRCs of written members (a hole's would take reading it; readers check it only after reading a member).
    const crc = m.data && m.method !== 8 ? crc32(m.data) : 0;
    local.writeUInt16LE(m.method ?? 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(big ? U32 : size, 18);
    local.writeUInt32LE(big ? U32 : usize, 22);
    local.writeUInt16LE(name.length, 26);
    const localExtra = big ? Buffer.concat([Buffer.from([1, 0, 16, 0]), u64(size), u64(size)]) : Buffer.alloc(0);
    local.writeUInt16LE(localExtra.length, 28);
    parts.push({ at, data: Buffer.concat([local, name, localExtra]) });
    const dataAt = at + 30 + name.length + localExtra.length;
    if (m.data) parts.push({ at: dataAt, data: m.data });
    const farOffset = at >= U32;
    const fields = [...(big ? [u64(size), u64(size)] : []), ...(farOffset ? [u64(at)] : [])];
    const extraBody = Buffer.concat(fields);
    const extra = fields.length
      ? Buffer.concat([Buffer.from([1, 0, extraBody.length, 0]), extraBody])
      : Buffer.alloc(0);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(45, 4);
    c.writeUInt16LE(45, 6);
    c.writeUInt16LE(m.method ?? 0, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(big ? U32 : size, 20);
    c.writeUInt32LE(big ? U32 : usize, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(farOffset ? U32 : at, 42);
    central.push(c, name, extra);
    at = dataAt + size;
  }
  const cd = Buffer.concat(central);
  const cdAt = at;
  const rec64 = Buffer.alloc(56);
  rec64.writeUInt32LE(0x06064b50, 0);
  rec64.writeBigUInt64LE(44n, 4);
  rec64.writeUInt16LE(45, 12);
  rec64.writeUInt16LE(45, 14);
  rec64.writeBigUInt64LE(BigInt(members.length), 24);
  rec64.writeBigUInt64LE(BigInt(members.length), 32);
  rec64.writeBigUInt64LE(BigInt(cd.length), 40);
  rec64.writeBigUInt64LE(BigInt(cdAt), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(cdAt + cd.length), 8);
  locator.writeUInt32LE(1, 16);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(U32, 12);
  eocd.writeUInt32LE(U32, 16);
  const tail = Buffer.concat([cd, rec64, locator, eocd]);
  parts.push({ at: cdAt, data: tail });
  writeSparse(file, parts, cdAt + tail.length);
  return cdAt + tail.length;
}

/** A `.npy` v1.0 header for a plain or object array (numpy pads the header to a multiple of 64). */
function npyHeader(descr: string, shape: number): Buffer {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape},), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - 10 - 1, ' ') + '\n';
  const h = Buffer.alloc(10);
  h.write('\x93NUMPY', 0, 'latin1');
  h[6] = 1;
  h.writeUInt16LE(dict.length, 8);
  return Buffer.concat([h, Buffer.from(dict, 'latin1')]);
}

/** BINBYTES8 of `n` hole bytes (skipped by the reader), then the payload: an object array's pickle. */
function evalAfterBytes(n: number): Part[] {
  const head = Buffer.concat([Buffer.from([0x80, 0x05, 0x8e]), u64(n)]);
  return [
    { at: 0, data: head },
    { at: head.length + n, data: Buffer.concat([Buffer.from('0', 'latin1'), EVAL_BODY, Buffer.from('N.')]) },
  ];
}

/**
 * joblib.dump of {'w': float32 array of `numel`}: the NumpyArrayWrapper pickle (protocol 4, unframed) and the
 * alignment padding (`lead`), then `numel * 4` raw array bytes, then the rest of the pickle (`after`: `s.`; the evil
 * one calls eval there, after the array).
 */
export function joblibArrayPickle(numel: number, evil: boolean): { lead: Buffer; after: Buffer } {
  const l = (s: string): Buffer => Buffer.from(s, 'latin1');
  const head = Buffer.concat([
    l('\x80\x04}\x94\x8c\x01w\x94\x8c\x13joblib.numpy_pickle\x94\x8c\x11NumpyArrayWrapper\x94\x93\x94)\x81\x94}\x94('),
    l('\x8c\x08subclass\x94\x8c\x05numpy\x94\x8c\x07ndarray\x94\x93\x94\x8c\x05shape\x94'),
    pickleInt(numel),
    l('\x85\x94\x8c\x05order\x94\x8c\x01C\x94\x8c\x05dtype\x94h\x08h\x0f\x93\x94\x8c\x02f4\x94\x89\x88\x87\x94R\x94'),
    l('(K\x03\x8c\x01<\x94NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t\x94b\x8c\x0aallow_mmap\x94\x88'),
    l('\x8c\x1bnumpy_array_alignment_bytes\x94K\x10ub'),
  ]);
  const pad = (16 - ((head.length + 1) % 16)) % 16;
  const lead = Buffer.concat([head, Buffer.from([pad]), Buffer.alloc(pad, 0xff)]);
  const after = Buffer.concat([l('s'), evil ? EVAL_BODY : Buffer.alloc(0), l('.')]);
  return { lead, after };
}

export type CaseKind = 'torch-zip' | 'torch-legacy' | 'tar' | 'npz' | 'joblib' | 'joblib-sidecar';

/** Write one case into `dir` (its scan root) and return the scanned file's name. */
export function writeHugeCase(dir: string, kind: CaseKind, evil: boolean, size = HUGE): string {
  const numel = Math.floor(size / 4);
  switch (kind) {
    case 'torch-zip': {
      // Benign in torch.save's order (data.pkl first); the evil one puts data.pkl after the storage, so it is
      // only found by reading at an offset past the storage.
      const pkl = { name: 'archive/data.pkl', data: stateDictPickle('0', numel, evil) };
      const storage = { name: 'archive/data/0', size: numel * 4 };
      const version = { name: 'archive/version', data: Buffer.from('3\n') };
      sparseZip(path.join(dir, 'model.pt'), evil ? [storage, pkl, version] : [pkl, storage, version]);
      return 'model.pt';
    }
    case 'torch-legacy': {
      // serialization._legacy_save: magic, protocol, sys_info, the object, the storage keys, then per storage an
      // int64 element count and its bytes. A payload appended after the storages is read by legacyTorchRestSteps.
      const l = (s: string): Buffer => Buffer.from(s, 'latin1');
      const head = Buffer.concat([
        l('\x80\x02'),
        pickleInt(Number(0x1950a86a20f9469cfc6cn)),
        l('.\x80\x02M\xe9\x03.\x80\x02}('),
        str('protocol_version'),
        l('M\xe9\x03'),
        str('little_endian'),
        l('\x88u.'),
        stateDictPickle('0', numel, false),
        l('\x80\x02]'),
        str('0'),
        l('a.'),
        u64(numel),
      ]);
      const end = head.length + numel * 4;
      const tail = evil ? [{ at: end, data: EVAL_PICKLE }] : [];
      writeSparse(path.join(dir, 'model.pt'), [{ at: 0, data: head }, ...tail], end + (evil ? EVAL_PICKLE.length : 0));
      return 'model.pt';
    }
    case 'tar': {
      // A GNU tar: the large member's size in base-256 (past the 8 GiB octal field), then model.pkl.
      const header = (name: string, n: number): Buffer => {
        const h = Buffer.alloc(512);
        h.write(name, 0, 100, 'utf8');
        h.write('0000644\0', 100);
        h.write('0000000\0', 108);
        h.write('0000000\0', 116);
        if (n >= 8 ** 11) {
          h[124] = 0x80;
          h.writeBigUInt64BE(BigInt(n), 128);
        } else h.write(`${n.toString(8).padStart(11, '0')}\0`, 124);
        h.write('00000000000\0', 136);
        h.write('0', 156);
        h.write('ustar  \0', 257, 'latin1');
        h.write('        ', 148);
        let sum = 0;
        for (const b of h) sum += b;
        h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
        return h;
      };
      const bigAt = 512 + Math.ceil(size / 512) * 512;
      const pkl = evil ? EVAL_PICKLE : Buffer.from('\x80\x04]\x94(K\x01K\x02e.', 'latin1');
      const end = bigAt + 512 + Math.ceil(pkl.length / 512) * 512 + 1024;
      const parts = [
        { at: 0, data: header('weights.bin', size) },
        { at: bigAt, data: header('model.pkl', pkl.length) },
        { at: bigAt + 512, data: pkl },
      ];
      writeSparse(path.join(dir, 'bundle.tar'), parts, end);
      return 'bundle.tar';
    }
    case 'npz': {
      const w = npyHeader('<f4', numel);
      const small = evil
        ? { name: 'o.npy', data: Buffer.concat([npyHeader('|O', 1), EVAL_PICKLE]) }
        : { name: 'b.npy', data: Buffer.concat([npyHeader('<f8', 1), Buffer.alloc(8)]) };
      // np.savez writes members with zip64 sizes; the array bytes stay a hole.
      const file = path.join(dir, 'arrays.npz');
      const total = sparseZip(file, [{ name: 'w.npy', size: w.length + numel * 4 }, small]);
      writeSparse2(file, [{ at: 30 + 'w.npy'.length + 20, data: w }], total);
      return 'arrays.npz';
    }
    case 'joblib': {
      const { lead, after } = joblibArrayPickle(numel, evil);
      const end = lead.length + numel * 4;
      writeSparse(
        path.join(dir, 'model.joblib'),
        [
          { at: 0, data: lead },
          { at: end, data: after },
        ],
        end + after.length,
      );
      return 'model.joblib';
    }
    case 'joblib-sidecar': {
      // joblib < 0.10: model.pkl names model.pkl_01.npy and _02.npy (fixtures/joblib-sidecars/benign-npy, made by
      // joblib's own classes). The huge sidecar is a float array, or an object array whose pickle skips a huge
      // BINBYTES8 before its payload.
      const from = path.join(FIXTURES, 'joblib-sidecars', 'benign-npy');
      mkdirSync(dir, { recursive: true });
      copyFileSync(path.join(from, 'model.pkl'), path.join(dir, 'model.pkl'));
      copyFileSync(path.join(from, 'model.pkl_02.npy'), path.join(dir, 'model.pkl_02.npy'));
      const sidecar = path.join(dir, 'model.pkl_01.npy');
      if (!evil) {
        const h = npyHeader('<f4', numel);
        writeSparse(sidecar, [{ at: 0, data: h }], h.length + numel * 4);
      } else {
        const h = npyHeader('|O', 1);
        const body = evalAfterBytes(size);
        const last = body[body.length - 1]!;
        writeSparse(
          sidecar,
          [{ at: 0, data: h }, ...body.map((p) => ({ at: h.length + p.at, data: p.data }))],
          h.length + last.at + last.data.length,
        );
      }
      return 'model.pkl';
    }
  }
}

/** Write more parts into an existing sparse file of `size` bytes. */
function writeSparse2(file: string, parts: readonly Part[], size: number): void {
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, size);
    for (const p of parts) writeSync(fd, p.data, 0, p.data.length, p.at);
  } finally {
    closeSync(fd);
  }
}
