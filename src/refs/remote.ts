import { Worker } from 'node:worker_threads';
import type { ScanContext } from '../core/context.js';
import type { DiscoveredFile } from '../core/files.js';
import type { StageInput } from '../core/stage.js';
import { MAX_SOURCE_BYTES, referenceSources } from './sources.js';
import { refsWorkerEntry } from './worker-entry.js';
import type { WorkerInput, WorkerOutput } from './worker-protocol.js';

/**
 * At least this many source files left for the refs stage to read before they go to a worker thread: a worker costs
 * about 0.1 s of CPU to boot and load the finders, which fewer files do not pay back. Below it, or where there is no
 * worker entry (`refsWorkerEntry`), the stage reads and searches them in the scan's thread.
 */
export const WORKER_MIN_FILES = 256;

/** Files a worker is searching for a scan: their paths, and its reply or why it failed. */
export interface InWorker {
  readonly files: ReadonlySet<string>;
  readonly reply: Promise<WorkerOutput | Error>;
}

/** Per scan: the worker's files and reply, or null once the stage has taken them (or started without one). */
const started = new WeakMap<ScanContext, InWorker | null>();

/**
 * The refs stage's `start` (src/app/stages.ts): right after the walk, before any other stage runs, the source files
 * the walk did not keep go to a worker thread, which reads and searches them while the scan's thread runs the
 * stages before refs. Light (no finder loads here); nothing when the files are too few or there is no worker.
 */
export function startRefsWorker(input: StageInput, ctx: ScanContext): void {
  if (ctx.options.references === false || started.has(ctx)) return;
  const { unread } = referenceSources(input.files);
  const reply = searchInWorker(unread, input.files);
  if (reply) started.set(ctx, { files: new Set(unread.map((f) => f.path)), reply: settle(reply) });
}

/** What `startRefsWorker` gave this scan's worker, once: the stage searches every other file itself. */
export function takeRefsWorker(ctx: ScanContext): InWorker | undefined {
  const got = started.get(ctx) ?? undefined;
  started.set(ctx, null);
  return got;
}

/** A worker's failure as a value: the stage searches its files itself then (never an unhandled rejection). */
const settle = <T>(p: Promise<T>): Promise<T | Error> =>
  p.catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));

/**
 * Search `files` (read from disk: the walk kept none of them) on a worker thread; resolves with every file's result,
 * rejects when the worker fails. Undefined when the files are too few for a worker, or there is none to start.
 */
function searchInWorker(
  files: readonly DiscoveredFile[],
  all: readonly DiscoveredFile[],
): Promise<WorkerOutput> | undefined {
  const entry = files.length >= WORKER_MIN_FILES ? refsWorkerEntry() : undefined;
  if (!entry) return undefined;
  const workerData: WorkerInput = {
    files: files.map((f) => ({ abs: f.abs, path: f.path, size: f.size })),
    paths: all.map((f) => f.path),
    maxBytes: MAX_SOURCE_BYTES,
  };
  return new Promise<WorkerOutput>((resolve, reject) => {
    const worker = new Worker(entry, { workerData });
    let settled = false;
    worker.once('message', (out: WorkerOutput) => {
      settled = true;
      resolve(out);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the refs worker exited (${code}) before it answered`));
    });
  });
}
