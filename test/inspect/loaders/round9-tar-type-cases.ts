import { gzipSync } from 'node:zlib';
import { buildTar, type TarMember } from '../../hostile/helpers/tar.js';
import { EVIL, legacyTarMembers } from './round6-torch-tar-cases.js';
import type { UnseenCase } from './unseen-runner.js';

const BENIGN = Buffer.from('\x80\x02}X\x01\x00\x00\x00aK\x01s.', 'latin1');
const EXTRACTFILE =
  'CPython tarfile.TarFile.extractfile: a file for `tarinfo.isreg() or tarinfo.type not in SUPPORTED_TYPES` (extract: makeunknown)';

/** A pickle larger than the tar walk keeps in memory (8 MiB): a 9 MiB string, then `tail` (after a POP). */
const large = (tail: Buffer) =>
  Buffer.concat([Buffer.from([0x80, 0x02, 0x58, 0, 0, 0x90, 0]), Buffer.alloc(9 << 20, 0x61), Buffer.from('0'), tail]);

/** A legacy torch tar whose `record` member is a link (`type`) to an earlier member `blob` holding its bytes. */
const linkedRecord = (record: string, type: '1' | '2', members: readonly TarMember[]) =>
  buildTar([
    ...members.map((m) => (m.name === record ? { ...m, name: 'blob' } : m)),
    { name: record, type, linkName: 'blob' },
  ]);
const TENSORS_EVIL = Buffer.concat([Buffer.from('\x80\x02K\x01.', 'latin1'), EVIL]);

/**
 * A pickle with a 4 KiB hole: BINBYTES of 4096 zero bytes, POP, then posix.system('id') by STACK_GLOBAL (`tail`
 * after the hole). Stored sparsely, the bytes in the archive are `head` + `tail`: read raw, BINBYTES swallows the
 * call and the stream ends short (CPI003 at most); rebuilt as tarfile rebuilds it, the call runs.
 */
const HOLE = 4096;
const SPARSE_HEAD = Buffer.from([0x80, 0x04, 0x42, 0x00, 0x10, 0x00, 0x00]);
const sparseTail = (evil: boolean) =>
  Buffer.from(evil ? '0\x8c\x05posix\x8c\x06system\x93\x8c\x02id\x85R.' : '0N.', 'latin1');
const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;

/** `tar --sparse --format=gnu`: an old-GNU 'S' header whose map (byte 386) and real size (483) tarfile reads. */
function gnuSparse(evil: boolean): Buffer {
  const tail = sparseTail(evil);
  const tar = buildTar([{ name: 'model.pkl', type: 'S', data: Buffer.concat([SPARSE_HEAD, tail]) }]);
  const h = tar.subarray(0, 512);
  h.write(octal(0, 12) + octal(SPARSE_HEAD.length, 12), 386, 'latin1');
  h.write(octal(SPARSE_HEAD.length + HOLE, 12) + octal(tail.length, 12), 410, 'latin1');
  h.write(octal(SPARSE_HEAD.length + HOLE + tail.length, 12), 483, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return tar;
}

/** `tar --sparse --format=pax` (sparse 1.0): PAX records, then the map as decimal lines padded to 512 bytes. */
function paxSparse(evil: boolean): Buffer {
  const tail = sparseTail(evil);
  const real = SPARSE_HEAD.length + HOLE + tail.length;
  const rec = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let n = body.length + 1;
    while (String(n).length + body.length !== n) n++;
    return `${n}${body}`;
  };
  const records = [
    'GNU.sparse.major=1',
    'GNU.sparse.minor=0',
    'GNU.sparse.name=model.pkl',
    `GNU.sparse.realsize=${real}`,
  ]
    .map((kv) => rec(kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)))
    .join('');
  const map = Buffer.alloc(512);
  map.write(`2\n0\n${SPARSE_HEAD.length}\n${SPARSE_HEAD.length + HOLE}\n${tail.length}\n`, 'latin1');
  return buildTar([
    { name: 'PaxHeaders/model.pkl', type: 'x', data: Buffer.from(records, 'latin1') },
    { name: 'GNUSparseFile.0/model.pkl', data: Buffer.concat([map, SPARSE_HEAD, tail]) },
  ]);
}

/** A one-member tar whose member has the header type flag `type`. */
const typed = (type: string, data: Buffer, name = 'model.pkl') => buildTar([{ name, type, data }]);

/**
 * Tar members whose header type is none tarfile knows: tarfile hands them out as regular files (extractfile, and
 * extract with a warning), so torch's `_legacy_load` unpickles a `pickle` member typed 'V' like any other. GNU
 * sparse members are files rebuilt from a map chainproof does not read: reported unchecked, never a pass.
 */
