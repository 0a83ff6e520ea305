import { namePromisesPickle } from '../../discover/catalogue/index.js';

/**
 * `pandas.read_pickle` picks its decompressor from the name (pandas/io/common.py `infer_compression`,
 * `_extension_to_compression`: `.zst` → zstd through the `zstandard` package) and unpickles what comes out, so a
 * `model.pkl.zst` is a pickle to pandas. chainproof has no zstd decoder: such a file is reported as unread, at the
 * level of any stream a loader would decompress and unpickle that could not be opened (CPI015, error), never passed.
 * Only names whose inner part promises a pickle: a `.jsonl.zst` dataset is data.
 */
export function isZstdPickleName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return /\.zst$/i.test(base) && namePromisesPickle(base.slice(0, -4));
}

/** A zstd frame (RFC 8878 §3.1.1 magic 0xFD2FB528, little-endian) or a skippable frame (0x184D2A5?). */
export function isZstdFrame(data: Buffer): boolean {
  if (data.length < 4) return false;
  const magic = data.readUInt32LE(0);
  return magic === 0xfd2fb528 || (magic & 0xfffffff0) === 0x184d2a50;
}

export function zstdPickleMessage(where: string): string {
  return `${where}: a zstd stream under a pickle's name; pandas.read_pickle decompresses a .zst file by its name and unpickles it, and chainproof cannot decode zstd, so what it holds was not checked. Do not load it; provide the pickle uncompressed or gzip/xz-compressed, or a safe format.`;
}
