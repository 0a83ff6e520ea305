import { lookup } from 'node:dns';
import { setMaxListeners } from 'node:events';
import type { Agent } from 'node:http';
import type { Readable } from 'node:stream';
import type npmRegistryFetch from 'npm-registry-fetch';
import pLimit from 'p-limit';
import { errorMessage } from '../core/errors.js';
import { withRetries } from './attempts.js';
import { CircuitBreakers, laneKey, type Lane } from './breaker.js';
import { authOptions, type RegistryConfig } from './config.js';
import { refusedCredentials } from './credentials.js';
import { InFlight, isTimeoutError, MIN_BODY_BYTES_PER_SECOND, watchBodyRate } from './deadlines.js';
import { HttpCache, type CachedAnswer } from './http-cache.js';
import { originBoundAgent } from './redirect-auth.js';

/** Why nothing is known: the registry's trouble, not the package's. Each is reported once per registry. */
export type UnavailableCause =
  | 'offline'
  | 'unreachable'
  | 'timeout'
  | 'http-error'
  | 'rate-limited'
  | 'invalid-answer'
  | 'too-large'
  | 'budget-exhausted'
  /** 401/403: the registry wants (other) credentials; npm stops at E401/E403 the same way for every package. */
  | 'auth-required';

/** What a request came to. `unavailable` means nothing is known: the caller reports "unverifiable", never a pass. */
export type FetchOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'not-found'; readonly status: number }
  | { readonly kind: 'unavailable'; readonly reason: string; readonly cause: UnavailableCause };

export interface ClientOptions {
  readonly config: RegistryConfig;
  /** Root of chainproof's cache; the HTTP cache lives in `<cacheDir>/registry-v3`. Undefined: no cache. */
  readonly cacheDir: string | undefined;
  /** Answer from the cache only; make no request. */
  readonly offline: boolean;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly minRetryDelayMs: number;
  /** Packuments above this many bytes are not parsed. */
  readonly maxJsonBytes: number;
  /** Wall-clock budget for all registry requests of one scan; past it every request is unavailable at once. */
  readonly budgetMs: number;
  /** Consecutive registry-level failures after which a registry is not asked again in this scan. */
  readonly breakerThreshold: number;
  /** A cached answer younger than this is used without asking (0: always revalidate). */
  readonly freshMs?: number;
  /**
   * The owner calls `close()` when done: answers are then cached as one pack written at close (a scan's thousand
   * answers in one file) instead of one file each as they come.
   */
  readonly packCache?: boolean;
  readonly signal: AbortSignal;
}

/** Default freshness window: a re-scan within it makes no request. */
export const DEFAULT_FRESH_MS = 10 * 60 * 1000;

/** What the cache answered: how many answers, and the age of the oldest (reported with `--offline`). */
export interface CacheUse {
  answers: number;
  oldestMs: number;
}

/** Minimal view of the minipass-fetch response npm-registry-fetch returns. */
interface FetchResponse {
  readonly status: number;
  readonly body: Readable;
  readonly headers: { get(name: string): string | null };
}

export class ResponseTooLarge extends Error {}

/**
 * The part of a JSON answer its reader uses, named: the answer is reduced to it before it is returned and cached.
 * `of` must be deterministic and keep every field the reader reads (the cached part stands in for the answer).
 */
export interface KeptPart {
  readonly id: string;
  of(json: unknown): unknown;
}

/**
 * The registry client: npm-registry-fetch (auth from `.npmrc` sent only to matching hosts, custom CA, HTTP cache,
 * retries with exponential back-off on network errors and 5xx), with bounded concurrency, a deadline per request
 * and size-bounded bodies. Errors become outcomes with redacted reasons; nothing here throws for a bad answer.
 */
