import path from 'node:path';
import type { ScanDigests } from '../../core/digests.js';
import type { DiscoveredFile } from '../../core/files.js';
import type { DigestAlgorithm } from '../../hash/algorithms.js';
import { BundleParseError, messageDigestHash, type ParsedBundle } from '../bundle/parse.js';
import { SUBJECT_ALGORITHMS, StatementError, parseStatement } from '../bundle/intoto.js';

/**
 * A detached bundle whose name points at no file (`<x>.sigstore.json` with no `<x>`) may still sign a file beside it:
 * sigstore-conformance keeps each case's `bundle.sigstore.json` in a folder of its own over one shared `a.txt`, and an
 * artifact may have been renamed since it was signed. `cosign verify-blob --bundle B FILE` and `sigstore verify
 * --bundle B FILE` take the pairing from the user; a scanner has the bundle's own claim instead: the digest it signs
 * (a message signature's `messageDigest`, or the subjects of its in-toto statement). The file near the bundle that
 * has that digest is the one it signs.
 *
 * Near is the bundle's own folder, then each folder above it up to the scan root (never into other folders), nearest
 * first. Hostile trees are bounded: at most MAX_CANDIDATES files are hashed for one bundle, none over MAX_FILE_BYTES,
 * MAX_TOTAL_BYTES read in all for a scan. The scan's hasher reads each file once for every algorithm asked at a time,
 * shares a read another stage started and keeps the digests in its cache.
 */
export const MAX_CANDIDATES = 64;
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 512 * 1024 * 1024;

/**
 * What a bundle claims to sign: the digests, as `<algorithm>:<lowercase hex>` (none when it names none chainproof
 * reads: a DSSE payload that is no in-toto statement, a digest algorithm it does not know); or, when the bundle does
 * not parse at all, why (`unreadable`: a malformed bundle is CPS008 whether or not its file is there).
 */
export type BundleClaim =
  | { readonly digests: ReadonlySet<string>; readonly unreadable?: undefined }
  | { readonly digests: ReadonlySet<string>; readonly unreadable: BundleParseError };

export function bundleClaim(bundle: ParsedBundle | BundleParseError): BundleClaim {
  if (bundle instanceof BundleParseError) return { digests: new Set(), unreadable: bundle };
  const { content } = bundle;
  if (content.kind === 'message') {
    // Every hash the verification accepts (bundle/parse.ts MESSAGE_DIGEST_HASHES, SHA-3 included), so a message
    // signature the check would pass is never reported as signing a missing file.
    const algorithm = messageDigestHash(content.algorithm);
    return { digests: new Set(algorithm ? [`${algorithm}:${content.digest.toString('hex')}`] : []) };
  }
  try {
    const statement = parseStatement(content.payloadType, content.payload);
    return {
      digests: new Set(
        statement.subjects.flatMap((s) =>
          SUBJECT_ALGORITHMS.flatMap((a) => (s.digest[a] !== undefined ? [`${a}:${s.digest[a]}`] : [])),
        ),
      ),
    };
  } catch (err) {
    // Not an in-toto statement: the verification that follows says why; here it only means no digest to look for.
    if (err instanceof StatementError) return { digests: new Set() };
    throw err;
  }
}

export class NearbyArtifacts {
  /** Files by folder (POSIX, '' for the root), in path order; built on the first question. */
  private byFolder: Map<string, DiscoveredFile[]> | undefined;
  /**
   * Reads counted against MAX_TOTAL_BYTES already, by file and algorithms: the hasher shares a read only when it
   * computes every algorithm asked, so a bundle naming another digest algorithm reads the file again, and that read
   * is charged too.
   */
  private readonly charged = new Set<string>();
  private bytesLeft = MAX_TOTAL_BYTES;

  constructor(
    private readonly files: readonly DiscoveredFile[],
    private readonly isCandidate: (f: DiscoveredFile) => boolean,
    private readonly digests: ScanDigests,
  ) {}

  /**
   * The file nearest `bundlePath` with one of the digests `wanted` (`bundleClaim`), the first in path order;
   * undefined when none of the files the bounds let it hash has one (larger files are not hashed).
   */
  async find(bundlePath: string, wanted: ReadonlySet<string>): Promise<DiscoveredFile | undefined> {
    if (wanted.size === 0) return undefined;
    const algorithms = [...new Set([...wanted].map((d) => d.slice(0, d.indexOf(':')) as DigestAlgorithm))].sort();
    const hashed = algorithms.join(',');
    let left = MAX_CANDIDATES;
    for (const folder of foldersUp(bundlePath)) {
      for (const f of this.folder(folder)) {
        if (f.path === bundlePath || !this.isCandidate(f) || f.size > MAX_FILE_BYTES) continue;
        if (left-- === 0) return undefined;
        const read = `${f.path}\0${hashed}`;
        if (!this.charged.has(read)) {
          if (this.bytesLeft < f.size) return undefined;
          this.bytesLeft -= f.size;
          this.charged.add(read);
        }
        // Gone or unreadable since the walk: no match (the bundle is then reported as signing a missing file).
        const res = await this.digests.hash({ abs: f.abs, identity: f, algorithms });
        if (res.ok && algorithms.some((a) => wanted.has(`${a}:${res.digests[a]}`))) return f;
      }
    }
    return undefined;
  }

  private folder(folder: string): readonly DiscoveredFile[] {
    if (!this.byFolder) {
      this.byFolder = new Map();
      for (const f of [...this.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
        const dir = path.posix.dirname(f.path);
        const key = dir === '.' ? '' : dir;
        const list = this.byFolder.get(key);
        if (list) list.push(f);
        else this.byFolder.set(key, [f]);
      }
    }
    return this.byFolder.get(folder) ?? [];
  }
}

/** The folders from a file's own up to the root (''), nearest first. */
function foldersUp(file: string): string[] {
  const out: string[] = [];
  for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
    out.push(dir === '.' ? '' : dir);
    if (dir === '.') break;
  }
  return out;
}
