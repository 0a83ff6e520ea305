/** Subresource Integrity strings as npm writes them: `sha512-<base64>` (space-separated, options after `?`). */

export type SriAlgorithm = 'sha512' | 'sha384' | 'sha256' | 'sha1';

/** Strongest first; npm prefers sha512 and falls back to sha1 for very old packages. */
export const SRI_ALGORITHMS: readonly SriAlgorithm[] = ['sha512', 'sha384', 'sha256', 'sha1'];

const DIGEST_BYTES: Record<SriAlgorithm, number> = { sha512: 64, sha384: 48, sha256: 32, sha1: 20 };

/** Algorithm → base64 digests. Unknown algorithms and malformed entries are dropped. */
export type Sri = ReadonlyMap<SriAlgorithm, ReadonlySet<string>>;

export function parseSri(text: string | undefined): Sri {
  const out = new Map<SriAlgorithm, Set<string>>();
  if (!text) return out;
  for (const token of text.trim().split(/\s+/).slice(0, 16)) {
    const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/]+={0,2})(?:\?.*)?$/.exec(token);
    if (!m) continue;
    const algo = m[1] as SriAlgorithm;
    const digest = m[2]!;
    if (Buffer.from(digest, 'base64').length !== DIGEST_BYTES[algo]) continue;
    const set = out.get(algo) ?? new Set<string>();
    set.add(digest);
    out.set(algo, set);
  }
  return out;
}

/** `dist.shasum` (hex sha1) as an SRI entry. */
export function shasumToSri(hex: string): string | undefined {
  return /^[0-9a-f]{40}$/i.test(hex) ? `sha1-${Buffer.from(hex, 'hex').toString('base64')}` : undefined;
}

export type SriComparison =
  | { readonly kind: 'match'; readonly algorithm: SriAlgorithm }
  | { readonly kind: 'mismatch'; readonly algorithm: SriAlgorithm; readonly expected: string; readonly actual: string }
  | { readonly kind: 'incomparable' };

/**
 * Compare on the strongest algorithm both sides have (as ssri does). Matching a weak sha1 when a strong one is
 * on only one side is still a match: that is what npm accepts at install time.
 */
export function compareSri(expected: Sri, actual: Sri): SriComparison {
  for (const algorithm of SRI_ALGORITHMS) {
    const e = expected.get(algorithm);
    const a = actual.get(algorithm);
    if (!e || !a) continue;
    for (const d of e) if (a.has(d)) return { kind: 'match', algorithm };
    return {
      kind: 'mismatch',
      algorithm,
      expected: `${algorithm}-${[...e][0]!}`,
      actual: `${algorithm}-${[...a][0]!}`,
    };
  }
  return { kind: 'incomparable' };
}

/** The strongest algorithm present, for hashing a download. */
export function strongestAlgorithm(sri: Sri): SriAlgorithm | undefined {
  return SRI_ALGORITHMS.find((a) => sri.has(a));
}

/** The sha512 digest as lowercase hex (how in-toto subjects carry it), if present. */
export function sha512Hex(sri: Sri): string | undefined {
  const d = sri.get('sha512');
  const first = d ? [...d][0] : undefined;
  return first === undefined ? undefined : Buffer.from(first, 'base64').toString('hex');
}
