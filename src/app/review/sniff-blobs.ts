import { detectFormat, SNIFF_BYTES } from '../../discover/detect.js';
import { MODEL_FORMATS } from '../../discover/catalogue/index.js';
import type { SizedEntry } from './git.js';
import type { BlobCache } from './git.js';

/** Blobs up to this size are read whole to sniff their first bytes; a larger source or lockfile is inspected anyway. */
const READ_WHOLE_BYTES = 4 * 1024 * 1024;
/** What one `git cat-file --batch` may hold in memory at once. */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * The entries among changed sources, lockfiles and configs whose content is a model (or an archive or LFS pointer
 * that may hold one), by the catalogue's own `detectFormat` — the test the working-tree walk applies to every file.
 * The scan of the copied blobs then decides, as for any changed file. Oversized blobs are not sniffed here: they are
 * returned, so the scan reads them in full rather than the review passing them unread.
 */
export async function disguisedModels(reader: BlobCache, entries: readonly SizedEntry[]): Promise<SizedEntry[]> {
  const out: SizedEntry[] = entries.filter((e) => e.size > READ_WHOLE_BYTES);
  const small = entries.filter((e) => e.size <= READ_WHOLE_BYTES && e.size > 0);
  for (const batch of batches(small)) {
    const blobs = await reader.read(batch, READ_WHOLE_BYTES);
    for (const e of batch) {
      const bytes = blobs.get(e.oid);
      if (bytes !== undefined && mayBeModel(bytes, e)) out.push(e);
    }
  }
  return out;
}

function mayBeModel(bytes: Buffer, e: SizedEntry): boolean {
  const probed = { probe: { pickleUndecided: false } };
  let { format } = detectFormat(bytes.subarray(0, SNIFF_BYTES), e.path, e.size, probed);
  // A pickle stream whose first argument outruns the head (walk.ts `sniffFurther`): the whole blob, read here, decides.
  if (probed.probe.pickleUndecided) ({ format } = detectFormat(bytes, e.path, e.size));
  // A zip is classified by its member names only when read whole (the scan does it); any zip may be a checkpoint.
  return MODEL_FORMATS.has(format) || format === 'lfs-pointer' || format === 'zip';
}

function* batches(entries: readonly SizedEntry[]): Generator<SizedEntry[]> {
  let batch: SizedEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (batch.length > 0 && bytes + e.size > BATCH_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(e);
    bytes += e.size;
  }
  if (batch.length > 0) yield batch;
}
