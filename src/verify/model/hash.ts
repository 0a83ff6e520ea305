import { createHash, getHashes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FsPath } from '../../core/files.js';

/**
 * model_signing hash names → Node digest names (hashlib.blake2b's default is BLAKE2b-512). BLAKE3 has no Node
 * implementation: a model signed with it is not checked.
 */
const NODE_HASH: Record<string, string> = {
  sha256: 'sha256',
  blake2b: 'blake2b512',
};

export function nodeHashFor(algorithm: string): string | undefined {
  const name = NODE_HASH[algorithm.replace(/-sharded-\d+$/, '')];
  return name !== undefined && getHashes().includes(name) ? name : undefined;
}

/** Stream `[start, end)` of a file (the whole file when no range) through `algorithm`; lowercase hex. */
export async function hashFileRange(
  abs: FsPath,
  algorithm: string,
  range?: { start: number; end: number },
): Promise<string> {
  const hash = createHash(algorithm);
  const stream = createReadStream(abs, range ? { start: range.start, end: range.end - 1 } : {});
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
