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
    want: ['CPI001:error'],
  },
  {
    name: "legacy torch tar whose 'storages' is a hard link to a member with os.system in storage_views",
    loader: `torch/serialization.py _legacy_load: tar.extract('storages'); tarfile makelink extracts _find_link_target`,
    files: { 'model.pt': linkedRecord('storages', '1', legacyTarMembers({ views: EVIL })) },
    want: ['CPI001:error'],
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
    // The record is no (key, storage_id, type) tuple, so the walk of `tensors` stops there: CPI003 beside it.
    want: ['CPI001:error', 'CPI003:warning'],
  },
  {
    name: "legacy torch tar whose 'storages' is a hard link: benign",
    loader: `torch/serialization.py _legacy_load (run on this shape with Debian's torch 1.13: loads)`,
    files: { 'model.pt': linkedRecord('storages', '1', legacyTarMembers({})) },
    want: [],
  },
  {
    // extract makes a symlink to a file never extracted: torch's open() raises FileNotFoundError (run with torch
    // 1.13 on the benign twin). The target is still a member anyone extracting the tar gets: judged as content.
    name: "legacy torch tar whose 'storages' is a symlink (dangling once extracted), os.system in the target",
    loader: 'torch/serialization.py _legacy_load: tar.extract makes the symlink, open() fails',
    files: { 'model.pt': linkedRecord('storages', '2', legacyTarMembers({ views: EVIL })) },
    want: ['CPI003:warning'],
  },
  {
    name: 'GNU sparse tar member (type S): rebuilt by tarfile from a map, not checked',
    loader: 'CPython tarfile.TarInfo._proc_sparse: GNUTYPE_SPARSE is in REGULAR_TYPES, its bytes rebuilt from the map',
    files: { 'm.tar': typed('S', EVIL) },
    want: ['CPI015:error'],
  },
];
