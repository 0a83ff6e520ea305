import type { DigestAlgorithm } from './algorithms.js';
import type { FsPath } from '../core/files.js';

/** The identity of a file version on this machine: the digest-cache key, checked again when the file is hashed. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

export interface HashRequest {
  /** Absolute path; raw bytes when it is not UTF-8 (core/files.ts `FsPath`). */
  readonly path: FsPath;
  readonly algorithms: readonly DigestAlgorithm[];
  /** The size the walk saw: the pool reads the largest files first. */
  readonly size?: number;
}

export type HashOutcome =
  | {
      readonly ok: true;
      readonly digests: Readonly<Partial<Record<DigestAlgorithm, string>>>;
      readonly bytes: number;
      /** What fstat said of the file that was read. */
      readonly stat: FileIdentity;
      /** True when every digest came from the cache. */
      readonly cached: boolean;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };
