import { deflateRawSync } from 'node:zlib';
import { levelRank, type Level } from '../core/finding.js';

/** GitHub code scanning rejects runs with more results than this ("SARIF support for code scanning"). */
export const MAX_SARIF_RESULTS = 25_000;

/**
 * The `max` most severe of `items` (errors, then warnings, then notes; the first of equals kept), in the order
 * given. Findings come sorted by path: cutting the first 25,000 let a flood of notes in `a/` push every error of
 * `z/` out of code scanning.
 */
export function mostSevere<T>(items: readonly T[], max: number, level: (item: T) => string | undefined = levelOf): T[] {
  if (items.length <= max) return items.slice();
  const chosen = bySeverity(items, level)
    .slice(0, max)
    .sort((a, b) => a - b);
  return chosen.map((i) => items[i]!);
}

/** The indices of `items`, most severe first, equals in the order given. */
function bySeverity<T>(items: readonly T[], level: (item: T) => string | undefined): number[] {
  const rank = (i: number) => levelRank(asLevel(level(items[i]!)));
  return Array.from(items.keys()).sort((a, b) => rank(b) - rank(a) || a - b);
}

/**
 * Code scanning refuses an upload larger than 10 MB gzipped, all its alerts with it: the results are kept within
 * this much of it (the rules and invocations take about 100 KB more).
 */
export const MAX_RESULTS_GZIP_BYTES = 8 * 1024 * 1024;

/** Results compressed together when measured: each batch alone, so the sum is at least what one gzip stream takes. */
const MEASURED_BATCH = 1000;

/**
 * As many of `kept` as code scanning takes in one upload, the least severe left out first; `json` is a result's text.
 * Past MAX_RESULTS_GZIP_BYTES GitHub refused the whole log, every alert with it, and results quote scanned paths and
 * names, which compress little when random: 4,000 files at paths of 4,400 random characters made a SARIF of
 * 13.2 MB gzipped. Compressed only when the results could pass the limit uncompressed.
 */
export function fitUploadSize<T>(
  kept: readonly T[],
  json: (item: T) => string,
  level: (item: T) => string | undefined = levelOf,
): T[] {
  let bytes = 0;
  for (let i = 0; i < kept.length && bytes <= MAX_RESULTS_GZIP_BYTES; i++) bytes += Buffer.byteLength(json(kept[i]!));
  if (bytes <= MAX_RESULTS_GZIP_BYTES) return kept.slice();
  const order = bySeverity(kept, level);
  let packed = 0;
  for (let start = 0; start < order.length; start += MEASURED_BATCH) {
    const batch = order.slice(start, start + MEASURED_BATCH).map((i) => json(kept[i]!));
    const size = deflateRawSync(batch.join(',')).length;
    // The batch that passes the limit is kept in the share of it that fits: its results compress alike.
    if (packed + size > MAX_RESULTS_GZIP_BYTES)
      return mostSevere(kept, start + Math.floor((batch.length * (MAX_RESULTS_GZIP_BYTES - packed)) / size), level);
    packed += size;
  }
  return kept.slice();
}

const levelOf = (item: unknown): string | undefined => (item as { level?: string }).level;

/** A SARIF result's level as a rank: `none` and unknown values rank below notes; absent is SARIF's `warning`. */
function asLevel(level: string | undefined): Level | 'none' {
  return level === undefined
    ? 'warning'
    : level === 'error' || level === 'warning' || level === 'note'
      ? level
      : 'none';
}
