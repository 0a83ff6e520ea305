import { createHash, getHashes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FsPath } from '../../core/files.js';

/**
 * model_signing hash names → Node digest names. BLAKE3 has no Node implementation: a model signed with it is not
 * checked. BLAKE2b is refused before any file is hashed (manifest.ts MODEL_SIGNING_HASHES: model_signing verify has
 * no hasher under that name).
 */
const NODE_HASH: Record<string, string> = {
  sha256: 'sha256',
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
