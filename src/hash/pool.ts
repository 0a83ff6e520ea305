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
    const slots = this.slots.splice(0);
    for (const s of slots) {
      s.busy?.resolve(closed);
      s.busy = undefined;
    }
    return Promise.all(slots.map((s) => s.worker.terminate())).then(() => undefined);
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
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot: Slot = { worker, busy: undefined, readAhead: false };
    worker.on('message', (msg: WorkerReply) => {
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
    });
    const fail = (err: unknown) => {
      const job = slot.busy;
      slot.busy = undefined;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      job?.resolve({ ok: false, code: 'EWORKER', message: `hash worker failed: ${String(err)}` });
      if (!this.closed) this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) fail(`exited with code ${code}`);
    });
    this.slots.push(slot);
    return slot;
  }
}