export const ROUND9_TAR_TYPE_CASES: readonly UnseenCase[] = [
  ...['9', 'A', 'D', 'M', 'N', 'V'].map((type): UnseenCase => ({
    name: `tar member typed '${type}' (unknown to tarfile) holding os.system`,
    loader: EXTRACTFILE,
    files: { 'm.tar': typed(type, EVIL) },
    want: ['CPI001:error'],
  })),
  {
    name: "tar member typed '9' holding a plain dict",
    loader: EXTRACTFILE,
    files: { 'm.tar': typed('9', BENIGN) },
    want: [],
  },
  {
    name: "gzipped tar member typed 'V' holding os.system",
    loader: `${EXTRACTFILE}; tarfile.open mode "r:gz"`,
    files: { 'm.tar.gz': gzipSync(typed('V', EVIL)) },
    want: ['CPI001:error'],
  },
  {
    name: "gzipped tar member typed 'V', 9 MiB (read by range), os.system at its end",
    loader: `${EXTRACTFILE}; tarfile.open mode "r:gz"`,
    files: { 'm.tar.gz': gzipSync(typed('V', large(EVIL)), { level: 1 }) },
    want: ['CPI001:error'],
  },
  {
    // The walk lists a member it read by range with a type inspectTar must not open again (an empty "pickle").
    name: 'gzipped tar with a 9 MiB plain pickle member (read by range): clean',
    loader: `${EXTRACTFILE}; tarfile.open mode "r:gz"`,
    files: { 'm.tar.gz': gzipSync(typed('0', large(BENIGN)), { level: 1 }) },
    want: [],
  },
  {
    name: "legacy torch tar whose 'pickle' member is typed 'V', os.system inside",
    loader: `torch/serialization.py _legacy_load: tar.extractfile('pickle'); ${EXTRACTFILE}`,
    files: {
      'model.pt': buildTar(
        legacyTarMembers({}).map((m) => (m.name === 'pickle' ? { ...m, type: 'V', data: EVIL } : m)),
      ),
    },
    want: ['CPI001:error', 'CPI119:note'],
  },
  {
    name: "legacy torch tar whose 'storages' is a hard link to a member with os.system in storage_views",
    loader: `torch/serialization.py _legacy_load: tar.extract('storages'); tarfile makelink extracts _find_link_target`,
    files: { 'model.pt': linkedRecord('storages', '1', legacyTarMembers({ views: EVIL })) },
    want: ['CPI001:error', 'CPI119:note'],
  },
  {
    name: "legacy torch tar whose 'tensors' is a hard link to a member whose first record is os.system",
    loader: `torch/serialization.py _legacy_load: tar.extract('tensors'); tarfile makelink extracts _find_link_target`,
    files: {
      'model.pt': linkedRecord(
        'tensors',
        '1',
        legacyTarMembers({}).map((m) => (m.name === 'tensors' ? { ...m, data: TENSORS_EVIL } : m)),
      ),
    },
    // The record is no (key, storage_id, type) tuple, so torch fails after running it: the payload's CPI001 is that
    // pickle's one finding (no CPI003 for what it returned, session 56's one-cause rule in torch-legacy.ts).
    want: ['CPI001:error', 'CPI119:note'],
  },
  {
    name: "legacy torch tar whose 'storages' is a hard link: benign",
    loader: `torch/serialization.py _legacy_load (run on this shape with Debian's torch 1.13: loads)`,
    files: { 'model.pt': linkedRecord('storages', '1', legacyTarMembers({})) },
    want: ['CPI119:note'],
  },
  {
    // extract makes a symlink to a file never extracted: torch's open() raises FileNotFoundError (run with torch
    // 1.13 on the benign twin). The target is still a member anyone extracting the tar gets: judged as content.
    name: "legacy torch tar whose 'storages' is a symlink (dangling once extracted), os.system in the target",
    loader: 'torch/serialization.py _legacy_load: tar.extract makes the symlink, open() fails',
    files: { 'model.pt': linkedRecord('storages', '2', legacyTarMembers({ views: EVIL })) },
    want: ['CPI003:warning', 'CPI119:note'],
  },
  ...[
    { shape: 'old-GNU (type S)', make: gnuSparse, fn: '_proc_sparse' },
    { shape: 'PAX 1.0', make: paxSparse, fn: '_proc_gnusparse_10' },
  ].flatMap(({ shape, make, fn }): UnseenCase[] => [
    {
      name: `${shape} sparse tar member: os.system after a 4 KiB hole`,
      loader: `CPython tarfile.TarInfo.${fn}: extractfile serves the file rebuilt from the sparse map`,
      files: { 'm.tar': make(true) },
      want: ['CPI001:error'],
    },
    {
      name: `${shape} sparse tar member: a plain pickle with a 4 KiB hole`,
      loader: `CPython tarfile.TarInfo.${fn} (GNU tar --sparse wrote this shape; Debian python3 rebuilt it)`,
      files: { 'm.tar': make(false) },
      want: [],
    },
  ]),
  {
    name: 'gzipped old-GNU (type S) sparse tar member: os.system after a 4 KiB hole',
    loader: 'CPython tarfile.TarInfo._proc_sparse under tarfile.open mode "r:gz"',
    files: { 'm.tar.gz': gzipSync(gnuSparse(true)) },
    want: ['CPI001:error'],
  },
];
