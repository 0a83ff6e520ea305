import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries are ours, not make-fetch-happen's: its `promiseRetry` loop (lib/remote.js) hides every failed attempt
 * from the caller (npm-registry-fetch does not pass its `onRetry` through), so a registry that never answers cost
 * three whole timeouts per request before the circuit breaker heard of the first, and an aborted request went on
 * sleeping between attempts. Here each failed attempt is reported as it happens and an abort ends the loop at once.
 *
 * What is retried follows make-fetch-happen's remote.js: network errors, and answers 408, 420, 429 and 5xx
 * (npm-registry-fetch turns those into errors carrying `statusCode`); back-off `minDelayMs * 2^n`, at most
 * `maxDelayMs`, as its `retry` options (factor 2) give.
 */
export interface AttemptOptions {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly signal: AbortSignal;
  /** Told of every failed attempt, the last one included, before any back-off. */
  readonly onFailure: (err: unknown) => void;
}

export async function withRetries<T>(attempt: () => Promise<T>, opts: AttemptOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      opts.onFailure(err);
      if (n >= opts.retries || opts.signal.aborted || !isRetriable(err)) throw err;
      await sleep(Math.min(opts.maxDelayMs, opts.minDelayMs * 2 ** n), undefined, { signal: opts.signal }).catch(
        () => undefined,
      );
      if (opts.signal.aborted) throw err;
    }
  }
}

function isRetriable(err: unknown): boolean {
  const e = err as { statusCode?: unknown; name?: unknown };
  if (typeof e.statusCode === 'number')
    return [408, 420, 429].includes(e.statusCode) || (e.statusCode >= 500 && e.statusCode < 600);
  return e.name !== 'AbortError';
}
