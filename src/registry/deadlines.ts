import { Transform, type Readable } from 'node:stream';

/**
 * Error codes and types that mean "the registry did not answer in time": the idle/connection/response/transfer
 * timeouts of @npmcli/agent, a socket ETIMEDOUT, and minipass-fetch's `request-timeout` / `body-timeout`. These are
 * the failures that cost a whole per-request timeout each, so the circuit breaker counts every attempt of them.
 */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ECONNECTIONTIMEOUT',
  'EIDLETIMEOUT',
  'ERESPONSETIMEOUT',
  'ETRANSFERTIMEOUT',
]);
const TIMEOUT_TYPES: ReadonlySet<string> = new Set(['request-timeout', 'body-timeout']);

export function isTimeoutError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; type?: unknown; name?: unknown };
  return (
    (typeof e.code === 'string' && TIMEOUT_CODES.has(e.code)) ||
    (typeof e.type === 'string' && TIMEOUT_TYPES.has(e.type)) ||
    e.name === 'TimeoutError'
  );
}

/**
 * A body must keep arriving at this rate, averaged over each per-request timeout window: a registry that trickles
 * a byte at a time never trips the idle timeout, and would otherwise hold a request until the scan budget ran out.
 * 16 KiB/s is far below any working registry (a 20 MB packument at that rate is already 20 minutes).
 */
export const MIN_BODY_BYTES_PER_SECOND = 16 * 1024;

/**
 * `body` passed through a byte counter; `onSlow` is called (once) when a window of `windowMs` ends with fewer than
 * `minBytesPerSecond` bytes a second received and the body not finished. Errors of `body` reach the returned stream.
 */
export function watchBodyRate(
  body: Readable,
  windowMs: number,
  onSlow: () => void,
  minBytesPerSecond = MIN_BODY_BYTES_PER_SECOND,
): Readable {
  let received = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(null, chunk);
    },
  });
  const floor = (minBytesPerSecond * windowMs) / 1000;
  const timer = setInterval(() => {
    if (received < floor) {
      clearInterval(timer);
      onSlow();
    }
    received = 0;
  }, windowMs);
  timer.unref();
  let ended = false;
  body.on('end', () => (ended = true));
  body.on('error', (err: Error) => counted.destroy(err));
  counted.on('close', () => {
    clearInterval(timer);
    // The reader stopped early (a size bound): let go of the socket too.
    if (!ended) (body as Readable & { destroy?: () => void }).destroy?.();
  });
  counted.on('end', () => clearInterval(timer));
  body.pipe(counted);
  return counted;
}

/**
 * The abort controllers of the requests in flight, by registry origin and lane (breaker.ts `laneKey`): when its breaker opens (or the scan
 * budget runs out) the requests already waiting on it are ended at once, not left to their own timeouts.
 */
export class InFlight {
  private readonly byOrigin = new Map<string, Set<AbortController>>();

  /** `key`: the registry's `laneKey`. */
  add(key: string, ctrl: AbortController): () => void {
    let set = this.byOrigin.get(key);
    if (set === undefined) this.byOrigin.set(key, (set = new Set()));
    set.add(ctrl);
    return () => set.delete(ctrl);
  }

  /** `key`: the registry's `laneKey`. */
  abortRegistry(key: string): void {
    for (const ctrl of this.byOrigin.get(key) ?? []) ctrl.abort();
  }
}

export function originOf(registry: string): string {
  try {
    return new URL(registry).origin;
  } catch {
    return registry;
  }
}
