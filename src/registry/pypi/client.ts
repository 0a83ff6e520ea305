import { redactUrls } from '../../deps/checks/finding.js';
import { DEFAULT_FRESH_MS } from '../client.js';
import { HttpCache, type CachedAnswer } from '../http-cache.js';
import type { PypiIndexConfig } from './config.js';
import { apiBase } from './config.js';
import { parseSimpleHtml } from './simple-html.js';
import { encodeUriComponent } from '../../core/uri-component.js';

export interface PypiClientOptions {
  readonly index: PypiIndexConfig;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly minRetryDelayMs: number;
  /** Largest JSON body read (a project page of a big project is a few MB). */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  /** chainproof's cache folder: answers are kept in the same credential-free cache as npm's (`registry-v3/`). */
  readonly cacheDir?: string;
  /** Within this age a cached answer is used without asking; after it, a conditional request. */
  readonly freshMs?: number;
  /**
   * Consecutive index-level failures (network, timeout, 5xx, 429) after which the index is not asked again; a 401
   * stops the asking at once, and a 403 (one project's) does neither.
   */
  readonly breakerThreshold?: number;
  /** The scan's budget for all index requests, shared by every client: aborted when spent. */
  readonly budget?: { readonly signal: AbortSignal; readonly ms: number };
}

export type Fetched =
  | { readonly kind: 'ok'; readonly json: unknown }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'error'; readonly reason: string; readonly refused?: true };

/**
 * PEP 691 content negotiation as pip sends it (`index/collector.py` `_get_simple_response`): JSON preferred, the
 * PEP 503 HTML forms accepted, since many mirrors (devpi, Nexus, Artifactory) serve only HTML.
 */
const SIMPLE_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

/**
 * A small PyPI client: the PEP 691 JSON simple page of a project and the Integrity API provenance of a file.
 * Timeouts, bounded retries with back-off on 5xx / network errors, an in-memory cache so each URL is fetched once
 * per scan, and credentials only in a header (messages carry redacted URLs).
 */
export class PypiClient {
  private readonly cache = new Map<string, Promise<Fetched>>();
  private readonly disk: HttpCache | undefined;
  /** Requests sent (not answered from the cache); tests use it to prove a warm scan asks nothing. */
  requests = 0;
  /**
   * One breaker per API: the simple pages pip reads, and PEP 740's Integrity API, which pip never asks and many
   * private indexes and mirrors do not serve (or answer with 5xx). Its failures say nothing of the pages, so they
   * never stop the pages from being asked.
   */
  private readonly breakers: Record<Api, Breaker> = { simple: { failures: 0 }, integrity: { failures: 0 } };
  constructor(private readonly opts: PypiClientOptions) {
    this.disk = opts.cacheDir !== undefined ? new HttpCache(opts.cacheDir) : undefined;
  }

  get indexUrl(): string {
    return this.opts.index.indexUrl;
  }

  /** `<index>/<name>/` as JSON: `{ files: [{ filename, url, hashes, provenance?, yanked }] }`. */
  project(name: string): Promise<Fetched> {
    return this.get(this.projectUrl(name), SIMPLE_ACCEPT, 'simple');
  }

  /**
   * A file's PEP 740 provenance. PEP 740 gives its URL on the project page (`provenance`, HTML `data-provenance`):
   * that URL, resolved against the page, when it is on the index's own origin (pypi.org's pages name
   * `https://pypi.org/integrity/…`; another host is never asked for what the index vouches for). Else PyPI's Integrity
   * API path, `/integrity/<project>/<version>/<filename>/provenance`, with the version as the file name spells it,
   * as pypi-attestations' `_get_provenance_from_pypi` builds it: Warehouse canonicalizes the version it is given
   * (`Project.__getitem__`: `canonicalize_version`), an index that routes by the literal version does not, and the
   * lockfile may spell it otherwise (`2.31` for `2.31.0`).
   */
  provenance(name: string, version: string, filename: string, listed?: string): Promise<Fetched> {
    const page = this.projectUrl(name);
    const at = listed !== undefined ? sameOrigin(listed, page, this.opts.index.indexUrl) : undefined;
    if (at !== undefined) return this.get(at, 'application/json', 'integrity');
    const base = apiBase(this.opts.index.indexUrl);
    const parts = [name, version, filename].map(encodeUriComponent).join('/');
    return this.get(`${base}integrity/${parts}/provenance`, 'application/json', 'integrity');
  }

  private projectUrl(name: string): string {
    return `${this.opts.index.indexUrl}${encodeUriComponent(name)}/`;
  }

  private get(url: string, accept: string, api: Api): Promise<Fetched> {
    let p = this.cache.get(url);
    if (!p) {
      p = this.load(url, accept, this.breakers[api]);
      this.cache.set(url, p);
    }
    return p;
  }