export class RegistryClient {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly base: Record<string, unknown>;
  /** What make-fetch-happen would give @npmcli/agent's `getAgent` (lib/remote.js, lib/options.js). */
  private readonly agentOptions: Record<string, unknown>;
  private readonly breakers: CircuitBreakers;
  private readonly inFlight = new InFlight();
  /** Aborted when the scan is aborted or the registry budget runs out; every request listens to it. */
  private readonly scan = new AbortController();
  private readonly budgetTimer: NodeJS.Timeout;
  private budgetSpent = false;
  private readonly cache: HttpCache | undefined;
  /** Requests sent to a registry (cache answers excluded). */
  requests = 0;
  readonly cacheUse: CacheUse = { answers: 0, oldestMs: 0 };
  private offlineAnswer: FetchOutcome<never> | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.limit = pLimit(Math.max(1, opts.concurrency));
    this.breakers = new CircuitBreakers(opts.breakerThreshold);
    this.cache =
      opts.cacheDir !== undefined ? new HttpCache(opts.cacheDir, { pack: opts.packCache === true }) : undefined;
    // Each in-flight request adds one listener; concurrency bounds them, so lift Node's default warning limit of 10.
    setMaxListeners(0, this.scan.signal);
    const stop = () => this.scan.abort();
    if (opts.signal.aborted) stop();
    else opts.signal.addEventListener('abort', stop, { once: true });
    this.budgetTimer = setTimeout(() => {
      this.budgetSpent = true;
      stop();
    }, opts.budgetMs);
    this.budgetTimer.unref();
    const { config } = opts;
    this.base = {
      ...authOptions(config),
      ...Object.fromEntries(Object.entries(config.scopes).map(([scope, url]) => [`${scope}:registry`, url])),
      registry: config.defaultRegistry,
      ...(config.ca.length > 0 ? { ca: [...config.ca] } : {}),
      strictSSL: config.strictSsl,
      // Keep-alive sockets (the agent's default) as many as requests in flight; npm-registry-fetch defaults to 12.
      maxSockets: Math.max(1, opts.concurrency),
      timeout: opts.timeoutMs,
      // Retries are made by `withRetries` (attempts.ts), where the breaker sees every failed attempt.
      retry: { retries: 0 },
      userAgent: 'chainproof (npm-registry-fetch)',
    };
    this.agentOptions = {
      maxSockets: Math.max(1, opts.concurrency),
      ...(config.ca.length > 0 ? { ca: [...config.ca] } : {}),
      rejectUnauthorized: config.strictSsl,
      timeout: opts.timeoutMs,
      dns: { ttl: 5 * 60 * 1000, lookup },
    };
  }

  /**
   * GET a JSON document through the cache: within the freshness window (always, for `immutable` answers such as
   * attestations, and for anything with `--offline`) the cached answer is used without a request; after it, a
   * conditional request (If-None-Match / If-Modified-Since) revalidates it.
   */
  async getJson(
    url: string,
    registry: string,
    extra: {
      accept?: string;
      immutable?: boolean;
      keep?: KeptPart;
      /** Statuses that mean "this document does not exist" here besides 404/410 (npm's keys: E400 too). */
      absent?: readonly number[];
      /** The breaker this request counts against (default: the registry's install lane). */
      lane?: Lane;
    } = {},
  ): Promise<FetchOutcome<unknown>> {
    const accept = extra.accept ?? 'application/json';
    // What is cached is the kept part: a cache entry of another projection (or none) is another key.
    const cacheKey = extra.keep ? `${accept}\0${extra.keep.id}` : accept;
    const hit = this.cache ? await this.cache.get(url, cacheKey) : undefined;
    const now = Date.now();
    if (hit && (extra.immutable === true || this.opts.offline || now - hit.storedAt < this.freshMs())) {
      this.noteCacheAnswer(now - hit.storedAt);
      return parseJson(hit.body);
    }
    if (this.opts.offline)
      return unavailable(
        'offline',
        this.cache ? 'offline, and the cache holds no answer' : 'offline, and no cache directory to answer from',
      );
    const validators: Record<string, string> = {};
    if (hit?.etag !== undefined) validators['if-none-match'] = hit.etag;
    if (hit?.lastModified !== undefined) validators['if-modified-since'] = hit.lastModified;
    const how = { accept, headers: validators, absent: extra.absent ?? [], lane: extra.lane ?? 'install' };
    return this.request<unknown>(url, registry, how, async (res) => {
      if (res.status === 304 && hit) {
        await this.cache?.touch(url, cacheKey, hit, Date.now());
        return parseJson(hit.body);
      }
      const body = await readBounded(res.body, this.opts.maxJsonBytes);
      const out = parseJson(body);
      if (out.kind !== 'ok') return out;
      const value = extra.keep ? extra.keep.of(out.value) : out.value;
      if (this.cache) {
        const stored = extra.keep ? Buffer.from(JSON.stringify(value)) : body;
        await this.cache.put(url, cacheKey, toCached(stored, res));
      }
      return { kind: 'ok', value };
    });
  }

  /**
   * Offline with no cache directory, every JSON answer is the same refusal (what `getJson` would say): handed out
   * as one shared outcome so a 130k-package lockfile costs no URL, cache key or promise per package.
   */
  offlineRefusal(): FetchOutcome<never> | undefined {
    if (!this.opts.offline || this.cache) return undefined;
    return (this.offlineAnswer ??= unavailable('offline', 'offline, and no cache directory to answer from'));
  }

  /** GET a tarball and hand its body stream to `consume` (which must read it fully or throw). */
  getStream<T>(url: string, registry: string, consume: (body: Readable) => Promise<T>): Promise<FetchOutcome<T>> {
    if (this.opts.offline) return Promise.resolve(unavailable('offline', 'offline: tarballs are not cached'));
    const how = { accept: 'application/octet-stream', headers: {}, absent: [], lane: 'install' as const };
    return this.request(url, registry, how, async (res) => ({
      kind: 'ok',
      value: await consume(res.body),
    }));
  }

  private freshMs(): number {
    return this.opts.freshMs ?? DEFAULT_FRESH_MS;
  }

  private noteCacheAnswer(ageMs: number): void {
    this.cacheUse.answers++;
    this.cacheUse.oldestMs = Math.max(this.cacheUse.oldestMs, ageMs);
  }

  /** Stop the budget timer and write the cache; the client makes no request afterwards. */
  async close(): Promise<void> {
    clearTimeout(this.budgetTimer);
    await this.cache?.flush();
  }

  private request<T>(
    url: string,
    registry: string,
    how: { accept: string; headers: Record<string, string>; absent: readonly number[]; lane: Lane },
    read: (res: FetchResponse) => Promise<FetchOutcome<T>>,
  ): Promise<FetchOutcome<T>> {
    const lane = how.lane;
    return this.limit(async () => {
      const refused = this.refusal(registry, lane);
      if (refused) return refused;
      // Loaded before the deadline starts: loading code is not the registry being slow.
      const { npmFetch, getAgent } = await loadNpmFetch();
      // Loading can outlast the budget on a loaded machine: an abort that came meanwhile has no listener to reach.
      const late = this.refusal(registry, lane);
      if (late) return late;
      // Credentials go to the origin they were attached for, never to another one a redirect names.
      const agent = originBoundAgent(new URL(url).origin, (hop) => getAgent(hop.href, this.agentOptions));
      this.requests++;
      // Per-request deadline: every attempt may time out, plus the back-off between them; the scan budget caps it.
      const attempts = this.opts.retries + 1;
      const deadline = this.opts.timeoutMs * attempts + this.opts.minRetryDelayMs * 2 ** attempts * 8;
      const ctrl = new AbortController();
      let slow = false;
      const abort = () => ctrl.abort();
      this.scan.signal.addEventListener('abort', abort, { once: true });
      if (this.scan.signal.aborted) abort();
      const untrack = this.inFlight.add(laneKey(registry, lane), ctrl);
      const timer = setTimeout(abort, deadline);
      // A timed-out attempt is a registry-level failure as it happens; the final outcome is not counted twice.
      let lastTimedOut = false;
      try {
        const res = await withRetries(
          () =>
            abortable(
              npmFetch(url, {
                ...this.base,
                registry,
                // minipass-fetch calls a function agent with each hop's URL (lib/request.js); the types say Agent.
                agent: agent as unknown as Agent,
                headers: { accept: how.accept, ...how.headers },
                signal: ctrl.signal,
              }) as unknown as Promise<FetchResponse>,
              ctrl.signal,
            ),
          {
            retries: this.opts.retries,
            minDelayMs: this.opts.minRetryDelayMs,
            maxDelayMs: this.opts.minRetryDelayMs * 8,
            signal: ctrl.signal,
            onFailure: (err) => {
              lastTimedOut = isTimeoutError(err);
              if (lastTimedOut && !ctrl.signal.aborted) this.trip(registry, lane, 'timeout');
            },
          },
        );
        lastTimedOut = false;
        const body = watchBodyRate(res.body, this.opts.timeoutMs, () => {
          slow = true;
          abort();
        });
        const out = await abortable(read({ status: res.status, headers: res.headers, body }), ctrl.signal);
        this.trip(registry, lane, out.kind === 'unavailable' ? out.cause : 'ok');
        return out;
      } catch (err) {
        const out = this.toOutcome(err, url, registry, lane, slow, how.absent);
        if (!(lastTimedOut && out.kind === 'unavailable' && out.cause === 'timeout'))
          this.trip(registry, lane, out.kind === 'unavailable' ? out.cause : 'ok');
        return out;
      } finally {
        clearTimeout(timer);
        untrack();
        this.scan.signal.removeEventListener('abort', abort);
      }
    });
  }

  /** Count an outcome against the registry's breaker; when that opens it, end the requests still waiting on it. */
  private trip(registry: string, lane: Lane, outcome: UnavailableCause | 'ok'): void {
    if (this.breakers.record(registry, lane, outcome)) this.inFlight.abortRegistry(laneKey(registry, lane));
  }

  /** Without asking: the scan budget is spent, or this registry's breaker for the lane is open. */
  private refusal(registry: string, lane: Lane): FetchOutcome<never> | undefined {
    if (this.budgetSpent)
      return unavailable(
        'budget-exhausted',
        `the registry budget of this scan (${Math.round(this.opts.budgetMs / 1000)} s) was spent`,
      );
    if (this.opts.signal.aborted) return unavailable('timeout', 'the scan was aborted');
    const open = this.breakers.isOpen(registry, lane);
    // Reported under the cause that tripped the breaker: one cause, one finding.
    if (open)
      return unavailable(
        open,
        `the registry failed ${this.opts.breakerThreshold} times in a row (${open}), so it was not asked again`,
      );
    return undefined;
  }

  private toOutcome(
    err: unknown,
    url: string,
    registry: string,
    lane: Lane,
    slow: boolean,
    absent: readonly number[] = [],
  ): FetchOutcome<never> {
    const e = err as { statusCode?: unknown; code?: unknown; type?: unknown };
    if (
      typeof e.statusCode === 'number' &&
      (e.statusCode === 404 || e.statusCode === 410 || absent.includes(e.statusCode))
    )
      return { kind: 'not-found', status: e.statusCode };
    const redact = (s: string) => this.opts.config.redactor.redact(s);
    if (e.statusCode === 429) return unavailable('rate-limited', 'the registry answered HTTP 429 (rate limited)');
    if (e.statusCode === 401 || e.statusCode === 403)
      return unavailable('auth-required', refusedCredentials(e.statusCode, url, registry, this.opts.config.auth));
    if (typeof e.statusCode === 'number')
      return unavailable('http-error', `the registry answered HTTP ${e.statusCode}`);
    if (e.code === 'ENOTCACHED') return unavailable('offline', 'offline, and the cache holds no answer');
    if (err instanceof ResponseTooLarge) return unavailable('too-large', err.message);
    // Ended from outside: the budget ran out, or the breaker opened while this request waited.
    const stopped = this.refusal(registry, lane);
    if (stopped && (this.budgetSpent || (err as Error).name === 'AbortError')) return stopped;
    if (slow)
      return unavailable(
        'timeout',
        `the registry sent its answer slower than ${MIN_BODY_BYTES_PER_SECOND / 1024} KiB/s, so it was not waited for`,
      );
    if (isTimeoutError(err) || (err as Error).name === 'AbortError')
      return unavailable('timeout', 'the registry did not answer in time');
    return unavailable('unreachable', redact(`request failed: ${errorMessage(err)}`));
  }
}

