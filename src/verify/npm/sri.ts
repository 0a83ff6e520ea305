import {
  digestBytes,
  isSriAlgorithm,
  parseSri as parseSriText,
  SRI_ALGORITHMS,
  type SriAlgorithm,
} from '../../core/sri.js';

export { SRI_ALGORITHMS, type SriAlgorithm } from '../../core/sri.js';

/** Algorithm → base64 digests that can be compared: known algorithm, digest of its length. */
export type Sri = ReadonlyMap<SriAlgorithm, ReadonlySet<string>>;

/**
 * A lockfile's or registry's integrity read as npm reads it (core/sri.ts, lenient: ssri.parse), keeping the hashes
 * that can be compared. Everything else is left out, so a value with none is empty and the caller reports it as
 * having no usable integrity (an unverifiable finding), never as a match.
 */
export function parseSri(text: string | undefined): Sri {
  const out = new Map<SriAlgorithm, Set<string>>();
  if (!text) return out;
  for (const { algorithm, digest } of parseSriText(text, 'lenient').hashes) {
    if (!isSriAlgorithm(algorithm) || digestBytes(algorithm, digest) === undefined) continue;
    const set = out.get(algorithm) ?? new Set<string>();
    set.add(digest);
    out.set(algorithm, set);
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
 * Compare on the strongest algorithm both sides have, or on `checked` alone when given: the algorithm the installer
 * checks the download with (deps/checks/ssri-verdict.ts `ssriCheckedAlgorithm`). Matching a weak sha1 when a strong
 * one is on the registry's side only is still a match: that is what npm accepts at install time. But a lockfile's
 * sha1 that matches says nothing when it also holds a stronger digest: npm checks that one and never the sha1.
 */
export function compareSri(expected: Sri, actual: Sri, checked?: string): SriComparison {
  for (const algorithm of SRI_ALGORITHMS) {
    if (checked !== undefined && algorithm !== checked) continue;
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
