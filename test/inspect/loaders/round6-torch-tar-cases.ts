import { buildTar, type TarMember } from '../../hostile/helpers/tar.js';
import type { UnseenCase } from './unseen-runner.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const i64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
/** Protocol 2 pickles of a small int (BININT1). */
const count = (n: number) => latin1(`\x80\x02K${String.fromCharCode(n)}.`);
/** A `storages` record: `(key, 'cpu', torch.FloatStorage)`, its int64 element count, the float32 elements. */
const storage = (key: number, numel: number) =>
  Buffer.concat([
    latin1(`\x80\x02K${String.fromCharCode(key)}X\x03\x00\x00\x00cpuctorch\nFloatStorage\n\x87.`),
    i64(numel),
    Buffer.alloc(4 * numel),
  ]);
/** A `tensors` record: `(key, storage_id, torch.FloatTensor)`, then int32 ndim, 4 unused bytes, size, stride, offset. */
const tensor = (key: number, storageId: number) =>
  Buffer.concat([
    latin1(`\x80\x02K${String.fromCharCode(key)}K${String.fromCharCode(storageId)}ctorch\nFloatTensor\n\x87.`),
    i32(1),
    Buffer.alloc(4),
    i64(2),
    i64(1),
    i64(0),
  ]);
const EMPTY_VIEWS = latin1('\x80\x02].');
export const EVIL = latin1('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.');
/** `{'w': <persistent id '1'>}`, the model pickle. */
const MODEL = latin1('\x80\x02}q\x00X\x01\x00\x00\x00wq\x01X\x01\x00\x00\x001q\x02Qs.');
const SYS_INFO = latin1('\x80\x02}X\x0d\x00\x00\x00little_endian\x88s.');

interface LegacyTar {
  readonly views?: Buffer;
  readonly model?: Buffer;
  readonly sysInfo?: boolean;
  readonly two?: boolean;
}

/** A torch < 0.4 tar checkpoint with one storage and tensor (or two, the second a view of a second storage). */
export function legacyTarMembers(o: LegacyTar): TarMember[] {
  const storages = o.two
    ? [count(2), storage(0, 2), storage(5, 3), o.views ?? latin1('\x80\x02](K\x06K\x05K\x01K\x02ta.')]
    : [count(1), storage(0, 2), o.views ?? EMPTY_VIEWS];
  const tensors = o.two ? [count(2), tensor(1, 0), tensor(2, 6)] : [count(1), tensor(1, 0)];
  return [
    ...(o.sysInfo === false ? [] : [{ name: 'sys_info', data: SYS_INFO }]),
    { name: 'pickle', data: o.model ?? MODEL },
    { name: 'tensors', data: Buffer.concat(tensors) },
    { name: 'storages', data: Buffer.concat(storages) },
  ];
}
const legacyTar = (o: LegacyTar = {}) => buildTar(legacyTarMembers(o));

/** The same archive with v7 headers: no `ustar` magic or version, the checksum recomputed (tarfile reads it). */
function v7(tar: Buffer): Buffer {
  const out = Buffer.from(tar);
  for (let off = 0; off + 512 <= out.length && out[off] !== 0;) {
    const h = out.subarray(off, off + 512);
    h.fill(0, 257, 265);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const size = parseInt(h.toString('latin1', 124, 135), 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const LOADER = 'torch/serialization.py _legacy_load.legacy_load (tarfile.open mode "r:")';

/**
 * The pre-0.4 torch.save tar, as `legacy_load` reads it: `storages` (count, records with raw elements, then the
 * `storage_views` pickle), `tensors` (count, records with 4 + 16·ndim + 8 raw bytes), `pickle`; `sys_info` unread.
 * Every one is CPI119 too: torch >= 2.6's default weights_only=True refuses the legacy .tar format outright.
 */
export const ROUND6_TORCH_TAR_CASES: readonly UnseenCase[] = [
  { name: 'legacy tar checkpoint: benign', loader: LOADER, files: { 'model.pt': legacyTar() }, want: ['CPI119:note'] },
  {
    name: 'legacy tar checkpoint: two tensors, a storage view',
    loader: LOADER,
    files: { 'model.pt': legacyTar({ two: true }) },
    want: ['CPI119:note'],
  },
  {
    name: 'legacy tar checkpoint without sys_info: benign',
    loader: LOADER,
    files: { 'model.pt': legacyTar({ sysInfo: false }) },
    want: ['CPI119:note'],
  },
  {
    name: 'legacy tar checkpoint: os.system in the storage_views pickle after the storages',
    loader: LOADER,
    files: { 'model.pt': legacyTar({ views: EVIL }) },
    want: ['CPI001:error', 'CPI119:note'],
  },
  {
    name: 'legacy tar checkpoint without sys_info: os.system in storage_views',
    loader: LOADER,
    files: { 'model.pt': legacyTar({ views: EVIL, sysInfo: false, two: true }) },
    want: ['CPI001:error', 'CPI119:note'],
  },
  {
    name: 'legacy tar checkpoint with v7 headers: benign',
    loader: LOADER,
    files: { 'model.pt': v7(legacyTar()) },
    want: ['CPI119:note'],
  },
  {
    name: 'legacy tar checkpoint with v7 headers: os.system in the model pickle',
    loader: LOADER,
    files: { 'model.pt': v7(legacyTar({ model: EVIL })) },
    want: ['CPI001:error', 'CPI119:note'],
  },
];
