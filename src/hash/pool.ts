import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { FileIdentity, HashOutcome, HashRequest } from './types.js';
import { WORKER_SOURCE } from './worker-source.js';

interface Pending {
  readonly id: number;
  readonly req: HashRequest;
  readonly resolve: (o: HashOutcome) => void;
}

interface Slot {
  worker: Worker;
  /** Remove this pool's listeners, before the worker is kept as a spare. */
  detach: () => void;
  busy: Pending | undefined;
  /** The job in hand reads ahead on libuv's thread pool (src/hash/worker-source.ts). */
  readAhead: boolean;
}

/**
 * Jobs that may read ahead at once. Their reads run on libuv's thread pool (4 threads by default), which the main
 * thread's own file reads share: two keep it free for them. One big model on its own always reads ahead; when more
 * files than that are hashed at once, the cores are busy hashing anyway and the rest read in turn on their own thread.
 */
const READ_AHEAD_JOBS = 2;

/**
 * Idle workers of closed pools, taken by the next pool of this process before it boots a new one: booting a worker
 * (an isolate plus Node's bootstrap) costs about 0.1 s of CPU, and one process may scan many times (a review scans
 * both sides; the test suite scans hundreds of trees in each vitest worker). A worker keeps no state between jobs
 * (src/hash/worker-source.ts), so a reused one behaves as a fresh one. Unref'd, they never keep the process alive.
 */
const spares = new Map<Worker, () => void>();
const MAX_SPARES = availableParallelism();

/** Keep an idle worker for the next pool, unless enough are kept; one that dies while kept is dropped. */
function keepSpare(worker: Worker): boolean {
  if (spares.size >= MAX_SPARES) return false;
  worker.unref();
  const drop = () => {
    spares.delete(worker);
    worker.off('exit', drop).off('error', drop);
  };
  worker.on('exit', drop).on('error', drop);
  spares.set(worker, drop);
  return true;
}

let booted = 0;

/** Worker threads this process has booted so far, spares reused not counted (tests check reuse with it). */
export function workersBooted(): number {
  return booted;
}

function bootWorker(): Worker {
  booted++;
  return new Worker(WORKER_SOURCE, { eval: true });
}

function takeSpare(): Worker | undefined {
  for (const [worker, drop] of spares) {
    spares.delete(worker);
    worker.off('exit', drop).off('error', drop);
    return worker;
  }
  return undefined;
}

type WorkerReply =
  | { id: number; ok: true; digests: Record<string, string>; bytes: number; stat: FileIdentity }
  | { id: number; ok: false; code: string; message: string };

/**
 * A small pool of hashing workers. One SHA-256 stream is single-threaded, so parallelism comes from hashing
 * different files at once; the pool never grows past `size` (default: the number of cores).
 * `hash()` never rejects: an I/O error or a crashed worker comes back as `{ ok: false }`.
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private pumpQueued = false;

  constructor(private readonly size: number = availableParallelism()) {
    if (!(size >= 1)) this.size = 1;
  }

  /** Worker threads started and not stopped (booting, busy or idle). */
  get workers(): number {
    return this.slots.length;
  }

  hash(req: HashRequest): Promise<HashOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, code: 'ECLOSED', message: 'hash pool closed' });
    return new Promise((resolve) => {
      // Largest first (longest-processing-time order): a big model started last would finish long after the rest.
      // Jobs asked for together are sorted before any starts: the pump runs once they are all queued.
      const job = { id: this.nextId++, req, resolve };
      this.queue.splice(this.insertionPoint(req.size ?? 0), 0, job);
      if (!this.pumpQueued) {
        this.pumpQueued = true;
        queueMicrotask(() => {
          this.pumpQueued = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Boot up to `n` workers now (never past the pool's size), idle until jobs arrive: a worker takes tens of
   * milliseconds to start, which then overlaps whatever the caller does next instead of delaying the first read.
   * Unref'd, like any idle worker.
   */
  warm(n: number): void {
    while (!this.closed && this.slots.length < Math.min(n, this.size)) this.spawn().worker.unref();
  }

  /**
   * Stop every worker; queued jobs and jobs a worker was still reading resolve as failed. The workers are told to
   * stop before this returns; the promise settles when their threads have exited.
   */
  close(): Promise<void> {
    this.closed = true;
    const closed = { ok: false, code: 'ECLOSED', message: 'hash pool closed' } as const;
    for (const p of this.queue.splice(0)) p.resolve(closed);
    const stopping: Promise<number>[] = [];
    for (const s of this.slots.splice(0)) {
      s.detach();
      // A worker still reading a file is stopped; an idle one is kept for the next pool (see `spares`).
      if (s.busy === undefined && keepSpare(s.worker)) continue;
      s.busy?.resolve(closed);
      s.busy = undefined;
      stopping.push(s.worker.terminate());
    }
    return Promise.all(stopping).then(() => undefined);
  }

  /** After every queued job at least as large (the queue is sorted by size, descending; ties keep their order). */
  private insertionPoint(size: number): number {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.queue[mid]!.req.size ?? 0) >= size) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === undefined);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.busy = job;
      slot.readAhead = this.slots.filter((s) => s.busy !== undefined && s.readAhead).length < READ_AHEAD_JOBS;
      slot.worker.ref();
      slot.worker.postMessage({
        id: job.id,
        path: job.req.path,
        algorithms: job.req.algorithms,
        readAhead: slot.readAhead,
      });
    }
  }

  private spawn(): Slot {
    const worker = takeSpare() ?? bootWorker();
    const slot: Slot = { worker, busy: undefined, readAhead: false, detach: () => undefined };
    const onMessage = (msg: WorkerReply) => {
      const job = slot.busy;
      if (!job || job.id !== msg.id) return;
      slot.busy = undefined;
      // Idle workers must not keep the process alive (the CLI exits when the scan is done).
      worker.unref();
      job.resolve(
        msg.ok
          ? { ok: true, digests: msg.digests, bytes: msg.bytes, stat: msg.stat, cached: false }
          : { ok: false, code: msg.code, message: msg.message },
      );
      this.pump();
    };
    const fail = (err: unknown) => {
      const job = slot.busy;
      slot.busy = undefined;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      job?.resolve({ ok: false, code: 'EWORKER', message: `hash worker failed: ${String(err)}` });
      if (!this.closed) this.pump();
    };
    const onExit = (code: number) => {
      if (!this.closed && this.slots.includes(slot)) fail(`exited with code ${code}`);
    };
    worker.on('message', onMessage).on('error', fail).on('exit', onExit);
    slot.detach = () => worker.off('message', onMessage).off('error', fail).off('exit', onExit);
    this.slots.push(slot);
    return slot;
  }
}
