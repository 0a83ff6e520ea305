/** Limits on reading a zip archive; hitting one is reported, never a silent pass. */
export interface ZipLimits {
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Largest inflated size of one entry. */
  readonly maxEntrySize: number;
  /** Largest inflated/compressed ratio of one entry. */
  readonly maxRatio: number;
}

export interface ZipEntry {
  readonly name: string;
  readonly compressedSize: number;
  readonly size: number;
  readonly method: number;
  /** Inflates with a hard output cap; throws ZipLimitError when a limit is hit. */
  read(): Buffer;
}

export interface ZipArchive {
  readonly entries: ZipEntry[];
  readonly problems: string[];
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 10_000, maxEntrySize: 1 << 30, maxRatio: 1000 };

export class ZipLimitError extends Error {
  override readonly name = 'ZipLimitError';
}

/** Placeholder: the tolerant reader lands next. */
export function readZip(data: Buffer, limits?: Partial<ZipLimits>): ZipArchive {
  void data;
  void limits;
  return { entries: [], problems: ['zip reader not implemented yet'] };
}
