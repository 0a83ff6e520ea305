import type { FileOutcome } from './search-file.js';

/** A file the refs worker reads and searches: where it is and how much of it to read. */
export interface WorkerFile {
  readonly abs: string;
  readonly path: string;
  readonly size: number;
}

/** The worker's input (its `workerData`): the files to search, and every path of the scan for `existsLocally`. */
export interface WorkerInput {
  readonly files: readonly WorkerFile[];
  readonly paths: readonly string[];
  readonly maxBytes: number;
}

/** One file's result: its outcome, or why it could not be read (an errno code). */
export type WorkerResult =
  { readonly path: string; readonly outcome: FileOutcome } | { readonly path: string; readonly unreadable: string };

/** The worker's one message: every file's result, in input order, and the I/O it did (for the scan's counts). */
export interface WorkerOutput {
  readonly results: readonly WorkerResult[];
  readonly opens: number;
  readonly bytesRead: number;
}
