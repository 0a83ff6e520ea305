import type { ModelRecord } from '../core/records.js';
import type { DigestAlgorithm } from './algorithms.js';

/** Digests the models stage computed this scan, by repo-relative path. */
export type DigestIndex = ReadonlyMap<string, Readonly<Partial<Record<DigestAlgorithm, string>>>>;

/**
 * The digests of this scan, offered to every later stage (signature checks, provenance) from the model records the
 * hasher filled, so no stage re-reads a multi-GB file for a digest already known. Records without digests (not
 * hashed: a finding says why) are left out, so a caller falls back to hashing rather than trusting a gap.
 */
export function digestIndex(models: readonly ModelRecord[]): DigestIndex {
  const out = new Map<string, Partial<Record<DigestAlgorithm, string>>>();
  for (const m of models) {
    if (Object.keys(m.digests).length > 0) out.set(m.path, { ...m.digests });
  }
  return out;
}

/** A known digest of `path`, or undefined when this scan did not compute that algorithm for it. */
export function knownDigest(index: DigestIndex, path: string, algorithm: DigestAlgorithm): string | undefined {
  return index.get(path)?.[algorithm];
}