  /** A fresh cached answer as is; a stale one revalidated (ETag / Last-Modified); else the index. */
  private async load(url: string, accept: string, breaker: Breaker): Promise<Fetched> {
    const hit = await this.disk?.get(url, accept);
    const fresh = this.opts.freshMs ?? DEFAULT_FRESH_MS;
    if (hit && Date.now() - hit.storedAt < fresh) {
      const parsed = parseJson(hit.body.toString('utf8'));
      if (parsed.kind === 'ok') return parsed;
    }
    return this.fetchWithRetries(url, accept, breaker, hit);
  }

  private async fetchWithRetries(url: string, accept: string, breaker: Breaker, hit?: CachedAnswer): Promise<Fetched> {
    let last: Attempt = { kind: 'error', reason: 'not attempted' };
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      const refused = this.refusal(breaker);
      if (refused) return refused;
      if (attempt > 0) await sleep(this.opts.minRetryDelayMs * 2 ** (attempt - 1));
      last = await this.fetchOnce(url, accept, hit);
      this.record(breaker, last);
      if (last.kind !== 'error' || last.trouble === undefined || !RETRIED.has(last.trouble)) break;
    }
    if (last.kind !== 'error') return last;
    // The budget, not the index, ended it: say so (one cause for every package it left).
    return this.refusal(breaker) ?? toFetched(last);
  }

  /** Without asking: the scan's index budget is spent, or this API of the index failed `breakerThreshold` times in a row. */
  private refusal(breaker: Breaker): Fetched | undefined {
    const budget = this.opts.budget;
    if (budget?.signal.aborted === true)
      return { kind: 'error', reason: `the index budget of this scan (${Math.round(budget.ms / 1000)} s) was spent` };
    if (breaker.open === undefined) return undefined;
    const refused = breaker.refused === true ? { refused: true as const } : {};
    // A 401 is the index's answer to the scan's credentials, whatever the page: said as it is.
    if (breaker.unauthorized === true) return { kind: 'error', reason: breaker.open, ...refused };
    return {
      kind: 'error',
      reason: `the index failed ${this.threshold()} times in a row (${breaker.open}), so it was not asked again`,
      ...refused,
    };
  }

  /** The circuit breaker (as npm's, breaker.ts): consecutive index-level failures open it; an answer resets it. */
  private record(breaker: Breaker, out: Attempt): void {
    if (out.kind !== 'error') {
      breaker.failures = 0;
      return;
    }
    if (out.trouble === undefined || breaker.open !== undefined) return;
    // 401: the index wants other credentials for every page (pip's install stops at its first). A 403 is about one
    // project (a curated index — Artifactory, Nexus — blocks or quarantines packages one by one): it neither counts
    // toward the breaker nor resets it, or a few blocked projects finishing in a row would leave every other package
    // unchecked, which ones depending on request timing.
    if (out.trouble === 'forbidden') return;
    const opens = out.trouble === 'unauthorized' || ++breaker.failures >= this.threshold();
    if (!opens) return;
    breaker.open = out.reason;
    if (out.trouble === 'unauthorized') {
      breaker.refused = true;
      breaker.unauthorized = true;
    }
  }

  private threshold(): number {
    return this.opts.breakerThreshold ?? DEFAULT_BREAKER_THRESHOLD;
  }

  private async fetchOnce(url: string, accept: string, hit?: CachedAnswer): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signals = [
      timeout,
      ...(this.opts.signal ? [this.opts.signal] : []),
      ...(this.opts.budget ? [this.opts.budget.signal] : []),
    ];
    const signal = AbortSignal.any(signals);
    this.requests++;
    try {
      const headers: Record<string, string> = { accept };
      if (hit?.etag !== undefined) headers['if-none-match'] = hit.etag;
      if (hit?.lastModified !== undefined) headers['if-modified-since'] = hit.lastModified;
      const res = await this.follow(url, headers, signal);
      if (res.status === 304 && hit) {
        await this.disk?.put(url, accept, { ...hit, storedAt: Date.now() }).catch(() => undefined);
        return parseJson(hit.body.toString('utf8'));
      }
      if (res.status === 404 || res.status === 410) return { kind: 'not-found' };
      if (res.status === 401 || res.status === 403) {
        const trouble = res.status === 401 ? 'unauthorized' : 'forbidden';
        return { kind: 'error', reason: this.refusedReason(res.status, url), refused: true, trouble };
      }
      if (!res.ok) {
        const trouble = res.status === 429 ? 'rate-limited' : res.status >= 500 ? 'http-error' : undefined;
        return { kind: 'error', reason: `HTTP ${res.status} from ${redactUrls(url)}`, ...(trouble ? { trouble } : {}) };
      }
      const text = await readBounded(res, this.opts.maxBytes);
      if (text === undefined) return { kind: 'error', reason: `response over ${this.opts.maxBytes} bytes` };
      // A PEP 503 HTML page is kept (and cached) in its PEP 691 JSON form, so every reader sees one shape.
      const body = isHtml(res.headers.get('content-type'))
        ? JSON.stringify(parseSimpleHtml(text, res.url || url))
        : text;
      const parsed = parseJson(body);
      if (parsed.kind === 'ok' && this.disk) {
        const etag = res.headers.get('etag');
        const lastModified = res.headers.get('last-modified');
        // Only the body and its validators are kept: never a request header, never a credential.
        await this.disk
          .put(url, accept, {
            body: Buffer.from(body),
            storedAt: Date.now(),
            ...(etag !== null ? { etag } : {}),
            ...(lastModified !== null ? { lastModified } : {}),
          })
          .catch(() => undefined);
      }
      return parsed;
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return { kind: 'error', reason: redactUrls(reason).slice(0, 300), trouble: 'unreachable' };
    }
  }

  /**
   * Why the index refused a request, naming where the credentials sent came from and never a secret. pip finds them
   * in the index URL's userinfo, then keyring, then netrc (network/auth.py `MultiDomainBasicAuth._get_new_credentials`);
   * a refusal with none sent is a private index the scan was given no credentials for, pip's 401 "Credentials not
   * correct" otherwise.
   */
  private refusedReason(status: number, url: string): string {
    const what = `HTTP ${status} from ${redactUrls(url)}`;
    const { authorization, unsetVariables = [] } = this.opts.index;
    if (authorization === undefined) return `${what}: the index wants credentials and none are configured for it`;
    // The usual cause in CI: a secret the job did not pass, not a refused token.
    if (unsetVariables.length > 0)
      return `${what}: the index refused the credentials of its URL, which name ${unsetVariables.map((n) => `\${${n}}`).join(', ')}, unset in the scan's environment (so the text itself was sent, as pip sends it)`;
    return `${what}: the index refused the credentials configured for it (wrong, expired or without read access)`;
  }

  /**
   * GET, following redirects as pip's requests session does (`SessionRedirectMixin.rebuild_auth`): the credentials
   * go only to the index's own origin, and are dropped at the first hop to any other one (a mirror that redirects
   * to a CDN or an attacker's host never receives them). At most MAX_REDIRECTS hops.
   */
  private async follow(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const home = new URL(this.opts.index.indexUrl).origin;
    let at = url;
    for (let hop = 0; ; hop++) {
      const auth = this.opts.index.authorization;
      const sent = auth !== undefined && new URL(at).origin === home ? { ...headers, authorization: auth } : headers;
      const res = await fetch(at, { headers: sent, signal, redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || res.status === 304 || location === null) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${redactUrls(url)}`);
      const next = new URL(location, at);
      if (next.protocol !== 'https:' && next.protocol !== 'http:')
        throw new Error(`redirected to a ${next.protocol} URL`);
      at = next.href;
    }
  }
}

type Trouble = 'unreachable' | 'http-error' | 'rate-limited' | 'unauthorized' | 'forbidden';
/** The troubles a request is sent again for: a refusal or a rate limit would answer the same. */
const RETRIED: ReadonlySet<Trouble> = new Set(['unreachable', 'http-error']);

/** The two APIs of an index a scan asks: the simple pages (PEP 503 / 691) and PEP 740's Integrity API. */
type Api = 'simple' | 'integrity';

/** Consecutive index-level failures of one API, and (once open) the failure that opened its breaker. */
interface Breaker {
  failures: number;
  open?: string;
  /** Opened by a 401: the packages it leaves are refused, as pip would be. */
  refused?: true;
  /** Opened by a 401, which it gives as the reason. */
  unauthorized?: true;
}

/** One attempt's outcome; `trouble` marks an index-level failure (the breaker counts it; retried but 429). */
type Attempt =
  | { readonly kind: 'ok'; readonly json: unknown }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'error'; readonly reason: string; readonly trouble?: Trouble; readonly refused?: true };

function toFetched(a: Attempt): Fetched {
  if (a.kind !== 'error') return a;
  return { kind: 'error', reason: a.reason, ...(a.refused === true ? { refused: true as const } : {}) };
}

const MAX_REDIRECTS = 5;
const DEFAULT_BREAKER_THRESHOLD = 3;

async function readBounded(res: Response, max: number): Promise<string | undefined> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Node's web streams are async-iterable; stop reading (and drop the body) past the bound.
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** pip's `_ensure_api_header`: `text/html` and `application/vnd.pypi.simple.v1+html` are the HTML forms. */
function isHtml(contentType: string | null): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'text/html' || type === 'application/vnd.pypi.simple.v1+html';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function parseJson(text: string): Fetched {
  try {
    return { kind: 'ok', json: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'error', reason: 'the index answered with invalid JSON' };
  }
}

/** `url` resolved against `base`, when it is http(s) on the index's origin; undefined otherwise. */
function sameOrigin(url: string, base: string, indexUrl: string): string | undefined {
  try {
    const at = new URL(url, base);
    if (at.protocol !== 'https:' && at.protocol !== 'http:') return undefined;
    return at.origin === new URL(indexUrl).origin ? at.href : undefined;
  } catch {
    return undefined;
  }
}
