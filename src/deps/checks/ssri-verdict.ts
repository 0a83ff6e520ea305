import { createHash, getHashes } from 'node:crypto';
import { parseSri } from '../../core/sri.js';

/** What npm (and yarn 1) would accept for a lockfile `integrity`, read the way they read it. */
export type SsriVerdict =
  | { readonly kind: 'ok' }
  /** Only a collision-prone digest (md5, sha1, or an algorithm ssri does not rank) is checked. */
  | { readonly kind: 'weak'; readonly algorithm: string }
  /** Nothing npm checks can ever match: EINTEGRITY on every install. */
  | { readonly kind: 'invalid' }
  /** Several different digests of the checked algorithm: a download matching any of them is accepted. */
  | { readonly kind: 'several'; readonly algorithm: string; readonly count: number };

// ssri's DEFAULT_PRIORITY (npm/ssri lib/index.js), weakest first; ssri keeps only the names node:crypto has.
const PRIORITY = [
  'md5',
  'whirlpool',
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'sha3',
  'sha3-256',
  'sha3-384',
  'sha3-512',
  'sha3_256',
  'sha3_384',
  'sha3_512',
];
const WEAK = new Set(['md5', 'sha1']);

let rankedCache: readonly string[] | undefined;
/** PRIORITY's algorithms that node:crypto has, weakest first (worked out once). */
const ranked = (): readonly string[] => {
  if (rankedCache === undefined) {
    const node = new Set(getHashes());
    rankedCache = PRIORITY.filter((a) => node.has(a));
  }
  return rankedCache;
};

/** ssri `Integrity.pickAlgorithm` with `getPrioritizedHash`: the highest-ranked algorithm, the first written on ties. */
function pickAlgorithm(algorithms: readonly string[]): string {
  const rank = ranked();
  return algorithms.reduce((acc, a) => (rank.indexOf(acc) >= rank.indexOf(a) ? acc : a));
}

/**
 * npm and yarn 1 verify a download with ssri (npm/ssri lib/index.js: `parse`, `IntegrityStream`, `Integrity.match`):
 * `parse` keeps the whitespace-separated tokens of algorithms node:crypto has (core/sri.ts, lenient) and drops the
 * rest; `pickAlgorithm` takes the strongest; the download passes when its digest (node's padded base64) equals ANY
 * digest of that algorithm. Tokens of other algorithms are never looked at: a valid sha512 beside a malformed sha1
 * installs, and two different sha512 digests let either of two tarballs install.
 */
export function ssriVerdict(value: string): SsriVerdict {
  const { hashes } = parseSri(value, 'lenient');
  if (hashes.length === 0) return { kind: 'invalid' };
  const algorithm = pickAlgorithm([...new Set(hashes.map((h) => h.algorithm))]);
  const length = digestLength(algorithm);
  const digests = new Set<string>();
  for (const h of hashes) {
    if (h.algorithm !== algorithm) continue;
    // Only the canonical encoding of a digest of the right length can equal what node computes.
    const bytes = Buffer.from(h.digest, 'base64');
    if (bytes.length === length && bytes.toString('base64') === h.digest) digests.add(h.digest);
  }
  if (digests.size === 0) return { kind: 'invalid' };
  if (digests.size > 1) return { kind: 'several', algorithm, count: digests.size };
  if (WEAK.has(algorithm) || !ranked().includes(algorithm)) return { kind: 'weak', algorithm };
  return { kind: 'ok' };
}

/**
 * The one algorithm of `value` a download is checked with (ssri `IntegrityStream`: `sri.pickAlgorithm(opts)`, the
 * digest then matched within it alone); undefined when ssri keeps no token. Every other token is never looked at.
 */
export function ssriCheckedAlgorithm(value: string): string | undefined {
  const { hashes } = parseSri(value, 'lenient');
  return hashes.length === 0 ? undefined : pickAlgorithm(hashes.map((h) => h.algorithm));
}

const lengths = new Map<string, number>();

/** Digest bytes of a node:crypto algorithm (hashing nothing: no scanned content is touched). */
function digestLength(algorithm: string): number {
  let n = lengths.get(algorithm);
  if (n === undefined) {
    try {
      n = createHash(algorithm).digest().length;
    } catch {
      n = -1; // listed by getHashes yet not constructible: ssri's createHash would throw, so nothing matches
    }
    lengths.set(algorithm, n);
  }
  return n;
}
