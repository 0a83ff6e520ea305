import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';

/** Deterministic partition: the same key lands in the same shard on every machine. */
export function inShard(key: string, shard: { index: number; count: number } | undefined): boolean {
  if (!shard || shard.count <= 1) return true;
  const h = createHash('sha256').update(key).digest().readUInt32BE(0);
  return (h % shard.count) + 1 === shard.index;
}

/**
 * More shards than this is no partition anyone runs (a GitHub Actions matrix stops at 256 jobs), and past 2^32 most
 * shards would hold nothing: `inShard` compares a 32-bit hash, so shard 1 of 10^20 scanned almost no file and passed.
 */
export const MAX_SHARDS = 1024;

/**
 * `i/n` (blanks around the slash allowed where `spaced`), 1 <= i <= n <= MAX_SHARDS; undefined for no value. `what`
 * names the option in the usage error: `--shard` on the command line, `input shard` in the Action.
 */
export function parseShardSpec(
  raw: string | undefined,
  what: string,
  spaced = false,
): { index: number; count: number } | undefined {
  if (raw === undefined || (spaced && raw === '')) return undefined;
  const m = (spaced ? /^(\d{1,9})\s*\/\s*(\d{1,9})$/ : /^(\d{1,9})\/(\d{1,9})$/).exec(raw);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count || count > MAX_SHARDS)
    throw new UsageError(`${what} must be i/n with 1 <= i <= n <= ${MAX_SHARDS} (e.g. 2/4), got "${raw}"`);
  return { index, count };
}
