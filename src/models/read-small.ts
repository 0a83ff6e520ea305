import type { FileOpener } from '../core/file-source.js';
import type { FsPath } from '../core/files.js';

/** A file as discovery saw it: the absolute path to open and the repo-relative one to name. */
export interface OpenableFile {
  readonly abs: FsPath;
  readonly path: string;
  /** The file the walk saw (a DiscoveredFile's): a scan's opener refuses another one at the path. */
  readonly dev?: number;
  readonly ino?: number;
}

/**
 * Read at most `max` bytes from the start of a file (pointers, manifests, headers) through the scan's I/O edge:
 * bounded whatever the file, and counted.
 */
export async function readHead(files: FileOpener, file: OpenableFile, max: number): Promise<Buffer> {
  const src = await files.open(file.abs, file.path, file);
  try {
    return await src.read(0, Math.min(max, src.size));
  } finally {
    await src.close();
  }
}
