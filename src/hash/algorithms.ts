/**
 * Digest algorithms a registry entry may ask for, and a Sigstore message signature may name. `git-sha1` is Git's blob
 * id (sha1 over `blob <size>\0` + content), which is what Hugging Face cache blobs of small files are named by. SHA-3
 * is what a bundle's `messageDigest` may be over (protobuf-specs HashAlgorithm SHA3_256, SHA3_384).
 */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'sha1' | 'git-sha1' | 'sha3-256' | 'sha3-384';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'sha256',
  'sha384',
  'sha512',
  'sha1',
  'git-sha1',
  'sha3-256',
  'sha3-384',
];

/** Hex length of each algorithm's digest, to validate registry entries and cache lines. */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
  sha1: 40,
  'git-sha1': 40,
  'sha3-256': 64,
  'sha3-384': 96,
};

export function isDigestAlgorithm(s: string): s is DigestAlgorithm {
  return (DIGEST_ALGORITHMS as readonly string[]).includes(s);
}

/** Bytes per read: large enough to amortise syscalls (measured: 1 MiB matches `openssl dgst`), one buffer reused. */
export const READ_CHUNK_BYTES = 1 << 20;
