import type { FileSource } from '../../core/file-source.js';
import { EOCD_SEARCH, locateDirectory } from '../../discover/formats/zip-directory.js';
import { DISTCP_ITEM } from '../pickle/verdict.js';

/**
 * A PyTorch Distributed Checkpoint shard (`__<rank>_<n>.distcp`, torch/distributed/checkpoint/filesystem.py
 * `DEFAULT_SUFFIX`) is not one zip: `_write_item` appends one `torch.save` archive per item to the same stream
 * (`torch.save(tensor, stream)` for a tensor; for a BYTE_IO item, the bytes `DefaultSavePlanner.resolve_data` got
 * from `torch.save(obj, BytesIO)`). `FileSystemReader.read_data` cuts each item out again by the offset and length
 * `.metadata` records (`_create_file_view`) and loads it: a tensor with `torch.load(weights_only=True)`, a BYTE_IO
 * item through `DefaultLoadPlanner.load_bytes`, which is `torch.load(value, weights_only=False)`. So every item is
 * an archive of its own, with offsets counted from its own start.
 */
export const DISTCP_NAME = /\.distcp$/i;

/** One item: `[start, end)` of the shard. */
export interface DistcpItem {
  readonly start: number;
  readonly end: number;
}

/** More items than a shard ever holds per rank and file: past it the shard is read as one archive (hostile). */
const MAX_ITEMS = 100_000;

/**
 * The archives a shard is the concatenation of, found from its end: each end record names its directory's size
 * and offset, which put the archive's first byte at `concat` (zip-directory.ts `locateDirectory`); the archive
 * before it ends right there. Undefined unless the archives tile the whole file, end to start, each beginning with
 * a local header and ending with its end record (no comment trailing into the next): anything else is left to the
 * ordinary zip reader, which reports what it sees.
 */
export async function distcpItems(src: FileSource): Promise<DistcpItem[] | undefined> {
  const items: DistcpItem[] = [];
  let end = src.size;
  while (end > 0) {
    if (items.length >= MAX_ITEMS) return undefined;
    const tailLen = Math.min(end, EOCD_SEARCH);
    const found = locateDirectory(await src.read(end - tailLen, tailLen), end);
    if (!found.ok || found.at.commentMismatch) return undefined;
    const start = found.at.concat;
    if (start < 0 || start >= end) return undefined;
    const head = await src.read(start, 4);
    if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) return undefined;
    items.push({ start, end });
    end = start;
  }
  return items.reverse();
}

/** How an item is named inside the shard (`member` of its findings). */
export function distcpMember(item: DistcpItem): string {
  return `${DISTCP_ITEM}${item.start}>`;
}
