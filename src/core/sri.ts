import { getHashes } from 'node:crypto';

/**
 * The one Subresource Integrity parser (`sha512-<base64>[?opts]`, several hashes separated by whitespace), used by
 * the lockfile checks, the registry checks, update review and the CycloneDX reporter. Two explicit modes:
 *
 * - `strict`: the W3C SRI grammar (https://w3c.github.io/webappsec-subresource-integrity/#the-integrity-attribute):
 *   `hash-algo "-" base64-value ["?" *VCHAR]` with hash-algo sha256 / sha384 / sha512, and a digest that is padded
 *   base64 of exactly that algorithm's length. One legacy addition: `sha1`, which the spec and
 *   `ssri.parse(…, { strict: true })` refuse but npm lockfiles still carry for old packages; callers rate it weak.
 * - `lenient`: exactly what npm's `ssri.parse` accepts without `strict` (Hash constructor in ssri/lib/index.js,
 *   SRI_REGEX): `[a-z0-9]+-[^?]+(\?\S*)?` with an algorithm node:crypto knows, the digest not checked at all.
 *   For values a registry serves, which npm reads this way; test/core/sri.test.ts checks agreement with ssri.
 *
 * Tokens a mode refuses are returned, never dropped in silence: a caller reports them or treats the value as absent
 * (a finding), never as a pass.
 */
export type SriMode = 'strict' | 'lenient';

export interface SriHash {
  /** As written: lowercase letters and digits (ssri's algorithm names). */
  readonly algorithm: string;
  /** The digest as written (base64 in strict mode; anything without `?` in lenient mode, as ssri keeps it). */
  readonly digest: string;
  /** Option expressions after `?`, split on `?` (ssri's `options`). */
  readonly options: readonly string[];
}

export interface ParsedSri {
  /** Accepted hashes in the order written. */
  readonly hashes: readonly SriHash[];
  /** Tokens the mode refused, as written. */
  readonly rejected: readonly string[];
}

/** Algorithms with a digest length this module checks: the spec's three, plus legacy sha1. */
export type SriAlgorithm = 'sha512' | 'sha384' | 'sha256' | 'sha1';

/** Strongest first, as npm prefers them. */
export const SRI_ALGORITHMS: readonly SriAlgorithm[] = ['sha512', 'sha384', 'sha256', 'sha1'];

/** Digest length in bytes. */
export const SRI_DIGEST_BYTES: Readonly<Record<SriAlgorithm, number>> = {
  sha512: 64,
  sha384: 48,
  sha256: 32,
  sha1: 20,
};

// ssri's SRI_REGEX, written without its redundant `[?\S*]` class: `\S` already holds `?` and `*`.
const LENIENT_TOKEN = /^([a-z0-9]+)-([^?]+)(\?\S*)?$/;
// W3C: base64-value = 1*( ALPHA / DIGIT / "+" / "/" ) *2"="; option-expression = *VCHAR (0x21–0x7E).
const STRICT_TOKEN = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/]+={0,2})(\?[\x21-\x7e]*)?$/;

let nodeHashes: ReadonlySet<string> | undefined;

export function parseSri(text: string, mode: SriMode): ParsedSri {
  const hashes: SriHash[] = [];
  const rejected: string[] = [];
  // Both ssri and the spec split on whitespace; an empty value has no tokens (ssri: null).
  const trimmed = text.trim();
  if (trimmed === '') return { hashes, rejected };
  for (const token of trimmed.split(/\s+/)) {
    const hash = mode === 'strict' ? strictHash(token) : lenientHash(token);
    if (hash) hashes.push(hash);
    else rejected.push(token);
  }
  return { hashes, rejected };
}

function strictHash(token: string): SriHash | undefined {
  const m = STRICT_TOKEN.exec(token);
  if (!m) return undefined;
  const algorithm = m[1] as SriAlgorithm;
  const digest = m[2]!;
  // Padded, as the spec's base64-value and every npm client write it (and ssri's strict 44–88 characters imply).
  if (digest.length % 4 !== 0 || digestBytes(algorithm, digest) === undefined) return undefined;
  return { algorithm, digest, options: splitOptions(m[3]) };
}

function lenientHash(token: string): SriHash | undefined {
  const m = LENIENT_TOKEN.exec(token);
  if (!m) return undefined;
  nodeHashes ??= new Set(getHashes());
  // ssri keeps only algorithms node:crypto can compute.
  if (!nodeHashes.has(m[1]!)) return undefined;
  return { algorithm: m[1]!, digest: m[2]!, options: splitOptions(m[3]) };
}

/** `?a?b` → ['a', 'b'], as ssri splits options; no `?` → []. */
function splitOptions(raw: string | undefined): string[] {
  return raw ? raw.slice(1).split('?') : [];
}

export function isSriAlgorithm(algorithm: string): algorithm is SriAlgorithm {
  return Object.hasOwn(SRI_DIGEST_BYTES, algorithm);
}

const BASE64_VALUE = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The digest bytes when `digest` is base64 (the spec's alphabet, padding optional) of exactly `algorithm`'s length;
 * undefined for an algorithm without a known length or any other text (Buffer.from alone decodes almost anything).
 */
export function digestBytes(algorithm: string, digest: string): Buffer | undefined {
  if (!isSriAlgorithm(algorithm) || !BASE64_VALUE.test(digest)) return undefined;
  const bytes = Buffer.from(digest, 'base64');
  return bytes.length === SRI_DIGEST_BYTES[algorithm] ? bytes : undefined;
}

/**
 * ssri's `Integrity.toString()` of a lenient parse: hashes grouped by algorithm in the order each algorithm first
 * appears, `alg-digest[?opt…]`, one space between. pacote signs and verifies `String(ssri.parse(dist.integrity))`,
 * not the text as served: whitespace and tokens ssri drops are not part of it.
 */
export function toSriString(parsed: ParsedSri): string {
  const groups = new Map<string, SriHash[]>();
  for (const h of parsed.hashes) groups.set(h.algorithm, [...(groups.get(h.algorithm) ?? []), h]);
  return [...groups.values()]
    .flat()
    .map((h) => `${h.algorithm}-${h.digest}${h.options.length > 0 ? `?${h.options.join('?')}` : ''}`)
    .join(' ');
}
