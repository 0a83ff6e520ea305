import type { DistcpItem } from './distcp.js';
import { ByteSource } from '../pickle/source.js';
import { runPickle } from '../pickle/vm.js';
import { dictGet, strOf, type Value } from '../pickle/values.js';

/** More declared ranges than this per shard are not followed (a hostile `.metadata`); a real shard has far fewer. */
const MAX_DECLARED = 100_000;

/**
 * The byte ranges a Distributed Checkpoint's `.metadata` declares in each of its files, by relative path.
 * torch/distributed/checkpoint/filesystem.py `FileSystemReader.read_data` opens `concat_path(path, relative_path)`
 * and cuts every item out by its `_StorageInfo(relative_path, offset, length)` (`_slice_file`, `_create_file_view`),
 * whatever the shard itself holds: those ranges, not the shard's own layout, are what `torch.load` and
 * `DefaultLoadPlanner.load_bytes` read. `FileSystemWriter.finish` writes them with `pickle.dump(metadata)`, each a
 * dataclass pickled as NEWOBJ of `_StorageInfo` and a BUILD of its `__dict__`; they are read here from the symbolic
 * values of that pickle (nothing is unpickled). A `.metadata` that is not such a pickle declares nothing.
 */
export function declaredRanges(metadata: Buffer): Map<string, DistcpItem[]> {
  const out = new Map<string, DistcpItem[]>();
  let count = 0;
  runPickle(ByteSource.fromBuffer(metadata), {
    afterBuild: (obj) => {
      const range = storageInfo(obj);
      if (range === undefined || count >= MAX_DECLARED) return;
      count++;
      const list = out.get(range.path);
      if (list) list.push(range.item);
      else out.set(range.path, [range.item]);
    },
  });
  return out;
}

/** `_StorageInfo(relative_path, offset, length)` as BUILD left it, or undefined for any other object. */
function storageInfo(obj: Value): { path: string; item: DistcpItem } | undefined {
  if (obj.k !== 'obj' || obj.callee.k !== 'global' || obj.callee.ref.name !== '_StorageInfo') return undefined;
  // A dataclass's state is its `__dict__`; with `__slots__` it would be `(None, slots)`.
  const state = obj.state?.k === 'tuple' ? (obj.state.items[1] ?? obj.state.items[0]) : obj.state;
  const path = strOf(dictGet(state, 'relative_path'));
  const offset = intOf(dictGet(state, 'offset'));
  const length = intOf(dictGet(state, 'length'));
  if (path === undefined || offset === undefined || length === undefined) return undefined;
  return { path, item: { start: offset, end: offset + length } };
}

function intOf(v: Value | undefined): number | undefined {
  return v?.k === 'scalar' && typeof v.v === 'number' && Number.isSafeInteger(v.v) && v.v >= 0 ? v.v : undefined;
}
