import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker-source.js';

/**
 * One hashing worker started before the scan command's code has even loaded. A worker takes ~70 ms to boot, about
 * as long as the scan chunk takes to load; started at the same time on another core, the boot is hidden, and the
 * first model file's read starts as soon as the walk names it. The pool takes it as its first worker
 * (`takePrewarmedWorker`). Unused (a scan with nothing to hash), it is unref'ed, holds no file and dies with the
 * process.
 */
let prewarmed: Worker | undefined;

export function prewarmHashWorker(): void {
  if (prewarmed) return;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  worker.unref();
  // A worker that failed before anyone took it is dropped; the pool then spawns its own.
  const drop = () => {
    if (prewarmed === worker) prewarmed = undefined;
  };
  worker.once('error', drop);
  worker.once('exit', drop);
  prewarmed = worker;
}

/** The prewarmed worker, once: it is the caller's from then on (listeners, ref, terminate). */
export function takePrewarmedWorker(): Worker | undefined {
  const worker = prewarmed;
  prewarmed = undefined;
  return worker;
}
