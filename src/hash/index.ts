export { DIGEST_ALGORITHMS, DIGEST_HEX_LENGTH, isDigestAlgorithm, type DigestAlgorithm } from './algorithms.js';
export { DigestCache, CACHE_FILE } from './cache.js';
export { HashPool } from './pool.js';
export { Hasher, type FileToHash } from './hasher.js';
export type { FileIdentity, HashOutcome, HashRequest } from './types.js';
export { digestIndex, knownDigest, type DigestIndex } from './digests.js';
