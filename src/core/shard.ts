import { createHash } from 'node:crypto';

/** Deterministic partition: the same key lands in the same shard on every machine. */
export function inShard(key: string, shard: { index: number; count: number } | undefined): boolean {
  if (!shard || shard.count <= 1) return true;
  const h = createHash('sha256').update(key).digest().readUInt32BE(0);
  return (h % shard.count) + 1 === shard.index;
}
