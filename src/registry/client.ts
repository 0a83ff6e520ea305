import path from 'node:path';
import type { Readable } from 'node:stream';
import npmFetch from 'npm-registry-fetch';
import pLimit from 'p-limit';
import { errorMessage } from '../core/errors.js';
import { authOptions, type RegistryConfig } from './config.js';

/** What a request came to. `unavailable` means nothing is known: the caller reports "unverifiable", never a pass. */
export type FetchOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'not-found'; readonly status: number }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface ClientOptions {
  readonly config: RegistryConfig;
  /** Root of chainproof's cache; the HTTP cache lives in `<cacheDir>/registry`. Undefined: no cache. */
  readonly cacheDir: string | undefined;
  /** Answer from the cache only; make no request. */
  readonly offline: boolean;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly minRetryDelayMs: number;
  /** Packuments above this many bytes are not parsed. */
  readonly maxJsonBytes: number;
  readonly signal: AbortSignal;
}

/** Minimal view of the minipass-fetch response npm-registry-fetch returns. */
interface FetchResponse {
  readonly status: number;
  readonly body: Readable;
}

export class ResponseTooLarge extends Error {}

/**
 * The registry client: npm-registry-fetch (auth from `.npmrc` sent only to matching hosts, custom CA, HTTP cache,
 * retries with exponential back-off on network errors and 5xx), with bounded concurrency, a deadline per request
 * and size-bounded bodies. Errors become outcomes with redacted reasons; nothing here throws for a bad answer.
 */
export class RegistryClient {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly base: Record<string, unknown>;
  /** Requests attempted (cache hits included); tests use it to prove `--offline` makes none without a cache. */
  requests = 0;

  constructor(private readonly opts: ClientOptions) {
    this.limit = pLimit(Math.max(1, opts.concurrency));
    const { config } = opts;
    this.base = {
      ...authOptions(config),
      ...Object.fromEntries(Object.entries(config.scopes).map(([scope, url]) => [`${scope}:registry`, url])),
      registry: config.defaultRegistry,
      ...(config.ca.length > 0 ? { ca: [...config.ca] } : {}),
      strictSSL: config.strictSsl,
      timeout: opts.timeoutMs,
      retry: {
        retries: opts.retries,
        factor: 2,
        minTimeout: opts.minRetryDelayMs,
        maxTimeout: opts.minRetryDelayMs * 8,
      },
      ...(opts.cacheDir !== undefined ? { cache: path.join(opts.cacheDir, 'registry') } : {}),
      offline: opts.offline,
      userAgent: 'chainproof (npm-registry-fetch)',
    };
  }

  /** GET a JSON document. `immutable` answers (attestations) are taken from the cache without revalidation. */
  getJson(
    url: string,
    registry: string,
    extra: { accept?: string; immutable?: boolean } = {},
  ): Promise<FetchOutcome<unknown>> {
    return this.request(
      url,
      registry,
      { accept: extra.accept ?? 'application/json', immutable: extra.immutable ?? false },
      async (res) => {
        const text = (await readBounded(res.body, this.opts.maxJsonBytes)).toString('utf8');
        try {
          return { kind: 'ok', value: JSON.parse(text) as unknown };
        } catch {
          return { kind: 'unavailable', reason: 'the registry answered with invalid JSON' };
        }
      },
    );
  }

  /** GET a tarball and hand its body stream to `consume` (which must read it fully or throw). */
  getStream<T>(url: string, registry: string, consume: (body: Readable) => Promise<T>): Promise<FetchOutcome<T>> {
    return this.request(url, registry, { accept: 'application/octet-stream', immutable: true }, async (res) => ({
      kind: 'ok',
      value: await consume(res.body),
    }));
  }

  private request<T>(
    url: string,
    registry: string,
    how: { accept: string; immutable: boolean },
    read: (res: FetchResponse) => Promise<FetchOutcome<T>>,
  ): Promise<FetchOutcome<T>> {
    if (this.opts.offline && this.opts.cacheDir === undefined)
      return Promise.resolve({ kind: 'unavailable', reason: 'offline, and no cache directory to answer from' });
    return this.limit(async () => {
      this.requests++;
      // Overall deadline: every attempt may time out, plus the back-off between them.
      const attempts = this.opts.retries + 1;
      const deadline = this.opts.timeoutMs * attempts + this.opts.minRetryDelayMs * 2 ** attempts * 8;
      const signal = AbortSignal.any([this.opts.signal, AbortSignal.timeout(deadline)]);
      try {
        const res = (await npmFetch(url, {
          ...this.base,
          registry,
          headers: { accept: how.accept },
          ...(how.immutable && !this.opts.offline ? { preferOffline: true } : {}),
          signal,
        })) as unknown as FetchResponse;
        return await read(res);
      } catch (err) {
        return this.toOutcome(err);
      }
    });
  }

  private toOutcome(err: unknown): FetchOutcome<never> {
    const e = err as { statusCode?: unknown; code?: unknown; type?: unknown };
    if (typeof e.statusCode === 'number' && (e.statusCode === 404 || e.statusCode === 410))
      return { kind: 'not-found', status: e.statusCode };
    const redact = (s: string) => this.opts.config.redactor.redact(s);
    if (typeof e.statusCode === 'number')
      return { kind: 'unavailable', reason: `the registry answered HTTP ${e.statusCode}` };
    if (e.code === 'ENOTCACHED') return { kind: 'unavailable', reason: 'offline, and the cache holds no answer' };
    if (err instanceof ResponseTooLarge) return { kind: 'unavailable', reason: err.message };
    if (
      e.type === 'request-timeout' ||
      e.code === 'ETIMEDOUT' ||
      (err as Error).name === 'TimeoutError' ||
      (err as Error).name === 'AbortError'
    )
      return { kind: 'unavailable', reason: 'the registry did not answer in time' };
    return { kind: 'unavailable', reason: redact(`request failed: ${errorMessage(err)}`) };
  }
}

/** Read a stream into memory up to `max` bytes; past it, stop and throw (a hostile registry can send gigabytes). */
export async function readBounded(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > max) {
      stream.destroy();
      throw new ResponseTooLarge(`the registry answer exceeds ${max} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