/** `work`, or an AbortError as soon as `signal` aborts (the work is left to settle on its own). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function abortError(): Error {
  const e = new Error('the request was aborted');
  e.name = 'AbortError';
  return e;
}

function parseJson(body: Buffer): FetchOutcome<unknown> {
  try {
    return { kind: 'ok', value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return unavailable('invalid-answer', 'the registry answered with invalid JSON');
  }
}

/** Only the body and its validators are kept: no request header (Authorization) ever reaches the disk. */
function toCached(body: Buffer, res: FetchResponse): CachedAnswer {
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  return {
    body,
    storedAt: Date.now(),
    ...(etag !== null ? { etag } : {}),
    ...(lastModified !== null ? { lastModified } : {}),
  };
}

function unavailable(cause: UnavailableCause, reason: string): FetchOutcome<never> {
  return { kind: 'unavailable', reason, cause };
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

interface FetchModules {
  readonly npmFetch: typeof npmRegistryFetch;
  readonly getAgent: (url: string, options: Record<string, unknown>) => Agent;
}

let fetchModule: Promise<FetchModules> | undefined;

/**
 * npm-registry-fetch (with make-fetch-happen, cacache and their agents: over a megabyte of code) is imported at the
 * first request, so an offline scan, or one the cache answers, never loads it.
 */
function loadNpmFetch(): Promise<FetchModules> {
  fetchModule ??= Promise.all([import('npm-registry-fetch'), import('@npmcli/agent')]).then(([f, a]) => ({
    npmFetch: f.default,
    // Node's loader names a CommonJS module's exports; esbuild's bundle gives only `default` (module.exports).
    getAgent: (a.getAgent as typeof a.getAgent | undefined) ?? a.default.getAgent,
  }));
  return fetchModule;
}
