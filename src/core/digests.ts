import type { FileToHash } from '../hash/hasher.js';
import type { HashOutcome } from '../hash/types.js';

/**
 * Every digest of a scan comes from one place (`src/hash/`): the scan's hasher, with its worker pool, its digest
 * cache and one in-flight read per file. Stages ask it; none creates its own pool. A file asked for twice — by the
 * models stage, model signatures and provenance, or by a stage's prefetch and then its run — is read once.
 */
export interface ScanDigests {
  /** Never rejects: an I/O error comes back as `{ ok: false }`. */
  hash(file: FileToHash): Promise<HashOutcome>;
  /** Resolves once the hashing code is loaded and every read asked for so far is in the workers' hands. */
  started(): Promise<void>;
}
